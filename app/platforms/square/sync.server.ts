/**
 * Square data into the platform-neutral model: one webhook event at a time, the catalog since a
 * time, and the history backfill (catalog, stock, customers, then a year of COMPLETED orders)
 * in bounded steps that queue their own continuation. Everything lands through store.server's
 * upserts, as every platform's data does. `client` is the SDK acting for the merchant.
 */
import type { Square, SquareClient } from "square";
import type { Db } from "../../db.server";
import {
  markProductDeleted,
  upsertCustomerUnlessRedacted,
  upsertInventoryLevel,
  upsertOrder,
  upsertProduct,
} from "../../services/store.server";
import type { NormalizedOrder } from "../../../shared/model";
import { countImported, runBackfillPages, startBackfillRunIfNeeded } from "../backfill-run.server";
import { applyLiveSale } from "../live-sale.server";
import {
  categoryNamesFrom,
  customerFromSquare,
  fromWire,
  inventoryLevelFromSquare,
  orderEventTarget,
  orderFromSquare,
  PayloadError,
  productFromSquare,
  type SquareEvent,
} from "./normalize";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export const SQUARE_EVENT_JOB = "square:event";
export const SQUARE_BACKFILL_JOB = "square:backfill";

// ---------- pieces shared by events and the backfill ----------

/** Square lines name the variation; the product comes from the catalog we already hold. */
async function withProductIds(db: Db, shopId: string, order: NormalizedOrder): Promise<NormalizedOrder> {
  const variantIds = [...new Set(order.lineItems.flatMap((line) => line.variantExternalId ?? []))];
  if (!variantIds.length) return order;
  const variants = await db.variant.findMany({
    where: { shopId, externalId: { in: variantIds } },
    select: { externalId: true, sku: true, product: { select: { externalId: true } } },
  });
  const byId = new Map(variants.map((variant) => [variant.externalId, variant]));
  return {
    ...order,
    lineItems: order.lineItems.map((line) => {
      const variant = line.variantExternalId ? byId.get(line.variantExternalId) : undefined;
      return variant ? { ...line, productExternalId: variant.product.externalId, sku: line.sku ?? variant.sku } : line;
    }),
  };
}

async function storeCustomer(db: Db, shopId: string, raw: Square.Customer) {
  await upsertCustomerUnlessRedacted(db, shopId, customerFromSquare(raw));
}

/** Upserts the ITEMs among `objects` (deleted ones marked deleted); returns how many were written. */
async function storeCatalogItems(
  db: Db,
  shopId: string,
  objects: readonly Square.CatalogObject[],
  related: readonly Square.CatalogObject[],
  now: Date,
): Promise<number> {
  const categories = categoryNamesFrom([...objects, ...related]);
  let written = 0;
  for (const object of objects) {
    if (object.type !== "ITEM") continue;
    if (object.isDeleted) await markProductDeleted(db, shopId, object.id, now);
    else await upsertProduct(db, shopId, productFromSquare(object, categories));
    written += 1;
  }
  return written;
}

/** Pages one catalog search may take before the rest is left to the next event or step. */
const CATALOG_SYNC_PAGES = 20;

/**
 * Re-reads catalog items changed since `since` (SearchCatalogObjects begin_time). A variation
 * changed on its own brings its whole item, so removed variations go too.
 */
export async function syncCatalogSince(db: Db, client: SquareClient, shopId: string, since: Date, now: Date) {
  let cursor: string | undefined;
  const items: Square.CatalogObject[] = [];
  const related: Square.CatalogObject[] = [];
  const parents = new Set<string>();
  for (let page = 0; page < CATALOG_SYNC_PAGES; page++) {
    const answer = await client.catalog.search({
      objectTypes: ["ITEM", "ITEM_VARIATION"],
      beginTime: since.toISOString(),
      includeDeletedObjects: true,
      includeRelatedObjects: true,
      cursor,
      limit: 100,
    });
    for (const object of answer.objects ?? []) {
      if (object.type === "ITEM") items.push(object);
      if (object.type === "ITEM_VARIATION" && object.itemVariationData?.itemId) {
        parents.add(object.itemVariationData.itemId);
      }
    }
    related.push(...(answer.relatedObjects ?? []));
    cursor = answer.cursor || undefined;
    if (!cursor) break;
  }
  for (const item of items) if (item.id) parents.delete(item.id);
  if (parents.size) {
    // Square allows 1,000 ids per batch-retrieve.
    const ids = [...parents];
    for (let at = 0; at < ids.length; at += 1_000) {
      const answer = await client.catalog.batchGet({
        objectIds: ids.slice(at, at + 1_000),
        includeRelatedObjects: true,
      });
      items.push(...(answer.objects ?? []));
      related.push(...(answer.relatedObjects ?? []));
    }
  }
  return storeCatalogItems(db, shopId, items, related, now);
}

