/** What the admin home shows: the shop's data, the history backfill and the queue's dead letters. */
import type { Db } from "../db.server";
import { latestBackfill } from "./backfill.server";
import { listDeadLetters } from "./jobs.server";

export async function shopOverview(db: Db, shopDomain: string) {
  const shop = await db.shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain: shopDomain } },
    select: { id: true, name: true, domain: true, currency: true, timezone: true, isDemo: true, installedAt: true },
  });
  const [deadLetters, queue] = await Promise.all([
    listDeadLetters(db, shopDomain),
    db.job.groupBy({ by: ["status"], where: { shopDomain }, _count: { _all: true } }),
  ]);
  const queueCounts = Object.fromEntries(queue.map((row) => [row.status, row._count._all]));
  if (!shop) return { shop: null, counts: null, backfill: null, deadLetters, queueCounts, lastOrderAt: null };
  const [products, orders, customers, locations, backfill, lastOrder] = await Promise.all([
    db.product.count({ where: { shopId: shop.id, deletedAt: null } }),
    db.order.count({ where: { shopId: shop.id } }),
    db.customer.count({ where: { shopId: shop.id, redactedAt: null } }),
    db.location.count({ where: { shopId: shop.id } }),
    latestBackfill(db, shopDomain),
    db.order.findFirst({ where: { shopId: shop.id }, orderBy: { processedAt: "desc" }, select: { processedAt: true } }),
  ]);
  return {
    shop,
    counts: { products, orders, customers, locations },
    backfill,
    deadLetters,
    queueCounts,
    lastOrderAt: lastOrder?.processedAt ?? null,
  };
}
