/**
 * What every webhook route does: cap the body, verify it with the Shopify library
 * (`authenticate.webhook`: bad HMAC → 401, missing headers → 400), check the topic matches
 * the route, record + enqueue, answer 200. Routes stay one line each.
 */
import { getDb } from "./db.server";
import { BodyTooLargeError, readBodyWithLimit } from "./http.server";
import { authenticate } from "./shopify.server";
import {
  libraryTopicName,
  recordUnparseableWebhook,
  recordWebhook,
  type WebhookTopic,
} from "./services/webhooks.server";

export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024;

function problem(status: number, message: string): Response {
  return Response.json({ error: message }, { status });
}

export async function receiveWebhook(request: Request, topic: WebhookTopic): Promise<Response> {
  if (request.method !== "POST") return problem(405, "webhooks are POST only");
  let rawBody: string;
  try {
    rawBody = await readBodyWithLimit(request, MAX_WEBHOOK_BYTES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return problem(413, `body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
    throw error;
  }
  // authenticate.webhook reads the body itself, so it gets a fresh request with the same bytes.
  const verifiable = new Request(request.url, { method: "POST", headers: request.headers, body: rawBody });
  const headers = request.headers;
  const now = new Date();
  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    context = await authenticate.webhook(verifiable);
  } catch (error) {
    if (error instanceof Response) return error;
    if (error instanceof SyntaxError) {
      // The library parses JSON only after the HMAC and headers checked out.
      const shopDomain = headers.get("x-shopify-shop-domain") ?? "";
      const eventId = headers.get("x-shopify-event-id") ?? headers.get("x-shopify-webhook-id") ?? "";
      await recordUnparseableWebhook(
        getDb(),
        { shopDomain, topic, eventId },
        rawBody,
        `payload is not valid JSON: ${error.message}`,
        now,
      );
      return new Response(null, { status: 200 });
    }
    throw error;
  }
  if (context.topic !== libraryTopicName(topic)) {
    return problem(400, `topic ${String(context.topic)} was delivered to the ${topic} endpoint`);
  }
  // X-Shopify-Event-Id identifies the event across retries; older deliveries lack it, and then
  // the webhook id (stable across Shopify's retries of one delivery) is the best key there is.
  const eventId = context.eventId ?? context.webhookId;
  await recordWebhook(getDb(), { shopDomain: context.shop, topic, eventId }, context.payload, now);
  return new Response(null, { status: 200 });
}