// ---------- webhook events ----------

/** Event types the worker acts on; others are acknowledged and dropped on intake. */
export const SQUARE_EVENT_TYPES = [
  "order.created",
  "order.updated",
  "inventory.count.updated",
  "customer.created",
  "customer.updated",
  "catalog.version.updated",
  "oauth.authorization.revoked",
] as const;

/** The catalog-level event carries only when the catalog changed; anything since shortly before. */
const CATALOG_EVENT_MARGIN_MS = 60_000;

export type EventResult = "stored" | "skipped";

/** A Square order, if it is a sale: stored, with its loyalty points and suggestion attribution. */
export async function storeSquareSale(db: Db, shopId: string, raw: Square.Order, now: Date): Promise<EventResult> {
  const sale = orderFromSquare(raw);
  if (!sale) return "skipped";
  const order = await withProductIds(db, shopId, sale);
  if ((await upsertOrder(db, shopId, order)) === "stale") return "skipped";
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { domain: true } });
  await applyLiveSale(db, { id: shopId, platform: "square", domain: shop.domain }, order, now);
  return "stored";
}

/**
 * Applies one verified Square event for a connected merchant. Revocation is handled by the caller
 * (it needs no token). Throws PayloadError for a body that does not fit.
 */
export async function applySquareEvent(
  db: Db,
  client: SquareClient,
  shopId: string,
  event: SquareEvent,
  now: Date,
): Promise<EventResult> {
  const object = event.data?.object ?? {};
  switch (event.type) {
    case "order.created":
    case "order.updated": {
      const target = orderEventTarget(event);
      // OPEN orders are carts in progress (many updates each); only a COMPLETED one is a sale.
      if (target.state && target.state !== "COMPLETED") return "skipped";
      const answer = await client.orders.get({ orderId: target.orderId });
      return answer.order ? storeSquareSale(db, shopId, answer.order, now) : "skipped";
    }
    case "inventory.count.updated": {
      const counts = object.inventory_counts;
      if (!Array.isArray(counts)) throw new PayloadError("square inventory.count.updated: no inventory_counts");
      for (const raw of counts.slice(0, 1_000)) {
        const level = inventoryLevelFromSquare(fromWire.inventoryCount(raw));
        if (level) await upsertInventoryLevel(db, shopId, level);
      }
      return "stored";
    }
    case "customer.created":
    case "customer.updated": {
      await storeCustomer(db, shopId, fromWire.customer(object.customer));
      return "stored";
    }
    case "catalog.version.updated": {
      const version = object.catalog_version as { updated_at?: unknown } | undefined;
      const at = typeof version?.updated_at === "string" ? Date.parse(version.updated_at) : NaN;
      if (Number.isNaN(at)) throw new PayloadError("square catalog.version.updated: no catalog_version.updated_at");
      await syncCatalogSince(db, client, shopId, new Date(at - CATALOG_EVENT_MARGIN_MS), now);
      return "stored";
    }
    default:
      return "skipped";
  }
}

// ---------- history backfill ----------

export interface BackfillStep {
  runId: string;
  phase: "catalog" | "inventory" | "customers" | "orders";
  cursor: string | null;
  /** Orders closed in [startAt, endAt): fixed when the run starts, since a cursor only works with the query that made it. */
  window: { startAt: string; endAt: string };
  /** Which group of ten locations SearchOrders is on (it takes ten at most). */
  chunk: number;
}

const PHASES: BackfillStep["phase"][] = ["catalog", "inventory", "customers", "orders"];
/** Square API pages per job run; then the run queues its continuation (fair to other jobs). */
export const BACKFILL_PAGES_PER_RUN = 5;
const ORDERS_PAGE = 100;
const LOCATIONS_PER_SEARCH = 10;

