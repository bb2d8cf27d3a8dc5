/**
 * Square → platform-neutral model. Pure. Input is what the `square` SDK returns (camelCase,
 * money amounts as bigint, already in minor units); webhook bodies arrive in Square's wire form
 * (snake_case) and go through `fromWire` first, the SDK's own deserializer, so both paths share
 * one set of schemas. A payload that does not fit throws PayloadError (dead-lettered with its reason).
 *
 * Ids stay as Square writes them ("L50C4RKGJWEB5"): they are opaque strings, not numbers.
 */
import { serialization } from "square";
import type { Square } from "square";
import { z } from "zod";
import type {
  NormalizedCustomer,
  NormalizedInventoryLevel,
  NormalizedLineItem,
  NormalizedOrder,
  NormalizedProduct,
  NormalizedRefund,
} from "../../../shared/model";
import { parsePayload, PayloadError } from "../normalize";

export { PayloadError };

const id = z
  .string()
  .trim()
  .min(1)
  .max(192)
  .regex(/^[A-Za-z0-9_\-:.#]+$/, "not a Square id");
const text = z.string().max(10_000);
const date = z.string().refine((value) => !Number.isNaN(Date.parse(value)), "not a date");
const currency = z.string().regex(/^[A-Z]{3}$/, "not an ISO 4217 currency");
const money = z.object({
  amount: z.union([z.bigint(), z.number().int()]).nullish(),
  currency: currency.nullish(),
});
type Money = z.infer<typeof money>;

const parse = <T>(schema: z.ZodType<T>, payload: unknown, what: string) =>
  parsePayload(schema, payload, `square ${what}`);

/** Square money is already in minor units; bigint only because the API allows 64-bit amounts. */
function minor(value: Money | null | undefined, field: string): number {
  const amount = value?.amount;
  if (amount == null) return 0;
  const number = Number(amount);
  if (!Number.isSafeInteger(number)) throw new PayloadError(`square ${field}: amount out of range`);
  return number;
}

// ---------- wire form (webhook bodies) → SDK shapes ----------

const WIRE = {
  unrecognizedObjectKeys: "passthrough",
  allowUnrecognizedEnumValues: true,
  allowUnrecognizedUnionMembers: true,
  skipValidation: true,
} as const;

function wire<T>(schema: { parse: (raw: unknown, options: typeof WIRE) => unknown }, raw: unknown, what: string): T {
  const result = schema.parse(raw, WIRE) as { ok: true; value: T } | { ok: false; errors: { message: string }[] };
  if (!result.ok) throw new PayloadError(`square ${what}: ${result.errors[0]?.message ?? "unreadable"}`);
  return result.value;
}

/** Square's snake_case JSON into the SDK's shapes, with the SDK's deserializer. */
export const fromWire = {
  order: (raw: unknown) => wire<Square.Order>(serialization.Order, raw, "order"),
  customer: (raw: unknown) => wire<Square.Customer>(serialization.Customer, raw, "customer"),
  inventoryCount: (raw: unknown) => wire<Square.InventoryCount>(serialization.InventoryCount, raw, "inventory count"),
  catalogObject: (raw: unknown) => wire<Square.CatalogObject>(serialization.CatalogObject, raw, "catalog object"),
};

// ---------- webhook envelope ----------

const eventEnvelope = z.object({
  merchant_id: id,
  type: z
    .string()
    .max(200)
    .regex(/^[a-z0-9_.]+$/, "not a Square event type"),
  event_id: z.string().trim().min(1).max(200),
  created_at: date.nullish(),
  data: z
    .object({
      type: z.string().max(200).nullish(),
      id: z.string().max(200).nullish(),
      object: z.record(z.string(), z.unknown()).nullish(),
    })
    .nullish(),
});
export type SquareEvent = z.infer<typeof eventEnvelope>;

/** The envelope every Square webhook shares: who, what, which event. */
export function squareEvent(payload: unknown): SquareEvent {
  return parse(eventEnvelope, payload, "event");
}

const orderEventObject = z.object({ order_id: id, state: z.string().max(50).nullish() });

/** order.created / order.updated: the order's id and the state it was in when the event fired. */
export function orderEventTarget(event: SquareEvent): { orderId: string; state: string | null } {
  const object = event.data?.object ?? {};
  const inner = object.order_updated ?? object.order_created;
  const parsed = parse(orderEventObject, inner, `${event.type} data.object`);
  return { orderId: parsed.order_id, state: parsed.state ?? null };
}

// ---------- orders ----------

const lineItem = z.object({
  uid: z.string().max(200).nullish(),
  name: text.nullish(),
  variationName: text.nullish(),
  quantity: z.string().regex(/^\d{1,9}(\.\d{1,5})?$/, "not a quantity"),
  catalogObjectId: id.nullish(),
  itemType: z.string().nullish(),
  basePriceMoney: money.nullish(),
  grossSalesMoney: money.nullish(),
  totalDiscountMoney: money.nullish(),
  note: text.nullish(),
});

const refund = z.object({
  id,
  status: z.string().nullish(),
  createdAt: date.nullish(),
  amountMoney: money.nullish(),
});

const order = z.object({
  id,
  locationId: id,
  referenceId: z.string().max(200).nullish(),
  ticketName: z.string().max(200).nullish(),
  source: z.object({ name: z.string().max(200).nullish() }).nullish(),
  customerId: id.nullish(),
  state: z.string().nullish(),
  createdAt: date.nullish(),
  updatedAt: date.nullish(),
  closedAt: date.nullish(),
  lineItems: z.array(lineItem).max(5_000).nullish(),
  version: z.number().int().nullish(),
  discounts: z
    .array(
      z.object({
        uid: z.string().max(200).nullish(),
        name: z.string().max(1_000).nullish(),
        scope: z.string().max(40).nullish(),
        appliedMoney: money.nullish(),
      }),
    )
    .max(1_000)
    .nullish(),
  returns: z.array(z.unknown()).max(1_000).nullish(),
  tenders: z
    .array(z.object({ id: z.string().nullish(), customerId: id.nullish(), amountMoney: money.nullish() }))
    .max(1_000)
    .nullish(),
  refunds: z.array(refund).max(1_000).nullish(),
  totalMoney: money.nullish(),
  totalDiscountMoney: money.nullish(),
});
type SquareOrder = z.infer<typeof order>;

function quantityOf(value: string): { whole: number | null; text: string } {
  const number = Number(value);
  return { whole: Number.isInteger(number) ? number : null, text: value };
}

/**
 * A line in whole units. A line sold by weight ("1.5" kg) becomes one unit priced at the line's
 * gross, so price × quantity − discount still adds up to what the customer paid.
 */
function lineFromSquare(orderId: string, line: z.infer<typeof lineItem>, index: number): NormalizedLineItem {
  const gross = line.grossSalesMoney ? minor(line.grossSalesMoney, "line_items.gross_sales_money") : null;
  const base = minor(line.basePriceMoney, "line_items.base_price_money");
  const quantity = quantityOf(line.quantity);
  let units: number;
  let priceMinor: number;
  if (quantity.whole === null) {
    units = 1;
    priceMinor = gross ?? Math.round(base * Number(quantity.text));
  } else {
    units = quantity.whole;
    priceMinor = gross !== null && units > 0 ? Math.round(gross / units) : base;
  }
  const title = [line.name, line.variationName].filter(Boolean).join(" – ");
  return {
    externalId: line.uid || `${orderId}:${index}`,
    // Square lines name the variation only; the sync fills the product from the stored catalog.
    productExternalId: null,
    variantExternalId: line.catalogObjectId ?? null,
    title: title || (line.itemType === "CUSTOM_AMOUNT" ? "Custom amount" : ""),
    sku: null,
    quantity: units,
    priceMinor,
    discountMinor: minor(line.totalDiscountMoney, "line_items.total_discount_money"),
  };
}

function orderCurrency(value: SquareOrder): string {
  const found =
    value.totalMoney?.currency ??
    value.lineItems?.find((line) => line.basePriceMoney?.currency)?.basePriceMoney?.currency;
  if (!found) throw new PayloadError(`square order ${value.id}: no currency`);
  return found;
}

// PENDING refunds may still be rejected; only these moved money back.
const REFUNDED = new Set(["APPROVED", "COMPLETED"]);

function refundsFromSquare(value: SquareOrder): NormalizedRefund[] {
  return (value.refunds ?? [])
    .filter((r) => REFUNDED.has(r.status ?? "COMPLETED"))
    .map((r) => ({
      externalId: r.id,
      orderExternalId: value.id,
      amountMinor: minor(r.amountMoney, "refunds.amount_money"),
      // Square keeps returned lines on a separate return order; the amount is what loyalty needs.
      lines: [],
      createdAt: new Date(r.createdAt ?? value.updatedAt ?? value.createdAt ?? 0),
    }));
}

/**
 * A COMPLETED Square order as a sale; null for anything else: OPEN orders are carts (see
 * openOrderFromSquare), DRAFT and CANCELED ones never sold, and an order made only of returns is
 * a refund, not a sale.
 */
export function orderFromSquare(payload: unknown): NormalizedOrder | null {
  const value = parse(order, payload, "order");
  if (value.state !== "COMPLETED") return null;
  const sold = value.lineItems ?? [];
  if (sold.length === 0 && (value.returns ?? []).length > 0) return null;
  const currency = orderCurrency(value);
  const lineItems = sold.map((line, index) => lineFromSquare(value.id, line, index));
  const totalMinor = minor(value.totalMoney, "total_money");
  const refunds = refundsFromSquare(value);
  const refunded = refunds.reduce((sum, r) => sum + r.amountMinor, 0);
  const opened = value.createdAt ?? value.closedAt ?? value.updatedAt;
  if (!opened) throw new PayloadError(`square order ${value.id}: no timestamps`);
  return {
    externalId: value.id,
    name: value.ticketName || value.referenceId || value.id,
    currency,
    subtotalMinor: lineItems.reduce((sum, line) => sum + line.priceMinor * line.quantity - line.discountMinor, 0),
    totalMinor,
    discountMinor: minor(value.totalDiscountMoney, "total_discount_money"),
    // A COMPLETED order is fully paid by its tenders; refunds say how much went back.
    financialStatus: refunded === 0 ? "paid" : refunded >= totalMinor ? "refunded" : "partially_refunded",
    // Square POS leaves `source` empty; other channels (Square Online, API apps) name themselves.
    sourceName: value.source?.name?.trim() || "pos",
    locationExternalId: value.locationId,
    customerExternalId: value.customerId ?? value.tenders?.find((t) => t.customerId)?.customerId ?? null,
    // Square orders do not say who rang them up (that is on the payment).
    staffMemberId: null,
    processedAt: new Date(value.closedAt ?? opened),
    cancelledAt: null,
    sourceUpdatedAt: new Date(value.updatedAt ?? value.closedAt ?? opened),
    lineItems,
    refunds,
    customer: null,
    discountTitles: (value.discounts ?? []).map((d) => d.name).filter((name): name is string => Boolean(name)),
  };
}

/** An OPEN order: the cart on a Square register, for the companion panel. */
export interface SquareCart {
  externalId: string;
  locationExternalId: string;
  customerExternalId: string | null;
  currency: string;
  /** The lines after their own discounts, before order-wide ones. */
  subtotalMinor: number;
  /** Order-wide discounts (Square spreads them over the lines' discount totals). */
  orderDiscounts: Array<{ uid: string | null; name: string; amountMinor: number }>;
  lineItems: NormalizedLineItem[];
  /** Square's optimistic-concurrency version, which UpdateOrder must be given. */
  version: number | null;
  updatedAt: Date | null;
}

/** The lines of an OPEN order, or null when the order is not open (a sale, a draft, cancelled). */
export function openOrderFromSquare(payload: unknown): SquareCart | null {
  const value = parse(order, payload, "order");
  if (value.state !== "OPEN") return null;
  const lineItems = (value.lineItems ?? []).map((line, index) => lineFromSquare(value.id, line, index));
  const orderDiscounts = (value.discounts ?? [])
    .filter((discount) => discount.scope !== "LINE_ITEM")
    .map((discount) => ({
      uid: discount.uid ?? null,
      name: discount.name ?? "Discount",
      amountMinor: minor(discount.appliedMoney, "discounts.applied_money"),
    }));
  const afterAllDiscounts = lineItems.reduce(
    (sum, line) => sum + line.priceMinor * line.quantity - line.discountMinor,
    0,
  );
  return {
    externalId: value.id,
    locationExternalId: value.locationId,
    customerExternalId: value.customerId ?? null,
    currency: orderCurrency(value),
    subtotalMinor: afterAllDiscounts + orderDiscounts.reduce((sum, discount) => sum + discount.amountMinor, 0),
    orderDiscounts,
    lineItems,
    version: value.version ?? null,
    updatedAt: value.updatedAt ? new Date(value.updatedAt) : null,
  };
}

// ---------- catalog ----------

const variation = z.object({
  type: z.literal("ITEM_VARIATION"),
  id,
  isDeleted: z.boolean().nullish(),
  itemVariationData: z
    .object({
      itemId: id.nullish(),
      name: text.nullish(),
      sku: z.string().max(1_000).nullish(),
      priceMoney: money.nullish(),
    })
    .nullish(),
});

const item = z.object({
  type: z.literal("ITEM"),
  id,
  isDeleted: z.boolean().nullish(),
  itemData: z
    .object({
      name: text.nullish(),
      isArchived: z.boolean().nullish(),
      categories: z.array(z.object({ id })).max(1_000).nullish(),
      reportingCategory: z.object({ id }).nullish(),
      variations: z.array(z.unknown()).max(2_048).nullish(),
    })
    .nullish(),
});

/**
 * A catalog ITEM with its ITEM_VARIATIONs as a product with variants. Category names (from the
 * objects Square returns alongside, keyed by id) become the product type (the reporting
 * category) and the tags (every category), which is what return rules and exclusions match on.
 * Square counts stock per variation, so a variant's inventory item is the variation itself.
 */
export function productFromSquare(payload: unknown, categoryNames: ReadonlyMap<string, string>): NormalizedProduct {
  const value = parse(item, payload, "catalog item");
  const data = value.itemData ?? {};
  const categoryIds = (data.categories ?? []).map((c) => c.id);
  const reporting = data.reportingCategory?.id ?? categoryIds[0];
  const variants = (data.variations ?? [])
    .map((raw) => parse(variation, raw, `catalog item ${value.id} variation`))
    .filter((v) => !v.isDeleted)
    .map((v) => ({
      externalId: v.id,
      title: v.itemVariationData?.name ?? "",
      sku: v.itemVariationData?.sku || null,
      priceMinor: minor(v.itemVariationData?.priceMoney, "item_variation_data.price_money"),
      inventoryItemId: v.id,
    }));
  return {
    externalId: value.id,
    title: data.name ?? "",
    productType: (reporting && categoryNames.get(reporting)) || "",
    vendor: "",
    tags: [...new Set(categoryIds.map((c) => categoryNames.get(c)).filter((name): name is string => Boolean(name)))],
    status: data.isArchived ? "archived" : "active",
    variants,
  };
}

/** Category id → name, from any list of catalog objects. */
export function categoryNamesFrom(objects: readonly unknown[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const object of objects) {
    const o = object as { type?: unknown; id?: unknown; categoryData?: { name?: unknown } };
    if (o.type === "CATEGORY" && typeof o.id === "string" && typeof o.categoryData?.name === "string") {
      names.set(o.id, o.categoryData.name);
    }
  }
  return names;
}

// ---------- customers and stock ----------

const customer = z.object({
  id,
  givenName: text.nullish(),
  familyName: text.nullish(),
  emailAddress: text.nullish(),
  phoneNumber: text.nullish(),
});

export function customerFromSquare(payload: unknown): NormalizedCustomer {
  const value = parse(customer, payload, "customer");
  return {
    externalId: value.id,
    firstName: value.givenName || null,
    lastName: value.familyName || null,
    email: value.emailAddress || null,
    phone: value.phoneNumber || null,
    // Square's groups and segments are ids without names here; nothing to tag with yet.
    tags: [],
  };
}

const inventoryCount = z.object({
  catalogObjectId: id,
  state: z.string().nullish(),
  locationId: id,
  quantity: z
    .string()
    .regex(/^-?\d{1,12}(\.\d{1,5})?$/, "not a quantity")
    .nullish(),
});

/**
 * Square keeps one count per state (IN_STOCK, SOLD, WASTE …); only IN_STOCK is what can be sold
 * here. Null for the other states. A fractional count (sold by weight) rounds down.
 */
export function inventoryLevelFromSquare(payload: unknown): NormalizedInventoryLevel | null {
  const value = parse(inventoryCount, payload, "inventory count");
  if (value.state !== "IN_STOCK") return null;
  return {
    inventoryItemId: value.catalogObjectId,
    locationExternalId: value.locationId,
    available: Math.floor(Number(value.quantity ?? "0")),
  };
}

// ---------- locations ----------

const location = z.object({
  id,
  name: z.string().max(500).nullish(),
  businessName: z.string().max(500).nullish(),
  status: z.string().nullish(),
  currency: currency.nullish(),
  timezone: z.string().max(100).nullish(),
});

export interface SquareLocation {
  externalId: string;
  name: string;
  active: boolean;
  businessName: string | null;
  currency: string | null;
  timezone: string | null;
}

export function locationFromSquare(payload: unknown): SquareLocation {
  const value = parse(location, payload, "location");
  return {
    externalId: value.id,
    name: value.name || value.id,
    active: value.status !== "INACTIVE",
    businessName: value.businessName ?? null,
    currency: value.currency ?? null,
    timezone: value.timezone ?? null,
  };
}
