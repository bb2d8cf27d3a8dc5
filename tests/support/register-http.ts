/**
 * The black box's callers over HTTP: a Shopify POS register (signed session token, the register's
 * user agent) and Shopify delivering webhooks (signed with the demo app's secret). Every request is
 * bounded in time, so a hung server fails the test instead of hanging it.
 */
import { randomUUID } from "node:crypto";
import { getHmac, getJwt } from "@shopify/shopify-api/test-helpers";
import { DEMO_API_KEY, DEMO_API_SECRET } from "./demo-env";

export const DEMO_SHOP = "demo-register.myshopify.com";

/**
 * The POS webview's user agent: the Shopify library answers requests that look like a bot
 * (Node's fetch among them) with 410, so every request carries the register's.
 */
export const REGISTER_USER_AGENT =
  "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 Shopify POS/10.14.0";

const REQUEST_TIMEOUT_MS = 30_000;

export interface Answer<Body = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: Body & { error?: { code: string; message: string } };
  ms: number;
}

async function timed<Body>(url: string, init: RequestInit): Promise<Answer<Body>> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  let body: unknown = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { text };
  }
  return {
    status: response.status,
    headers: response.headers,
    body: body as Answer<Body>["body"],
    ms: performance.now() - started,
  };
}

/** A POS session token for the demo shop (or `shop`), signed with the demo app's secret. */
export async function sessionToken(shop = DEMO_SHOP, sub = "501"): Promise<string> {
  return (await getJwt(shop.replace(".myshopify.com", ""), DEMO_API_KEY, DEMO_API_SECRET, { sub })).token;
}

/** A register call: POST with a JSON body, or GET when `body` is undefined. */
export async function registerCall<Body = Record<string, unknown>>(
  baseUrl: string,
  path: string,
  body?: unknown,
): Promise<Answer<Body>> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${await sessionToken()}`,
    "User-Agent": REGISTER_USER_AGENT,
    Origin: "https://cdn.shopify.com",
  };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return timed<Body>(`${baseUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** One webhook delivery as Shopify sends it; a retry of the same event keeps its event id. */
export async function deliverWebhook(
  baseUrl: string,
  topic: string,
  payload: unknown,
  eventId: string,
  shop = DEMO_SHOP,
): Promise<Answer> {
  const raw = JSON.stringify(payload);
  return timed(`${baseUrl}/webhooks/${topic}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "Shopify-Captain-Hook",
      "X-Shopify-Topic": topic,
      "X-Shopify-Hmac-Sha256": getHmac(raw, DEMO_API_SECRET),
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": "2026-07",
      "X-Shopify-Webhook-Id": randomUUID(),
      "X-Shopify-Event-Id": eventId,
      "X-Shopify-Triggered-At": new Date().toISOString(),
    },
    body: raw,
  });
}
