/**
 * The worker's Clover job types: `clover:refetch` (re-read the object a notification named),
 * `clover:reconcile` (orders modified since the last pass, per merchant), `clover:backfill` (one
 * step of the history import) and `clover:refresh-tokens` (every few minutes, for every
 * merchant). Clover failures go through asJobError: a rate limit or an outage retries — no
 * sooner than Clover's Retry-After — and a request Clover refuses dead-letters with its reason.
 */
import { z } from "zod";
import type { Db } from "../../db.server";
import { retryDelayMs, type JobRecord } from "../../services/jobs.server";
import type { JobContext, JobHandler } from "../../services/worker.server";
import { asJobError, cloverClient, CloverRetryLaterError, type CloverClient, type FetchLike } from "./client.server";
import { cloverConfig, CloverNotConfiguredError, type CloverConfig } from "./config.server";
import { PayloadError } from "./normalize";
import {
  CLOVER_BACKFILL_JOB,
  CLOVER_RECONCILE_JOB,
  CLOVER_REFETCH_JOB,
  refetchCloverObject,
  runCloverBackfillStep,
  runCloverReconcileStep,
  type MerchantScope,
} from "./sync.server";
import {
  CLOVER_REFRESH_JOB,
  cloverAccess,
  refreshDueCloverTokens,
  REFRESH_EVERY_MS,
  scheduleCloverTokenRefresh,
} from "./tokens.server";

export const CLOVER_JOB = {
  refetch: CLOVER_REFETCH_JOB,
  reconcile: CLOVER_RECONCILE_JOB,
  backfill: CLOVER_BACKFILL_JOB,
  refreshTokens: CLOVER_REFRESH_JOB,
} as const;

// Looked up at call time, so a fetch patched after this module loads (msw in tests) is used.
const globalFetch: FetchLike = (input, init) => fetch(input, init);

/**
 * The queue backs off 2 s, 4 s, 8 s… on its own; when Clover asked for longer, the job is put
 * back with Clover's delay here, and the worker's own failJob then finds nothing left to change.
 * The attempt still counts, and the last one is left to the queue to dead-letter.
 */
async function deferForRetryAfter(db: Db, job: JobRecord, error: CloverRetryLaterError, now: Date) {
  if (error.retryAfterMs === null || job.attempts >= job.maxAttempts) return;
  const delay = Math.max(error.retryAfterMs, retryDelayMs(job.attempts));
  await db.job.updateMany({
    where: { id: job.id, lockedBy: job.lockedBy, status: "running" },
    data: {
      status: "pending",
      lastError: `${error.name}: ${error.message}`.slice(0, 2_000),
      runAt: new Date(now.getTime() + delay),
      lockedAt: null,
      lockedBy: null,
    },
  });
}

/** Runs a handler's Clover work with Clover failures classified for the queue. */
function classified(handler: JobHandler): JobHandler {
  return async (context) => {
    try {
      await handler(context);
    } catch (error) {
      // Not configured: nothing a retry can fix until someone sets the variables; the admin can retry then.
      if (error instanceof CloverNotConfiguredError) throw new PayloadError(error.message);
      const classifiedError = asJobError(error);
      if (classifiedError instanceof CloverRetryLaterError) {
        await deferForRetryAfter(context.db, context.job, classifiedError, context.now);
      }
      throw classifiedError;
    }
  };
}

interface MerchantWork {
  client: CloverClient;
  scope: MerchantScope;
}

/**
 * The merchant's client, asking for a fresh token before every call (refreshed first when it
 * is about to expire). Null when the merchant is not connected here.
 */
async function merchantWork(
  context: JobContext,
  config: CloverConfig,
  fetchImpl: FetchLike = globalFetch,
): Promise<MerchantWork | null> {
  const { db, job, now } = context;
  const deps = { db, config, fetch: fetchImpl, now };
  const first = await cloverAccess(deps, job.shopDomain);
  if (!first) return null;
  const shop = await db.shop.findUniqueOrThrow({ where: { id: first.shopId }, select: { currency: true } });
  let token: string | null = first.accessToken;
  const client = cloverClient({
    config,
    merchantId: job.shopDomain,
    fetch: fetchImpl,
    accessToken: async () => {
      // The first call reuses the token just checked; later ones re-check (a long run can cross expiry).
      if (token) {
        const once = token;
        token = null;
        return once;
      }
      const access = await cloverAccess(deps, job.shopDomain);
      if (!access) throw new PayloadError(`clover ${job.shopDomain}: the merchant was disconnected`);
      return access.accessToken;
    },
  });
  return { client, scope: { shopId: first.shopId, merchantId: job.shopDomain, currency: shop.currency, now } };
}

const RefetchSchema = z.object({
  objectId: z.string().max(200),
  type: z.enum(["CREATE", "UPDATE", "DELETE"]),
  ts: z.number().int(),
});

const ReconcileSchema = z.object({
  since: z.number().int().min(0),
  until: z.number().int().min(0).nullable(),
  offset: z.number().int().min(0),
});

const BackfillSchema = z.object({
  runId: z.string().min(1),
  phase: z.enum(["items", "stocks", "customers", "orders"]),
  offset: z.number().int().min(0),
  window: z.object({ startAt: z.number().int(), endAt: z.number().int() }),
  sliceStart: z.number().int(),
});

function payloadOf<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new PayloadError(`clover ${what}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

function notConnected(job: JobRecord) {
  console.warn(`[clover] ${job.shopDomain}: ${job.type} for a merchant not connected here; ignored`);
}

export const cloverJobHandlers: Record<string, JobHandler> = {
  [CLOVER_JOB.refetch]: classified(async (context) => {
    const note = payloadOf(RefetchSchema, context.payload, "refetch");
    const work = await merchantWork(context, cloverConfig());
    if (!work) return notConnected(context.job);
    await refetchCloverObject(context.db, work.client, work.scope, note);
  }),

  [CLOVER_JOB.reconcile]: classified(async (context) => {
    const step = payloadOf(ReconcileSchema, context.payload, "reconcile step");
    const work = await merchantWork(context, cloverConfig());
    if (!work) return; // disconnected: the chain ends, and a reconnect starts a new one
    await runCloverReconcileStep(context.db, work.client, work.scope, step);
  }),

  [CLOVER_JOB.backfill]: classified(async (context) => {
    const step = payloadOf(BackfillSchema, context.payload, "backfill step");
    const work = await merchantWork(context, cloverConfig());
    if (!work) return;
    await runCloverBackfillStep(context.db, work.client, work.scope, step);
  }),

  [CLOVER_JOB.refreshTokens]: classified(async ({ db, now }) => {
    const config = cloverConfig();
    const run = await refreshDueCloverTokens({ db, config, fetch: globalFetch, now });
    if (run.refreshed || run.failed) {
      console.info(`[clover] tokens: ${run.refreshed} refreshed, ${run.failed} failed, ${run.skipped} skipped`);
    }
    await scheduleCloverTokenRefresh(db, now, run.more ? 30_000 : REFRESH_EVERY_MS);
  }),
};
