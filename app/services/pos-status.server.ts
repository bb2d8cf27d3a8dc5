/**
 * What the register needs to know before the copilot is useful: is this shop known to the app,
 * is there a catalog and an order history to learn from, and how far the history import got.
 * Reads only, scoped by shop; a shop the app has never seen gets an answer too (known: false)
 * because a valid session token already proves Shopify considers the app installed.
 */
import type { Db } from "../db.server";
import { latestBackfill } from "./backfill.server";
import { registerSwitchesFor } from "./register-switches.server";
import type { PosStatusResponse } from "../../shared/pos-contract";

export interface PosStatusInput {
  db: Db;
  shopDomain: string;
  platform?: string;
  /** The register's location, for the kill switch; null when it did not say. */
  location?: string | null;
  now?: () => Date;
}

export async function posStatusForShop({
  db,
  shopDomain,
  platform = "shopify",
  location = null,
  now = () => new Date(),
}: PosStatusInput): Promise<PosStatusResponse> {
  const checkedAt = now().toISOString();
  const shop = await db.shop.findUnique({
    where: { platform_domain: { platform, domain: shopDomain } },
    select: { id: true, name: true, currency: true, uninstalledAt: true },
  });
  if (!shop) {
    return {
      shop: { domain: shopDomain, name: null, currency: "USD", known: false, installed: false },
      catalog: { products: 0, variants: 0 },
      lastOrderAt: null,
      backfill: null,
      paused: false,
      checkedAt,
    };
  }

  const activeProduct = { shopId: shop.id, deletedAt: null, status: "active" } as const;
  const [products, variants, lastOrder, backfill, switches] = await Promise.all([
    db.product.count({ where: activeProduct }),
    db.variant.count({ where: { shopId: shop.id, product: activeProduct } }),
    db.order.findFirst({
      where: { shopId: shop.id },
      orderBy: { processedAt: "desc" },
      select: { processedAt: true },
    }),
    latestBackfill(db, shopDomain),
    registerSwitchesFor(db, shop.id, location),
  ]);

  return {
    shop: {
      domain: shopDomain,
      name: shop.name,
      currency: shop.currency,
      known: true,
      installed: shop.uninstalledAt === null,
    },
    catalog: { products, variants },
    lastOrderAt: lastOrder?.processedAt.toISOString() ?? null,
    backfill: backfill
      ? {
          status: backfill.status,
          ordersImported: backfill.ordersImported,
          startedAt: backfill.startedAt.toISOString(),
          finishedAt: backfill.finishedAt?.toISOString() ?? null,
        }
      : null,
    paused: !switches.copilot,
    checkedAt,
  };
}

/**
 * The shop a POS session token speaks for. Its `dest` is "https://{shop}.myshopify.com";
 * anything else is refused rather than guessed at.
 */
export function shopDomainFromSessionToken(token: { dest?: unknown }): string | null {
  if (typeof token.dest !== "string") return null;
  let url: URL;
  try {
    url = new URL(token.dest);
  } catch {
    return null;
  }
  const host = url.hostname.toLowerCase();
  if (url.protocol !== "https:" || !/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(host)) return null;
  return host;
}
