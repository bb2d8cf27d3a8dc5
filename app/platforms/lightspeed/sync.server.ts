/**
 * Lightspeed Retail (X-Series) data into the platform-neutral model. Lightspeed "can't guarantee"
 * webhook delivery and says "polling APIs is the right way to keep systems in sync" (docs:
 * webhooks), so a webhook is only a hint: `lightspeed:refetch` re-reads the object it names and
 * stores what Lightspeed says now, and `lightspeed:reconcile` re-reads everything whose version
 * passed the last one seen (sales, products, stock, customers), so a sale no webhook announced is
 * still stored. `lightspeed:backfill` imports the catalog, stock, customers and a year of sales,
 * paging by version. Everything lands through store.server's upserts, as every platform's data does.
 * Registers (tills) are stored at connect and re-read by each reconciliation pass; they are not
 * history, so the backfill skips them.
 */
import type { Db } from "../../db.server";
import { enqueueJob } from "../../services/jobs.server";
import {
  markProductDeleted,
  upsertCustomerUnlessRedacted,
  upsertInventoryLevel,
  upsertOrder,
  upsertProduct,
} from "../../services/store.server";
import type { NormalizedOrder, NormalizedProduct } from "../../../shared/model";
import { countImported, runBackfillPages, startBackfillRunIfNeeded } from "../backfill-run.server";
import { applyLiveSale } from "../live-sale.server";
import { LightspeedApiError, type LightspeedClient, type VersionPage } from "./client.server";
import {
  customerFromLightspeed,
  familyIdOf,
  inventoryLevelFromLightspeed,
  mergeFamily,
  PayloadError,
  posRegisterFromLightspeed,
  saleFromLightspeed,
  saleState,
  WEBHOOK_TYPES,
  type LightspeedCustomer,
  type LightspeedInventory,
  type LightspeedProduct,
  type LightspeedRegister,
  type LightspeedSale,
  type LightspeedWebhookType,
  type StoredFamily,
} from "./normalize";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export const LIGHTSPEED_REFETCH_JOB = "lightspeed:refetch";
export const LIGHTSPEED_RECONCILE_JOB = "lightspeed:reconcile";
export const LIGHTSPEED_BACKFILL_JOB = "lightspeed:backfill";
export const LIGHTSPEED_WEBHOOKS_JOB = "lightspeed:subscribe-webhooks";
export const LIGHTSPEED_WEBHOOK_PATH = "/webhooks/lightspeed";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetailerScope {
  shopId: string;
  domainPrefix: string;
  currency: string;
  now: Date;
}

// ---------- storing what Lightspeed says ----------

async function storeCustomer(db: Db, shopId: string, raw: LightspeedCustomer) {
  // A customer deleted in Lightspeed keeps its history here; erasure goes through the redaction path.
  if (raw.deleted_at) return;
  await upsertCustomerUnlessRedacted(db, shopId, customerFromLightspeed(raw));
}

/** Lightspeed lines name only the product (a variant): its family, SKU and name come from the stored catalog. */
async function withCatalog(db: Db, shopId: string, order: NormalizedOrder): Promise<NormalizedOrder> {
  const variantIds = [...new Set(order.lineItems.flatMap((line) => line.variantExternalId ?? []))];
  const variants = variantIds.length
    ? await db.variant.findMany({
        where: { shopId, externalId: { in: variantIds } },
        select: { externalId: true, sku: true, title: true, product: { select: { externalId: true, title: true } } },
      })
    : [];
  const byId = new Map(variants.map((variant) => [variant.externalId, variant]));
  return {
    ...order,
    lineItems: order.lineItems.map((line) => {
      const variant = line.variantExternalId ? byId.get(line.variantExternalId) : undefined;
      if (!variant) return { ...line, title: line.title || "Item" };
      const title = [variant.product.title, variant.title].filter(Boolean).join(" / ");
      return { ...line, productExternalId: variant.product.externalId, sku: variant.sku, title: title || "Item" };
    }),
  };
}

export type SaleResult = "created" | "updated" | "skipped" | "voided";

