/**
 * Lightspeed Retail (X-Series) webhook intake: cap the body, verify Lightspeed's signature,
 * record the delivery once, queue a `lightspeed:refetch` hint, answer 200 (Lightspeed waits 5
 * seconds for a 2xx, then retries "up to 20 times over 48h"). The worker does the rest.
 *
 * Verification, as the docs describe it for OAuth-authorised applications (docs: webhooks,
 * "Verification"): the request carries `X-Signature: signature=…,algorithm=HMAC-SHA256`; generate
 * a signature by hashing the webhook request body with the algorithm the header names and the
 * application's `client_secret` as the key, and compare it to the header's for an exact match.
 * Where the docs are silent: the body hashed is the raw request body as received (the literal
 * reading; the `payload` field alone is the other one), and the digest's encoding is not stated
 * (the docs' sample value is neither hex nor base64), so a hex or a base64 digest is accepted;
 * either way the 32 digest bytes are compared in constant time. Only HMAC-SHA256 is accepted.
 * A delivery without the header is refused: every webhook here is created by the add-on.
 *
 * A delivery names neither its type nor, reliably, its retailer, so both travel in the URL the
 * add-on subscribed with (sync.server: lightspeedWebhookUrl). Lightspeed sends no event id:
 * a delivery is recorded under (retailer, type, object id, hash of the payload), so a retry of
 * the same delivery is a duplicate and a later change of the same object is a new hint.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Db } from "../../db.server";
import { enqueueDeadLetter } from "../../services/jobs.server";
import {
  acknowledgeOnceRecorded,
  readWebhookBody,
  recordDelivery,
  webhookProblem,
  refuseUnverifiedDelivery,
} from "../webhook-intake.server";
import { DOMAIN_PREFIX } from "./config.server";
import {
  hintedObjectId,
  lightspeedDelivery,
  PayloadError,
  WEBHOOK_TYPES,
  type LightspeedDelivery,
  type LightspeedWebhookType,
} from "./normalize";
import { LIGHTSPEED_REFETCH_JOB, type RefetchHint } from "./sync.server";

export const MAX_LIGHTSPEED_WEBHOOK_BYTES = 1024 * 1024;
export const SIGNATURE_HEADER = "x-signature";
const ALGORITHM = "HMAC-SHA256";

/** The header's comma-separated `key=value` members (a base64 value keeps its trailing "="). */
function headerMembers(header: string): Map<string, string> {
  const members = new Map<string, string>();
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at > 0) members.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return members;
}

/** A SHA-256 digest written as hex or base64; null for anything else. */
function digestBytes(text: string | undefined): Buffer | null {
  if (!text) return null;
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return null;
  const bytes = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length === 32 ? bytes : null;
}

/** Whether `header` is Lightspeed's signature of `rawBody` under `clientSecret`; constant time. */
export function signatureMatches(rawBody: string, header: string | null, clientSecret: string): boolean {
  if (!header) return false;
  const members = headerMembers(header);
  if (members.get("algorithm")?.toUpperCase() !== ALGORITHM) return false;
  const given = digestBytes(members.get("signature"));
  const expected = createHmac("sha256", clientSecret).update(rawBody, "utf8").digest();
  return given !== null && given.length === expected.length && timingSafeEqual(given, expected);
}

export interface IntakeDeps {
  db: Db;
  /** LIGHTSPEED_CLIENT_SECRET; null when Lightspeed is not set up here (the route answers 404). */
  clientSecret: string | null;
  now: Date;
}

export type IntakeOutcome = "queued" | "duplicate";

/** Records a verified delivery and queues its refetch, once per (retailer, type, object, payload). */
export async function recordLightspeedHint(
  db: Db,
  delivery: { domainPrefix: string; type: LightspeedWebhookType; objectId: string; payloadText: string },
  now: Date,
): Promise<IntakeOutcome> {
  const digest = createHash("sha256").update(delivery.payloadText, "utf8").digest("hex").slice(0, 32);
  const payload: RefetchHint = { type: delivery.type, objectId: delivery.objectId };
  return recordDelivery(
    db,
    {
      platform: "lightspeed",
      shopDomain: delivery.domainPrefix,
      topic: `lightspeed:${delivery.type}`,
      eventId: `${delivery.objectId}@${digest}`,
    },
    { type: LIGHTSPEED_REFETCH_JOB, payload },
    now,
  );
}

const isWebhookType = (value: string | null): value is LightspeedWebhookType =>
  (WEBHOOK_TYPES as readonly (string | null)[]).includes(value);

export async function receiveLightspeedWebhook(request: Request, deps: IntakeDeps): Promise<Response> {
  if (request.method !== "POST") return webhookProblem(405, "webhooks are POST only");
  if (!deps.clientSecret) return webhookProblem(404, "Lightspeed webhooks are not configured here");
  const rawBody = await readWebhookBody(request, MAX_LIGHTSPEED_WEBHOOK_BYTES);
  if (rawBody instanceof Response) return rawBody;
  const url = new URL(request.url);
  if (!signatureMatches(rawBody, request.headers.get(SIGNATURE_HEADER), deps.clientSecret)) {
    // The retailer the unverified delivery names: read, never trusted.
    const claimed = url.searchParams.get("domain_prefix") ?? new URLSearchParams(rawBody).get("domain_prefix");
    return refuseUnverifiedDelivery(deps.db, "lightspeed", claimed?.toLowerCase() ?? null, deps.now);
  }

  const type = url.searchParams.get("type");
  let prefix = url.searchParams.get("domain_prefix");
  let hint: { domainPrefix: string; type: LightspeedWebhookType; objectId: string; payloadText: string };
  try {
    const delivery: LightspeedDelivery = lightspeedDelivery(rawBody);
    prefix = (prefix ?? delivery.domainPrefix)?.toLowerCase() ?? null;
    if (!prefix || !DOMAIN_PREFIX.test(prefix)) throw new PayloadError("lightspeed webhook: no retailer named");
    if (!isWebhookType(type)) throw new PayloadError(`lightspeed webhook: not a type the copilot uses (${type})`);
    const objectId = hintedObjectId(type, delivery.payload);
    hint = { domainPrefix: prefix, type, objectId, payloadText: delivery.payloadText };
  } catch (error) {
    if (!(error instanceof PayloadError)) throw error;
    // Signed by Lightspeed but unusable: a resend would be the same, so keep the bytes for the admin.
    await enqueueDeadLetter(deps.db, {
      platform: "lightspeed",
      shopDomain: prefix && DOMAIN_PREFIX.test(prefix) ? prefix : "lightspeed",
      type: LIGHTSPEED_REFETCH_JOB,
      payload: rawBody,
      reason: error.message,
    });
    return new Response(null, { status: 200 });
  }
  // Nothing is written on a 503; Lightspeed delivers again after a non-2xx.
  return acknowledgeOnceRecorded(() => recordLightspeedHint(deps.db, hint, deps.now));
}
