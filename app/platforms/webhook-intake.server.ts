/**
 * What the platforms' webhook intake (Square, Clover, Lightspeed) has in common: the body read
 * within a cap, each delivery recorded once together with the job it queues, and the answers a
 * sender is given. How a delivery is verified, and what it names, stay with each platform.
 */
import { isDatabaseUnavailable, isUniqueViolation, type Db } from "../db.server";
import { BodyTooLargeError, databaseUnavailable, readBodyWithLimit, TOO_LARGE_HEADERS } from "../http.server";
import { enqueueJob } from "../services/jobs.server";
import { recordSecurityRefusal } from "../services/security-log.server";
import type { Platform } from "../../shared/model";

export function webhookProblem(status: number, message: string, headers?: HeadersInit): Response {
  return Response.json({ error: message }, { status, headers });
}

/**
 * The answer to a delivery whose signature (or auth code) does not verify: 401, without saying
 * which part failed, and one count in the security log (ADR 0019). `claimedDomain` is the
 * merchant the unverified body names, as given: the log keeps it only when it is one of ours.
 */
export async function refuseUnverifiedDelivery(
  db: Db,
  platform: Platform,
  claimedDomain: string | null,
  now: Date,
): Promise<Response> {
  await recordSecurityRefusal(
    db,
    {
      kind: "webhook.signature_invalid",
      source: `webhooks/${platform}`,
      claimedShop: claimedDomain ? { platform, domain: claimedDomain } : null,
      reason: "signature does not verify",
    },
    now,
  );
  return new Response(null, { status: 401 });
}

/** The raw body, or the 413 to answer when it is over `maxBytes`. */
export async function readWebhookBody(request: Request, maxBytes: number): Promise<string | Response> {
  try {
    return await readBodyWithLimit(request, maxBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return webhookProblem(413, `body exceeds ${maxBytes} bytes`, TOO_LARGE_HEADERS);
    throw error;
  }
}

/**
 * 200 once `record` has stored the delivery; 503 (nothing stored) when the database was locked or
 * down, so that the platform delivers again later.
 */
export async function acknowledgeOnceRecorded(record: () => Promise<unknown>): Promise<Response> {
  try {
    await record();
  } catch (error) {
    if (isDatabaseUnavailable(error)) return databaseUnavailable();
    throw error;
  }
  return new Response(null, { status: 200 });
}

export interface Delivery {
  platform: Platform;
  /** The merchant the delivery is about: the job is queued under it too. */
  shopDomain: string;
  topic: string;
  eventId: string;
}

/**
 * Records a delivery and queues its job in one transaction, once per (merchant, topic, event id):
 * "duplicate" when that delivery was recorded before (a resend), and nothing is queued again.
 */
export async function recordDelivery(
  db: Db,
  delivery: Delivery,
  job: { type: string; payload: unknown },
  now: Date,
): Promise<"queued" | "duplicate"> {
  const { platform, shopDomain, topic, eventId } = delivery;
  try {
    await db.$transaction(async (tx) => {
      const row = await tx.webhookEvent.create({
        data: { shopDomain, topic, eventId, receivedAt: now },
        select: { id: true },
      });
      const jobId = await enqueueJob(tx, { platform, shopDomain, ...job, runAt: now });
      await tx.webhookEvent.update({ where: { id: row.id }, data: { jobId } });
    });
    return "queued";
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}
