/**
 * Clover → platform-neutral model. Pure. The zod schemas here also validate every REST answer
 * (client.server.ts), so a shape Clover changes fails with the field named, as a PayloadError.
 *
 * Clover's conventions: money in cents (integers), times in epoch milliseconds, collections
 * wrapped as `{ elements: [...] }`, ids as 13-character opaque strings, a line sold by weight
 * or by unit carries `unitQty` in thousandths (1500 = 1.5). One merchant is one location.
 */
import { z } from "zod";
import type {
  NormalizedCustomer,
  NormalizedInventoryLevel,
  NormalizedLineItem,
  NormalizedOrder,
  NormalizedProduct,
} from "../../../shared/model";
import { parsePayload, PayloadError, validTimezone, type ShopDetails } from "../normalize";

export { PayloadError };

const id = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "not a Clover id");
const text = z.string().max(10_000);
const cents = z.number().int().min(-1e12).max(1e12);
const epochMs = z.number().int().min(0).max(1e14);
const currency = z.string().regex(/^[A-Z]{3}$/, "not an ISO 4217 currency");

/** Clover's collection wrapper; `max` bounds what one answer may hold. */
export function elementsOf<T>(schema: z.ZodType<T>, max = 1_000) {
  return z.object({ elements: z.array(schema).max(max).nullish() });
}

const parse = <T>(schema: z.ZodType<T>, payload: unknown, what: string) =>
  parsePayload(schema, payload, `clover ${what}`);

// ---------- wire shapes ----------

const discount = z.object({
  id: id.nullish(),
  name: z.string().max(1_000).nullish(),
  // Clover writes a fixed discount as a negative amount in cents, or a percentage.
  amount: cents.nullish(),
  percentage: z.number().min(0).max(100).nullish(),
});

const lineItem = z.object({
  id,
  item: z.object({ id }).nullish(),
  name: text.nullish(),
  alternateName: text.nullish(),
  price: cents,
  unitQty: z.number().int().min(0).max(1e9).nullish(),
  unitName: z.string().max(100).nullish(),
  itemCode: z.string().max(200).nullish(),
  isRevenue: z.boolean().nullish(),
  refunded: z.boolean().nullish(),
  exchanged: z.boolean().nullish(),
  discounts: elementsOf(discount, 100).nullish(),
});

export const CloverOrderSchema = z.object({
  id,
  currency: currency.nullish(),
  total: cents.nullish(),
  paymentState: z.string().max(50).nullish(),
  state: z.string().max(50).nullish(),
  title: z.string().max(1_000).nullish(),
  note: text.nullish(),
  testMode: z.boolean().nullish(),
  createdTime: epochMs.nullish(),
  clientCreatedTime: epochMs.nullish(),
  modifiedTime: epochMs.nullish(),
  employee: z.object({ id }).nullish(),
  customers: elementsOf(z.object({ id }), 100).nullish(),
  // Clover returns at most 100 elements of a nested collection.
  lineItems: elementsOf(lineItem, 1_000).nullish(),
  discounts: elementsOf(discount, 100).nullish(),
});
export type CloverOrder = z.infer<typeof CloverOrderSchema>;

export const CloverItemSchema = z.object({
  id,
  name: text.nullish(),
  alternateName: text.nullish(),
  sku: z.string().max(1_000).nullish(),
  code: z.string().max(1_000).nullish(),
  price: cents.nullish(),
  priceType: z.string().max(50).nullish(),
  hidden: z.boolean().nullish(),
  available: z.boolean().nullish(),
  deleted: z.boolean().nullish(),
  modifiedTime: epochMs.nullish(),
  categories: elementsOf(z.object({ id, name: z.string().max(1_000).nullish() }), 1_000).nullish(),
  tags: elementsOf(z.object({ id: id.nullish(), name: z.string().max(1_000).nullish() }), 1_000).nullish(),
  itemStock: z.object({ quantity: z.number().nullish(), stockCount: z.number().nullish() }).nullish(),
});
export type CloverItem = z.infer<typeof CloverItemSchema>;

export const CloverItemStockSchema = z.object({
  item: z.object({ id }),
  // `quantity` may be fractional; `stockCount` is its deprecated whole-number twin.
  quantity: z.number().min(-1e9).max(1e9).nullish(),
  stockCount: z.number().min(-1e9).max(1e9).nullish(),
});
export type CloverItemStock = z.infer<typeof CloverItemStockSchema>;

export const CloverCustomerSchema = z.object({
  id,
  firstName: text.nullish(),
  lastName: text.nullish(),
  emailAddresses: elementsOf(z.object({ emailAddress: text.nullish() }), 100).nullish(),
  phoneNumbers: elementsOf(z.object({ phoneNumber: text.nullish() }), 100).nullish(),
});
export type CloverCustomer = z.infer<typeof CloverCustomerSchema>;

export const CloverMerchantSchema = z.object({
  id,
  name: z.string().max(500).nullish(),
  defaultCurrency: currency.nullish(),
  properties: z
    .object({
      defaultCurrency: currency.nullish(),
      timezone: z.string().max(100).nullish(),
    })
    .nullish(),
});
export type CloverMerchant = z.infer<typeof CloverMerchantSchema>;

