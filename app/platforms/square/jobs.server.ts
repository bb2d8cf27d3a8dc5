/**
 * The worker's Square job types: `square:event` (one webhook event), `square:backfill` (one step
 * of the history backfill) and `square:refresh-tokens` (daily, for every merchant). Square
 * failures go through asJobError: a rate limit or an outage retries with the queue's backoff, a
 * request Square refuses dead-letters with Square's reason.
 */
import { z } from "zod";
import type { JobHandler } from "../../services/worker.server";
import { classifiedBy, jobPayload } from "../platform-jobs.server";
import { asJobError, squareClient, squareConfig, SquareNotConfiguredError } from "./client.server";
import { squareEvent } from "./normalize";
import { applySquareEvent, runSquareBackfillStep, SQUARE_BACKFILL_JOB, SQUARE_EVENT_JOB } from "./sync.server";
import {
  revokeSquareConnection,
  runSquareTokenRefreshJob,
  SQUARE_REFRESH_JOB,
  squareAccess,
  staleSquareConnections,
} from "./tokens.server";

export const SQUARE_JOB = {
  event: SQUARE_EVENT_JOB,
  backfill: SQUARE_BACKFILL_JOB,
  refreshTokens: SQUARE_REFRESH_JOB,
} as const;

/** Runs a handler's Square work with Square failures classified for the queue. */
const classified = classifiedBy({ NotConfigured: SquareNotConfiguredError, asJobError });

const BackfillStepSchema = z.object({
  runId: z.string().min(1),
  phase: z.enum(["catalog", "inventory", "customers", "orders"]),
  cursor: z.string().max(10_000).nullable(),
  window: z.object({ startAt: z.string(), endAt: z.string() }),
  chunk: z.number().int().min(0),
});

export const squareJobHandlers: Record<string, JobHandler> = {
  [SQUARE_JOB.event]: classified(async ({ db, job, payload, now }) => {
    const event = squareEvent(payload);
    if (event.type === "oauth.authorization.revoked") {
      const revocation = (event.data?.object?.revocation ?? {}) as { revoker_type?: unknown };
      const by = typeof revocation.revoker_type === "string" ? revocation.revoker_type : "unknown";
      await revokeSquareConnection(db, event.merchant_id, `authorization revoked by ${by}`, now);
      return;
    }
    const config = squareConfig();
    const access = await squareAccess(db, event.merchant_id, config.tokenKey);
    if (!access) {
      console.warn(`[square] ${job.shopDomain}: ${event.type} for a merchant not connected here; ignored`);
      return;
    }
    const client = squareClient(config, { token: access.accessToken, maxRetries: 0 });
    await applySquareEvent(db, client, access.shopId, event, now);
  }),

  [SQUARE_JOB.backfill]: classified(async ({ db, job, payload, now }) => {
    const step = jobPayload(BackfillStepSchema, payload, "square backfill step");
    const config = squareConfig();
    const access = await squareAccess(db, job.shopDomain, config.tokenKey);
    if (!access) return; // revoked or gone: the chain ends
    const client = squareClient(config, { token: access.accessToken, maxRetries: 0 });
    await runSquareBackfillStep(db, client, {
      merchantId: job.shopDomain,
      shopId: access.shopId,
      step,
      now,
    });
  }),

  [SQUARE_JOB.refreshTokens]: classified(async ({ db, now }) => {
    const config = squareConfig();
    await runSquareTokenRefreshJob({ db, config, oauthClient: squareClient(config, { maxRetries: 0 }), now });
    // The alert, until the admin shows it: a token this old means refreshes keep failing.
    for (const stale of await staleSquareConnections(db, now)) {
      console.warn(
        `[square] ${stale.merchantId}: access token issued ${stale.tokenIssuedAt.toISOString()} has not been refreshed` +
          (stale.lastError ? ` (${stale.lastError})` : ""),
      );
    }
  }),
};
