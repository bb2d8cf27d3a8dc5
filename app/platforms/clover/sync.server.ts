/**
 * Clover data into the platform-neutral model. Clover does not guarantee webhook delivery, so a
 * notification is only a hint: `clover:refetch` re-reads the object it names and stores what
 * Clover says now, and `clover:reconcile` re-reads every order modified since its last run, so
 * a sale whose notification never came is still stored. `clover:backfill` imports the catalog,
 * stock, customers and a year of sales in bounded steps. Everything lands through
 * store.server's upserts, as every platform's data does.
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
import { countImported, runBackfillPages, startBackfillRunIfNeeded } from "../backfill-run.server";
import { applyLiveSale } from "../live-sale.server";
import { CloverApiError, type CloverClient } from "./client.server";
import {
  customerFromClover,
  inventoryLevelFromClover,
  objectOf,
  orderFromClover,
  productFromClover,
  type CloverCustomer,
  type CloverNotification,
  type CloverOrder,
} from "./normalize";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export const CLOVER_REFETCH_JOB = "clover:refetch";
export const CLOVER_RECONCILE_JOB = "clover:reconcile";
export const CLOVER_BACKFILL_JOB = "clover:backfill";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface MerchantScope {
  shopId: string;
  merchantId: string;
  currency: string;
  now: Date;
}

// ---------- storing what Clover says ----------

async function storeCustomer(db: Db, shopId: string, raw: CloverCustomer) {
  await upsertCustomerUnlessRedacted(db, shopId, customerFromClover(raw));
}

/** Stores a sale (new or changed); "skipped" for carts, unpaid and test orders, or an older copy. */
async function storeOrder(
  db: Db,
  scope: MerchantScope,
  raw: CloverOrder,
  options: { live: boolean },
): Promise<"created" | "updated" | "skipped"> {
  const sale = orderFromClover(raw, scope);
  if (!sale) return "skipped";
  const result = await upsertOrder(db, scope.shopId, sale);
  if (result === "stale") return "skipped";
  // The backfill's history earns no points; a sale made since connecting does.
  if (options.live) {
    await applyLiveSale(db, { id: scope.shopId, platform: "clover", domain: scope.merchantId }, sale, scope.now);
  }
  return result;
}

const notFound = (error: unknown) => error instanceof CloverApiError && error.status === 404;

// ---------- a notification: re-read the object ----------

export type RefetchResult = "stored" | "skipped" | "deleted";

/** Re-reads the object a notification names and stores what Clover says now. */
export async function refetchCloverObject(
  db: Db,
  client: CloverClient,
  scope: MerchantScope,
  note: Pick<CloverNotification, "objectId" | "type">,
): Promise<RefetchResult> {
  const object = objectOf(note.objectId);
  if (!object) return "skipped";
  switch (object.kind) {
    case "order": {
      if (note.type === "DELETE") {
        const gone = await db.order.updateMany({
          where: { shopId: scope.shopId, externalId: object.id, cancelledAt: null },
          data: { cancelledAt: scope.now },
        });
        return gone.count ? "deleted" : "skipped";
      }
      try {
        const result = await storeOrder(db, scope, await client.order(object.id), { live: true });
        return result === "skipped" ? "skipped" : "stored";
      } catch (error) {
        // Deleted between the notification and now: nothing to store.
        if (notFound(error)) return "skipped";
        throw error;
      }
    }
    case "item": {
      if (note.type === "DELETE") {
        await markProductDeleted(db, scope.shopId, object.id, scope.now);
        return "deleted";
      }
      try {
        const item = await client.item(object.id);
        await upsertProduct(db, scope.shopId, productFromClover(item));
        // Stock changes arrive as item updates; the expanded itemStock carries the count.
        if (item.itemStock) {
          await upsertInventoryLevel(
            db,
            scope.shopId,
            inventoryLevelFromClover({ item: { id: item.id }, ...item.itemStock }, scope.merchantId),
          );
        }
        return "stored";
      } catch (error) {
        if (!notFound(error)) throw error;
        await markProductDeleted(db, scope.shopId, object.id, scope.now);
        return "deleted";
      }
    }
    case "customer": {
      // A deleted Clover customer keeps its history here; erasure goes through the redaction path.
      if (note.type === "DELETE") return "skipped";
      try {
        await storeCustomer(db, scope.shopId, await client.customer(object.id));
        return "stored";
      } catch (error) {
        if (notFound(error)) return "skipped";
        throw error;
      }
    }
  }
}