// ---------- orders ----------

/**
 * Clover's `state` ("open", "locked") is, in its own words, not checked or enforced; the
 * payment state is what says money was taken. A sale is an order paid in full (refunded later
 * or not); "locked" counts only when an older order carries no payment state at all.
 */
const SOLD = new Map([
  ["PAID", "paid"],
  ["PARTIALLY_REFUNDED", "partially_refunded"],
  ["REFUNDED", "refunded"],
]);

export function isCloverSale(order: Pick<CloverOrder, "paymentState" | "state" | "testMode">): boolean {
  if (order.testMode) return false;
  if (order.paymentState) return SOLD.has(order.paymentState);
  return order.state === "locked";
}

function discountOff(value: z.infer<typeof discount>, base: number): number {
  if (value.amount != null) return Math.abs(value.amount);
  if (value.percentage != null) return Math.round((base * value.percentage) / 100);
  return 0;
}

/**
 * A line in whole units. Clover writes one line per unit rung up; a line priced by quantity
 * carries unitQty in thousandths: a whole number of units stays a quantity, a weight (1.5 kg)
 * becomes one unit priced at what it came to, so price × quantity − discount adds up.
 */
function lineFromClover(line: z.infer<typeof lineItem>): NormalizedLineItem {
  let quantity = 1;
  let priceMinor = line.price;
  if (line.unitQty != null && line.unitQty > 0) {
    if (line.unitQty % 1_000 === 0) quantity = line.unitQty / 1_000;
    else priceMinor = Math.round((line.price * line.unitQty) / 1_000);
  }
  const gross = priceMinor * quantity;
  const discountMinor = (line.discounts?.elements ?? []).reduce((sum, d) => sum + discountOff(d, gross), 0);
  return {
    externalId: line.id,
    // Clover items have no variants: the item is both.
    productExternalId: line.item?.id ?? null,
    variantExternalId: line.item?.id ?? null,
    title: line.name || line.alternateName || "Custom amount",
    sku: line.itemCode || null,
    quantity,
    priceMinor,
    discountMinor: Math.min(discountMinor, Math.max(gross, 0)),
  };
}

export interface OrderContext {
  /** The merchant id: Clover's one location. */
  merchantId: string;
  /** The merchant's currency, for orders that leave theirs out. */
  currency: string;
}

function linesOf(value: CloverOrder) {
  return (value.lineItems?.elements ?? []).map(lineFromClover);
}

function orderDiscount(value: CloverOrder, lines: NormalizedLineItem[]) {
  const afterLines = lines.reduce((sum, line) => sum + line.priceMinor * line.quantity - line.discountMinor, 0);
  const orderLevel = (value.discounts?.elements ?? []).reduce((sum, d) => sum + discountOff(d, afterLines), 0);
  return { afterLines, orderLevel };
}

/** A paid Clover order as a sale; null for anything else (carts, unpaid, test orders). */
export function orderFromClover(payload: unknown, context: OrderContext): NormalizedOrder | null {
  const value = parse(CloverOrderSchema, payload, "order");
  if (!isCloverSale(value)) return null;
  const lineItems = linesOf(value);
  const { afterLines, orderLevel } = orderDiscount(value, lineItems);
  const lineDiscounts = lineItems.reduce((sum, line) => sum + line.discountMinor, 0);
  const opened = value.clientCreatedTime ?? value.createdTime ?? value.modifiedTime;
  if (opened == null) throw new PayloadError(`clover order ${value.id}: no timestamps`);
  const titles = [
    ...(value.discounts?.elements ?? []).map((d) => d.name),
    ...(value.lineItems?.elements ?? []).flatMap((line) => (line.discounts?.elements ?? []).map((d) => d.name)),
  ];
  return {
    externalId: value.id,
    name: value.title || value.id,
    currency: value.currency ?? context.currency,
    subtotalMinor: afterLines,
    // Clover keeps `total` up to date (tax and tips included); the lines are the fallback.
    totalMinor: value.total ?? afterLines - orderLevel,
    discountMinor: lineDiscounts + orderLevel,
    financialStatus: (value.paymentState && SOLD.get(value.paymentState)) || "paid",
    sourceName: "pos",
    locationExternalId: context.merchantId,
    customerExternalId: value.customers?.elements?.[0]?.id ?? null,
    // Clover orders name who rang them up.
    staffMemberId: value.employee?.id ?? null,
    processedAt: new Date(opened),
    cancelledAt: null,
    sourceUpdatedAt: new Date(value.modifiedTime ?? opened),
    lineItems,
    // Refunds are not expanded: the payment state says how much of the sale stands.
    refunds: [],
    customer: null,
    discountTitles: titles.filter((name): name is string => Boolean(name)),
  };
}

/** An open order: the cart on a Clover register, for the companion panel. */
export interface CloverCart {
  externalId: string;
  locationExternalId: string;
  customerExternalId: string | null;
  currency: string;
  subtotalMinor: number;
  discountMinor: number;
  /** Order-wide discounts, each as the amount it takes off the lines' total. */
  orderDiscounts: Array<{ name: string; amountMinor: number }>;
  lineItems: NormalizedLineItem[];
  updatedAt: Date | null;
}

