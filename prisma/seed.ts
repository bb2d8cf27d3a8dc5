/**
 * Seeds the demo stores from ../shared/data/groceries.csv: demo-register.myshopify.com, and the
 * same grocery as a Square seller (MLDEMOSQ7GROCERY, Square-style ids) for the register panel:
 *   npx tsx prisma/seed.ts            (DATABASE_URL, default file:./prisma/data/dev.db)
 *
 * Idempotent: the demo shop and its locations keep their ids; its catalog, stock, customers and
 * order history are replaced inside one transaction by the same rows (row ids derive from the
 * shop and the external ids), so a second run leaves the same data, not twice the data. The
 * manager's PIN hash is kept when it still matches DEMO_MANAGER_PIN.
 *
 * Rows are the ones webhooks write (store.server.ts): the data comes out of shared/demo-store.ts
 * as the platform-neutral model and is mapped column for column as upsertOrder/upsertProduct do,
 * but written in bulk: 9,835 orders one transaction each would take minutes. The two big tables
 * (Order, LineItem: 53k rows) go in as multi-row INSERTs through the same client, because
 * createMany costs ~0.2 ms a row in Prisma's JS engine (13 s here) against ~0.04 ms raw.
 *
 * Env: DEMO_MANAGER_PIN (default 246810), MANAGER_PIN_PEPPER (required; .env, else the demo
 * value in .env.example), DEMO_SEED_NOW (ISO time; pins the clock for reproducible dates).
 */
import { trainShopModel } from "../app/services/suggestions.server";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createDb, type Db, isPostgresUrl } from "../app/db.server";
import { hashPin, verifyPin } from "../app/services/pin-hash.server";
import {
  buildDemoStore,
  DEMO_MANAGER,
  DEMO_SQUARE_STORE,
  DEMO_STORE,
  squareStyleDemoStore,
  type DemoShop,
  type DemoStore,
} from "../shared/demo-store";
import { DEFAULT_LOYALTY_PROGRAM, pointsForPaid } from "../shared/loyalty";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHUNK = 2_000;
const RAW_CHUNK = 500; // rows per INSERT: 500 × 16 columns stays under both engines' parameter limits

export type Dialect = "sqlite" | "postgresql";