/** Stores a closed sale; a voided one cancels the stored sale; carts and returns are skipped. */
async function storeSale(
  db: Db,
  scope: RetailerScope,
  raw: LightspeedSale,
  options: { live: boolean },
): Promise<SaleResult> {
  if (saleState(raw) === "voided") {
    const voided = await db.order.updateMany({
      where: { shopId: scope.shopId, externalId: raw.id, cancelledAt: null },
      data: { cancelledAt: scope.now },
    });
    return voided.count ? "voided" : "skipped";
  }
  const sale = saleFromLightspeed(raw, { currency: scope.currency });
  if (!sale) return "skipped";
  const order = await withCatalog(db, scope.shopId, sale);
  const result = await upsertOrder(db, scope.shopId, order);
  if (result === "stale") return "skipped";
  // The backfill's history earns no points; a sale made since connecting does.
  if (options.live) {
    await applyLiveSale(db, { id: scope.shopId, platform: "lightspeed", domain: scope.domainPrefix }, order, scope.now);
  }
  return result;
}

async function storedFamily(db: Db, shopId: string, familyId: string): Promise<StoredFamily | null> {
  const product = await db.product.findUnique({
    where: { shopId_externalId: { shopId, externalId: familyId } },
    select: {
      title: true,
      productType: true,
      vendor: true,
      tags: true,
      status: true,
      deletedAt: true,
      variants: { select: { externalId: true, title: true, sku: true, priceMinor: true, inventoryItemId: true } },
    },
  });
  if (!product || product.deletedAt) return null;
  return {
    ...product,
    tags: JSON.parse(product.tags) as string[],
    status: product.status as NormalizedProduct["status"],
  };
}

/** Stores changed products, family by family, keeping the members that did not change. */
async function storeProducts(db: Db, scope: RetailerScope, rows: readonly LightspeedProduct[]) {
  const families = new Map<string, LightspeedProduct[]>();
  for (const row of rows) families.set(familyIdOf(row), [...(families.get(familyIdOf(row)) ?? []), row]);
  for (const [familyId, changed] of families) {
    const product = mergeFamily(familyId, changed, await storedFamily(db, scope.shopId, familyId), scope.currency);
    if (product) await upsertProduct(db, scope.shopId, product);
    else await markProductDeleted(db, scope.shopId, familyId, scope.now);
  }
}

/** A product Lightspeed no longer has leaves its family (the family is found through the stored variant). */
async function removeProduct(db: Db, scope: RetailerScope, productId: string) {
  const variant = await db.variant.findUnique({
    where: { shopId_externalId: { shopId: scope.shopId, externalId: productId } },
    select: { product: { select: { externalId: true } } },
  });
  const familyId = variant?.product.externalId ?? productId;
  const parent = familyId === productId ? null : familyId;
  await storeProducts(db, scope, [{ id: productId, variant_parent_id: parent, deleted_at: scope.now.toISOString() }]);
}

async function storeInventory(db: Db, scope: RetailerScope, records: readonly LightspeedInventory[]) {
  for (const record of records) await upsertInventoryLevel(db, scope.shopId, inventoryLevelFromLightspeed(record));
}

const notFound = (error: unknown) => error instanceof LightspeedApiError && error.status === 404;

/** One upsert per register; a deleted one is kept, marked with its deletion time and closed. */
export async function storeRegisters(db: Db | Tx, shopId: string, registers: readonly LightspeedRegister[]) {
  for (const raw of registers) {
    const { externalId, ...register } = posRegisterFromLightspeed(raw);
    await db.posRegister.upsert({
      where: { shopId_externalId: { shopId, externalId } },
      create: { shopId, externalId, ...register },
      update: register,
    });
  }
}

export const REGISTER_PAGE_SIZE = 200;

/**
 * The registers changed since version `after`, up to `maxPages` pages, and the version read up
 * to. Null when Lightspeed refuses with 403: a retailer connected before the add-on asked for
 * `registers:read` has not granted it, and that must not stop the rest of the sync.
 */
