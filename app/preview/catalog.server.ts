/**
 * The preview's product picker: the demo shop's sellable variants, with stock at the register's
 * location. Scoped by shop like every query; only the fields the picker shows are selected.
 */
import type { Db } from "../db.server";
import type { CatalogResponse, CatalogVariant } from "./types";

export interface CatalogSearch {
  shopDomain: string;
  locationId: number;
  query?: string;
  /** Look these variants up (stocked or not) instead of searching. */
  variantIds?: number[];
  limit?: number;
}

export async function searchCatalog(db: Db, search: CatalogSearch): Promise<CatalogResponse> {
  const shop = await db.shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain: search.shopDomain } },
    select: { id: true, currency: true },
  });
  if (!shop) return { variants: [], total: 0 };

  const byId = search.variantIds !== undefined;
  const variants = await db.variant.findMany({
    where: {
      shopId: shop.id,
      product: { deletedAt: null, status: "active" },
      ...(byId ? { externalId: { in: search.variantIds!.map(String) } } : {}),
    },
    select: {
      externalId: true,
      title: true,
      sku: true,
      priceMinor: true,
      inventoryItemId: true,
      product: { select: { externalId: true, title: true, vendor: true } },
    },
    orderBy: { product: { title: "asc" } },
  });

  const levels = await db.inventoryLevel.findMany({
    where: {
      shopId: shop.id,
      locationExternalId: String(search.locationId),
      inventoryItemId: {
        in: variants.flatMap((variant) => (variant.inventoryItemId ? [variant.inventoryItemId] : [])),
      },
    },
    select: { inventoryItemId: true, available: true },
  });
  const stock = new Map(levels.map((level) => [level.inventoryItemId, level.available]));

  // Matching happens here rather than in SQL: a case-insensitive `contains` is spelled
  // differently on SQLite and PostgreSQL, and a demo catalog is a few hundred rows.
  const needle = search.query?.trim().toLowerCase() ?? "";
  const matches = variants
    .filter((variant) => /^\d+$/.test(variant.externalId) && /^\d+$/.test(variant.product.externalId))
    .map((variant): CatalogVariant => ({
      variantId: Number(variant.externalId),
      productId: Number(variant.product.externalId),
      title: variant.product.title,
      variantTitle: variant.title && variant.title !== "Default Title" ? variant.title : null,
      sku: variant.sku,
      vendor: variant.product.vendor || null,
      priceMinor: variant.priceMinor,
      currency: shop.currency,
      available: variant.inventoryItemId ? (stock.get(variant.inventoryItemId) ?? null) : null,
    }))
    .filter((variant) => {
      if (byId) return true;
      if ((variant.available ?? 0) <= 0) return false;
      if (!needle) return true;
      return variant.title.toLowerCase().includes(needle) || (variant.sku ?? "").toLowerCase().includes(needle);
    });

  const limit = search.limit ?? 24;
  return { variants: matches.slice(0, limit), total: matches.length };
}
