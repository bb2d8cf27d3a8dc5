/**
 * What the security battery sends to the black-box app: session tokens signed (or forged) the
 * way a register or an attacker would, webhook deliveries signed with the demo app's secret (or
 * not), and requests with the register's user agent (the Shopify library answers a bot's with 410).
 */
import { createHmac, randomUUID } from "node:crypto";
import { DEMO_API_KEY, DEMO_API_SECRET } from "./demo-env";
import { queryRows, type BlackBoxApp, type DemoDatabase } from "./black-box";
import { DEMO_LOCATIONS, DEMO_STORE } from "../../shared/demo-store";

export const REGISTER_USER_AGENT =
  "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 Shopify POS/10.14.0";
export const SHOP = DEMO_STORE.domain;
export const LOCATION = DEMO_LOCATIONS[0]!.externalId;

const b64 = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export interface TokenOptions {
  shop?: string;
  sub?: string;
  /** Seconds from now; negative for the past. */
  expiresIn?: number;
  notBeforeIn?: number;
  aud?: string;
  secret?: string;
  alg?: string;
  /** Extra or replaced claims. */
  claims?: Record<string, unknown>;
}

/** A POS session token: HS256 over the demo app's secret unless told otherwise. */
export function sessionToken(options: TokenOptions = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const shop = options.shop ?? SHOP;
  const payload = {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: options.aud ?? DEMO_API_KEY,
    sub: options.sub ?? "501",
    exp: now + (options.expiresIn ?? 300),
    nbf: now + (options.notBeforeIn ?? -5),
    iat: now - 5,
    jti: randomUUID(),
    sid: randomUUID(),
    ...options.claims,
  };
  const alg = options.alg ?? "HS256";
  const head = `${b64(JSON.stringify({ alg, typ: "JWT" }))}.${b64(JSON.stringify(payload))}`;
  if (alg === "none") return `${head}.`;
  return `${head}.${createHmac("sha256", options.secret ?? DEMO_API_SECRET)
    .update(head)
    .digest("base64url")}`;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: (Record<string, unknown> & { error?: { code: string; message: string } }) | null;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: Answer["json"] = null;
  try {
    json = text ? (JSON.parse(text) as Answer["json"]) : null;
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** A register request: JSON body (or raw text), Bearer token (a fresh valid one unless given). */
export async function register(
  app: BlackBoxApp,
  method: "GET" | "POST",
  path: string,
  options: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "User-Agent": REGISTER_USER_AGENT, ...options.headers };
  const token = options.token === undefined ? sessionToken() : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (method === "POST") {
    headers["Content-Type"] ??= "application/json";
    body = options.raw ?? JSON.stringify(options.body ?? {});
  }
  return answer(await fetch(`${app.url}${path}`, { method, headers, body, signal: AbortSignal.timeout(20_000) }));
}

export interface WebhookOptions {
  shop?: string;
  eventId?: string;
  secret?: string;
  /** Sign these bytes, send `raw` (or the JSON) instead. */
  signBody?: string;
  hmac?: string;
  omitHeaders?: string[];
}

/** A Shopify webhook delivery as Shopify sends it, signed with the demo app's secret. */
export async function webhook(app: BlackBoxApp, topic: string, body: unknown, options: WebhookOptions = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": "Shopify-Captain-Hook",
    "X-Shopify-Topic": topic,
    "X-Shopify-Hmac-Sha256":
      options.hmac ??
      createHmac("sha256", options.secret ?? DEMO_API_SECRET)
        .update(options.signBody ?? raw)
        .digest("base64"),
    "X-Shopify-Shop-Domain": options.shop ?? SHOP,
    "X-Shopify-API-Version": "2026-07",
    "X-Shopify-Webhook-Id": randomUUID(),
    "X-Shopify-Event-Id": options.eventId ?? randomUUID(),
    "X-Shopify-Triggered-At": new Date().toISOString(),
  };
  for (const name of options.omitHeaders ?? []) delete headers[name];
  return answer(
    await fetch(`${app.url}/webhooks/${topic}`, {
      method: "POST",
      headers,
      body: raw,
      signal: AbortSignal.timeout(20_000),
    }),
  );
}

export interface SecurityEventRow {
  kind: string;
  claimedShop: string;
  source: string;
  count: number;
  reason: string;
}

export const securityEvents = (database: DemoDatabase) =>
  queryRows<SecurityEventRow>(
    database,
    'SELECT kind, "claimedShop", source, count, reason FROM "SecurityEvent" ORDER BY "firstSeenAt"',
  );

/** Total count of refusals of `kind` (over every minute bucket). */
export async function securityCount(database: DemoDatabase, kind: string, source?: string): Promise<number> {
  return (await securityEvents(database))
    .filter((row) => row.kind === kind && (source === undefined || row.source === source))
    .reduce((sum, row) => sum + Number(row.count), 0);
}

export interface AuditRow {
  seq: number;
  type: string;
  actor: string;
  data: string;
}

/** The demo shop's audit events after `afterSeq`, oldest first. */
export async function auditSince(database: DemoDatabase, afterSeq: number): Promise<AuditRow[]> {
  return queryRows<AuditRow>(
    database,
    'SELECT a.seq, a.type, a.actor, a.data FROM "AuditEvent" a JOIN "Shop" s ON s.id = a."shopId" ' +
      "WHERE s.domain = ? AND s.platform = 'shopify' AND a.seq > ? ORDER BY a.seq",
    [SHOP, afterSeq],
  );
}

export async function lastAuditSeq(database: DemoDatabase): Promise<number> {
  const rows = await queryRows<{ seq: number | null }>(
    database,
    'SELECT max(a.seq) AS seq FROM "AuditEvent" a JOIN "Shop" s ON s.id = a."shopId" WHERE s.domain = ?',
    [SHOP],
  );
  return Number(rows[0]?.seq ?? 0);
}

/** Table counts that differ between two snapshots: `{ table: [before, after] }`. */
export function changedTables(before: Record<string, number>, after: Record<string, number>) {
  const changed: Record<string, [number, number]> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[table] !== after[table]) changed[table] = [before[table] ?? 0, after[table] ?? 0];
  }
  return changed;
}

/** The demo shop's first `n` variants (external ids) and their product titles. */
export async function demoVariants(database: DemoDatabase, n: number) {
  return queryRows<{ variantId: string; productId: string; title: string }>(
    database,
    'SELECT v."externalId" AS "variantId", p."externalId" AS "productId", p.title FROM "Variant" v ' +
      'JOIN "Product" p ON p.id = v."productId" JOIN "Shop" s ON s.id = v."shopId" ' +
      "WHERE s.domain = ? AND s.platform = 'shopify' ORDER BY v.\"externalId\" LIMIT ?",
    [SHOP, n],
  );
}
