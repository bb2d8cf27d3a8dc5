/**
 * Clover webhook intake. Clover first proves the URL with a verification POST
 * (`{ "verificationCode": … }`, no auth header): the code is logged for the operator to paste
 * into the dashboard and nothing is recorded. Every later POST must carry X-Clover-Auth equal to
 * the Clover Auth Code (compared in constant time). A notification is only a hint (Clover does
 * not guarantee delivery): each distinct one (merchant, objectId, type, ts) is recorded once and
 * queues a `clover:refetch` job that re-reads the object; reconciliation catches what never came.
 */
import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Db } from "../../db.server";
import { enqueueDeadLetter } from "../../services/jobs.server";
import {
  acknowledgeOnceRecorded,
  readWebhookBody,
  recordDelivery,
  webhookProblem,
  refuseUnverifiedDelivery,
} from "../webhook-intake.server";
import { cloverWebhook, objectOf, PayloadError, type CloverNotification, type CloverWebhook } from "./normalize";
import { CLOVER_REFETCH_JOB } from "./sync.server";

export const CLOVER_WEBHOOK_PATH = "/webhooks/clover";
export const MAX_CLOVER_WEBHOOK_BYTES = 1024 * 1024;
export const AUTH_HEADER = "x-clover-auth";

const Verification = z.object({ verificationCode: z.string().min(1).max(200) }).strict();

/** Constant-time equality; texts of different lengths are unequal without comparing. */
export function authCodeMatches(given: string | null, expected: string | null): boolean {
  if (given === null || expected === null) return false;
  const left = Buffer.from(given, "utf8");
  const right = Buffer.from(expected, "utf8");
  return left.length === right.length && timingSafeEqual(left, right);
}

export interface IntakeDeps {
  db: Db;
  /** CLOVER_WEBHOOK_AUTH_CODE; null until the dashboard has shown it (only verification works then). */
  authCode: string | null;
  now: Date;
}

export interface IntakeResult {
  queued: number;
  duplicates: number;
  ignored: number;
}

/** The refetch job's payload: which object, and the notification that hinted at it. */
export type RefetchPayload = CloverNotification;

/** Records each distinct notification and queues its refetch, once per (merchant, objectId, type, ts). */
export async function recordCloverNotifications(db: Db, webhook: CloverWebhook, now: Date): Promise<IntakeResult> {
  const result: IntakeResult = { queued: 0, duplicates: 0, ignored: 0 };
  for (const [merchantId, notes] of Object.entries(webhook.merchants)) {
    for (const note of notes) {
      if (!objectOf(note.objectId)) {
        result.ignored += 1;
        continue;
      }
      const payload: RefetchPayload = { objectId: note.objectId, type: note.type, ts: note.ts };
      const outcome = await recordDelivery(
        db,
        {
          platform: "clover",
          shopDomain: merchantId,
          topic: `clover:${note.type}`,
          eventId: `${note.objectId}@${note.ts}`,
        },
        { type: CLOVER_REFETCH_JOB, payload },
        now,
      );
      if (outcome === "queued") result.queued += 1;
      else result.duplicates += 1;
    }
  }
  return result;
}

export async function receiveCloverWebhook(request: Request, deps: IntakeDeps): Promise<Response> {
  if (request.method !== "POST") return webhookProblem(405, "webhooks are POST only");
  const rawBody = await readWebhookBody(request, MAX_CLOVER_WEBHOOK_BYTES);
  if (rawBody instanceof Response) return rawBody;
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    json = undefined;
  }

  const auth = request.headers.get(AUTH_HEADER);
  if (auth === null) {
    const verification = Verification.safeParse(json);
    if (verification.success) {
      // The operator pastes this into Clover's dashboard; it proves nothing by itself, so nothing is stored.
      console.info(`[clover] webhook verification code: ${verification.data.verificationCode}`);
      return new Response(null, { status: 200 });
    }
  }
  if (!authCodeMatches(auth, deps.authCode)) {
    // The merchant the unverified body names (the first key of `merchants`): read, never trusted.
    const merchants = (json as { merchants?: unknown } | null | undefined)?.merchants;
    const claimed = merchants && typeof merchants === "object" ? (Object.keys(merchants)[0] ?? null) : null;
    return refuseUnverifiedDelivery(deps.db, "clover", claimed, deps.now);
  }

  let webhook: CloverWebhook;
  try {
    if (json === undefined) throw new PayloadError("payload is not valid JSON");
    webhook = cloverWebhook(json);
  } catch (error) {
    // From Clover but unusable: keep the bytes for the admin; a resend would be the same.
    const reason = error instanceof Error ? error.message : String(error);
    await enqueueDeadLetter(deps.db, {
      platform: "clover",
      shopDomain: "clover",
      type: CLOVER_REFETCH_JOB,
      payload: rawBody,
      reason,
    });
    return new Response(null, { status: 200 });
  }
  // On a 503, notifications recorded before the failure stay (each is its own transaction); the rest can be resent.
  return acknowledgeOnceRecorded(() => recordCloverNotifications(deps.db, webhook, deps.now));
}
