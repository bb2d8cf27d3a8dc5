/**
 * Small factories for test data in the platform-neutral model. Each takes the Prisma client and
 * only what the test cares about; everything else gets a plausible, unique default.
 */
import type { Db } from "../app/db.server";

let sequence = 0;
const next = () => ++sequence;

export async function createShop(
  db: Db,
  overrides: Partial<{
    domain: string;
    platform: string;
    name: string | null;
    currency: string;
    isDemo: boolean;
    uninstalledAt: Date | null;
  }> = {},
) {
  const n = next();
  return db.shop.create({
    data: {
      domain: `factory-shop-${n}.myshopify.com`,
      name: `Factory Shop ${n}`,
      currency: "USD",
      ...overrides,
    },
  });
}

export async function createLocation(
  db: Db,
  shopId: string,
  overrides: Partial<{ externalId: string; name: string }> = {},
) {
  const n = next();
  return db.location.create({
    data: { shopId, externalId: String(70_000_000 + n), name: `Location ${n}`, ...overrides },
  });
}

/** A product with one variant (the demo catalog's shape). */
export async function createProduct(
  db: Db,
  shopId: string,
  overrides: Partial<{
    title: string;
    status: string;
    deletedAt: Date | null;
    priceMinor: number;
    sku: string;
    variantExternalId: string;
    inventoryItemId: string;
    productType: string;
    /** JSON array, as stored. */
    tags: string;
  }> = {},
) {
  const n = next();
  const { priceMinor = 199 + n, sku = `SKU-${n}`, variantExternalId, inventoryItemId, ...product } = overrides;
  return db.product.create({
    data: {
      shopId,
      externalId: String(80_000_000 + n),
      title: `Product ${n}`,
      ...product,
      variants: {
        create: {
          shopId,
          externalId: variantExternalId ?? String(90_000_000 + n),
          title: "Default Title",
          sku,
          priceMinor,
          inventoryItemId: inventoryItemId ?? String(60_000_000 + n),
        },
      },
    },
    include: { variants: true },
  });
}

export async function createInventoryLevel(
  db: Db,
  shopId: string,
  inventoryItemId: string,
  locationExternalId: string,
  available: number,
) {
  return db.inventoryLevel.create({ data: { shopId, inventoryItemId, locationExternalId, available } });
}

export async function createOrder(
  db: Db,
  shopId: string,
  overrides: Partial<{
    processedAt: Date;
    currency: string;
    totalMinor: number;
    locationExternalId: string;
    sourceName: string;
    customerExternalId: string;
  }> = {},
) {
  const n = next();
  const processedAt = overrides.processedAt ?? new Date();
  const totalMinor = overrides.totalMinor ?? 1000;
  return db.order.create({
    data: {
      shopId,
      externalId: String(50_000_000 + n),
      name: `#${1000 + n}`,
      currency: overrides.currency ?? "USD",
      subtotalMinor: totalMinor,
      totalMinor,
      processedAt,
      sourceUpdatedAt: processedAt,
      locationExternalId: overrides.locationExternalId ?? null,
      sourceName: overrides.sourceName ?? "pos",
      customerExternalId: overrides.customerExternalId ?? null,
    },
  });
}

export async function createBackfillRun(
  db: Db,
  shopId: string,
  overrides: Partial<{ status: string; ordersImported: number; startedAt: Date; finishedAt: Date | null }> = {},
) {
  return db.backfillRun.create({
    data: {
      shopId,
      sinceDate: new Date(Date.now() - 365 * 24 * 3600 * 1000),
      status: "running",
      ordersImported: 0,
      ...overrides,
    },
  });
}
