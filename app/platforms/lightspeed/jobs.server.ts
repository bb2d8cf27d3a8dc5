/**
 * The worker's Lightspeed job types: `lightspeed:refetch` (re-read the object a webhook named),
 * `lightspeed:reconcile` (everything past the last versions seen, per retailer),
 * `lightspeed:backfill` (one step of the history import), `lightspeed:subscribe-webhooks` (once
 * per connect) and `lightspeed:refresh-tokens` (every few minutes, for every retailer). Lightspeed
 * failures go through asJobError: a rate limit or an outage retries — no sooner than Lightspeed's
 * Retry-After — and a request Lightspeed refuses dead-letters with its reason.
 */
import { z } from "zod";
import type { Db } from "../../db.server";
import { retryDelayMs, type JobRecord } from "../../services/jobs.server";
import type { JobContext, JobHandler } from "../../services/worker.server";
import { asJobError, lightspeedClient, LightspeedRetryLaterError, type FetchLike } from "./client.server";
import { lightspeedConfig, LightspeedNotConfiguredError, type LightspeedConfig } from "./config.server";
import { PayloadError, WEBHOOK_TYPES } from "./normalize";
import {
  LIGHTSPEED_BACKFILL_JOB,
  LIGHTSPEED_RECONCILE_JOB,
  LIGHTSPEED_REFETCH_JOB,
  LIGHTSPEED_WEBHOOKS_JOB,
  refetchLightspeedObject,
  RESOURCES,
  runLightspeedBackfillStep,
  runLightspeedReconcileStep,
  subscribeLightspeedWebhooks,
  type RetailerScope,
} from "./sync.server";
import {
  LIGHTSPEED_REFRESH_JOB,
  lightspeedAccess,
  refreshDueLightspeedTokens,
  REFRESH_EVERY_MS,
  scheduleLightspeedTokenRefresh,
} from "./tokens.server";

export const LIGHTSPEED_JOB = {
  refetch: LIGHTSPEED_REFETCH_JOB,
  reconcile: LIGHTSPEED_RECONCILE_JOB,
  backfill: LIGHTSPEED_BACKFILL_JOB,
  subscribeWebhooks: LIGHTSPEED_WEBHOOKS_JOB,
  refreshTokens: LIGHTSPEED_REFRESH_JOB,
} as const;

// Looked up at call time, so a fetch patched after this module loads (msw in tests) is used.
const globalFetch: FetchLike = (input, init) => fetch(input, init);

/**
 * The queue backs off 2 s, 4 s, 8 s… on its own; when Lightspeed asked for longer, the job is put
 * back with Lightspeed's delay here, and the worker's own failJob then finds nothing left to change.
 * The attempt still counts, and the last one is left to the queue to dead-letter.
 */
async function deferForRetryAfter(db: Db, job: JobRecord, error: LightspeedRetryLaterError, now: Date) {
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

/** Runs a handler's Lightspeed work with Lightspeed failures classified for the queue. */
function classified(handler: JobHandler): JobHandler {
  return async (context) => {
    try {
      await handler(context);
    } catch (error) {
      // Not configured: nothing a retry can fix until someone sets the variables; the admin can retry then.
      if (error instanceof LightspeedNotConfiguredError) throw new PayloadError(error.message);
      const classifiedError = asJobError(error);
      if (classifiedError instanceof LightspeedRetryLaterError) {
        await deferForRetryAfter(context.db, context.job, classifiedError, context.now);
      }
      throw classifiedError;
    }
  };
}

/**
 * The retailer's client, asking for a working token before every call (refreshed first when it is
 * about to expire), and what its data is stored under. Null when the retailer is not connected here.
 */
async function retailerWork(context: JobContext, config: LightspeedConfig) {
  const { db, job, now } = context;
  const deps = { db, config, fetch: globalFetch, now };
  const first = await lightspeedAccess(deps, job.shopDomain);
  if (!first) return null;
  const shop = await db.shop.findUniqueOrThrow({ where: { id: first.shopId }, select: { currency: true } });
  const client = lightspeedClient({
    domainPrefix: job.shopDomain,
    fetch: globalFetch,
    accessToken: async () => {
      const access = await lightspeedAccess(deps, job.shopDomain);
      if (!access) throw new PayloadError(`lightspeed ${job.shopDomain}: the retailer was disconnected`);
      return access.accessToken;
    },
  });
  const scope: RetailerScope = { shopId: first.shopId, domainPrefix: job.shopDomain, currency: shop.currency, now };
  return { client, scope };
}

const version = z.number().int().min(0);
const CursorsSchema = z.object({ products: version, inventory: version, customers: version, sales: version });

const RefetchSchema = z.object({ type: z.enum(WEBHOOK_TYPES), objectId: z.string().min(1).max(100) });
const ReconcileSchema = z.object({ cursors: CursorsSchema });
const BackfillSchema = z.object({
  runId: z.string().min(1),
  phase: z.enum(RESOURCES),
  after: version,
  since: z.number().int(),
  cursors: CursorsSchema,
});

function payloadOf<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new PayloadError(`lightspeed ${what}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export const lightspeedJobHandlers: Record<string, JobHandler> = {
  [LIGHTSPEED_JOB.refetch]: classified(async (context) => {
    const hint = payloadOf(RefetchSchema, context.payload, "refetch");
    const work = await retailerWork(context, lightspeedConfig());
    if (!work) {
      console.warn(`[lightspeed] ${context.job.shopDomain}: a webhook for a retailer not connected here; ignored`);
      return;
    }
    await refetchLightspeedObject(context.db, work.client, work.scope, hint);
  }),

  [LIGHTSPEED_JOB.reconcile]: classified(async (context) => {
    const step = payloadOf(ReconcileSchema, context.payload, "reconcile step");
    const work = await retailerWork(context, lightspeedConfig());
    if (!work) return; // disconnected: the chain ends, and a reconnect starts a new one
    await runLightspeedReconcileStep(context.db, work.client, work.scope, step);
  }),

  [LIGHTSPEED_JOB.backfill]: classified(async (context) => {
    const step = payloadOf(BackfillSchema, context.payload, "backfill step");
    const work = await retailerWork(context, lightspeedConfig());
    if (!work) return;
    await runLightspeedBackfillStep(context.db, work.client, work.scope, step);
  }),

  [LIGHTSPEED_JOB.subscribeWebhooks]: classified(async (context) => {
    const config = lightspeedConfig();
    const work = await retailerWork(context, config);
    if (!work) return;
    await subscribeLightspeedWebhooks(work.client, config.appUrl);
  }),

  [LIGHTSPEED_JOB.refreshTokens]: classified(async ({ db, now }) => {
    const config = lightspeedConfig();
    const run = await refreshDueLightspeedTokens({ db, config, fetch: globalFetch, now });
    if (run.refreshed || run.failed) {
      console.info(`[lightspeed] tokens: ${run.refreshed} refreshed, ${run.failed} failed, ${run.skipped} skipped`);
    }
    await scheduleLightspeedTokenRefresh(db, now, run.more ? 30_000 : REFRESH_EVERY_MS);
  }),
};
