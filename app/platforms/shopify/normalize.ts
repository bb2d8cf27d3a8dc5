/**
 * Shopify → platform-neutral model. Pure: REST webhook JSON exactly as Shopify sends it
 * (ids as numbers, amounts as decimal strings) and Admin GraphQL bulk rows (GIDs, MoneyBag).
 * A payload that does not fit throws PayloadError, which the queue dead-letters with its reason.
 */
import { z } from "zod";
import { shopifyId } from "../../../shared/ids";
import type {
  NormalizedCustomer,
  NormalizedInventoryLevel,
  NormalizedLineItem,
  NormalizedOrder,
  NormalizedProduct,
  NormalizedRefund,
} from "../../../shared/model";
import { MoneyParseError, toMinorUnits } from "../../../shared/money";
import { plainText } from "../../../shared/text";
import { parsePayload as parse, PayloadError } from "../normalize";

export { PayloadError };

const id = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const normalized = shopifyId(value);
  if (normalized === null) {
    ctx.addIssue({ code: "custom", message: `not a Shopify id: ${String(value)}` });
    return z.NEVER;
  }
  return normalized;
});
const optionalId = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((value) => (value == null ? null : shopifyId(value)));
const decimal = z.union([z.string(), z.number()]);
const date = z.string().refine((value) => !Number.isNaN(Date.parse(value)), "not a date");
// Kept and shown at the register: control characters (NUL breaks PostgreSQL) are dropped.
const text = z.string().max(10_000).transform(plainText);

function minor(value: string | number | null | undefined, currency: string, field: string): number {
  if (value == null || value === "") return 0;
  try {
    return toMinorUnits(value, currency);
  } catch (error) {
    if (error instanceof MoneyParseError) throw new PayloadError(`${field}: ${error.message}`);
    throw error;
  }
}

function splitTags(tags: string | string[] | null | undefined): string[] {
  const list = Array.isArray(tags) ? tags : (tags ?? "").split(",");
  return list.map((tag) => tag.trim()).filter(Boolean);
}

// ---------- REST webhook payloads ----------

const restCustomer = z.object({
  id,
  first_name: text.nullish(),
  last_name: text.nullish(),
  email: text.nullish(),
  phone: text.nullish(),
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
});

export function customerFromRest(payload: unknown): NormalizedCustomer {
  const customer = parse(restCustomer, payload, "customer");
  return {
    externalId: customer.id,
    firstName: customer.first_name ?? null,
    lastName: customer.last_name ?? null,
    email: customer.email ?? null,
    phone: customer.phone ?? null,
    tags: splitTags(customer.tags),
  };
}

const restRefund = z.object({
  id,
  order_id: id,
  created_at: date,
  refund_line_items: z
    .array(
      z.object({
        line_item_id: id,
        quantity: z.number().int().min(0),
        subtotal: decimal.nullish(),
      }),
    )
    .max(5_000)
    .default([]),
  transactions: z
    .array(z.object({ amount: decimal, kind: z.string().nullish(), status: z.string().nullish() }))
    .max(1_000)
    .default([]),
});

export function refundFromRest(payload: unknown, currency: string): NormalizedRefund {
  const refund = parse(restRefund, payload, "refund");
  const lines = refund.refund_line_items.map((line) => ({
    lineItemExternalId: line.line_item_id,
    quantity: line.quantity,
    subtotalMinor: minor(line.subtotal, currency, "refund_line_items.subtotal"),
  }));
  const refundedTransactions = refund.transactions.filter(
    (t) => (t.kind ?? "refund") === "refund" && (t.status ?? "success") === "success",
  );
  const amountMinor = refundedTransactions.length
    ? refundedTransactions.reduce((sum, t) => sum + minor(t.amount, currency, "transactions.amount"), 0)
    : lines.reduce((sum, line) => sum + line.subtotalMinor, 0);
  return {
    externalId: refund.id,
    orderExternalId: refund.order_id,
    amountMinor,
    lines,
    createdAt: new Date(refund.created_at),
  };
}

const restLineItem = z.object({
  id,
  product_id: optionalId,
  variant_id: optionalId,
  title: text.nullish(),
  name: text.nullish(),
  sku: text.nullish(),
  quantity: z.number().int().min(0),
  price: decimal,
  total_discount: decimal.nullish(),
  discount_allocations: z
    .array(z.object({ amount: decimal }))
    .max(1_000)
    .nullish(),
});

