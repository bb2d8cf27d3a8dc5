/**
 * Lightspeed Retail (X-Series) → platform-neutral model. Pure. The zod schemas here also validate
 * every REST answer (client.server.ts), so a shape Lightspeed changes fails with the field named,
 * as a PayloadError.
 *
 * The shapes are the API reference's for the date-based version in config.server.ts
 * (LIGHTSPEED_API_VERSION): collections are `{ data: [...], version: { min, max } }`, ids are
 * UUID strings, money is a decimal number in the retailer's currency (major units; Sales 101
 * sends them as strings, so both are read), times are RFC 3339 strings in UTC. A retailer has
 * many outlets; each outlet is a Location.
 */
import { z } from "zod";
import type {
  NormalizedCustomer,
  NormalizedInventoryLevel,
  NormalizedLineItem,
  NormalizedOrder,
  NormalizedProduct,
  NormalizedVariant,
} from "../../../shared/model";
import { toMinorUnits } from "../../../shared/money";
import { parsePayload, PayloadError, validTimezone, type ShopDetails } from "../normalize";

export { PayloadError };

const id = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, "not a Lightspeed id");
const text = z.string().max(10_000);
const amount = z.union([
  z.number().finite().min(-1e12).max(1e12),
  z.string().regex(/^-?\d{1,15}(\.\d{1,12})?$/, "not a decimal amount"),
]);
const timestamp = z
  .string()
  .max(64)
  .refine((value) => !Number.isNaN(Date.parse(value)), "not a timestamp");
const versionNumber = z.number().int().min(0);
const currency = z.string().regex(/^[A-Z]{3}$/, "not an ISO 4217 currency");

const parse = <T>(schema: z.ZodType<T>, payload: unknown, what: string) =>
  parsePayload(schema, payload, `lightspeed ${what}`);

// ---------- wire shapes ----------

/** "the lowest and highest version number of resources included in the response" (docs: pagination). */
export const VersionRangeSchema = z.object({ min: versionNumber.nullish(), max: versionNumber.nullish() });

/** A version-paged collection; `max` bounds what one answer may hold. */
export function collectionOf<T>(schema: z.ZodType<T>, max = 10_000) {
  return z.object({ data: z.array(schema).max(max), version: VersionRangeSchema.nullish() });
}

/** A single resource wrapped in `data`. */
export function singleOf<T>(schema: z.ZodType<T>) {
  return z.object({ data: schema });
}

const saleLine = z.object({
  id,
  product: z.object({ id }).nullish(),
  quantity: z.number().finite().min(-1e6).max(1e6),
  pricing: z
    .object({
      // "Unit price of the line item", "Discount value of the line item", and `discount` × `quantity`.
      price: amount.nullish(),
      discount: amount.nullish(),
      discount_total: amount.nullish(),
      total: amount.nullish(),
    })
    .nullish(),
  promotions: z
    .array(z.object({ name: text.nullish(), promo_code: z.string().max(200).nullish() }))
    .max(100)
    .nullish(),
  return: z.object({ is_return: z.boolean().nullish() }).nullish(),
});

export const LightspeedSaleSchema = z.object({
  id,
  // parked | pending | voided | closed (docs: sales_states_and_attributes).
  state: z.string().max(40).nullish(),
  // The deprecated legacy status (docs: sales_statuses), read only when `state` is missing.
  status: z.string().max(40).nullish(),
  attributes: z.array(z.string().max(100)).max(50).nullish(),
  date: timestamp.nullish(),
  created_at: timestamp.nullish(),
  updated_at: timestamp.nullish(),
  deleted_at: timestamp.nullish(),
  customer_id: id.nullish(),
  invoice_number: z.string().max(200).nullish(),
  receipt_number: z.string().max(200).nullish(),
  source: z
    .object({
      outlet_id: id.nullish(),
      register_id: id.nullish(),
      author: z.object({ id: id.nullish() }).nullish(),
    })
    .nullish(),
  line_items: z.array(saleLine).max(2_000).nullish(),
  totals: z.object({ price: amount.nullish(), price_incl_tax: amount.nullish(), tax: amount.nullish() }).nullish(),
  return: z.object({ is_return: z.boolean().nullish() }).nullish(),
});
export type LightspeedSale = z.infer<typeof LightspeedSaleSchema>;