export async function readRegisters(
  client: LightspeedClient,
  after: number,
  maxPages: number,
): Promise<{ items: LightspeedRegister[]; after: number; more: boolean } | null> {
  const items: LightspeedRegister[] = [];
  try {
    for (let page = 0; page < maxPages; page++) {
      const found = await client.registers({ after, pageSize: REGISTER_PAGE_SIZE });
      if (found.items.length === 0) return { items, after, more: false };
      if (found.maxVersion === null || found.maxVersion <= after) {
        throw new PayloadError(`lightspeed registers: a page after version ${after} did not name a later version`);
      }
      items.push(...found.items);
      after = found.maxVersion;
    }
    return { items, after, more: true };
  } catch (error) {
    if (error instanceof LightspeedApiError && error.status === 403) return null;
    throw error;
  }
}

// ---------- a webhook: re-read the object ----------

export interface RefetchHint {
  type: LightspeedWebhookType;
  objectId: string;
}

export type RefetchResult = SaleResult | "stored" | "deleted";

/** Re-reads the object a webhook named and stores what Lightspeed says now. */
export async function refetchLightspeedObject(
  db: Db,
  client: LightspeedClient,
  scope: RetailerScope,
  hint: RefetchHint,
): Promise<RefetchResult> {
  try {
    switch (hint.type) {
      case "sale.update":
        return await storeSale(db, scope, await client.sale(hint.objectId), { live: true });
      case "product.update":
        await storeProducts(db, scope, [await client.product(hint.objectId)]);
        return "stored";
      case "inventory.update":
        await storeInventory(db, scope, await client.productInventory(hint.objectId));
        return "stored";
      case "customer.update":
        await storeCustomer(db, scope.shopId, await client.customer(hint.objectId));
        return "stored";
    }
  } catch (error) {
    if (!notFound(error)) throw error;
    // Deleted between the webhook and now.
    if (hint.type !== "product.update") return "skipped";
    await removeProduct(db, scope, hint.objectId);
    return "deleted";
  }
}

// ---------- reading a resource by version ----------

export const RESOURCES = ["products", "inventory", "customers", "sales"] as const;
export type Resource = (typeof RESOURCES)[number];
export type Cursors = Record<Resource, number>;
export const NO_CURSORS: Cursors = { products: 0, inventory: 0, customers: 0, sales: 0 };

const PAGE_SIZE: Record<Resource, number> = { products: 200, inventory: 1_000, customers: 200, sales: 100 };

interface PageRead {
  /** The next page's `after`; null when the page was empty (the collection is read to its end). */
  next: number | null;
  created: number;
  lines: number;
}

/**
 * Reads one page of `resource` after `after` and stores it. Sales are live (points, attribution)
 * as `liveSince` says, and sales before `since` (the backfill's window) are not stored at all.
 */
async function readPage(
  db: Db,
  client: LightspeedClient,
  scope: RetailerScope,
  resource: Resource,
  after: number,
  sales: { since?: number; liveSince?: number; reconciling: boolean },
): Promise<PageRead> {
  const request = { after, pageSize: PAGE_SIZE[resource] };
  const read: PageRead = { next: null, created: 0, lines: 0 };
  let page: VersionPage<unknown>;
  switch (resource) {
    case "products": {
      const products = await client.products({ ...request, deleted: sales.reconciling });
      await storeProducts(db, scope, products.items);
      page = products;
      break;
    }
    case "inventory": {
      const stock = await client.inventory(request);
      await storeInventory(db, scope, stock.items);
      page = stock;
      break;
    }
    case "customers": {
      const customers = await client.customers(request);
      for (const customer of customers.items) await storeCustomer(db, scope.shopId, customer);
      page = customers;
      break;
    }
    case "sales": {
      const found = await client.sales(request);
      for (const sale of found.items) {
        const at = Date.parse(sale.date ?? sale.created_at ?? "");
        if (sales.since !== undefined && !(at >= sales.since)) continue;
        const live = sales.liveSince !== undefined && at >= sales.liveSince;
        // Only new rows count: a retried step re-reads its pages, and the counts must not grow twice.
        if ((await storeSale(db, scope, sale, { live })) !== "created") continue;
        read.created += 1;
        read.lines += sale.line_items?.filter((line) => line.quantity > 0).length ?? 0;
      }
      page = found;
      break;
    }
  }
  if (page.items.length === 0) return read;
  // A page that does not move the cursor forward would be read forever.
  if (page.maxVersion === null || page.maxVersion <= after) {
    throw new PayloadError(`lightspeed ${resource}: a page after version ${after} did not name a later version`);
  }
  return { ...read, next: page.maxVersion };
}

