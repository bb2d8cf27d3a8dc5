/** Builds webhook deliveries exactly as Shopify sends them, signed with the test app secret. */
import { randomUUID } from "node:crypto";
import { API_SECRET_KEY, getHmac } from "@shopify/shopify-api/test-helpers";
import type { Db } from "../../app/db.server";

export const TEST_SHOP = "copilot-test.myshopify.com";

export interface DeliveryOptions {
  shop?: string;
  eventId?: string;
  secret?: string;
  omitHeaders?: string[];
  topicHeader?: string;
}

export function webhookRequest(topic: string, body: unknown, options: DeliveryOptions = {}): Request {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Shopify-Topic": options.topicHeader ?? topic,
    "X-Shopify-Hmac-Sha256": getHmac(raw, options.secret ?? API_SECRET_KEY),
    "X-Shopify-Shop-Domain": options.shop ?? TEST_SHOP,
    "X-Shopify-API-Version": "2026-07",
    "X-Shopify-Webhook-Id": randomUUID(),
    "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
  };
  for (const name of options.omitHeaders ?? []) delete headers[name];
  return new Request(`https://my-test-app.myshopify.io/webhooks/${topic}`, { method: "POST", headers, body: raw });
}

let nextId = 820_000_000_000;
export function restOrderPayload(overrides: Record<string, unknown> = {}) {
  const id = nextId++;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${1000 + (id % 1000)}`,
    currency: "USD",
    subtotal_price: "7.98",
    total_price: "8.62",
    total_discounts: "1.00",
    financial_status: "paid",
    source_name: "pos",
    location_id: 655441491,
    user_id: 79183544,
    created_at: "2026-11-20T10:15:00-05:00",
    processed_at: "2026-11-20T10:15:00-05:00",
    updated_at: "2026-11-20T10:15:05-05:00",
    cancelled_at: null,
    customer: {
      id: 207119551,
      first_name: "Ada",
      last_name: "Lovelace",
      email: "ada@example.com",
      phone: "+15555550100",
      tags: "vip, newsletter",
    },
    line_items: [
      {
        id: id * 10 + 1,
        product_id: 632910392,
        variant_id: 808950810,
        title: "whole milk",
        sku: "GRO-WHOLE-MILK",
        quantity: 2,
        price: "1.99",
        total_discount: "0.00",
        discount_allocations: [{ amount: "1.00" }],
      },
      {
        id: id * 10 + 2,
        product_id: 632910393,
        variant_id: 808950811,
        title: "rolls/buns",
        sku: "GRO-ROLLS-BUNS",
        quantity: 1,
        price: "4.00",
        total_discount: "0.00",
        discount_allocations: [],
      },
    ],
    refunds: [],
    ...overrides,
  };
}

/** How many refused deliveries the security log counts under `source` claiming `claimedShop`. */
export async function refusalsClaiming(db: Db, source: string, claimedShop: string): Promise<number> {
  const counted = await db.securityEvent.aggregate({
    where: { kind: "webhook.signature_invalid", source, claimedShop },
    _sum: { count: true },
  });
  return counted._sum.count ?? 0;
}
