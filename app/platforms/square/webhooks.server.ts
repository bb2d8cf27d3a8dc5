/**
 * Square webhook intake: cap the body, verify Square's signature, record the event under its
 * event_id (Square retries a delivery until it gets a 2xx, so the same event can come twice),
 * queue a job, answer 200. The worker does the rest (jobs.server.ts).
 *
 * Square signs notificationUrl + body, where notificationUrl is the URL the subscription was
 * created with. It is built from the app's configured public URL, never from the request's Host
 * header: behind a proxy the two differ, and a Host header is the sender's to choose.
 */
import { WebhooksHelper } from "square";
import { isTransientDatabaseError, isUniqueViolation, type Db } from "../../db.server";
import { BodyTooLargeError, readBodyWithLimit } from "../../http.server";
import { enqueueDeadLetter, enqueueJob } from "../../services/jobs.server";
import { PayloadError, squareEvent, type SquareEvent } from "./normalize";
import { SQUARE_EVENT_JOB, SQUARE_EVENT_TYPES } from "./sync.server";

export const SQUARE_WEBHOOK_PATH = "/webhooks/square";
export const MAX_SQUARE_WEBHOOK_BYTES = 1024 * 1024;
export const SIGNATURE_HEADER = "x-square-hmacsha256-signature";

export function squareNotificationUrl(appUrl: string): string {
  return `${appUrl.replace(/\/+$/, "")}${SQUARE_WEBHOOK_PATH}`;
}

function problem(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

export interface IntakeDeps {
  db: Db;
  /** SQUARE_WEBHOOK_SIGNATURE_KEY; null when Square webhooks are not set up here. */
  signatureKey: string | null;
  appUrl: string;
  now: Date;
}

export type IntakeOutcome = "accepted" | "duplicate" | "ignored" | "dead";

/** Records a verified event and queues its job, once per (merchant, type, event_id). */
export async function recordSquareEvent(db: Db, event: SquareEvent, now: Date): Promise<IntakeOutcome> {
  if (!(SQUARE_EVENT_TYPES as readonly string[]).includes(event.type)) return "ignored";
  const delivery = { shopDomain: event.merchant_id, topic: `square:${event.type}`, eventId: event.event_id };
  try {
    await db.$transaction(async (tx) => {
      const row = await tx.webhookEvent.create({ data: { ...delivery, receivedAt: now }, select: { id: true } });
      const jobId = await enqueueJob(tx, {
        shopDomain: event.merchant_id,
        type: SQUARE_EVENT_JOB,
        payload: event,
        runAt: now,
      });
      await tx.webhookEvent.update({ where: { id: row.id }, data: { jobId } });
    });
    return "accepted";
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}

export async function receiveSquareWebhook(request: Request, deps: IntakeDeps): Promise<Response> {
  if (request.method !== "POST") return problem(405, "webhooks are POST only");
  if (!deps.signatureKey) return problem(404, "Square webhooks are not configured here");
  let rawBody: string;
  try {
    rawBody = await readBodyWithLimit(request, MAX_SQUARE_WEBHOOK_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return problem(413, `body exceeds ${MAX_SQUARE_WEBHOOK_BYTES} bytes`);
    throw error;
  }
  const signature = request.headers.get(SIGNATURE_HEADER);
  const valid =
    signature !== null &&
    (await WebhooksHelper.verifySignature({
      requestBody: rawBody,
      signatureHeader: signature,
      signatureKey: deps.signatureKey,
      notificationUrl: squareNotificationUrl(deps.appUrl),
    }));
  // Which part failed is not said.
  if (!valid) return new Response(null, { status: 401 });

  let event: SquareEvent;
  try {
    event = squareEvent(JSON.parse(rawBody));
  } catch (error) {
    // Signed by Square but unusable: Square would only resend the same bytes, so keep them for the admin.
    const reason =
      error instanceof PayloadError ? error.message : `payload is not valid JSON: ${(error as Error).message}`;
    await enqueueDeadLetter(deps.db, { shopDomain: "square", type: SQUARE_EVENT_JOB, payload: rawBody, reason });
    return new Response(null, { status: 200 });
  }
  try {
    await recordSquareEvent(deps.db, event, deps.now);
  } catch (error) {
    // Nothing was written; Square delivers again after a non-2xx.
    if (isTransientDatabaseError(error)) return problem(503, "the database is busy; deliver again later");
    throw error;
  }
  return new Response(null, { status: 200 });
}