// ---------- reconciliation: what no webhook announced ----------

export interface ReconcileStep {
  /** The highest version seen so far of each resource; the next pass reads what came after. */
  cursors: Cursors;
  /** The same for registers; absent in steps queued before registers were synced (read from 0). */
  registers?: number;
}

export const RECONCILE_EVERY_MS = 15 * 60 * 1000;
export const RECONCILE_PAGES_PER_RUN = 5;
/** A reconciled sale this recent is live (earns points); older ones changed late and are history. */
export const RECONCILE_LIVE_MS = 7 * DAY_MS;

/**
 * Starts the retailer's reconciliation chain from `cursors` unless one is waiting, or a backfill
 * is (the backfill starts the chain where it ends; `fromBackfill` is that call).
 */
export async function scheduleLightspeedReconcile(
  db: Db | Tx,
  domainPrefix: string,
  now: Date,
  cursors: Cursors,
  options: { delayMs?: number; fromBackfill?: boolean } = {},
) {
  const blocking = options.fromBackfill
    ? [LIGHTSPEED_RECONCILE_JOB]
    : [LIGHTSPEED_RECONCILE_JOB, LIGHTSPEED_BACKFILL_JOB];
  const waiting = await db.job.count({
    where: { shopDomain: domainPrefix, type: { in: blocking }, status: { in: ["pending", "running"] } },
  });
  if (waiting > 0) return;
  const step: ReconcileStep = { cursors };
  await enqueueJob(db, {
    platform: "lightspeed",
    shopDomain: domainPrefix,
    type: LIGHTSPEED_RECONCILE_JOB,
    payload: step,
    runAt: new Date(now.getTime() + (options.delayMs ?? RECONCILE_EVERY_MS)),
  });
}

/**
 * One pass: up to RECONCILE_PAGES_PER_RUN pages of each resource after its cursor. When a resource
 * had more than that, the next pass runs at once; otherwise in RECONCILE_EVERY_MS.
 */
export async function runLightspeedReconcileStep(
  db: Db,
  client: LightspeedClient,
  scope: RetailerScope,
  step: ReconcileStep,
): Promise<{ stored: number; next: ReconcileStep; runAt: Date }> {
  const cursors = { ...step.cursors };
  let more = false;
  let stored = 0;
  const liveSince = scope.now.getTime() - RECONCILE_LIVE_MS;
  let registersAfter = step.registers ?? 0;
  const registers = await readRegisters(client, registersAfter, RECONCILE_PAGES_PER_RUN);
  if (registers) {
    await storeRegisters(db, scope.shopId, registers.items);
    registersAfter = registers.after;
    more ||= registers.more;
  }
  for (const resource of RESOURCES) {
    for (let page = 0; page < RECONCILE_PAGES_PER_RUN; page++) {
      const read = await readPage(db, client, scope, resource, cursors[resource], { liveSince, reconciling: true });
      stored += read.created;
      if (read.next === null) break;
      cursors[resource] = read.next;
      if (page === RECONCILE_PAGES_PER_RUN - 1) more = true;
    }
  }
  const next: ReconcileStep = { cursors, registers: registersAfter };
  const runAt = more ? scope.now : new Date(scope.now.getTime() + RECONCILE_EVERY_MS);
  await enqueueJob(db, {
    platform: "lightspeed",
    shopDomain: scope.domainPrefix,
    type: LIGHTSPEED_RECONCILE_JOB,
    payload: next,
    runAt,
  });
  return { stored, next, runAt };
}

