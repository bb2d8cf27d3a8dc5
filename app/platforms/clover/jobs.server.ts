/**
 * The worker's Clover job types: `clover:refetch` (re-read the object a notification named),
 * `clover:reconcile` (orders modified since the last pass, per merchant), `clover:backfill` (one
 * step of the history import) and `clover:refresh-tokens` (every few minutes, for every
 * merchant). Clover failures go through asJobError: a rate limit or an outage retries — no
 * sooner than Clover's Retry-After — and a request Clover refuses dead-letters with its reason.
 */
import { z } from "zod";
import type { JobRecord } from "../../services/jobs.server";
import type { JobContext, JobHandler } from "../../services/worker.server";
import { globalFetch, type FetchLike } from "../http-client.server";
import { classifiedBy, jobPayload } from "../platform-jobs.server";
import { asJobError, cloverClient, type CloverClient } from "./client.server";
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
import { CLOVER_REFRESH_JOB, cloverAccess, runCloverTokenRefreshJob } from "./tokens.server";

export const CLOVER_JOB = {
  refetch: CLOVER_REFETCH_JOB,
  reconcile: CLOVER_RECONCILE_JOB,
  backfill: CLOVER_BACKFILL_JOB,
  refreshTokens: CLOVER_REFRESH_JOB,
} as const;

/**
 * Runs a handler's Clover work with Clover failures classified for the queue: no retry sooner
 * than Clover's Retry-After (platform-jobs.server).
 */
const classified = classifiedBy({ NotConfigured: CloverNotConfiguredError, asJobError });

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

const payloadOf = <T>(schema: z.ZodType<T>, payload: unknown, what: string) =>
  jobPayload(schema, payload, `clover ${what}`);

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
    await runCloverTokenRefreshJob({ db, config: cloverConfig(), fetch: globalFetch, now });
  }),
};
