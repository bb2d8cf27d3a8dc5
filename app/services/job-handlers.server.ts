/** Every job type the worker knows, in one map. */
import { ensureShop } from "./store.server";
import { shopifyAdminWorkerHandlers } from "./install.server";
import { LOYALTY_JOB, releaseReservation } from "./loyalty.server";
import { RECS_JOB, trainShopModel } from "./suggestions.server";
import { webhookJobHandlers, type JobHandler } from "./worker.server";

export async function allJobHandlers(): Promise<Record<string, JobHandler>> {
  return {
    ...webhookJobHandlers(),
    ...shopifyAdminWorkerHandlers(),
    [RECS_JOB.train]: async ({ db, job, now }) => {
      const shop = await ensureShop(db, job.shopDomain);
      await trainShopModel(db, shop.id, now);
    },
    // Runs when a reward reservation expires: a no-op if an order confirmed it meanwhile.
    [LOYALTY_JOB.release]: async ({ db, job, payload, now }) => {
      const shop = await ensureShop(db, job.shopDomain);
      const { reservationId } = payload as { reservationId: string };
      await releaseReservation(db, shop.id, reservationId, "no order carried the reward in time", now);
    },
  };
}