export const LightspeedProductSchema = z.object({
  id,
  name: text.nullish(),
  variant_name: text.nullish(),
  sku: z.string().max(1_000).nullish(),
  // "This value is set if a Product is a variant of another Product" (docs: products_variants).
  variant_parent_id: id.nullish(),
  has_variants: z.boolean().nullish(),
  active: z.boolean().nullish(),
  is_active: z.boolean().nullish(),
  deleted_at: timestamp.nullish(),
  price_excluding_tax: amount.nullish(),
  price_including_tax: amount.nullish(),
  variant_options: z
    .array(z.object({ name: text.nullish(), value: text.nullish() }))
    .max(10)
    .nullish(),
  // "A list of tag objects."
  categories: z
    .array(z.object({ name: text.nullish() }))
    .max(1_000)
    .nullish(),
  type: z.object({ name: text.nullish() }).nullish(),
  product_category: z.object({ name: text.nullish() }).nullish(),
  brand: z.object({ name: text.nullish() }).nullish(),
  version: versionNumber.nullish(),
});
export type LightspeedProduct = z.infer<typeof LightspeedProductSchema>;

export const LightspeedInventorySchema = z.object({
  product_id: id,
  outlet_id: id,
  current_inventory_level: z.number().finite().min(-1e9).max(1e9).nullish(),
  deleted_at: timestamp.nullish(),
  version: versionNumber.nullish(),
});
export type LightspeedInventory = z.infer<typeof LightspeedInventorySchema>;

export const LightspeedCustomerSchema = z.object({
  id,
  first_name: text.nullish(),
  last_name: text.nullish(),
  email: text.nullish(),
  phone: text.nullish(),
  mobile: text.nullish(),
  deleted_at: timestamp.nullish(),
  version: versionNumber.nullish(),
});
export type LightspeedCustomer = z.infer<typeof LightspeedCustomerSchema>;

export const LightspeedOutletSchema = z.object({
  id,
  name: z.string().max(500).nullish(),
  deleted_at: timestamp.nullish(),
});
export type LightspeedOutlet = z.infer<typeof LightspeedOutletSchema>;

/**
 * A register (till) at an outlet, as the 2026-07 Registers reference lists it: `id`, `name`,
 * `outlet_id`, `is_open`, `deleted_at`, `version`; the rest (receipts, invoice numbering) is not read.
 */
export const LightspeedRegisterSchema = z.object({
  id,
  name: z.string().max(500).nullish(),
  outlet_id: id,
  is_open: z.boolean().nullish(),
  deleted_at: timestamp.nullish(),
  version: versionNumber.nullish(),
});
export type LightspeedRegister = z.infer<typeof LightspeedRegisterSchema>;

export const LightspeedRetailerSchema = z.object({
  id: id.nullish(),
  name: z.string().max(500).nullish(),
  domain_prefix: z.string().max(100).nullish(),
  currency: z.object({ code: currency.nullish() }).nullish(),
  timezone: z.string().max(100).nullish(),
});
export type LightspeedRetailer = z.infer<typeof LightspeedRetailerSchema>;

export const WEBHOOK_TYPES = ["sale.update", "product.update", "customer.update", "inventory.update"] as const;
export type LightspeedWebhookType = (typeof WEBHOOK_TYPES)[number];

export const LightspeedWebhookSubscriptionSchema = z.object({
  id: z.string().max(200).nullish(),
  type: z.string().max(100).nullish(),
  url: z.string().max(2_000).nullish(),
  active: z.boolean().nullish(),
});

// ---------- money and times ----------

function minor(value: z.infer<typeof amount> | null | undefined, currencyCode: string): number {
  return value == null ? 0 : toMinorUnits(value, currencyCode);
}

const epoch = (value: string | null | undefined) => (value ? new Date(value) : null);

// ---------- sales ----------

const LEGACY_STATES: Record<string, "closed" | "voided" | "parked" | "pending"> = {
  SAVED: "parked",
  OPEN: "pending",
  VOIDED: "voided",
  CLOSED: "closed",
  ONACCOUNT: "pending",
  ONACCOUNT_CLOSED: "closed",
  LAYBY: "pending",
  LAYBY_CLOSED: "closed",
  AWAITING_DISPATCH: "pending",
  DISPATCHED_CLOSED: "closed",
  AWAITING_PICKUP: "pending",
  PICKED_UP_CLOSED: "closed",
  SERVICE: "pending",
  SERVICE_CLOSED: "closed",
};

/**
 * The sale's state: `state` as the date-based versions send it, else the deprecated `status`
 * through the docs' mapping table. Only "closed" is a sale (layby and on-account sales close once
 * paid in full); "parked" and "pending" are carts, "voided" undoes a sale.
 */
export function saleState(sale: Pick<LightspeedSale, "state" | "status" | "deleted_at">): string | null {
  if (sale.deleted_at) return "voided";
  if (sale.state) return sale.state.toLowerCase();
  return sale.status ? (LEGACY_STATES[sale.status.toUpperCase()] ?? null) : null;
}

export interface SaleContext {
  /** The retailer's currency: sales carry amounts without one. */
  currency: string;
}

