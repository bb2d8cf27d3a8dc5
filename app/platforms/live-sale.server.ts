/**
 * What a sale made since connecting sets off, on every POS platform as for a Shopify order
 * (services/webhooks.server): the customer's loyalty points, the sale's attribution to the
 * suggestion that led to it, and the suggestions model's rebuild when it is missing or a day old.
 * The backfill's history sets off none of it.
 */
import type { Db } from "../db.server";
import { applyLoyaltyForOrder } from "../services/loyalty.server";
import { attributeOrderToSuggestions, scheduleRebuildIfStale } from "../services/suggestions.server";
import type { NormalizedOrder, Platform } from "../../shared/model";

export async function applyLiveSale(
  db: Db,
  shop: { id: string; platform: Platform; domain: string },
  sale: NormalizedOrder,
  now: Date,
) {
  await applyLoyaltyForOrder(db, shop.id, sale, now);
  await attributeOrderToSuggestions(db, shop.id, sale.externalId);
  await scheduleRebuildIfStale(db, shop.id, { platform: shop.platform, domain: shop.domain }, now);
}
