/**
 * The register preview's host page: a product picker building the demo cart, and a simulated
 * POS screen running the real extension's tile and modal, each in its own frame.
 */
import type { Cart, Session } from "@shopify/ui-extensions/point-of-sale";
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { formatMoney, toMinorUnits } from "../../shared/money";
import { createDemoCart, type DemoCart } from "./demo-cart";
import { mountTargetFrame } from "./frame";
import type { FrameHost, PinSubmit } from "./shopify-global";
import type { PinPadOptions } from "@shopify/ui-extensions/point-of-sale";
import type {
  CatalogResponse,
  CatalogVariant,
  PreviewOrder,
  PreviewRegister,
  PreviewTarget,
  SessionTokenResponse,
} from "./types";

const LOCALE = "en-US";
const TOAST_MS = 3_500;

interface Toast {
  id: number;
  message: string;
}

export function RegisterPreview({ register }: { register: PreviewRegister }) {
  const [locationId, setLocationId] = useState<number | null>(register.locations[0]?.id ?? null);
  const locationRef = useRef(locationId);
  locationRef.current = locationId;
  const [sessionId] = useState(() => crypto.randomUUID());
  const [modalOpen, setModalOpen] = useState(false);
  // POS's order screens: the recent orders, one order's details, and its action modal.
  const [screen, setScreen] = useState<"home" | "orders" | "customer">("home");
  const [order, setOrder] = useState<PreviewOrder | null>(null);
  const [orderModalOpen, setOrderModalOpen] = useState(false);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [messages, setMessages] = useState<string[]>([]);
  const [pinPad, setPinPad] = useState<{ onSubmit: PinSubmit; options: PinPadOptions } | null>(null);
  const currency = register.shop.currency;

  const cart = useMemo(
    () =>
      createDemoCart({
        currency,
        lookupVariant: async (variantId) => {
          if (locationRef.current === null) return null;
          const response = await fetch(`/preview/catalog?location=${locationRef.current}&variantId=${variantId}`);
          if (!response.ok) throw new Error(`Catalog lookup failed (HTTP ${response.status})`);
          return ((await response.json()) as CatalogResponse).variants[0] ?? null;
        },
      }),
    [currency],
  );
  const cartValue = useCart(cart);

  const showToast = useCallback((message: string) => {
    const id = Date.now() + Math.random();
    setToasts((current) => [...current, { id, message }]);
    setTimeout(() => setToasts((current) => current.filter((toast) => toast.id !== id)), TOAST_MS);
  }, []);
  const note = useCallback((message: string) => {
    setMessages((current) => (current.includes(message) ? current : [...current, message]));
  }, []);

  const getSessionToken = useCallback(async () => {
    const query = register.simulate.appPermissionDenied ? "?appPermission=denied" : "";
    const response = await fetch(`/preview/session-token${query}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sessionId }),
    });
    if (!response.ok) throw new Error(`Session token request failed (HTTP ${response.status})`);
    const { token } = (await response.json()) as SessionTokenResponse;
    return token ?? undefined;
  }, [register.simulate.appPermissionDenied, sessionId]);

  const location = register.locations.find((candidate) => candidate.id === locationId) ?? null;
  const session: Session | null = useMemo(
    () =>
      locationId === null
        ? null
        : { ...register.session, currency: register.session.currency as Session["currency"], locationId },
    [register.session, locationId],
  );

  const hostFor = useCallback(
    (target: PreviewTarget, forOrder?: PreviewOrder, forCustomer?: number): FrameHost | null =>
      session && {
        target,
        ...(forCustomer ? { customer: { id: forCustomer } } : {}),
        ...(forOrder
          ? {
              order: {
                id: forOrder.id,
                name: forOrder.name,
                ...(forOrder.customerId ? { customerId: forOrder.customerId } : {}),
              },
            }
          : {}),
        cart,
        session,
        locale: LOCALE,
        translations: register.translations,
        getSessionToken,
        deviceId: `preview-${sessionId}`,
        toast: showToast,
        showPinPad: (onSubmit, options) => setPinPad({ onSubmit, options }),
        presentModal: () => (target.startsWith("pos.order-details.") ? setOrderModalOpen(true) : setModalOpen(true)),
        dismissModal: () => (target.startsWith("pos.order-details.") ? setOrderModalOpen(false) : setModalOpen(false)),
        warn: note,
      },
    [cart, session, register.translations, getSessionToken, sessionId, showToast, note],
  );

  const changeLocation = (id: number) => {
    // Like signing a register into another location: targets restart with the new session.
    setModalOpen(false);
    setOrderModalOpen(false);
    setLocationId(id);
  };

  const bundleQuery = register.simulate.backendOffline ? "?backend=offline" : "";

  return (
    <div className="rp">
      <header className="rp-header">
        <div>
          <h1>Register preview — not Shopify POS</h1>
          <p>
            Runs the real extension from <code>extensions/register-copilot</code> against a simulated register for the
            demo store <strong>{register.shop.name ?? register.shop.domain}</strong>. Shopify POS draws its own
            components; these are stand-ins.
          </p>
        </div>
        <Simulations simulate={register.simulate} />
      </header>

      {!register.shop.seeded || register.locations.length === 0 ? (
        <div className="rp-alert" role="alert">
          The demo store has no data yet. Run <code>npm run demo</code> (or <code>npx tsx prisma/seed.ts</code>) and
          reload.
        </div>
      ) : null}

      <main className="rp-main">
        <section className="rp-panel" aria-label="Build a cart">
          <h2>Build a cart</h2>
          <label className="rp-field">
            <span>Register location</span>
            <select
              value={locationId ?? ""}
              onChange={(event) => changeLocation(Number(event.target.value))}
              disabled={register.locations.length === 0}
            >
              {register.locations.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {candidate.name}
                </option>
              ))}
            </select>
          </label>
          {locationId !== null ? (
            <ProductPicker locationId={locationId} cart={cart} cartValue={cartValue} onError={showToast} />
          ) : null}
          <HostCart cart={cart} cartValue={cartValue} currency={currency} />
        </section>

        <section className="rp-register" aria-label="Simulated POS register">
          <div className="rp-device">
            <div className="rp-statusbar">
              <span>{location?.name ?? "No location"}</span>
              <span>Demo cashier · {register.shop.domain}</span>
            </div>
            <div className="rp-screen">
              <div className="rp-home">
                <div className="rp-grid">
                  {session ? (
                    <TargetFrame
                      key={`tile-${locationId}`}
                      className="rp-tile-frame"
                      title="Register Copilot tile (pos.home.tile.render)"
                      host={hostFor("pos.home.tile.render")!}
                      bundleUrl={`/preview/extension/pos.home.tile.render.js${bundleQuery}`}
                      onError={note}
                    />
                  ) : null}
                  <button
                    type="button"
                    className="rp-tile-placeholder rp-tile-button"
                    onClick={() => setScreen("customer")}
                  >
                    Customers
                  </button>
                  {["Products", "Discounts"].map((label) => (
                    <div key={label} className="rp-tile-placeholder" aria-hidden="true">
                      {label}
                    </div>
                  ))}
                  <button
                    type="button"
                    className="rp-tile-placeholder rp-tile-button"
                    onClick={() => setScreen("orders")}
                  >
                    Orders
                  </button>
                </div>
                <p className="rp-hint">
                  Tap the Register Copilot tile to open the copilot, or Orders to check a return.
                </p>
              </div>
              {screen === "orders" && session ? (
                <OrdersScreen
                  order={order}
                  onSelect={setOrder}
                  onClose={() => {
                    setScreen("home");
                    setOrder(null);
                  }}
                  menuItem={
                    order ? (
                      <TargetFrame
                        key={`menu-${locationId}-${order.id}`}
                        className="rp-menu-frame"
                        title="Check return menu item (pos.order-details.action.menu-item.render)"
                        host={hostFor("pos.order-details.action.menu-item.render", order)!}
                        bundleUrl={`/preview/extension/pos.order-details.action.menu-item.render.js${bundleQuery}`}
                        onError={note}
                      />
                    ) : null
                  }
                />
              ) : null}
              {screen === "customer" && session ? (
                <div className="rp-orders" role="region" aria-label="Customer details">
                  <div className="rp-modal-bar">
                    <button type="button" onClick={() => setScreen("home")}>
                      ✕ Close
                    </button>
                    <span>Customer details</span>
                  </div>
                  <div className="rp-order-details">
                    {cartValue.customer ? (
                      <>
                        <h2>Customer #{cartValue.customer.id}</h2>
                        <TargetFrame
                          key={`customer-${locationId}-${cartValue.customer.id}`}
                          className="rp-block-frame"
                          title="Customer loyalty block (pos.customer-details.block.render)"
                          host={hostFor("pos.customer-details.block.render", undefined, cartValue.customer.id)!}
                          bundleUrl={`/preview/extension/pos.customer-details.block.render.js${bundleQuery}`}
                          onError={note}
                        />
                      </>
                    ) : (
                      <p className="rp-muted">Put a customer on the cart (left) to see their details.</p>
                    )}
                  </div>
                </div>
              ) : null}
              {orderModalOpen && order && session ? (
                <div className="rp-modal" role="dialog" aria-label="Order action modal">
                  <div className="rp-modal-bar">
                    <button type="button" onClick={() => setOrderModalOpen(false)}>
                      ✕ Close
                    </button>
                    <span>
                      Modal target <code>pos.order-details.action.render</code>
                    </span>
                  </div>
                  <TargetFrame
                    key={`order-modal-${locationId}-${order.id}`}
                    className="rp-modal-frame"
                    title="Order action modal (pos.order-details.action.render)"
                    host={hostFor("pos.order-details.action.render", order)!}
                    bundleUrl={`/preview/extension/pos.order-details.action.render.js${bundleQuery}`}
                    onError={note}
                  />
                </div>
              ) : null}
              {modalOpen && session ? (
                <div className="rp-modal" role="dialog" aria-label="Register Copilot modal">
                  <div className="rp-modal-bar">
                    <button type="button" onClick={() => setModalOpen(false)}>
                      ✕ Close
                    </button>
                    <span>
                      Modal target <code>pos.home.modal.render</code>
                    </span>
                  </div>
                  <TargetFrame
                    key={`modal-${locationId}`}
                    className="rp-modal-frame"
                    title="Register Copilot modal (pos.home.modal.render)"
                    host={hostFor("pos.home.modal.render")!}
                    bundleUrl={`/preview/extension/pos.home.modal.render.js${bundleQuery}`}
                    onError={note}
                  />
                </div>
              ) : null}
              {pinPad ? (
                <PinPadOverlay
                  key={String(pinPad.options.title)}
                  {...pinPad}
                  onClose={(result) => {
                    setPinPad(null);
                    pinPad.options.onDismissed?.(result);
                  }}
                />
              ) : null}
              <div className="rp-toasts" aria-live="polite">
                {toasts.map((toast) => (
                  <div key={toast.id} className="rp-toast" role="status">
                    {toast.message}
                  </div>
                ))}
              </div>
            </div>
          </div>
          {messages.length > 0 ? (
            <div className="rp-messages" aria-label="Extension messages">
              <h3>Extension messages</h3>
              <ul>
                {messages.map((message) => (
                  <li key={message}>{message}</li>
                ))}
              </ul>
            </div>
          ) : null}
        </section>
      </main>
    </div>
  );
}

/** POS's Orders screen, reduced to what the return check needs: recent orders and one order's actions. */
function OrdersScreen({
  order,
  onSelect,
  onClose,
  menuItem,
}: {
  order: PreviewOrder | null;
  onSelect: (order: PreviewOrder | null) => void;
  onClose: () => void;
  menuItem: React.ReactNode;
}) {
  const [orders, setOrders] = useState<PreviewOrder[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    fetch("/preview/orders", { signal: controller.signal })
      .then((response) => {
        if (!response.ok) throw new Error(`Orders failed to load (HTTP ${response.status})`);
        return response.json() as Promise<{ orders: PreviewOrder[] }>;
      })
      .then((data) => setOrders(data.orders))
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => controller.abort();
  }, []);
  const money = (o: PreviewOrder) => formatMoney({ amountMinor: o.totalMinor, currency: o.currency });
  return (
    <div className="rp-orders" role="region" aria-label="Orders">
      <div className="rp-modal-bar">
        <button type="button" onClick={order ? () => onSelect(null) : onClose}>
          {order ? "← Orders" : "✕ Close"}
        </button>
        <span>{order ? `Order ${order.name}` : "Recent orders"}</span>
      </div>
      {order ? (
        <div className="rp-order-details">
          <h2>Order {order.name}</h2>
          <p className="rp-muted">
            {new Date(order.processedAt).toLocaleString()} · {order.lineCount} items · {money(order)}
          </p>
          <h3>More actions</h3>
          {menuItem}
        </div>
      ) : (
        <ul className="rp-order-list" aria-label="Recent orders">
          {error ? <li role="alert">{error}</li> : null}
          {orders?.map((candidate) => (
            <li key={candidate.id}>
              <button type="button" onClick={() => onSelect(candidate)}>
                <strong>{candidate.name}</strong>
                <span className="rp-muted">
                  {new Date(candidate.processedAt).toLocaleDateString()} · {candidate.lineCount} items
                </span>
                <span>{money(candidate)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * POS's PinPad as the preview draws it: digits, masked by default; the extension's onSubmit
 * decides, a rejection shows its message and keeps the pad open, an acceptance closes it.
 */
function PinPadOverlay({
  onSubmit,
  options,
  onClose,
}: {
  onSubmit: PinSubmit;
  options: PinPadOptions;
  onClose: (result: { completed: boolean; pin?: number[] }) => void;
}) {
  const min = options.minPinLength ?? 4;
  const max = options.maxPinLength ?? 6;
  const masked = options.masked ?? true;
  const [digits, setDigits] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (pin: number[]) => {
    if (busy || pin.length < min) return;
    setBusy(true);
    try {
      const verdict = await onSubmit([...pin]);
      if (verdict.result === "accept") return onClose({ completed: true, pin });
      setError(verdict.errorMessage ?? "PIN rejected");
      setDigits([]);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setDigits([]);
    } finally {
      setBusy(false);
    }
  };
  const press = (digit: number) => {
    if (busy || digits.length >= max) return;
    const next = [...digits, digit];
    setDigits(next);
    setError(null);
    options.onPinEntry?.(next);
    if (options.autoSubmit && next.length === max) void submit(next);
  };

  return (
    <div className="rp-pinpad" role="dialog" aria-modal="true" aria-label={options.title ?? "Enter PIN"}>
      <div className="rp-pinpad-card">
        <h2>{options.title ?? "Enter PIN"}</h2>
        {options.label ? <p className="rp-muted">{options.label}</p> : null}
        <output className="rp-pinpad-entry" aria-label="PIN entered">
          {digits.length === 0 ? "\u00a0" : masked ? "●".repeat(digits.length) : digits.join("")}
        </output>
        <p className="rp-pinpad-error" role="alert">
          {error ?? "\u00a0"}
        </p>
        <div className="rp-pinpad-keys">
          {[1, 2, 3, 4, 5, 6, 7, 8, 9].map((digit) => (
            <button key={digit} type="button" onClick={() => press(digit)} disabled={busy}>
              {digit}
            </button>
          ))}
          <button type="button" aria-label="Delete" onClick={() => setDigits((current) => current.slice(0, -1))}>
            ⌫
          </button>
          <button type="button" onClick={() => press(0)} disabled={busy}>
            0
          </button>
          <button
            type="button"
            className="rp-pinpad-enter"
            onClick={() => void submit(digits)}
            disabled={busy || digits.length < min}
          >
            {busy ? "…" : "Enter"}
          </button>
        </div>
        <button type="button" className="rp-link" onClick={() => onClose({ completed: false })} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  );
}

/** The demo cart's current value, re-rendering the host whenever any frame changes it. */
function useCart(cart: DemoCart): Cart {
  const subscribe = useCallback((changed: () => void) => cart.current.subscribe(() => changed()), [cart]);
  const snapshot = useCallback(() => cart.current.peek(), [cart]);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

function TargetFrame({
  host,
  bundleUrl,
  title,
  className,
  onError,
}: {
  host: FrameHost;
  bundleUrl: string;
  title: string;
  className: string;
  onError: (message: string) => void;
}) {
  const ref = useRef<HTMLIFrameElement>(null);
  const [state, setState] = useState<"loading" | "rendered" | "failed">("loading");
  // The frame is mounted once per key; later host changes reach it through the shared cart.
  const initial = useRef({ host, bundleUrl, onError });
  useEffect(() => {
    const iframe = ref.current;
    if (!iframe) return;
    const { host, bundleUrl, onError } = initial.current;
    return mountTargetFrame(iframe, {
      host,
      bundleUrl,
      onRendered: () => setState("rendered"),
      onError: (message) => {
        setState((current) => (current === "loading" ? "failed" : current));
        onError(`${host.target}: ${message}`);
      },
    });
  }, []);
  return <iframe ref={ref} className={className} title={title} data-state={state} />;
}

function ProductPicker({
  locationId,
  cart,
  cartValue,
  onError,
}: {
  locationId: number;
  cart: DemoCart;
  cartValue: Cart;
  onError: (message: string) => void;
}) {
  const [query, setQuery] = useState("");
  const [result, setResult] = useState<CatalogResponse | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    // A short pause so typing "milk" asks once, not four times.
    const timer = setTimeout(() => {
      setLoading(true);
      const params = new URLSearchParams({ location: String(locationId), q: query, limit: "30" });
      fetch(`/preview/catalog?${params}`, { signal: controller.signal })
        .then((response) => {
          if (!response.ok) throw new Error(`Search failed (HTTP ${response.status})`);
          return response.json() as Promise<CatalogResponse>;
        })
        .then((data) => {
          for (const variant of data.variants) cart.remember(variant);
          setResult(data);
          setLoading(false);
        })
        .catch((error: unknown) => {
          if (controller.signal.aborted) return;
          setLoading(false);
          onError(error instanceof Error ? error.message : String(error));
        });
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [locationId, query, cart, onError]);

  const inCart = (variantId: number) =>
    cartValue.lineItems.filter((line) => line.variantId === variantId).reduce((sum, line) => sum + line.quantity, 0);

  const add = async (variant: CatalogVariant) => {
    try {
      await cart.addLineItem(variant.variantId, 1);
    } catch (error) {
      onError(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <div className="rp-picker">
      <label className="rp-field">
        <span>Search products in stock here</span>
        <input
          type="search"
          value={query}
          placeholder="e.g. milk, rolls/buns, SKU"
          onChange={(event) => setQuery(event.target.value)}
          aria-label="Search products"
        />
      </label>
      <p className="rp-muted" aria-live="polite">
        {loading && !result
          ? "Searching…"
          : result
            ? `${result.total} in stock${result.total > result.variants.length ? `, showing ${result.variants.length}` : ""}`
            : ""}
      </p>
      <ul className="rp-products" aria-label="Products">
        {result?.variants.map((variant) => {
          const left = (variant.available ?? 0) - inCart(variant.variantId);
          return (
            <li key={variant.variantId}>
              <div className="rp-product">
                <strong>{variant.title}</strong>
                <span className="rp-muted">
                  {variant.sku ?? "no SKU"} · {variant.available ?? 0} in stock
                </span>
              </div>
              <span className="rp-price">
                {formatMoney({ amountMinor: variant.priceMinor, currency: variant.currency })}
              </span>
              <button
                type="button"
                onClick={() => void add(variant)}
                disabled={left <= 0}
                aria-label={`Add ${variant.title}`}
                title={left <= 0 ? "No more in stock at this location" : undefined}
              >
                Add
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

function HostCart({ cart, cartValue, currency }: { cart: DemoCart; cartValue: Cart; currency: string }) {
  const money = (amount: string | number | undefined) =>
    amount === undefined ? "—" : formatMoney({ amountMinor: toMinorUnits(amount, currency), currency });
  return (
    <div className="rp-cart" aria-label="Cart">
      <div className="rp-cart-head">
        <h2>Cart</h2>
        <button
          type="button"
          className="rp-link"
          onClick={() => void cart.clearCart()}
          disabled={cartValue.lineItems.length === 0}
        >
          Clear
        </button>
      </div>
      {cartValue.lineItems.length === 0 ? (
        <p className="rp-muted">Empty. Add products above; the extension sees the same cart.</p>
      ) : (
        <ul className="rp-cart-lines">
          {cartValue.lineItems.map((line) => (
            <li key={line.uuid}>
              <span className="rp-qty">
                <button
                  type="button"
                  aria-label={`One less ${line.title}`}
                  onClick={() => void cart.setQuantity(line.uuid, line.quantity - 1)}
                >
                  −
                </button>
                <span>{line.quantity}</span>
                <button
                  type="button"
                  aria-label={`One more ${line.title}`}
                  onClick={() => void cart.addLineItem(line.variantId!, 1)}
                >
                  +
                </button>
              </span>
              <span className="rp-line-title">{line.title}</span>
              <span className="rp-price">
                {line.price === undefined
                  ? "—"
                  : formatMoney({ amountMinor: toMinorUnits(line.price, currency) * line.quantity, currency })}
              </span>
            </li>
          ))}
        </ul>
      )}
      {cartValue.cartDiscount ? (
        <p className="rp-muted">
          Discount “{cartValue.cartDiscount.discountDescription}”: −{money(cartValue.cartDiscount.amount)}
        </p>
      ) : null}
      <CustomerPicker cart={cart} customerId={cartValue.customer?.id ?? null} />
      <div className="rp-total">
        <span>Subtotal</span>
        <strong data-testid="host-subtotal">{money(cartValue.subtotal)}</strong>
      </div>
    </div>
  );
}

/** Puts a demo customer on the cart, as the register's "Add customer" would. */
function CustomerPicker({ cart, customerId }: { cart: DemoCart; customerId: number | null }) {
  const [customers, setCustomers] = useState<{ id: number; name: string; points: number }[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    fetch("/preview/customers", { signal: controller.signal })
      .then((response) => (response.ok ? response.json() : { customers: [] }))
      .then((data: { customers: { id: number; name: string; points: number }[] }) => setCustomers(data.customers))
      .catch(() => undefined);
    return () => controller.abort();
  }, []);
  return (
    <label className="rp-field">
      <span>Customer on the cart</span>
      <select
        aria-label="Customer on the cart"
        value={customerId ?? ""}
        onChange={(event) =>
          void (event.target.value ? cart.setCustomer({ id: Number(event.target.value) }) : cart.removeCustomer())
        }
      >
        <option value="">No customer</option>
        {customers.map((customer) => (
          <option key={customer.id} value={customer.id}>
            {customer.name} · {customer.points} points
          </option>
        ))}
      </select>
    </label>
  );
}

function Simulations({ simulate }: { simulate: PreviewRegister["simulate"] }) {
  const active = simulate.appPermissionDenied ? "permission" : simulate.backendOffline ? "offline" : "normal";
  const links: [string, string, string][] = [
    ["normal", "Normal", "/preview"],
    ["permission", "No app permission", "/preview?appPermission=denied"],
    ["offline", "Backend offline", "/preview?backend=offline"],
  ];
  return (
    <nav className="rp-simulate" aria-label="Simulate">
      <span>Simulate:</span>
      {links.map(([key, label, href]) => (
        <a key={key} href={href} aria-current={key === active ? "page" : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}
