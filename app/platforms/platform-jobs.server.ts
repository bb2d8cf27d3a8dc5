/**
 * What the platforms' job handlers (Square, Clover, Lightspeed) have in common: a failure
 * classified for the queue before the worker sees it, a retry no sooner than the platform asked
 * for, and a payload checked before any work. Which jobs there are, and what they do, stay with
 * each platform.
 */
import type { z } from "zod";
import type { Db } from "../db.server";
import { retryDelayMs, type JobRecord } from "../services/jobs.server";
import type { JobHandler } from "../services/worker.server";
import { PlatformRetryLaterError } from "./http-client.server";
import { PayloadError } from "./normalize";

/**
 * The queue backs off 2 s, 4 s, 8 s… on its own; when the platform asked for longer, the job is
 * put back with the platform's delay here, and the worker's own failJob then finds nothing left
 * to change. The attempt still counts, and the last one is left to the queue to dead-letter.
 */
async function deferForRetryAfter(db: Db, job: JobRecord, error: PlatformRetryLaterError, now: Date) {
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

export interface FailureClasses {
  /** The platform's "not configured" error (a dead letter). */
  NotConfigured: new (...args: never[]) => Error;
  /** The platform's view of a failure for the queue (client.server's asJobError). */
  asJobError(error: unknown): Error;
}

/** Wraps a platform's handlers so their failures reach the queue classified by the platform. */
export function classifiedBy(platform: FailureClasses) {
  return (handler: JobHandler): JobHandler =>
    async (context) => {
      try {
        await handler(context);
      } catch (error) {
        // Not configured: nothing a retry can fix until someone sets the variables; the admin can retry then.
        if (error instanceof platform.NotConfigured) throw new PayloadError(error.message);
        const classified = platform.asJobError(error);
        if (classified instanceof PlatformRetryLaterError) {
          await deferForRetryAfter(context.db, context.job, classified, context.now);
        }
        throw classified;
      }
    };
}

/** The job's payload as `schema` reads it; PayloadError "`what`: message" (a dead letter) when it does not fit. */
export function jobPayload<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new PayloadError(`${what}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}