/**
 * A line in whole units. A line sold by weight (a fractional quantity) becomes one unit priced at
 * what it came to, so price × quantity − discount adds up. The reference does not say whether
 * `price` is before or after `discount`; it is read as the price before it, as Sales 101 sends
 * the two separately. Lightspeed lines carry no name: the catalog gives it (sync.server).
 */
function lineFromLightspeed(line: z.infer<typeof saleLine>, currencyCode: string): NormalizedLineItem {
  const unitPrice = minor(line.pricing?.price, currencyCode);
  const whole = Number.isInteger(line.quantity);
  const quantity = whole ? line.quantity : 1;
  const priceMinor = whole ? unitPrice : Math.round(unitPrice * line.quantity);
  const discount =
    line.pricing?.discount_total != null
      ? minor(line.pricing.discount_total, currencyCode)
      : Math.round(minor(line.pricing?.discount, currencyCode) * line.quantity);
  const gross = priceMinor * quantity;
  return {
    externalId: line.id,
    productExternalId: null,
    variantExternalId: line.product?.id ?? null,
    title: "",
    sku: null,
    quantity,
    priceMinor,
    discountMinor: Math.min(Math.max(discount, 0), Math.max(gross, 0)),
  };
}

/**
 * A closed Lightspeed sale as a sale; null for carts (parked, pending), voided sales and returns.
 * Returned lines (negative quantities) are left out: returns are not synced line by line.
 */
export function saleFromLightspeed(payload: unknown, context: SaleContext): NormalizedOrder | null {
  const value = parse(LightspeedSaleSchema, payload, "sale");
  if (saleState(value) !== "closed" || value.return?.is_return) return null;
  const sold = (value.line_items ?? []).filter((line) => line.quantity > 0 && !line.return?.is_return);
  const lineItems = sold.map((line) => lineFromLightspeed(line, context.currency));
  const subtotal = lineItems.reduce((sum, line) => sum + line.priceMinor * line.quantity - line.discountMinor, 0);
  const processedAt = epoch(value.date) ?? epoch(value.created_at);
  if (!processedAt) throw new PayloadError(`lightspeed sale ${value.id}: no date`);
  const titles = sold.flatMap((line) => (line.promotions ?? []).flatMap((p) => [p.name, p.promo_code]));
  return {
    externalId: value.id,
    name: value.invoice_number || value.receipt_number || value.id,
    currency: context.currency,
    subtotalMinor: subtotal,
    totalMinor: value.totals?.price_incl_tax != null ? minor(value.totals.price_incl_tax, context.currency) : subtotal,
    discountMinor: lineItems.reduce((sum, line) => sum + line.discountMinor, 0),
    financialStatus: "paid",
    sourceName: "pos",
    locationExternalId: value.source?.outlet_id ?? null,
    customerExternalId: value.customer_id ?? null,
    staffMemberId: value.source?.author?.id ?? null,
    processedAt,
    cancelledAt: null,
    sourceUpdatedAt: epoch(value.updated_at) ?? processedAt,
    lineItems,
    refunds: [],
    customer: null,
    discountTitles: [...new Set(titles.filter((title): title is string => Boolean(title)))],
  };
}

// ---------- products and variant families ----------

/**
 * The family a product belongs to: its parent, or itself. "There is always a variant parent and at
 * least one variant child (the parent and child can be the same product)" (docs: products_variants),
 * so the parent's id names the neutral product and every family member is one of its variants.
 * (`family_id` is documented as its future replacement, "currently read-only"; not relied on yet.)
 */
export function familyIdOf(product: Pick<LightspeedProduct, "id" | "variant_parent_id">): string {
  return product.variant_parent_id ?? product.id;
}

/**
 * One family member as a variant. Prices are tax-exclusive, as sale lines and totals are; stock is
 * counted per product and outlet, so the product is its own inventory item.
 */
export function variantFromLightspeed(product: LightspeedProduct, currencyCode: string): NormalizedVariant {
  const options = (product.variant_options ?? []).map((option) => option.value).filter(Boolean);
  return {
    externalId: product.id,
    title: options.join(" / "),
    sku: product.sku || null,
    priceMinor: minor(product.price_excluding_tax ?? product.price_including_tax, currencyCode),
    inventoryItemId: product.id,
  };
}

export interface StoredFamily {
  title: string;
  productType: string;
  vendor: string;
  tags: string[];
  status: NormalizedProduct["status"];
  variants: NormalizedVariant[];
}

/**
 * A family after `changed` members: Lightspeed lists and re-sends products one by one, so the
 * members not in `changed` are kept as stored. A deleted member leaves the family; null when none
 * is left. The family's name, type, brand and tags are shared by its members ("Variants share the
 * same name"), so any changed member gives them, the parent first.
 */
