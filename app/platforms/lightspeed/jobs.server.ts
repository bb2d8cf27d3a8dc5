/**
 * The worker's Lightspeed job types: `lightspeed:refetch` (re-read the object a webhook named),
 * `lightspeed:reconcile` (everything past the last versions seen, per retailer),
 * `lightspeed:backfill` (one step of the history import), `lightspeed:subscribe-webhooks` (once
 * per connect) and `lightspeed:refresh-tokens` (every few minutes, for every retailer). Lightspeed
 * failures go through asJobError: a rate limit or an outage retries — no sooner than Lightspeed's
 * Retry-After — and a request Lightspeed refuses dead-letters with its reason.
 */
import { z } from "zod";
import type { JobContext, JobHandler } from "../../services/worker.server";
import { globalFetch } from "../http-client.server";
import { classifiedBy, jobPayload } from "../platform-jobs.server";
import { asJobError, lightspeedClient } from "./client.server";
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
import { LIGHTSPEED_REFRESH_JOB, lightspeedAccess, runLightspeedTokenRefreshJob } from "./tokens.server";

export const LIGHTSPEED_JOB = {
  refetch: LIGHTSPEED_REFETCH_JOB,
  reconcile: LIGHTSPEED_RECONCILE_JOB,
  backfill: LIGHTSPEED_BACKFILL_JOB,
  subscribeWebhooks: LIGHTSPEED_WEBHOOKS_JOB,
  refreshTokens: LIGHTSPEED_REFRESH_JOB,
} as const;

/**
 * Runs a handler's Lightspeed work with Lightspeed failures classified for the queue: no retry
 * sooner than Lightspeed's Retry-After (platform-jobs.server).
 */
const classified = classifiedBy({ NotConfigured: LightspeedNotConfiguredError, asJobError });

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
const ReconcileSchema = z.object({ cursors: CursorsSchema, registers: version.optional() });
const BackfillSchema = z.object({
  runId: z.string().min(1),
  phase: z.enum(RESOURCES),
  after: version,
  since: z.number().int(),
  cursors: CursorsSchema,
});

const payloadOf = <T>(schema: z.ZodType<T>, payload: unknown, what: string) =>
  jobPayload(schema, payload, `lightspeed ${what}`);

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
    await runLightspeedTokenRefreshJob({ db, config: lightspeedConfig(), fetch: globalFetch, now });
  }),
};