// ---------- reconciliation: what no notification announced ----------

export interface ReconcileStep {
  /** Orders modified in [since, until) (epoch ms); `until` is fixed when a pass starts. */
  since: number;
  until: number | null;
  offset: number;
}

export const RECONCILE_EVERY_MS = 15 * 60 * 1000;
/** Re-read a little before the last pass ended: device clocks and Clover's writes can lag. */
export const RECONCILE_OVERLAP_MS = 2 * 60 * 1000;
export const RECONCILE_PAGES_PER_RUN = 5;
export const RECONCILE_PAGE = 100;

/** Starts the merchant's reconciliation chain unless one is waiting. */
export async function scheduleCloverReconcile(db: Db | Tx, merchantId: string, now: Date) {
  const waiting = await db.job.count({
    where: { shopDomain: merchantId, type: CLOVER_RECONCILE_JOB, status: { in: ["pending", "running"] } },
  });
  if (waiting > 0) return;
  const step: ReconcileStep = { since: now.getTime(), until: null, offset: 0 };
  await enqueueJob(db, {
    platform: "clover",
    shopDomain: merchantId,
    type: CLOVER_RECONCILE_JOB,
    payload: step,
    runAt: new Date(now.getTime() + RECONCILE_EVERY_MS),
  });
}

/**
 * One run: up to RECONCILE_PAGES_PER_RUN pages of orders modified in the window, oldest first.
 * An order modified again mid-pass leaves the window (its modifiedTime passes `until`) and is
 * read by the next pass, which starts just before this one's `until`.
 */
export async function runCloverReconcileStep(
  db: Db,
  client: CloverClient,
  scope: MerchantScope,
  step: ReconcileStep,
): Promise<{ stored: number; next: ReconcileStep; runAt: Date }> {
  const until = step.until ?? scope.now.getTime();
  let offset = step.offset;
  let stored = 0;
  for (let page = 0; page < RECONCILE_PAGES_PER_RUN; page++) {
    const orders = await client.orders({
      limit: RECONCILE_PAGE,
      offset,
      filters: [`modifiedTime>=${step.since}`, `modifiedTime<${until}`],
    });
    for (const raw of orders) if ((await storeOrder(db, scope, raw, { live: true })) !== "skipped") stored += 1;
    offset += orders.length;
    if (orders.length < RECONCILE_PAGE) {
      const next: ReconcileStep = { since: until - RECONCILE_OVERLAP_MS, until: null, offset: 0 };
      const runAt = new Date(scope.now.getTime() + RECONCILE_EVERY_MS);
      await enqueueJob(db, {
        platform: "clover",
        shopDomain: scope.merchantId,
        type: CLOVER_RECONCILE_JOB,
        payload: next,
        runAt,
      });
      return { stored, next, runAt };
    }
  }
  // More in this window: carry on at once, from where this run stopped.
  const next: ReconcileStep = { since: step.since, until, offset };
  await enqueueJob(db, {
    platform: "clover",
    shopDomain: scope.merchantId,
    type: CLOVER_RECONCILE_JOB,
    payload: next,
    runAt: scope.now,
  });
  return { stored, next, runAt: scope.now };
}

// ---------- history backfill ----------