/** The lines of an order still being rung up; null for a sale, a hidden (null-state) or test order. */
export function openOrderFromClover(payload: unknown, context: OrderContext): CloverCart | null {
  const value = parse(CloverOrderSchema, payload, "order");
  if (value.testMode || value.state !== "open" || isCloverSale(value)) return null;
  const lineItems = linesOf(value);
  const { afterLines, orderLevel } = orderDiscount(value, lineItems);
  return {
    externalId: value.id,
    locationExternalId: context.merchantId,
    customerExternalId: value.customers?.elements?.[0]?.id ?? null,
    currency: value.currency ?? context.currency,
    subtotalMinor: afterLines,
    discountMinor: lineItems.reduce((sum, line) => sum + line.discountMinor, 0) + orderLevel,
    orderDiscounts: (value.discounts?.elements ?? []).map((d) => ({
      name: d.name || "Discount",
      amountMinor: discountOff(d, afterLines),
    })),
    lineItems,
    updatedAt: value.modifiedTime != null ? new Date(value.modifiedTime) : null,
  };
}

// ---------- inventory and customers ----------

/**
 * A Clover item as a product with one variant (Clover items have no variations here). The first
 * category is the product type and every category and tag name a tag, which is what return
 * rules and exclusions match on. Stock is counted per item, so the item is its inventory item.
 */
export function productFromClover(payload: unknown): NormalizedProduct {
  const value = parse(CloverItemSchema, payload, "item");
  const categories = (value.categories?.elements ?? []).map((c) => c.name).filter((n): n is string => Boolean(n));
  const tags = (value.tags?.elements ?? []).map((t) => t.name).filter((n): n is string => Boolean(n));
  return {
    externalId: value.id,
    title: value.name || value.alternateName || "",
    productType: categories[0] ?? "",
    vendor: "",
    tags: [...new Set([...categories, ...tags])],
    status: value.hidden || value.deleted ? "archived" : "active",
    variants: [
      {
        externalId: value.id,
        title: "",
        sku: value.sku || value.code || null,
        priceMinor: value.price ?? 0,
        inventoryItemId: value.id,
      },
    ],
  };
}

/** An item's stock at the merchant's one location; a fractional count (by weight) rounds down. */
export function inventoryLevelFromClover(payload: unknown, merchantId: string): NormalizedInventoryLevel {
  const value = parse(CloverItemStockSchema, payload, "item stock");
  return {
    inventoryItemId: value.item.id,
    locationExternalId: merchantId,
    available: Math.floor(value.quantity ?? value.stockCount ?? 0),
  };
}

export function customerFromClover(payload: unknown): NormalizedCustomer {
  const value = parse(CloverCustomerSchema, payload, "customer");
  return {
    externalId: value.id,
    firstName: value.firstName || null,
    lastName: value.lastName || null,
    email: value.emailAddresses?.elements?.find((e) => e.emailAddress)?.emailAddress ?? null,
    phone: value.phoneNumbers?.elements?.find((p) => p.phoneNumber)?.phoneNumber ?? null,
    tags: [],
  };
}

export type MerchantDetails = ShopDetails;

export function merchantFromClover(payload: unknown): MerchantDetails {
  const value = parse(CloverMerchantSchema, payload, "merchant");
  return {
    name: value.name || null,
    currency: value.properties?.defaultCurrency ?? value.defaultCurrency ?? "USD",
    timezone: validTimezone(value.properties?.timezone),
  };
}

// ---------- webhook notifications ----------

/** Object kinds the copilot re-fetches: orders, inventory items, customers. */
export const CLOVER_OBJECT_KINDS = { O: "order", I: "item", C: "customer" } as const;
export type CloverObjectKind = (typeof CLOVER_OBJECT_KINDS)[keyof typeof CLOVER_OBJECT_KINDS];

const notification = z.object({
  objectId: z
    .string()
    .max(200)
    .regex(/^[A-Z]{1,4}:[A-Za-z0-9_-]{1,64}$/, "not a Clover objectId"),
  type: z.enum(["CREATE", "UPDATE", "DELETE"]),
  ts: epochMs,
});
export type CloverNotification = z.infer<typeof notification>;

export const CloverWebhookSchema = z.object({
  appId: z.string().max(200).nullish(),
  merchants: z.record(id, z.array(notification).max(10_000)),
});
export type CloverWebhook = z.infer<typeof CloverWebhookSchema>;

export function cloverWebhook(payload: unknown): CloverWebhook {
  return parse(CloverWebhookSchema, payload, "webhook");
}

/** "O:GHIVJT2ABCRSC" → order GHIVJT2ABCRSC; null for kinds the copilot does not use (payments, apps…). */
export function objectOf(objectId: string): { kind: CloverObjectKind; id: string } | null {
  const [prefix, value] = objectId.split(":");
  const kind = CLOVER_OBJECT_KINDS[prefix as keyof typeof CLOVER_OBJECT_KINDS];
  return kind && value ? { kind, id: value } : null;
}
