/**
 * A platform's history backfill (Square, Clover, Lightspeed) as one BackfillRun and a chain of
 * jobs, each reading a bounded number of pages and queueing its continuation (fair to other jobs).
 * What a step is, and how a page is read, stay with each platform.
 */
import type { Db } from "../db.server";
import { enqueueJob } from "../services/jobs.server";
import { trainShopModel } from "../services/suggestions.server";
import type { Platform } from "../../shared/model";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface BackfillTarget {
  platform: Platform;
  /** The platform's backfill job type; its jobs are queued under the merchant id. */
  jobType: string;
  merchantId: string;
  shopId: string;
  now: Date;
}

/**
 * Starts a backfill unless one is queued, or one completed and the merchant stayed connected.
 * `firstStep` makes the first job's payload for the new run, which reads from `since`.
 */
export async function startBackfillRunIfNeeded<Step>(
  tx: Tx,
  input: BackfillTarget & { reconnected: boolean; months?: number },
  firstStep: (runId: string, since: Date) => Step,
): Promise<string | null> {
  const live = await tx.job.count({
    where: { shopDomain: input.merchantId, type: input.jobType, status: { in: ["pending", "running"] } },
  });
  if (live > 0 && !input.reconnected) return null;
  if (!input.reconnected) {
    const completed = await tx.backfillRun.count({ where: { shopId: input.shopId, status: "completed" } });
    if (completed > 0) return null;
  }
  // A run without a live job was interrupted (its job dead-lettered); a new one replaces it.
  await tx.backfillRun.updateMany({
    where: { shopId: input.shopId, status: { in: ["pending", "running"] } },
    data: { status: "cancelled", error: "replaced by a new backfill", finishedAt: input.now },
  });
  const since = new Date(input.now.getTime());
  since.setUTCMonth(since.getUTCMonth() - (input.months ?? 12));
  const run = await tx.backfillRun.create({
    data: { shopId: input.shopId, status: "pending", sinceDate: since, startedAt: input.now },
    select: { id: true },
  });
  await enqueueJob(tx, {
    platform: input.platform,
    shopDomain: input.merchantId,
    type: input.jobType,
    payload: firstStep(run.id, since),
    runAt: input.now,
  });
  return run.id;
}

/**
 * One job run of the backfill: up to `pagesPerRun` pages from `input`, then the continuation is
 * queued and returned. The last page completes the run and trains the recommendation model (null).
 * A failed page is retried by the queue from the same step (the platforms' upserts are idempotent).
 */
export async function runBackfillPages<Step extends { runId: string }>(
  db: Db,
  target: BackfillTarget & { pagesPerRun: number },
  input: Step,
  page: (step: Step) => Promise<Step | null>,
): Promise<Step | null> {
  const run = await db.backfillRun.findFirst({
    where: { id: input.runId, shopId: target.shopId },
    select: { status: true },
  });
  // Cancelled or replaced by a newer run (a reconnect): this chain stops here.
  if (!run || (run.status !== "pending" && run.status !== "running")) return null;
  if (run.status === "pending") {
    await db.backfillRun.update({ where: { id: input.runId }, data: { status: "running" } });
  }
  let step: Step | null = input;
  for (let count = 0; step && count < target.pagesPerRun; count++) {
    step = await page(step);
  }
  if (step) {
    await enqueueJob(db, {
      platform: target.platform,
      shopDomain: target.merchantId,
      type: target.jobType,
      payload: step,
      runAt: target.now,
    });
    return step;
  }
  await db.backfillRun.update({
    where: { id: input.runId },
    data: { status: "completed", error: null, finishedAt: target.now },
  });
  await trainShopModel(db, target.shopId, target.now);
  return null;
}

/** Adds a page's newly created orders and their lines to the run's counts. */
export async function countImported(db: Db, runId: string, imported: { orders: number; lines: number }) {
  if (!imported.orders) return;
  await db.backfillRun.update({
    where: { id: runId },
    data: { ordersImported: { increment: imported.orders }, linesImported: { increment: imported.lines } },
  });
}