const restOrder = z.object({
  id,
  name: text,
  currency: z.string().regex(/^[A-Z]{3}$/, "not an ISO 4217 currency"),
  subtotal_price: decimal.nullish(),
  total_price: decimal,
  total_discounts: decimal.nullish(),
  financial_status: z.string().nullish(),
  source_name: z.string().nullish(),
  location_id: optionalId,
  user_id: optionalId,
  customer: restCustomer.nullish(),
  processed_at: date.nullish(),
  created_at: date,
  updated_at: date.nullish(),
  cancelled_at: date.nullish(),
  line_items: z.array(restLineItem).max(5_000),
  refunds: z.array(z.unknown()).max(1_000).nullish(),
  discount_applications: z
    .array(z.object({ title: z.string().max(1_000).nullish(), description: z.string().max(1_000).nullish() }))
    .max(1_000)
    .nullish(),
  discount_codes: z
    .array(z.object({ code: z.string().max(1_000).nullish() }))
    .max(1_000)
    .nullish(),
});

export function orderFromRest(payload: unknown): NormalizedOrder {
  const order = parse(restOrder, payload, "order");
  const currency = order.currency;
  const lineItems: NormalizedLineItem[] = order.line_items.map((line) => {
    const allocated = (line.discount_allocations ?? []).reduce(
      (sum, allocation) => sum + minor(allocation.amount, currency, "line_items.discount_allocations.amount"),
      0,
    );
    return {
      externalId: line.id,
      productExternalId: line.product_id,
      variantExternalId: line.variant_id,
      title: line.title ?? line.name ?? "",
      sku: line.sku || null,
      quantity: line.quantity,
      priceMinor: minor(line.price, currency, "line_items.price"),
      discountMinor: allocated || minor(line.total_discount, currency, "line_items.total_discount"),
    };
  });
  const subtotalMinor =
    order.subtotal_price != null
      ? minor(order.subtotal_price, currency, "subtotal_price")
      : lineItems.reduce((sum, line) => sum + line.priceMinor * line.quantity - line.discountMinor, 0);
  return {
    externalId: order.id,
    name: order.name,
    currency,
    subtotalMinor,
    totalMinor: minor(order.total_price, currency, "total_price"),
    discountMinor: minor(order.total_discounts, currency, "total_discounts"),
    financialStatus: order.financial_status ?? null,
    sourceName: order.source_name ?? null,
    locationExternalId: order.location_id,
    customerExternalId: order.customer?.id ?? null,
    staffMemberId: order.user_id,
    processedAt: new Date(order.processed_at ?? order.created_at),
    cancelledAt: order.cancelled_at ? new Date(order.cancelled_at) : null,
    sourceUpdatedAt: new Date(order.updated_at ?? order.created_at),
    lineItems,
    refunds: (order.refunds ?? []).map((refund) => refundFromRest(refund, currency)),
    customer: order.customer ? customerFromRest(order.customer) : null,
    discountTitles: [
      ...(order.discount_applications ?? []).flatMap((d) => [d.title, d.description]),
      ...(order.discount_codes ?? []).map((d) => d.code),
    ].filter((title): title is string => Boolean(title)),
  };
}

const restProduct = z.object({
  id,
  title: text,
  product_type: text.nullish(),
  vendor: text.nullish(),
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  status: z.enum(["active", "draft", "archived"]).default("active"),
  variants: z
    .array(
      z.object({
        id,
        title: text.nullish(),
        sku: text.nullish(),
        price: decimal,
        inventory_item_id: optionalId,
      }),
    )
    .max(2_048)
    .default([]),
});

/** Product prices carry no currency in the payload; the shop's currency is passed in. */
export function productFromRest(payload: unknown, shopCurrency: string): NormalizedProduct {
  const product = parse(restProduct, payload, "product");
  return {
    externalId: product.id,
    title: product.title,
    productType: product.product_type ?? "",
    vendor: product.vendor ?? "",
    tags: splitTags(product.tags),
    status: product.status,
    variants: product.variants.map((variant) => ({
      externalId: variant.id,
      title: variant.title ?? "",
      sku: variant.sku || null,
      priceMinor: minor(variant.price, shopCurrency, "variants.price"),
      inventoryItemId: variant.inventory_item_id,
    })),
  };
}

export function deletedProductId(payload: unknown): string {
  return parse(z.object({ id }), payload, "product").id;
}

const restInventoryLevel = z.object({
  inventory_item_id: id,
  location_id: id,
  available: z.number().int().nullable(),
});