export interface BackfillStep {
  runId: string;
  phase: "items" | "stocks" | "customers" | "orders";
  offset: number;
  /** Orders created in [startAt, endAt) (epoch ms), fixed when the run starts so offsets stay put. */
  window: { startAt: number; endAt: number };
  /** The start of the 90-day slice being read: Clover caps a time filter at 90 days on some endpoints. */
  sliceStart: number;
}

const PHASES: BackfillStep["phase"][] = ["items", "stocks", "customers", "orders"];
export const BACKFILL_PAGES_PER_RUN = 5;
export const BACKFILL_PAGE = 100;
export const ORDER_SLICE_MS = 90 * DAY_MS;

/** Starts a backfill unless one is queued, or one completed and the merchant stayed connected. */
export async function enqueueCloverBackfillIfNeeded(
  tx: Tx,
  input: { merchantId: string; shopId: string; reconnected: boolean; now: Date; months?: number },
): Promise<string | null> {
  return startBackfillRunIfNeeded(
    tx,
    { ...input, platform: "clover", jobType: CLOVER_BACKFILL_JOB },
    (runId, since): BackfillStep => ({
      runId,
      phase: "items",
      offset: 0,
      window: { startAt: since.getTime(), endAt: input.now.getTime() },
      sliceStart: since.getTime(),
    }),
  );
}

function nextPhase(step: BackfillStep): BackfillStep | null {
  const phase = PHASES[PHASES.indexOf(step.phase) + 1];
  return phase ? { ...step, phase, offset: 0 } : null;
}

/** One Clover page of the step's phase; returns the step after it, or null when the run is done. */
async function backfillPage(db: Db, client: CloverClient, scope: MerchantScope, step: BackfillStep) {
  const page = { limit: BACKFILL_PAGE, offset: step.offset };
  const after = (count: number) => (count < BACKFILL_PAGE ? nextPhase(step) : { ...step, offset: step.offset + count });
  switch (step.phase) {
    case "items": {
      const items = await client.items(page);
      for (const item of items) await upsertProduct(db, scope.shopId, productFromClover(item));
      return after(items.length);
    }
    case "stocks": {
      const stocks = await client.itemStocks(page);
      for (const stock of stocks) {
        await upsertInventoryLevel(db, scope.shopId, inventoryLevelFromClover(stock, scope.merchantId));
      }
      return after(stocks.length);
    }
    case "customers": {
      const customers = await client.customers(page);
      for (const customer of customers) await storeCustomer(db, scope.shopId, customer);
      return after(customers.length);
    }
    case "orders": {
      const sliceEnd = Math.min(step.sliceStart + ORDER_SLICE_MS, step.window.endAt);
      const orders = await client.orders({
        ...page,
        filters: [`createdTime>=${step.sliceStart}`, `createdTime<${sliceEnd}`],
      });
      let created = 0;
      let lines = 0;
      for (const raw of orders) {
        // Only new rows count: a retried step re-reads its pages, and the counts must not grow twice.
        if ((await storeOrder(db, scope, raw, { live: false })) !== "created") continue;
        created += 1;
        lines += raw.lineItems?.elements?.length ?? 0;
      }
      await countImported(db, step.runId, { orders: created, lines });
      if (orders.length === BACKFILL_PAGE) return { ...step, offset: step.offset + orders.length };
      return sliceEnd < step.window.endAt ? { ...step, offset: 0, sliceStart: sliceEnd } : null;
    }
  }
}

/**
 * One job run of the backfill: up to BACKFILL_PAGES_PER_RUN pages, then its continuation is
 * queued (backfill-run.server). A failed page is retried from the same offset.
 */
export async function runCloverBackfillStep(
  db: Db,
  client: CloverClient,
  scope: MerchantScope,
  input: BackfillStep,
): Promise<BackfillStep | null> {
  return runBackfillPages(
    db,
    { ...scope, platform: "clover", jobType: CLOVER_BACKFILL_JOB, pagesPerRun: BACKFILL_PAGES_PER_RUN },
    input,
    (step) => backfillPage(db, client, scope, step),
  );
}