/** Starts a backfill unless one is queued, or one completed and the merchant stayed connected. */
export async function enqueueSquareBackfillIfNeeded(
  tx: Tx,
  input: { merchantId: string; shopId: string; reconnected: boolean; now: Date; months?: number },
): Promise<string | null> {
  return startBackfillRunIfNeeded(
    tx,
    { ...input, platform: "square", jobType: SQUARE_BACKFILL_JOB },
    (runId, since): BackfillStep => ({
      runId,
      phase: "catalog",
      cursor: null,
      window: { startAt: since.toISOString(), endAt: input.now.toISOString() },
      chunk: 0,
    }),
  );
}

function nextPhase(step: BackfillStep): BackfillStep | null {
  const index = PHASES.indexOf(step.phase);
  const phase = PHASES[index + 1];
  return phase ? { ...step, phase, cursor: null, chunk: 0 } : null;
}

async function locationIdsOf(db: Db, shopId: string): Promise<string[]> {
  const rows = await db.location.findMany({
    where: { shopId },
    select: { externalId: true },
    orderBy: { externalId: "asc" },
  });
  return rows.map((row) => row.externalId);
}

/** One Square page of the step's phase; returns the step after it, or null when the run is done. */
async function backfillPage(
  db: Db,
  client: SquareClient,
  shopId: string,
  step: BackfillStep,
  now: Date,
): Promise<BackfillStep | null> {
  const cursor = step.cursor ?? undefined;
  const after = (next: string | undefined | null) => (next ? { ...step, cursor: next } : nextPhase(step));
  switch (step.phase) {
    case "catalog": {
      const answer = await client.catalog.search({
        objectTypes: ["ITEM"],
        includeRelatedObjects: true,
        cursor,
        limit: 100,
      });
      await storeCatalogItems(db, shopId, answer.objects ?? [], answer.relatedObjects ?? [], now);
      return after(answer.cursor);
    }
    case "inventory": {
      const page = await client.inventory.batchGetCounts({ states: ["IN_STOCK"], cursor, limit: 1_000 });
      for (const count of page.response.counts ?? []) {
        const level = inventoryLevelFromSquare(count);
        if (level) await upsertInventoryLevel(db, shopId, level);
      }
      return after(page.response.cursor);
    }
    case "customers": {
      const page = await client.customers.list({ cursor, limit: 100 });
      for (const customer of page.response.customers ?? []) await storeCustomer(db, shopId, customer);
      return after(page.response.cursor);
    }
    case "orders": {
      const locations = await locationIdsOf(db, shopId);
      const group = locations.slice(step.chunk * LOCATIONS_PER_SEARCH, (step.chunk + 1) * LOCATIONS_PER_SEARCH);
      if (!group.length) return null;
      const answer = await client.orders.search({
        locationIds: group,
        cursor,
        limit: ORDERS_PAGE,
        query: {
          filter: {
            stateFilter: { states: ["COMPLETED"] },
            dateTimeFilter: { closedAt: { startAt: step.window.startAt, endAt: step.window.endAt } },
          },
          // Square requires the sort field to match the time filter's field.
          sort: { sortField: "CLOSED_AT", sortOrder: "ASC" },
        },
      });
      let orders = 0;
      let lines = 0;
      for (const raw of answer.orders ?? []) {
        const sale = orderFromSquare(raw);
        if (!sale) continue;
        // Only new rows count: a retried step re-reads its pages, and the counts must not grow twice.
        if ((await upsertOrder(db, shopId, await withProductIds(db, shopId, sale))) !== "created") continue;
        orders += 1;
        lines += sale.lineItems.length;
      }
      await countImported(db, step.runId, { orders, lines });
      if (answer.cursor) return { ...step, cursor: answer.cursor };
      const more = (step.chunk + 1) * LOCATIONS_PER_SEARCH < locations.length;
      return more ? { ...step, cursor: null, chunk: step.chunk + 1 } : null;
    }
  }
}

/**
 * One job run of the backfill: up to BACKFILL_PAGES_PER_RUN pages, then the continuation is
 * queued with its cursor (backfill-run.server). A failed page is retried from the same cursor.
 */
export async function runSquareBackfillStep(
  db: Db,
  client: SquareClient,
  input: { merchantId: string; shopId: string; step: BackfillStep; now: Date },
): Promise<BackfillStep | null> {
  return runBackfillPages(
    db,
    { ...input, platform: "square", jobType: SQUARE_BACKFILL_JOB, pagesPerRun: BACKFILL_PAGES_PER_RUN },
    input.step,
    (step) => backfillPage(db, client, input.shopId, step, input.now),
  );
}