export function inventoryLevelFromRest(payload: unknown): NormalizedInventoryLevel {
  const level = parse(restInventoryLevel, payload, "inventory level");
  return {
    inventoryItemId: level.inventory_item_id,
    locationExternalId: level.location_id,
    available: level.available ?? 0,
  };
}

// ---------- compliance payloads ----------

const customerRedact = z.object({
  shop_domain: z.string(),
  customer: z.object({ id }),
  orders_to_redact: z.array(id).max(100_000).default([]),
});

export function customerRedactRequest(payload: unknown) {
  const request = parse(customerRedact, payload, "customers/redact");
  return { customerExternalId: request.customer.id, orderExternalIds: request.orders_to_redact };
}

const dataRequest = z.object({
  shop_domain: z.string(),
  customer: z.object({ id }),
  orders_requested: z.array(id).max(100_000).default([]),
  data_request: z.object({ id }).nullish(),
});

export function customerDataRequest(payload: unknown) {
  const request = parse(dataRequest, payload, "customers/data_request");
  return {
    customerExternalId: request.customer.id,
    orderExternalIds: request.orders_requested,
    dataRequestId: request.data_request?.id ?? null,
  };
}

// ---------- Admin GraphQL bulk operation rows ----------

const moneyBag = z.object({ shopMoney: z.object({ amount: decimal, currencyCode: z.string() }) });

const graphqlOrder = z.object({
  id,
  name: text,
  currencyCode: z.string().regex(/^[A-Z]{3}$/),
  processedAt: date.nullish(),
  createdAt: date,
  updatedAt: date.nullish(),
  cancelledAt: date.nullish(),
  displayFinancialStatus: z.string().nullish(),
  sourceName: z.string().nullish(),
  subtotalPriceSet: moneyBag.nullish(),
  totalPriceSet: moneyBag,
  totalDiscountsSet: moneyBag.nullish(),
  customer: z.object({ id }).nullish(),
  physicalLocation: z.object({ id }).nullish(),
  retailLocation: z.object({ id }).nullish(),
  staffMember: z.object({ id }).nullish(),
});

const graphqlLineItem = z.object({
  id,
  title: text.nullish(),
  name: text.nullish(),
  sku: text.nullish(),
  quantity: z.number().int().min(0),
  product: z.object({ id }).nullish(),
  variant: z.object({ id }).nullish(),
  originalUnitPriceSet: moneyBag,
  totalDiscountSet: moneyBag.nullish(),
  __parentId: z.string(),
});

export function orderFromGraphql(row: unknown, lineRows: unknown[]): NormalizedOrder {
  const order = parse(graphqlOrder, row, "bulk order");
  const currency = order.currencyCode;
  const lineItems = lineRows.map((lineRow) => {
    const line = parse(graphqlLineItem, lineRow, "bulk line item");
    return {
      externalId: line.id,
      productExternalId: line.product?.id ?? null,
      variantExternalId: line.variant?.id ?? null,
      title: line.title ?? line.name ?? "",
      sku: line.sku || null,
      quantity: line.quantity,
      priceMinor: minor(line.originalUnitPriceSet.shopMoney.amount, currency, "originalUnitPriceSet"),
      discountMinor: minor(line.totalDiscountSet?.shopMoney.amount, currency, "totalDiscountSet"),
    };
  });
  const location = order.retailLocation ?? order.physicalLocation;
  return {
    externalId: order.id,
    name: order.name,
    currency,
    subtotalMinor: order.subtotalPriceSet
      ? minor(order.subtotalPriceSet.shopMoney.amount, currency, "subtotalPriceSet")
      : lineItems.reduce((sum, line) => sum + line.priceMinor * line.quantity - line.discountMinor, 0),
    totalMinor: minor(order.totalPriceSet.shopMoney.amount, currency, "totalPriceSet"),
    discountMinor: minor(order.totalDiscountsSet?.shopMoney.amount, currency, "totalDiscountsSet"),
    financialStatus: order.displayFinancialStatus?.toLowerCase() ?? null,
    sourceName: order.sourceName ?? null,
    locationExternalId: location?.id ?? null,
    customerExternalId: order.customer?.id ?? null,
    staffMemberId: order.staffMember?.id ?? null,
    processedAt: new Date(order.processedAt ?? order.createdAt),
    cancelledAt: order.cancelledAt ? new Date(order.cancelledAt) : null,
    sourceUpdatedAt: new Date(order.updatedAt ?? order.createdAt),
    lineItems,
    refunds: [],
    customer: null,
    // Historic orders from the backfill: no reward reservation can be waiting for them.
    discountTitles: [],
  };
}