export function mergeFamily(
  familyId: string,
  changed: readonly LightspeedProduct[],
  stored: StoredFamily | null,
  currencyCode: string,
): NormalizedProduct | null {
  const variants = new Map((stored?.variants ?? []).map((variant) => [variant.externalId, variant]));
  for (const product of changed) {
    if (product.deleted_at) variants.delete(product.id);
    else variants.set(product.id, variantFromLightspeed(product, currencyCode));
  }
  if (variants.size === 0) return null;
  const live = changed.filter((product) => !product.deleted_at);
  const lead = live.find((product) => product.id === familyId) ?? live[0];
  const base: StoredFamily = lead
    ? {
        title: lead.name || lead.variant_name || "",
        productType: lead.product_category?.name || lead.type?.name || "",
        vendor: lead.brand?.name || "",
        tags: [...new Set((lead.categories ?? []).map((tag) => tag.name).filter((n): n is string => Boolean(n)))],
        status: (lead.is_active ?? lead.active) === false ? "archived" : "active",
        variants: [],
      }
    : (stored ?? { title: "", productType: "", vendor: "", tags: [], status: "active", variants: [] });
  return {
    externalId: familyId,
    title: base.title,
    productType: base.productType,
    vendor: base.vendor,
    tags: base.tags,
    status: base.status,
    variants: [...variants.values()],
  };
}

// ---------- stock, customers, outlets, retailer ----------

/** A product's stock at one outlet; a fractional count (by weight) rounds down. */
export function inventoryLevelFromLightspeed(record: LightspeedInventory): NormalizedInventoryLevel {
  return {
    inventoryItemId: record.product_id,
    locationExternalId: record.outlet_id,
    available: Math.floor(record.deleted_at ? 0 : (record.current_inventory_level ?? 0)),
  };
}

export function customerFromLightspeed(payload: unknown): NormalizedCustomer {
  const value = parse(LightspeedCustomerSchema, payload, "customer");
  return {
    externalId: value.id,
    firstName: value.first_name || null,
    lastName: value.last_name || null,
    email: value.email || null,
    phone: value.phone || value.mobile || null,
    tags: [],
  };
}

export function locationFromOutlet(outlet: LightspeedOutlet) {
  return { externalId: outlet.id, name: outlet.name || outlet.id, active: !outlet.deleted_at };
}

/** A deleted register is kept, marked, and never counted as open. */
export function posRegisterFromLightspeed(register: LightspeedRegister) {
  return {
    externalId: register.id,
    locationExternalId: register.outlet_id,
    name: register.name || register.id,
    isOpen: !register.deleted_at && register.is_open === true,
    deletedAt: register.deleted_at ? new Date(register.deleted_at) : null,
  };
}

export type RetailerDetails = ShopDetails;

export function retailerDetails(retailer: LightspeedRetailer): RetailerDetails {
  return {
    name: retailer.name || null,
    currency: retailer.currency?.code ?? "USD",
    timezone: validTimezone(retailer.timezone),
  };
}

// ---------- webhooks ----------

/**
 * A delivery: `application/x-www-form-urlencoded` with a `payload` field holding "a JSON-encoded
 * object with details of the object that caused the hooked event"; "other form fields (such as
 * environment or domain_prefix) may be present but are not guaranteed to be" (docs: webhooks).
 */
export interface LightspeedDelivery {
  payload: Record<string, unknown>;
  /** The payload field's text as sent: deliveries are deduplicated on it. */
  payloadText: string;
  domainPrefix: string | null;
}

export function lightspeedDelivery(rawBody: string): LightspeedDelivery {
  const form = new URLSearchParams(rawBody);
  const payloadText = form.get("payload");
  if (payloadText === null) throw new PayloadError("lightspeed webhook: no payload field");
  let payload: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch {
    throw new PayloadError("lightspeed webhook: payload is not valid JSON");
  }
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) {
    throw new PayloadError("lightspeed webhook: payload is not an object");
  }
  return { payload: payload as Record<string, unknown>, payloadText, domainPrefix: form.get("domain_prefix") };
}

const hintId = id.nullish();

/**
 * The object a delivery is about. Payloads have API 1.0's shapes (docs: webhooks), and only their
 * ids are read: the object itself is re-read. An inventory record names its product.
 */
export function hintedObjectId(type: LightspeedWebhookType, payload: Record<string, unknown>): string {
  const product = payload.product as { id?: unknown } | null | undefined;
  const raw = type === "inventory.update" ? (payload.product_id ?? product?.id) : payload.id;
  const parsed = hintId.safeParse(raw);
  if (!parsed.success || !parsed.data) throw new PayloadError(`lightspeed ${type} webhook: no object id`);
  return parsed.data;
}