// ---------- history backfill ----------

export interface BackfillStep {
  runId: string;
  phase: Resource;
  /** The version the phase has read up to. */
  after: number;
  /** Sales dated before this (epoch ms) are not imported. */
  since: number;
  /** Where each finished phase ended: reconciliation carries on from there. */
  cursors: Cursors;
}

export const BACKFILL_PAGES_PER_RUN = 5;

/** Starts a backfill unless one is queued, or one completed and the retailer stayed connected. */
export async function enqueueLightspeedBackfillIfNeeded(
  tx: Tx,
  input: { domainPrefix: string; shopId: string; reconnected: boolean; now: Date; months?: number },
): Promise<string | null> {
  return startBackfillRunIfNeeded(
    tx,
    { ...input, platform: "lightspeed", merchantId: input.domainPrefix, jobType: LIGHTSPEED_BACKFILL_JOB },
    (runId, since): BackfillStep => ({
      runId,
      phase: RESOURCES[0],
      after: 0,
      since: since.getTime(),
      cursors: NO_CURSORS,
    }),
  );
}

/**
 * One page of the step's phase; the step after it, or null when the run is done. Sales are listed
 * by version, not date (the list has no date filter), so the whole history is paged and only the
 * window's sales are kept. The last phase starts reconciliation where each phase ended.
 */
async function backfillPage(
  db: Db,
  client: LightspeedClient,
  scope: RetailerScope,
  step: BackfillStep,
): Promise<BackfillStep | null> {
  const read = await readPage(db, client, scope, step.phase, step.after, { since: step.since, reconciling: false });
  await countImported(db, step.runId, { orders: read.created, lines: read.lines });
  if (read.next !== null) return { ...step, after: read.next };
  const cursors = { ...step.cursors, [step.phase]: step.after };
  const phase = RESOURCES[RESOURCES.indexOf(step.phase) + 1];
  if (phase) return { ...step, phase, after: 0, cursors };
  await scheduleLightspeedReconcile(db, scope.domainPrefix, scope.now, cursors, { delayMs: 0, fromBackfill: true });
  return null;
}

/**
 * One job run of the backfill: up to BACKFILL_PAGES_PER_RUN pages, then its continuation is queued
 * (backfill-run.server). A failed page is retried from the same version.
 */
export async function runLightspeedBackfillStep(
  db: Db,
  client: LightspeedClient,
  scope: RetailerScope,
  input: BackfillStep,
): Promise<BackfillStep | null> {
  return runBackfillPages(
    db,
    {
      platform: "lightspeed",
      shopId: scope.shopId,
      merchantId: scope.domainPrefix,
      now: scope.now,
      jobType: LIGHTSPEED_BACKFILL_JOB,
      pagesPerRun: BACKFILL_PAGES_PER_RUN,
    },
    input,
    (step) => backfillPage(db, client, scope, step),
  );
}

// ---------- webhook subscriptions ----------

/**
 * Where Lightspeed delivers one webhook type for one retailer. A delivery names neither its type
 * nor, reliably, its retailer ("other form fields … may be present but are not guaranteed to
 * be"), so both are in the URL the subscription is created with.
 */
export function lightspeedWebhookUrl(appUrl: string, domainPrefix: string, type: LightspeedWebhookType): string {
  const query = new URLSearchParams({ domain_prefix: domainPrefix, type });
  return `${appUrl.replace(/\/+$/, "")}${LIGHTSPEED_WEBHOOK_PATH}?${query}`;
}

/** Creates the retailer's webhooks (POST /webhooks) for the types the copilot uses, unless they exist. */
export async function subscribeLightspeedWebhooks(client: LightspeedClient, appUrl: string): Promise<number> {
  const existing = await client.webhooks();
  let created = 0;
  for (const type of WEBHOOK_TYPES) {
    const url = lightspeedWebhookUrl(appUrl, client.domainPrefix, type);
    if (existing.some((hook) => hook.url === url && hook.type === type && hook.active !== false)) continue;
    await client.createWebhook({ url, type, active: true });
    created += 1;
  }
  return created;
}
