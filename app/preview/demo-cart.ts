/**
 * The preview's register cart: one source of truth (a Preact signal) that the host page and
 * every extension frame read, changed only through the same operations POS's Cart API offers.
 * Money is kept in integer minor units and rendered into the decimal strings POS exposes.
 */
import { signal, type Signal } from "@preact/signals";
import type { Cart, CartDiscountType, Customer, Discount, LineItem } from "@shopify/ui-extensions/point-of-sale";
import { currencyExponent, formatMinorUnits, toMinorUnits } from "../../shared/money";
import type { CatalogVariant } from "./types";

export type VariantLookup = (variantId: number) => Promise<CatalogVariant | null>;

interface CartState {
  lines: { uuid: string; variant: CatalogVariant; quantity: number }[];
  discount: { type: CartDiscountType; title: string; amount: string | undefined } | null;
  customer: Customer | null;
}

export interface DemoCart {
  /** What shopify.cart.current holds in every frame. */
  readonly current: Signal<Cart>;
  addLineItem(variantId: number, quantity: number): Promise<string>;
  removeLineItem(uuid: string): Promise<void>;
  /** Sets a line's quantity (host picker only; POS's API has no such call). 0 removes it. */
  setQuantity(uuid: string, quantity: number): Promise<void>;
  applyCartDiscount(type: CartDiscountType, title: string, amount?: string): Promise<void>;
  removeCartDiscount(): Promise<void>;
  removeAllDiscounts(disableAutomaticDiscounts?: boolean): Promise<void>;
  setCustomer(customer: Customer): Promise<void>;
  removeCustomer(): Promise<void>;
  clearCart(): Promise<void>;
  /** Caches a variant the picker already fetched, so adding it needs no round trip. */
  remember(variant: CatalogVariant): void;
}

export class CartError extends Error {
  override name = "CartError";
}

export interface DemoCartOptions {
  currency: string;
  lookupVariant: VariantLookup;
  newUuid?: () => string;
}

export function createDemoCart({
  currency,
  lookupVariant,
  newUuid = () => crypto.randomUUID(),
}: DemoCartOptions): DemoCart {
  let state: CartState = { lines: [], discount: null, customer: null };
  const current = signal<Cart>(renderCart(state, currency));
  const known = new Map<number, CatalogVariant>();

  const commit = (next: CartState) => {
    state = next;
    current.value = renderCart(state, currency);
  };

  const variantFor = async (variantId: number) => {
    const cached = known.get(variantId);
    if (cached) return cached;
    const found = await lookupVariant(variantId);
    if (!found) throw new CartError(`No product variant with ID ${variantId} in this store`);
    known.set(variantId, found);
    return found;
  };

  return {
    current,
    async addLineItem(variantId, quantity) {
      if (!Number.isSafeInteger(variantId) || variantId <= 0) throw new CartError(`Invalid variant ID ${variantId}`);
      if (!Number.isInteger(quantity) || quantity < 1)
        throw new CartError(`Quantity must be a whole number of at least 1`);
      const variant = await variantFor(variantId);
      // Like the register: adding a variant that is already in the cart raises its quantity.
      const existing = state.lines.find((line) => line.variant.variantId === variantId);
      if (existing) {
        commit({
          ...state,
          lines: state.lines.map((line) =>
            line === existing ? { ...line, quantity: line.quantity + quantity } : line,
          ),
        });
        return existing.uuid;
      }
      const uuid = newUuid();
      commit({ ...state, lines: [...state.lines, { uuid, variant, quantity }] });
      return uuid;
    },
    async removeLineItem(uuid) {
      if (!state.lines.some((line) => line.uuid === uuid)) throw new CartError(`No line item ${uuid} in the cart`);
      commit({ ...state, lines: state.lines.filter((line) => line.uuid !== uuid) });
    },
    async setQuantity(uuid, quantity) {
      if (!Number.isInteger(quantity) || quantity < 0) throw new CartError("Quantity must be a whole number");
      if (!state.lines.some((line) => line.uuid === uuid)) throw new CartError(`No line item ${uuid} in the cart`);
      commit({
        ...state,
        lines: state.lines.flatMap((line) =>
          line.uuid !== uuid ? [line] : quantity === 0 ? [] : [{ ...line, quantity }],
        ),
      });
    },
    async applyCartDiscount(type, title, amount) {
      if (type !== "Code") {
        if (amount === undefined) throw new CartError(`A ${type} discount needs an amount`);
        const value = Number(amount);
        if (!/^\d+(\.\d+)?$/.test(amount.trim()) || !(value > 0))
          throw new CartError(`Invalid discount amount "${amount}"`);
        if (type === "Percentage" && value > 100) throw new CartError("A percentage discount cannot exceed 100");
      }
      commit({ ...state, discount: { type, title, amount } });
    },
    async removeCartDiscount() {
      commit({ ...state, discount: null });
    },
    async removeAllDiscounts() {
      // The preview has no line-item or automatic discounts, so the cart discount is all there is.
      commit({ ...state, discount: null });
    },
    async setCustomer(customer) {
      if (!Number.isSafeInteger(customer?.id) || customer.id <= 0) throw new CartError("A customer needs a numeric ID");
      commit({ ...state, customer: { id: customer.id } });
    },
    async removeCustomer() {
      commit({ ...state, customer: null });
    },
    async clearCart() {
      commit({ lines: [], discount: null, customer: null });
    },
    remember(variant) {
      known.set(variant.variantId, variant);
    },
  };
}

/** The cart in POS's shape: decimal strings for totals, decimal numbers for line prices. */
export function renderCart(state: CartState, currency: string): Cart {
  const scale = 10 ** currencyExponent(currency);
  const lineItems: LineItem[] = state.lines.map(({ uuid, variant, quantity }) => ({
    uuid,
    price: variant.priceMinor / scale,
    quantity,
    title: variant.variantTitle ? `${variant.title} - ${variant.variantTitle}` : variant.title,
    variantId: variant.variantId,
    productId: variant.productId,
    sku: variant.sku ?? undefined,
    vendor: variant.vendor ?? undefined,
    discounts: [],
    taxable: true,
    taxLines: [],
    properties: {},
    isGiftCard: false,
  }));
  const linesMinor = state.lines.reduce((sum, line) => sum + line.variant.priceMinor * line.quantity, 0);
  const discountMinor = discountAmountMinor(state.discount, linesMinor, currency);
  const subtotalMinor = linesMinor - discountMinor;
  const cartDiscount: Discount | undefined = state.discount
    ? {
        amount: discountMinor / scale,
        currency,
        discountDescription: state.discount.title,
        type: state.discount.type,
      }
    : undefined;
  return {
    editable: true,
    // The preview computes no tax: a real register applies the shop's tax settings.
    subtotal: formatMinorUnits(subtotalMinor, currency),
    taxTotal: formatMinorUnits(0, currency),
    grandTotal: formatMinorUnits(subtotalMinor, currency),
    cartDiscount,
    cartDiscounts: cartDiscount ? [cartDiscount] : [],
    customer: state.customer ?? undefined,
    lineItems,
    properties: {},
  };
}

function discountAmountMinor(discount: CartState["discount"], linesMinor: number, currency: string): number {
  if (!discount || discount.amount === undefined) return 0; // codes are not evaluated by the preview
  if (discount.type === "Percentage") return Math.round((linesMinor * Number(discount.amount)) / 100);
  if (discount.type === "FixedAmount") return Math.min(linesMinor, toMinorUnits(discount.amount, currency));
  return 0;
}
