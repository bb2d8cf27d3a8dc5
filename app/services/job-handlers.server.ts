/** Every job type the worker knows, in one map. */
import { aiSettingsFor } from "./ai.server";
import { AI_JOB, enqueuePitchLines, writePitchLines } from "./ai-pitches.server";
import { ensureShop } from "./store.server";
import type { Platform } from "../../shared/model";
import { shopifyAdminWorkerHandlers } from "./install.server";
import { LOYALTY_JOB, releaseReservation } from "./loyalty.server";
import { RECS_JOB, trainShopModel } from "./suggestions.server";
import { webhookJobHandlers, type JobHandler } from "./worker.server";

export async function allJobHandlers(): Promise<Record<string, JobHandler>> {
  return {
    ...webhookJobHandlers(),
    ...shopifyAdminWorkerHandlers(),
    ...(await import("../platforms/square/jobs.server")).squareJobHandlers,
    ...(await import("../platforms/clover/jobs.server")).cloverJobHandlers,
    ...(await import("../platforms/lightspeed/jobs.server")).lightspeedJobHandlers,
    [RECS_JOB.train]: async ({ db, job, now }) => {
      const shop = await ensureShop(db, job.shopDomain, job.platform as Platform);
      await trainShopModel(db, shop.id, now);
      // New pairs may need pitch lines (only when the shop has AI on).
      if ((await aiSettingsFor(db, shop.id)).enabled) {
        await enqueuePitchLines(db, { platform: job.platform as Platform, domain: job.shopDomain }, now);
      }
    },
    [AI_JOB.pitches]: async ({ db, job, now }) => {
      const shop = await ensureShop(db, job.shopDomain, job.platform as Platform);
      const run = await writePitchLines(db, shop.id, now);
      if (run.asked > 0 || run.stoppedBy) {
        console.info(
          `[ai] ${job.shopDomain} pitch lines: ${run.written} written, ${run.dropped} dropped` +
            (run.stoppedBy ? `, stopped (${run.stoppedBy})` : ""),
        );
      }
    },
    // Runs when a reward reservation expires: a no-op if an order confirmed it meanwhile.
    [LOYALTY_JOB.release]: async ({ db, job, payload, now }) => {
      const shop = await ensureShop(db, job.shopDomain, job.platform as Platform);
      const { reservationId } = payload as { reservationId: string };
      await releaseReservation(db, shop.id, reservationId, "no order carried the reward in time", now);
    },
  };
}
