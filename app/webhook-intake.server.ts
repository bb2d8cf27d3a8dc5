/**
 * What every webhook route does: cap the body, verify it with the Shopify library
 * (`webhooks.validate`, as authenticate.webhook does: bad HMAC → 401, missing headers → 400;
 * ADR 0006), check the topic matches the route, record + enqueue, answer 200. Routes stay one
 * line each.
 */
import { getDb, getSqlDriver, isDatabaseUnavailable } from "./db.server";
import { BodyTooLargeError, databaseUnavailable, readBodyWithLimit, TOO_LARGE_HEADERS } from "./http.server";
import { WebhookType, WebhookValidationErrorReason } from "@shopify/shopify-api";
import { recordSecurityRefusal } from "./services/security-log.server";
import { validateWebhook } from "./shopify.server";
import {
  libraryTopicName,
  recordUnparseableWebhook,
  recordWebhook,
  type WebhookTopic,
} from "./services/webhooks.server";

export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

function problem(status: number, message: string, headers?: HeadersInit): Response {
  return Response.json({ error: message }, { status, headers });
}

export async function receiveWebhook(request: Request, topic: WebhookTopic): Promise<Response> {
  if (request.method !== "POST") return problem(405, "webhooks are POST only");
  let rawBody: string;
  try {
    rawBody = await readBodyWithLimit(request, MAX_WEBHOOK_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return problem(413, `body exceeds ${MAX_WEBHOOK_BYTES} bytes`, TOO_LARGE_HEADERS);
    throw error;
  }
  const check = await validateWebhook({ rawBody, rawRequest: request });
  if (!check.valid) {
    const forged = check.reason === WebhookValidationErrorReason.InvalidHmac;
    const unsigned = check.reason === WebhookValidationErrorReason.MissingHmac;
    await recordSecurityRefusal(
      getDb(),
      {
        kind: forged || unsigned ? "webhook.signature_invalid" : "webhook.headers_missing",
        source: "webhooks/shopify",
        claimedShop: { platform: "shopify", domain: request.headers.get("x-shopify-shop-domain") ?? "" },
        reason: forged ? `HMAC does not verify (${topic})` : `${check.reason} (${topic})`,
      },
      new Date(),
    );
    // The same answers authenticate.webhook gives, without saying which check failed.
    return new Response(null, { status: forged ? 401 : 400 });
  }
  if (check.webhookType !== WebhookType.Webhooks) return problem(400, "only Admin API webhooks are accepted here");
  const now = new Date();
  // X-Shopify-Event-Id identifies the event across retries; older deliveries lack it, and then
  // the webhook id (stable across Shopify's retries of one delivery) is the best key there is.
  const delivery = { shopDomain: check.domain, topic, eventId: check.eventId ?? check.webhookId };
  if (check.topic !== libraryTopicName(topic)) {
    return problem(400, `topic ${check.topic} was delivered to the ${topic} endpoint`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody);
  } catch (error) {
    // Verified bytes that are not JSON: Shopify would only resend them, so keep them for the admin.
    const reason = `payload is not valid JSON: ${(error as Error).message}`;
    await recordUnparseableWebhook(getDb(), delivery, rawBody, reason, now);
    return new Response(null, { status: 200 });
  }
  try {
    await recordWebhook(getDb(), await getSqlDriver(), delivery, payload, now);
  } catch (error) {
    // Nothing was written; Shopify retries a delivery that did not get a 2xx.
    if (isDatabaseUnavailable(error)) return databaseUnavailable();
    throw error;
  }
  return new Response(null, { status: 200 });
}
