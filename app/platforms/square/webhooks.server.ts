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
import type { Db } from "../../db.server";
import { enqueueDeadLetter } from "../../services/jobs.server";
import {
  acknowledgeOnceRecorded,
  readWebhookBody,
  recordDelivery,
  webhookProblem,
  refuseUnverifiedDelivery,
} from "../webhook-intake.server";
import { PayloadError, squareEvent, type SquareEvent } from "./normalize";
import { SQUARE_EVENT_JOB, SQUARE_EVENT_TYPES } from "./sync.server";

export const SQUARE_WEBHOOK_PATH = "/webhooks/square";
export const MAX_SQUARE_WEBHOOK_BYTES = 1024 * 1024;
export const SIGNATURE_HEADER = "x-square-hmacsha256-signature";

export function squareNotificationUrl(appUrl: string): string {
  return `${appUrl.replace(/\/+$/, "")}${SQUARE_WEBHOOK_PATH}`;
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
  const outcome = await recordDelivery(
    db,
    { platform: "square", shopDomain: event.merchant_id, topic: `square:${event.type}`, eventId: event.event_id },
    { type: SQUARE_EVENT_JOB, payload: event },
    now,
  );
  return outcome === "queued" ? "accepted" : "duplicate";
}

/** The merchant an unverified body names (Square's `merchant_id`), or null: read, never trusted. */
function claimedMerchant(rawBody: string): string | null {
  try {
    const merchant = (JSON.parse(rawBody) as { merchant_id?: unknown } | null)?.merchant_id;
    return typeof merchant === "string" ? merchant : null;
  } catch {
    return null;
  }
}

export async function receiveSquareWebhook(request: Request, deps: IntakeDeps): Promise<Response> {
  if (request.method !== "POST") return webhookProblem(405, "webhooks are POST only");
  if (!deps.signatureKey) return webhookProblem(404, "Square webhooks are not configured here");
  const rawBody = await readWebhookBody(request, MAX_SQUARE_WEBHOOK_BYTES);
  if (rawBody instanceof Response) return rawBody;
  const signature = request.headers.get(SIGNATURE_HEADER);
  const valid =
    signature !== null &&
    (await WebhooksHelper.verifySignature({
      requestBody: rawBody,
      signatureHeader: signature,
      signatureKey: deps.signatureKey,
      notificationUrl: squareNotificationUrl(deps.appUrl),
    }));
  if (!valid) return refuseUnverifiedDelivery(deps.db, "square", claimedMerchant(rawBody), deps.now);

  let event: SquareEvent;
  try {
    event = squareEvent(JSON.parse(rawBody));
  } catch (error) {
    // Signed by Square but unusable: Square would only resend the same bytes, so keep them for the admin.
    const reason =
      error instanceof PayloadError ? error.message : `payload is not valid JSON: ${(error as Error).message}`;
    await enqueueDeadLetter(deps.db, {
      platform: "square",
      shopDomain: "square",
      type: SQUARE_EVENT_JOB,
      payload: rawBody,
      reason,
    });
    return new Response(null, { status: 200 });
  }
  // Nothing is written on a 503; Square delivers again after a non-2xx.
  return acknowledgeOnceRecorded(() => recordSquareEvent(deps.db, event, deps.now));
}
