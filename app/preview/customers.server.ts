/** The preview's customer picker: the demo store's (fake) customers with the most points first. */
import type { Db } from "../db.server";

export interface PreviewCustomer {
  id: number;
  name: string;
  points: number;
}

export async function demoCustomers(db: Db, shopDomain: string, limit = 20): Promise<PreviewCustomer[]> {
  const shop = await db.shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain: shopDomain } },
    select: { id: true },
  });
  if (!shop) return [];
  const balances = await db.loyaltyLedgerEntry.groupBy({
    by: ["customerExternalId"],
    where: { shopId: shop.id },
    _sum: { points: true },
    orderBy: { _sum: { points: "desc" } },
    take: limit,
  });
  const customers = await db.customer.findMany({
    where: { shopId: shop.id, externalId: { in: balances.map((b) => b.customerExternalId) }, redactedAt: null },
    select: { externalId: true, firstName: true, lastName: true },
  });
  const names = new Map(customers.map((c) => [c.externalId, [c.firstName, c.lastName].filter(Boolean).join(" ")]));
  return balances.map((balance) => ({
    id: Number(balance.customerExternalId),
    name: names.get(balance.customerExternalId) || `Customer ${balance.customerExternalId}`,
    points: balance._sum.points ?? 0,
  }));
}
