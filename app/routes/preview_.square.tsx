/**
 * /preview/square — the demo Square register (demo mode only): ring items up for the demo Square
 * seller, attach a customer, take payment, and issue a pairing code for the companion panel
 * (/panel). Not Square: a stand-in so the panel has a POS to read from and write to.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  isRouteErrorResponse,
  useActionData,
  useLoaderData,
  useNavigation,
  useRevalidator,
  useRouteError,
} from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { getDb } from "../db.server";
import { fieldErrorsResponse } from "../http.server";
import { requireDemoMode } from "../preview/demo-mode.server";
import {
  completeSale,
  currentOpenOrder,
  ringUp,
  setOrderCustomer,
  type WireOrder,
} from "../preview/square-register.server";
import styles from "../preview/square-register.css?url";
import { issuePairingCode, PairingError } from "../services/pairing.server";
import { PanelOrderError } from "../services/panel-orders.server";
import { DEMO_SQUARE_STORE } from "../../shared/demo-store";
import { formatMinorUnits } from "../../shared/money";

export const meta: MetaFunction = () => [{ title: "Demo Square register — not Square" }];
export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: "data:," },
];

async function demoSeller() {
  const shop = await getDb().shop.findUnique({
    where: { platform_domain: { platform: "square", domain: DEMO_SQUARE_STORE.domain } },
    include: { locations: { orderBy: { name: "asc" }, select: { externalId: true, name: true } } },
  });
  if (!shop) throw new Response("The demo Square seller is not seeded: run npm run demo", { status: 503 });
  return shop;
}

function chosenLocation(shop: Awaited<ReturnType<typeof demoSeller>>, value: string | null) {
  const locations = shop.locations;
  return (
    locations.find((location) => location.externalId === value) ??
    locations.find((l) => l.name === "Main Street") ??
    locations[0]!
  );
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  requireDemoMode();
  const shop = await demoSeller();
  const location = chosenLocation(shop, new URL(request.url).searchParams.get("location"));
  const db = getDb();
  const [order, products, customers] = await Promise.all([
    currentOpenOrder(db, shop.id, location.externalId),
    db.variant.findMany({
      where: { shopId: shop.id, product: { status: "active", deletedAt: null } },
      orderBy: { product: { title: "asc" } },
      select: { externalId: true, priceMinor: true, product: { select: { title: true } } },
    }),
    db.customer.findMany({
      where: { shopId: shop.id, redactedAt: null },
      orderBy: { firstName: "asc" },
      take: 50,
      select: { externalId: true, firstName: true, lastName: true },
    }),
  ]);
  return {
    seller: { name: shop.name, currency: shop.currency },
    locations: shop.locations,
    location,
    order,
    products: products.map((v) => ({ variantId: v.externalId, title: v.product.title, priceMinor: v.priceMinor })),
    customers: customers.map((c) => ({ id: c.externalId, name: [c.firstName, c.lastName].filter(Boolean).join(" ") })),
  };
};

const ActionSchema = z.discriminatedUnion("intent", [
  z.strictObject({ intent: z.literal("ring"), location: z.string().max(64), variantId: z.string().min(1).max(64) }),
  z.strictObject({
    intent: z.literal("customer"),
    location: z.string().max(64),
    orderId: z.string().min(1).max(64),
    customerId: z.string().max(64),
  }),
  z.strictObject({ intent: z.literal("complete"), location: z.string().max(64), orderId: z.string().min(1).max(64) }),
  z.strictObject({ intent: z.literal("pair"), location: z.string().max(64) }),
]);

type ActionResult = { pairingCode?: string; expiresAt?: string; error?: string };

export const action = async ({ request }: ActionFunctionArgs) => {
  requireDemoMode();
  const parsed = ActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return fieldErrorsResponse(parsed.error.issues);
  const shop = await demoSeller();
  const location = chosenLocation(shop, parsed.data.location).externalId;
  const db = getDb();
  const now = new Date();
  try {
    switch (parsed.data.intent) {
      case "ring":
        await ringUp(db, shop, location, parsed.data.variantId, now);
        return {} satisfies ActionResult;
      case "customer":
        await setOrderCustomer(db, shop.id, parsed.data.orderId, parsed.data.customerId || null);
        return {} satisfies ActionResult;
      case "complete":
        await completeSale(db, shop.id, parsed.data.orderId, now);
        return {} satisfies ActionResult;
      case "pair": {
        const issued = await issuePairingCode(db, shop, location, "demo:square-register", now);
        return { pairingCode: issued.code, expiresAt: issued.expiresAt.toISOString() } satisfies ActionResult;
      }
    }
  } catch (error) {
    if (error instanceof PanelOrderError || error instanceof PairingError) {
      return Response.json({ error: error.message } satisfies ActionResult, { status: error.status });
    }
    throw error;
  }
};

function Money({ minor, currency }: { minor: number; currency: string }) {
  return <>{formatMinorUnits(minor, currency)}</>;
}

function OrderView({ order, currency }: { order: WireOrder; currency: string }) {
  return (
    <div data-testid="sim-order">
      <table>
        <caption className="visually-hidden">Open order lines</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Qty</th>
            <th scope="col">Amount</th>
          </tr>
        </thead>
        <tbody>
          {order.line_items.map((line) => (
            <tr key={line.uid}>
              <td>{line.name}</td>
              <td>{line.quantity}</td>
              <td>
                <Money minor={line.gross_sales_money.amount} currency={currency} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {order.discounts.map((discount) => (
        <p key={discount.uid} className="discount" data-testid="sim-discount">
          {discount.name}: −<Money minor={discount.applied_money.amount} currency={currency} />
        </p>
      ))}
      <p className="total">
        Total <Money minor={order.total_money.amount} currency={currency} />
      </p>
    </div>
  );
}

export default function DemoSquareRegister() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<ActionResult>();
  const { order, seller, location } = data;
  // The revalidation below clears action data every couple of seconds; a pairing code (or an
  // error) stays on screen until the next action's answer replaces it or the location changes.
  const [last, setLast] = useState({ location: location.externalId, result: actionData });
  useEffect(() => {
    if (actionData) setLast({ location: location.externalId, result: actionData });
  }, [actionData, location.externalId]);
  const result = last.location === location.externalId ? last.result : undefined;
  const busy = useNavigation().state !== "idle";
  const revalidator = useRevalidator();
  // The panel writes discounts from another screen: look again every couple of seconds.
  useEffect(() => {
    const timer = setInterval(() => {
      // Offline, a revalidation would fail and replace the register with an error page.
      if (document.visibilityState === "visible" && navigator.onLine && revalidator.state === "idle") {
        revalidator.revalidate();
      }
    }, 2_000);
    return () => clearInterval(timer);
  }, [revalidator]);
  const hidden = <input type="hidden" name="location" value={location.externalId} />;
  return (
    <main className="sim">
      <header>
        <h1>Demo Square register</h1>
        <p>
          {seller.name} · not Square: a stand-in POS for the companion panel at <a href="/panel">/panel</a>
        </p>
        <Form method="get" className="location">
          <label>
            Location{" "}
            <select
              name="location"
              defaultValue={location.externalId}
              onChange={(e) => e.currentTarget.form?.requestSubmit()}
            >
              {data.locations.map((l) => (
                <option key={l.externalId} value={l.externalId}>
                  {l.name}
                </option>
              ))}
            </select>
          </label>
        </Form>
        <Form method="post" className="pair">
          {hidden}
          <button type="submit" name="intent" value="pair" disabled={busy}>
            Issue pairing code
          </button>
          {result?.pairingCode ? (
            <output>
              Code for a panel at {location.name}: <strong data-testid="pairing-code">{result.pairingCode}</strong>{" "}
              (valid 10 minutes)
            </output>
          ) : null}
        </Form>
        {result?.error ? (
          <p role="alert" className="error">
            {result.error}
          </p>
        ) : null}
      </header>
      <section aria-labelledby="catalog-heading" className="catalog">
        <h2 id="catalog-heading">Items</h2>
        <ul>
          {data.products.map((product) => (
            <li key={product.variantId}>
              <Form method="post">
                {hidden}
                <input type="hidden" name="variantId" value={product.variantId} />
                <button
                  type="submit"
                  name="intent"
                  value="ring"
                  aria-label={`Ring up ${product.title}`}
                  disabled={busy}
                >
                  <span>{product.title}</span>
                  <span className="price">
                    <Money minor={product.priceMinor} currency={seller.currency} />
                  </span>
                </button>
              </Form>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="order-heading" className="order">
        <h2 id="order-heading">Open order</h2>
        {order ? (
          <>
            <Form method="post" className="customer">
              {hidden}
              <input type="hidden" name="orderId" value={order.id} />
              <input type="hidden" name="intent" value="customer" />
              <label>
                Customer{" "}
                <select
                  name="customerId"
                  value={order.customer_id ?? ""}
                  onChange={(e) => e.currentTarget.form?.requestSubmit()}
                >
                  <option value="">No customer</option>
                  {data.customers.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </label>
            </Form>
            <OrderView order={order} currency={seller.currency} />
            <Form method="post">
              {hidden}
              <input type="hidden" name="orderId" value={order.id} />
              <button type="submit" name="intent" value="complete" className="primary" disabled={busy}>
                Complete sale
              </button>
            </Form>
          </>
        ) : (
          <p>No open order. Ring an item up to start one.</p>
        )}
      </section>
    </main>
  );
}

/** A failed load (the server unreachable, the seller not seeded) says so and offers a reload. */
export function ErrorBoundary() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status}: ${typeof error.data === "string" ? error.data : error.statusText}`
    : "The demo register could not reach the app.";
  return (
    <main className="sim">
      <header>
        <h1>Demo Square register</h1>
        <p role="alert" className="error">
          {message}
        </p>
        <a href="">Reload</a>
      </header>
    </main>
  );
}
