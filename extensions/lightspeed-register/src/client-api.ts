/**
 * The Web Register's Client API, as Lightspeed documents it for browser extensions:
 *   - events the register's top-level window emits through postMessage
 *     (https://x-series-api.lightspeedhq.com/docs/client_api_sale_hooks, …_register_hooks,
 *     …_outlet_hooks): `{ event_name, data, source: "Vend Client API" }`, `sale:update` every time
 *     the sale is modified and saved locally;
 *   - methods the register accepts (https://x-series-api.lightspeedhq.com/docs/client_api_reference):
 *     `window.postMessage(JSON.stringify({ method, params }), window.location.origin)` with
 *     `add-product` ({ product_id | sku, quantity?, unit_price?, note?, confirmed? }) and
 *     `add-customer` ({ customer_id }).
 * The hook pages' examples JSON.parse `event.data`; the sale hook page only says "the data
 * attribute of that event will have the following structure". Both a JSON string and an object
 * are read. Pure: no DOM, no extension APIs.
 */
import { externalId } from "../../../shared/ids";
import { currencyExponent, toMinorUnits } from "../../../shared/money";

/** A line of the sale as the register reports it (decimal strings, as documented). */
export interface RegisterSaleLine {
  lineId: string | null;
  productId: string;
  quantity: number;
  /** Tax-exclusive unit price, as a decimal string; null when the register sent none. */
  unitPrice: string | null;
}

export interface RegisterSale {
  id: string | null;
  customerId: string | null;
  lines: RegisterSaleLine[];
}

export type ClientApiEvent =
  | { name: "sale:update"; sale: RegisterSale }
  | { name: "register:set"; registerId: string }
  | { name: "outlet:set"; outletId: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() ? value.trim() : null);

/** "1", "0.345", 2 → a finite number; anything else null. */
function decimal(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string" || !/^-?\d{1,12}(\.\d{1,12})?$/.test(value.trim())) return null;
  return Number(value.trim());
}

function saleLine(raw: unknown): RegisterSaleLine | null {
  if (!isRecord(raw)) return null;
  const productId = externalId(raw.product_id);
  const quantity = decimal(raw.quantity);
  if (!productId || quantity === null) return null;
  const price = raw.unit_price;
  const unitPrice = typeof price === "number" ? String(price) : decimal(price) !== null ? String(price).trim() : null;
  // A gift card line is a card being sold, not goods: nothing to suggest with or discount.
  if (text(raw.gift_card_number)) return null;
  return { lineId: text(raw.id), productId, quantity, unitPrice };
}

function sale(raw: unknown): RegisterSale | null {
  if (!isRecord(raw)) return null;
  const lines = Array.isArray(raw.line_items) ? raw.line_items : [];
  return {
    id: text(raw.id) ?? text(raw.client_sale_id),
    customerId: externalId(raw.customer_id),
    lines: lines.map(saleLine).filter((line): line is RegisterSaleLine => line !== null),
  };
}

/** The Client API event in a `message` event's data, or null for any other message. */
export function readClientApiEvent(data: unknown): ClientApiEvent | null {
  let message: unknown = data;
  if (typeof data === "string") {
    // Cheap test first: the page may post plenty of other strings.
    if (!data.includes("event_name")) return null;
    try {
      message = JSON.parse(data);
    } catch {
      return null;
    }
  }
  if (!isRecord(message) || !isRecord(message.data)) return null;
  switch (message.event_name) {
    case "sale:update": {
      const parsed = sale(message.data.sale);
      return parsed ? { name: "sale:update", sale: parsed } : null;
    }
    case "register:set": {
      const registerId = text(message.data.register_id);
      return registerId ? { name: "register:set", registerId } : null;
    }
    case "outlet:set": {
      const outletId = text(message.data.outlet_id);
      return outletId ? { name: "outlet:set", outletId } : null;
    }
    default:
      return null;
  }
}

/** At most this many lines go to the register API (its schema's limit). */
const MAX_LINES = 250;

/** The sale as the register API's cart: what suggestions, loyalty and approvals are asked about. */
export interface SaleCart {
  saleId: string | null;
  customerId: string | null;
  /**
   * A Lightspeed product id is the platform-neutral variant id (app/platforms/lightspeed/normalize.ts).
   * `unitPrice` is the line's tax-exclusive unit price in the currency (a decimal number), null if unknown.
   */
  lineItems: Array<{ variantId: string; quantity: number; unitPrice: number | null }>;
  /** Σ unit price × quantity, tax-exclusive, in minor units: what a sale discount applies to. */
  subtotalMinor: number;
}

/**
 * The sale as the register API reads it. Returned lines (negative quantities) are left out, as
 * the Lightspeed adapter leaves them out of sales; a line sold by weight (a fractional quantity)
 * is one unit priced at its total, as the adapter stores it (ADR 0017).
 */
export function cartOfSale(sale: RegisterSale, currency: string): SaleCart {
  const lineItems: SaleCart["lineItems"] = [];
  let subtotalMinor = 0;
  for (const line of sale.lines) {
    if (line.quantity <= 0 || lineItems.length >= MAX_LINES) continue;
    const whole = Number.isInteger(line.quantity);
    const quantity = whole ? line.quantity : 1;
    let unitMinor: number | null = null;
    if (line.unitPrice !== null) {
      try {
        unitMinor = whole
          ? toMinorUnits(line.unitPrice, currency)
          : toMinorUnits(Number(line.unitPrice) * line.quantity, currency);
      } catch {
        unitMinor = null;
      }
    }
    if (unitMinor !== null) subtotalMinor += unitMinor * quantity;
    lineItems.push({
      variantId: line.productId,
      quantity,
      unitPrice: unitMinor === null ? null : unitMinor / 10 ** currencyExponent(currency),
    });
  }
  return { saleId: sale.id, customerId: sale.customerId, lineItems, subtotalMinor };
}

/** `add-product` with a product id (the documented way; `sku` is the alternative). */
export function addProductMessage(productId: string, quantity = 1): string {
  return JSON.stringify({ method: "add-product", params: { product_id: productId, quantity } });
}

/** `add-customer`: puts the customer on the sale. */
export function addCustomerMessage(customerId: string): string {
  return JSON.stringify({ method: "add-customer", params: { customer_id: customerId } });
}

/** Sends a Client API method to the register, to its own origin only, as documented. */
export function sendToRegister(target: Pick<Window, "postMessage" | "location">, message: string): void {
  target.postMessage(message, target.location.origin);
}
