/**
 * The `shopify` global of one extension frame, implemented over the preview's demo cart.
 *
 * POS gives each target its own sandbox and hands it data, never shared objects; so here each
 * frame gets copies made in its own realm (`structuredClone` of that window). The extension's
 * `import '@shopify/ui-extensions/preact'` calls `setSignals(Signal)` with its own Preact
 * Signal class; cart.current then becomes a signal of that class, kept equal to the host's.
 */
import type { Signal } from "@preact/signals";
import type {
  Customer,
  CartDiscountType,
  PinPadOptions,
  PinValidationResult,
  Session,
} from "@shopify/ui-extensions/point-of-sale";
import type { DemoCart } from "./demo-cart";
import { createTranslator } from "./translate";
import type { PreviewTarget } from "./types";

export interface FrameHost {
  target: PreviewTarget;
  cart: DemoCart;
  session: Session;
  locale: string;
  translations: Record<string, unknown>;
  getSessionToken: () => Promise<string | undefined>;
  /** This preview page is one register device. */
  deviceId: string;
  toast: (message: string) => void;
  /** POS's PinPad: the host page draws it over the register screen. */
  showPinPad: (onSubmit: PinSubmit, options: PinPadOptions) => void;
  presentModal: () => void;
  dismissModal: () => void;
  /** The order on screen, for the order-details targets. */
  order?: { id: number; name: string; customerId?: number };
  /** The customer on screen, for the customer-details block. */
  customer?: { id: number };
  /** An extension touched an API the preview does not implement. */
  warn: (message: string) => void;
}

export type PinSubmit = (pin: number[]) => Promise<PinValidationResult> | PinValidationResult;

type SignalClass = new <T>(value: T) => Signal<T>;

interface SignalLike<T> {
  readonly value: T;
  subscribe(listener: (value: T) => void): () => void;
}

export interface ShopifyGlobalHandle {
  shopify: Record<string, unknown>;
  /** Stops mirroring host state into the frame (the frame is going away). */
  dispose(): void;
}

export function createShopifyGlobal(frameWindow: Window, host: FrameHost): ShopifyGlobalHandle {
  const inFrame = <T>(value: T): T => (frameWindow as Window & typeof globalThis).structuredClone(value);
  // Values the extension hands over are copied into the host realm before the host keeps them.
  const fromFrame = <T>(value: T): T => structuredClone(value);
  const disposers: (() => void)[] = [];

  /** A frame-side signal mirroring a host signal (a plain signal-like until setSignals). */
  function mirror<T>(source: Signal<T>): { get(): SignalLike<T> | Signal<T>; adopt(Class: SignalClass): void } {
    let frameSignal: Signal<T> | null = null;
    const plain: SignalLike<T> = {
      get value() {
        return inFrame(source.value);
      },
      subscribe(listener) {
        const unsubscribe = source.subscribe((value) => listener(inFrame(value)));
        // Also dropped when the frame goes away, should the extension never unsubscribe.
        disposers.push(unsubscribe);
        return unsubscribe;
      },
    };
    return {
      get: () => frameSignal ?? plain,
      adopt(Class) {
        const created = new Class<T>(inFrame(source.value));
        frameSignal = created;
        disposers.push(
          source.subscribe((value) => {
            created.value = inFrame(value);
          }),
        );
      },
    };
  }

  const cartCurrent = mirror(host.cart.current);
  const translate = createTranslator(host.translations, host.locale);
  const staffMember = { value: { id: host.session.staffMemberId ?? 0 }, subscribe: () => () => undefined };
  const localeSignal = { value: host.locale, subscribe: () => () => undefined };

  const api: Record<string, unknown> = {
    setSignals(Class: SignalClass) {
      cartCurrent.adopt(Class);
    },
    extension: { target: host.target, apiVersion: "2026-07" },
    extensionPoint: host.target,
    cart: {
      get current() {
        return cartCurrent.get();
      },
      addLineItem: (variantId: number, quantity: number) => host.cart.addLineItem(Number(variantId), Number(quantity)),
      removeLineItem: (uuid: string) => host.cart.removeLineItem(String(uuid)),
      applyCartDiscount: (type: CartDiscountType, title: string, amount?: string) =>
        host.cart.applyCartDiscount(type, String(title), amount === undefined ? undefined : String(amount)),
      removeCartDiscount: () => host.cart.removeCartDiscount(),
      removeAllDiscounts: (disableAutomaticDiscounts?: boolean) =>
        host.cart.removeAllDiscounts(disableAutomaticDiscounts),
      setCustomer: (customer: Customer) => host.cart.setCustomer(fromFrame(customer)),
      removeCustomer: () => host.cart.removeCustomer(),
      clearCart: () => host.cart.clearCart(),
    },
    session: {
      get currentSession() {
        return inFrame(host.session);
      },
      staffMember,
      deviceId: 1,
      getSessionToken: () => host.getSessionToken(),
    },
    toast: { show: (content: string) => host.toast(String(content)) },
    device: {
      name: "Register preview",
      registerName: "Preview register",
      getDeviceId: async () => host.deviceId,
      isTablet: async () => true,
    },
    pinPad: {
      showPinPad: (onSubmit: PinSubmit, options?: PinPadOptions) => host.showPinPad(onSubmit, options ?? {}),
    },
    locale: { current: localeSignal },
    i18n: {
      translate,
      formatNumber: (value: number, options?: Intl.NumberFormatOptions) =>
        new Intl.NumberFormat(host.locale, options).format(value),
      formatCurrency: (value: number, options?: Intl.NumberFormatOptions) =>
        new Intl.NumberFormat(host.locale, { style: "currency", currency: host.session.currency, ...options }).format(
          value,
        ),
      formatDate: (date: Date, options?: Intl.DateTimeFormatOptions) =>
        new Intl.DateTimeFormat(host.locale, options).format(date),
    },
    connectivity: { current: { value: { internetConnected: "Connected" }, subscribe: () => () => undefined } },
  };

  // The tile and the menu item present their modal; a modal can dismiss itself. POS gives each
  // target only its own.
  if (host.target === "pos.home.tile.render" || host.target === "pos.order-details.action.menu-item.render") {
    api.action = { presentModal: () => host.presentModal() };
  }
  if (host.target === "pos.home.modal.render" || host.target === "pos.order-details.action.render") {
    api.navigation = { dismiss: () => host.dismissModal() };
  }
  if (host.order && host.target.startsWith("pos.order-details.")) api.order = inFrame(host.order);
  if (host.customer && host.target === "pos.customer-details.block.render") api.customer = inFrame(host.customer);

  const warned = new Set<string>();
  const shopify = new Proxy(api, {
    get(target, key, receiver) {
      if (typeof key === "string" && !(key in target) && key !== "then" && !warned.has(key)) {
        warned.add(key);
        host.warn(`shopify.${key} is not implemented by the register preview`);
      }
      return Reflect.get(target, key, receiver);
    },
  });

  return {
    shopify,
    dispose() {
      for (const dispose of disposers.splice(0)) dispose();
    },
  };
}