export interface SeedOptions {
  csvText: string;
  now: Date;
  managerPin: string;
  pepper: string;
  dialect: Dialect;
  /** "square": the same grocery as a Square seller (Square-style ids), for the companion panel. */
  platform?: "shopify" | "square";
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
type SqlValue = string | number | null;

/** DateTime as Prisma itself writes it, so raw rows compare and read like client-written ones. */
function sqlDate(date: Date | null, dialect: Dialect): string | null {
  if (!date) return null;
  // SQLite keeps Prisma DateTimes as text "…T…+00:00"; PostgreSQL takes the same ISO text for a
  // timestamp(3) column (UTC, as Prisma stores it).
  return dialect === "sqlite" ? date.toISOString().replace("Z", "+00:00") : date.toISOString();
}

async function bulkInsert(tx: Tx, dialect: Dialect, table: string, columns: string[], rows: SqlValue[][]) {
  for (let at = 0; at < rows.length; at += RAW_CHUNK) {
    const chunk = rows.slice(at, at + RAW_CHUNK);
    let n = 0;
    const tuples = chunk.map(() => `(${columns.map(() => (dialect === "postgresql" ? `$${++n}` : "?")).join(",")})`);
    const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(",")}) VALUES ${tuples.join(",")}`;
    await tx.$executeRawUnsafe(sql, ...chunk.flat());
  }
}

export interface SeedSummary {
  shopId: string;
  locations: DemoStore["locations"];
  products: number;
  inventoryLevels: number;
  customers: number;
  orders: number;
  lineItems: number;
  managerPinRehashed: boolean;
}

/** Stable row id: same shop + same external id → same primary key on every run. */
function rowId(shopId: string, kind: string, key: string): string {
  return `d${createHash("sha256").update(`${shopId}:${kind}:${key}`).digest("hex").slice(0, 24)}`;
}

async function inChunks<T>(rows: T[], write: (chunk: T[]) => Promise<unknown>) {
  for (let at = 0; at < rows.length; at += CHUNK) await write(rows.slice(at, at + CHUNK));
}

async function managerPinHash(db: Db, shop: DemoShop, pin: string, pepper: string) {
  const existing = await db.manager.findFirst({
    where: { name: DEMO_MANAGER.name, shop: { platform: shop.platform, domain: shop.domain } },
    select: { pinHash: true },
  });
  // Hashing costs ~1 s by design; keep the stored hash when it still matches the PIN.
  if (existing && (await verifyPin(pin, pepper, existing.pinHash).catch(() => false))) {
    return { pinHash: existing.pinHash, rehashed: false };
  }
  return { pinHash: await hashPin(pin, pepper), rehashed: true };
}

export async function seedDemoStore(db: Db, options: SeedOptions): Promise<SeedSummary> {
  const shopify = buildDemoStore(options.csvText, options.now);
  const store: DemoStore = options.platform === "square" ? squareStyleDemoStore(shopify) : shopify;
  const { pinHash, rehashed } = await managerPinHash(db, store.shop, options.managerPin, options.pepper);

  const shopId = await db.$transaction(
    async (tx) => {
      const shop = await tx.shop.upsert({
        where: { platform_domain: { platform: store.shop.platform, domain: store.shop.domain } },
        create: {
          platform: store.shop.platform,
          domain: store.shop.domain,
          name: store.shop.name,
          currency: store.shop.currency,
          timezone: store.shop.timezone,
          isDemo: true,
        },
        update: {
          name: store.shop.name,
          currency: store.shop.currency,
          timezone: store.shop.timezone,
          isDemo: true,
          uninstalledAt: null,
        },
        select: { id: true },
      });
      const shopId = shop.id;
      for (const location of store.locations) {
        await tx.location.upsert({
          where: { shopId_externalId: { shopId, externalId: location.externalId } },
          create: { shopId, externalId: location.externalId, name: location.name, active: true },
          update: { name: location.name, active: true },
        });
      }

      // Replace the demo history wholesale: children first, so no cascade walks 43k rows.
      await tx.lineItem.deleteMany({ where: { shopId } });
      await tx.refund.deleteMany({ where: { shopId } });
      await tx.order.deleteMany({ where: { shopId } });
      await tx.variant.deleteMany({ where: { shopId } });
      await tx.product.deleteMany({ where: { shopId } });
      await tx.inventoryLevel.deleteMany({ where: { shopId } });
      await tx.customer.deleteMany({ where: { shopId } });
      await tx.loyaltyReservation.deleteMany({ where: { shopId } });
      await tx.loyaltyLedgerEntry.deleteMany({ where: { shopId } });
      await tx.loyaltyAccount.deleteMany({ where: { shopId } });
      await tx.demoOpenOrder.deleteMany({ where: { shopId } });

      const productRows = store.products.map((product) => ({
        id: rowId(shopId, "product", product.externalId),
        shopId,
        externalId: product.externalId,
        title: product.title,
        productType: product.productType,
        vendor: product.vendor,
        tags: JSON.stringify(product.tags),
        status: product.status,
        updatedAt: options.now, // explicit, so a re-run writes identical rows
      }));
      await inChunks(productRows, (data) => tx.product.createMany({ data }));
      const variantRows = store.products.flatMap((product) =>
        product.variants.map((variant) => ({
          id: rowId(shopId, "variant", variant.externalId),
          shopId,
          productId: rowId(shopId, "product", product.externalId),
          externalId: variant.externalId,
          title: variant.title,
          sku: variant.sku,
          priceMinor: variant.priceMinor,
          inventoryItemId: variant.inventoryItemId,
        })),
      );
      await inChunks(variantRows, (data) => tx.variant.createMany({ data }));
      const levelRows = store.inventoryLevels.map((level) => ({
        id: rowId(shopId, "inventory", `${level.inventoryItemId}@${level.locationExternalId}`),
        shopId,
        ...level,
        updatedAt: options.now,
      }));
      await inChunks(levelRows, (data) => tx.inventoryLevel.createMany({ data }));
      const customerRows = store.customers.map((customer) => ({
        id: rowId(shopId, "customer", customer.externalId),
        shopId,
        externalId: customer.externalId,
        firstName: customer.firstName,
        lastName: customer.lastName,
        email: customer.email,
        phone: customer.phone,
        tags: JSON.stringify(customer.tags),
        updatedAt: options.now,
      }));
      await inChunks(customerRows, (data) => tx.customer.createMany({ data }));

      const orderColumns = [
        "id",
        "shopId",
        "externalId",
        "name",
        "currency",
        "subtotalMinor",
        "totalMinor",
        "discountMinor",
        "financialStatus",
        "sourceName",
        "locationExternalId",
        "customerExternalId",
        "staffMemberId",
        "processedAt",
        "cancelledAt",
        "sourceUpdatedAt",
      ];
      const orderRows = store.orders.map((order): SqlValue[] => [
        rowId(shopId, "order", order.externalId),
        shopId,
        order.externalId,
        order.name,
        order.currency,
        order.subtotalMinor,
        order.totalMinor,
        order.discountMinor,
        order.financialStatus,
        order.sourceName,
        order.locationExternalId,
        order.customerExternalId,
        order.staffMemberId,
        sqlDate(order.processedAt, options.dialect),
        sqlDate(order.cancelledAt, options.dialect),
        sqlDate(order.sourceUpdatedAt, options.dialect),
      ]);
      await bulkInsert(tx, options.dialect, "Order", orderColumns, orderRows);
      const lineColumns = [
        "id",
        "shopId",
        "orderId",
        "externalId",
        "productExternalId",
        "variantExternalId",
        "title",
        "sku",
        "quantity",
        "priceMinor",
        "discountMinor",
      ];
      const lineRows = store.orders.flatMap((order) =>
        order.lineItems.map((line): SqlValue[] => [
          rowId(shopId, "line", line.externalId),
          shopId,
          rowId(shopId, "order", order.externalId),
          line.externalId,
          line.productExternalId,
          line.variantExternalId,
          line.title,
          line.sku,
          line.quantity,
          line.priceMinor,
          line.discountMinor,
        ]),
      );
      await bulkInsert(tx, options.dialect, "LineItem", lineColumns, lineRows);

      // The loyalty ledger as if the program had run all year: one earn entry per paid order of
      // a known customer, exactly what applyLoyaltyForOrder writes for a live order.
      const earnColumns = [
        "id",
        "shopId",
        "customerExternalId",
        "kind",
        "points",
        "key",
        "orderExternalId",
        "actor",
        "createdAt",
      ];
      const earnRows = store.orders.flatMap((order): SqlValue[][] => {
        const points = pointsForPaid(order.subtotalMinor, DEFAULT_LOYALTY_PROGRAM);
        if (!order.customerExternalId || points === 0) return [];
        return [
          [
            rowId(shopId, "loyalty", order.externalId),
            shopId,
            order.customerExternalId,
            "earn",
            points,
            `earn:${order.externalId}`,
            order.externalId,
            "system",
            sqlDate(order.processedAt, options.dialect),
          ],
        ];
      });
      await bulkInsert(tx, options.dialect, "LoyaltyLedgerEntry", earnColumns, earnRows);

      const manager = await tx.manager.findFirst({ where: { shopId, name: DEMO_MANAGER.name }, select: { id: true } });
      const managerData = {
        role: DEMO_MANAGER.role,
        locations: JSON.stringify(store.locations.map((location) => location.externalId)),
        pinHash,
      };
      if (manager) await tx.manager.update({ where: { id: manager.id }, data: managerData });
      else
        await tx.manager.create({
          data: { id: rowId(shopId, "manager", DEMO_MANAGER.name), shopId, name: DEMO_MANAGER.name, ...managerData },
        });
      return shopId;
    },
    { timeout: 120_000, maxWait: 10_000 },
  );

  return {
    shopId,
    locations: store.locations,
    products: store.products.length,
    inventoryLevels: store.inventoryLevels.length,
    customers: store.customers.length,
    orders: store.orders.length,
    lineItems: store.orders.reduce((sum, order) => sum + order.lineItems.length, 0),
    managerPinRehashed: rehashed,
  };
}

/** Fills unset variables from .env, or from .env.example (demo values) when there is no .env. */
function loadEnvDefaults(): string | null {
  for (const name of [".env", ".env.example"]) {
    const file = path.join(ROOT, name);
    if (fs.existsSync(file)) {
      // process.loadEnvFile does not override variables that are already set.
      process.loadEnvFile(file);
      return name;
    }
  }
  return null;
}

async function main() {
  const started = performance.now();
  process.chdir(ROOT); // DATABASE_URL's relative file path is relative to the repo, as for the app
  const envFile = loadEnvDefaults();
  const databaseUrl = process.env.DATABASE_URL || "file:./prisma/data/dev.db";
  const pepper = process.env.MANAGER_PIN_PEPPER ?? "";
  const managerPin = process.env.DEMO_MANAGER_PIN || "246810";
  if (pepper.length < 16)
    throw new Error("MANAGER_PIN_PEPPER (>= 16 characters) is required to hash the demo manager's PIN");
  const csvPath = path.resolve(ROOT, "../shared/data/groceries.csv");
  if (!fs.existsSync(csvPath)) throw new Error(`groceries data not found at ${csvPath}`);
  const now = process.env.DEMO_SEED_NOW ? new Date(process.env.DEMO_SEED_NOW) : new Date();
  if (Number.isNaN(now.getTime())) throw new Error("DEMO_SEED_NOW is not a date");

  const db = createDb(databaseUrl);
  try {
    const dialect: Dialect = isPostgresUrl(databaseUrl) ? "postgresql" : "sqlite";
    const csvText = fs.readFileSync(csvPath, "utf8");
    const lines = [
      `  database      ${databaseUrl.replace(/\/\/[^@]*@/, "//***@")}${envFile ? ` (defaults from ${envFile})` : ""}`,
    ];
    for (const platform of ["shopify", "square"] as const) {
      const summary = await seedDemoStore(db, { csvText, now, managerPin, pepper, dialect, platform });
      // The register's suggestions are learned from these orders, exactly as for a real store.
      const trained = await trainShopModel(db, summary.shopId, now);
      const shop = platform === "square" ? DEMO_SQUARE_STORE : DEMO_STORE;
      lines.push(
        `${shop.domain} (${shop.name}, ${platform}, ${shop.currency}, ${shop.timezone})`,
        `  locations     ${summary.locations.map((l) => `${l.name} (${l.externalId})`).join(", ")}`,
        `  products      ${summary.products} with one variant each, stock at both locations (${summary.inventoryLevels} levels)`,
        `  customers     ${summary.customers} (fake, @example.com)`,
        `  orders        ${summary.orders} POS orders, ${summary.lineItems} line items, over the 30 days before ${now.toISOString().slice(0, 10)}`,
        `  suggestions   model trained on ${trained.baskets} baskets`,
        `  manager       ${DEMO_MANAGER.name} (${DEMO_MANAGER.role}), PIN from DEMO_MANAGER_PIN${summary.managerPinRehashed ? "" : " (hash unchanged)"}`,
      );
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log([`Seeded the demo stores in ${seconds} s`, ...lines].join("\n"));
  } finally {
    await db.$disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
