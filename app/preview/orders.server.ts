/** The preview's Orders screen: the demo store's most recent orders (no customer details). */
import type { Db } from "../db.server";
import type { PreviewOrder } from "./types";

export async function recentOrders(db: Db, shopDomain: string, limit = 20): Promise<PreviewOrder[]> {
  const shop = await db.shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain: shopDomain } },
    select: { id: true },
  });
  if (!shop) return [];
  const orders = await db.order.findMany({
    where: { shopId: shop.id, cancelledAt: null },
    orderBy: { processedAt: "desc" },
    take: limit,
    select: {
      externalId: true,
      name: true,
      processedAt: true,
      totalMinor: true,
      currency: true,
      customerExternalId: true,
      _count: { select: { lineItems: true } },
    },
  });
  return orders.map((order) => ({
    id: Number(order.externalId),
    name: order.name,
    processedAt: order.processedAt.toISOString(),
    totalMinor: order.totalMinor,
    currency: order.currency,
    customerId: order.customerExternalId ? Number(order.customerExternalId) : null,
    lineCount: order._count.lineItems,
  }));
}
