/**
 * Orders as Shopify would send them for the demo store: its own location, customer and catalog
 * (read from the black box's database), so the worker's side effects run on them — the loyalty
 * ledger earns, and a suggestion the register was shown gets the revenue attributed.
 */
import { queryRows, type DemoDatabase } from "./black-box";
import { DEMO_SHOP } from "./register-http";

export interface DemoStoreFacts {
  shopId: string;
  locationId: string;
  customerId: string;
  /** The newest order at that location (a return check's receipt names it). */
  latestOrderName: string;
  variants: { productId: string; variantId: string; title: string; sku: string | null; priceMinor: number }[];
}

export async function demoStoreFacts(database: DemoDatabase): Promise<DemoStoreFacts> {
  const [shop] = await queryRows<{ id: string }>(
    database,
    `SELECT "id" FROM "Shop" WHERE "platform" = 'shopify' AND "domain" = ?`,
    [DEMO_SHOP],
  );
  if (!shop) throw new Error(`the demo database has no ${DEMO_SHOP}`);
  const [location] = await queryRows<{ externalId: string }>(
    database,
    `SELECT "externalId" FROM "Location" WHERE "shopId" = ? ORDER BY "externalId" LIMIT 1`,
    [shop.id],
  );
  const [customer] = await queryRows<{ externalId: string }>(
    database,
    `SELECT "externalId" FROM "Customer" WHERE "shopId" = ? ORDER BY "externalId" LIMIT 1`,
    [shop.id],
  );
  const variants = await queryRows<DemoStoreFacts["variants"][number]>(
    database,
    `SELECT p."externalId" AS "productId", v."externalId" AS "variantId", p."title" AS "title", v."sku" AS "sku",
            v."priceMinor" AS "priceMinor"
       FROM "Variant" v JOIN "Product" p ON p."id" = v."productId"
      WHERE v."shopId" = ? AND p."status" = 'active' AND p."deletedAt" IS NULL
      ORDER BY p."externalId"`,
    [shop.id],
  );
  if (!location || !customer || variants.length < 2)
    throw new Error("the demo store lacks a location, customer or catalog");
  const [order] = await queryRows<{ name: string }>(
    database,
    `SELECT "name" FROM "Order" WHERE "shopId" = ? AND "locationExternalId" = ? ORDER BY "processedAt" DESC LIMIT 1`,
    [shop.id, location.externalId],
  );
  if (!order) throw new Error("the demo store has no order at its location");
  return {
    shopId: shop.id,
    locationId: location.externalId,
    customerId: customer.externalId,
    latestOrderName: order.name,
    variants,
  };
}

const money = (minor: number) => (minor / 100).toFixed(2);

/** A paid POS order of `lines` (variant + quantity) at the demo location, by the demo customer. */
export function demoOrderPayload(
  facts: DemoStoreFacts,
  orderId: number,
  lines: { variantId: string; quantity: number }[],
  processedAt: Date,
) {
  const lineItems = lines.map((line, index) => {
    const variant = facts.variants.find((candidate) => candidate.variantId === line.variantId);
    if (!variant) throw new Error(`variant ${line.variantId} is not in the demo catalog`);
    return {
      id: orderId * 10 + index + 1,
      product_id: Number(variant.productId),
      variant_id: Number(variant.variantId),
      title: variant.title,
      sku: variant.sku,
      quantity: line.quantity,
      price: money(variant.priceMinor),
      total_discount: "0.00",
      discount_allocations: [],
    };
  });
  const subtotalMinor = lines.reduce(
    (sum, line) => sum + facts.variants.find((v) => v.variantId === line.variantId)!.priceMinor * line.quantity,
    0,
  );
  const at = processedAt.toISOString();
  return {
    id: orderId,
    admin_graphql_api_id: `gid://shopify/Order/${orderId}`,
    name: `#F${orderId}`,
    currency: "USD",
    subtotal_price: money(subtotalMinor),
    total_price: money(subtotalMinor),
    total_discounts: "0.00",
    financial_status: "paid",
    source_name: "pos",
    location_id: Number(facts.locationId),
    user_id: 501,
    created_at: at,
    processed_at: at,
    updated_at: at,
    cancelled_at: null,
    customer: { id: Number(facts.customerId), first_name: "Demo", last_name: "Customer", tags: "" },
    line_items: lineItems,
    refunds: [],
  };
}
