/**
 * The Square adapter end to end through the real pieces: the routes, the `square` SDK (its
 * client, its serializers, its WebhooksHelper), the job queue and worker, the sealed tokens and
 * the database. Only Square's HTTP is mocked (msw), with the wire shapes Square's API reference
 * defines: ObtainToken, ListLocations, RetrieveOrder, SearchOrders, SearchCatalogObjects,
 * BatchRetrieveCatalogObjects, BatchRetrieveInventoryCounts, ListCustomers, and the webhook
 * envelope { merchant_id, type, event_id, created_at, data: { type, id, object } }.
 */
import { createHmac, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { http, HttpResponse, delay } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { refusalsClaiming } from "../support/webhooks";

// Square's settings before any app module reads the environment.
const SIGNATURE_KEY = "sq-webhook-signature-key-for-tests";
process.env.SQUARE_APPLICATION_ID = "sandbox-sq0idb-register-copilot";
process.env.SQUARE_APPLICATION_SECRET = "sandbox-sq0csb-not-a-real-secret";
process.env.SQUARE_ENVIRONMENT = "sandbox";
process.env.SQUARE_WEBHOOK_SIGNATURE_KEY = SIGNATURE_KEY;
process.env.TOKEN_ENCRYPTION_KEY = randomBytes(32).toString("base64");

// msw patches fetch before the app (and the SDK) load, as in backfill.test.ts.
const server = setupServer();
server.listen({ onUnhandledRequest: "error" });

const { WebhooksHelper } = await import("square");
const { getDb } = await import("~/db.server");
const { loader: connectLoader } = await import("~/routes/connect.square");
const { loader: callbackLoader } = await import("~/routes/connect.square.callback");
const { action: webhookAction } = await import("~/routes/webhooks.square");
const { allJobHandlers } = await import("~/services/job-handlers.server");
const { runNextJob } = await import("~/services/worker.server");
const { openSecret, sealSecret, secretKey } = await import("~/services/secret-box.server");
const { squareClient, squareConfig } = await import("~/platforms/square/client.server");
const { refreshDueSquareTokens, staleSquareConnections, SQUARE_REFRESH_JOB } =
  await import("~/platforms/square/tokens.server");
const { orderFromSquare, openOrderFromSquare, fromWire, productFromSquare, inventoryLevelFromSquare } =
  await import("~/platforms/square/normalize");

const db = getDb();
const KEY = secretKey(process.env.TOKEN_ENCRYPTION_KEY!);
const SQUARE = "https://connect.squareupsandbox.com";
const APP_URL = process.env.SHOPIFY_APP_URL!;
const NOTIFICATION_URL = `${APP_URL}/webhooks/square`;
const DAY = 24 * 60 * 60 * 1000;
const ORDER_FIXTURE = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, "../fixtures/square/order-completed.json"), "utf8"),
) as { order: Record<string, unknown> };

const args = (request: Request) => ({ request, params: {}, context: {} });

beforeEach(async () => {
  // Each test starts with an empty queue, so the worker runs only what the test queued.
  await db.job.deleteMany({});
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// ---------- Square, mocked ----------

interface Recorded {
  method: string;
  path: string;
  auth: string | null;
  body: Record<string, unknown> | null;
}

let recorded: Recorded[] = [];
beforeEach(() => {
  recorded = [];
});

async function record(request: Request): Promise<Recorded> {
  const url = new URL(request.url);
  const text = request.method === "GET" ? "" : await request.clone().text();
  const entry = {
    method: request.method,
    path: url.pathname + url.search,
    auth: request.headers.get("Authorization"),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
  recorded.push(entry);
  return entry;
}

const calls = (pathStart: string) => recorded.filter((r) => r.path.startsWith(pathStart));

function squareErrors(status: number, category: string, code: string, detail: string) {
  return HttpResponse.json({ errors: [{ category, code, detail }] }, { status });
}

function mockTokenEndpoint(answer: (body: Record<string, unknown>) => Response | Promise<Response>) {
  server.use(
    http.post(`${SQUARE}/oauth2/token`, async ({ request }) => {
      const entry = await record(request);
      return answer(entry.body ?? {});
    }),
  );
}

function tokenAnswer(merchantId: string, accessToken: string, refreshToken: string, issued = new Date()) {
  return HttpResponse.json({
    access_token: accessToken,
    token_type: "bearer",
    expires_at: new Date(issued.getTime() + 30 * DAY).toISOString().replace(/\.\d{3}Z$/, "Z"),
    merchant_id: merchantId,
    refresh_token: refreshToken,
    short_lived: false,
  });
}

function mockLocations(merchantId: string) {
  server.use(
    http.get(`${SQUARE}/v2/locations`, async ({ request }) => {
      await record(request);
      return HttpResponse.json({
        locations: [
          {
            id: "L88917AVBK2S5",
            name: "Harbour Street",
            timezone: "America/Halifax",
            capabilities: ["CREDIT_CARD_PROCESSING"],
            status: "ACTIVE",
            created_at: "2024-02-01T12:00:00.000Z",
            merchant_id: merchantId,
            country: "CA",
            language_code: "en-CA",
            currency: "CAD",
            business_name: "Harbour Grocers",
            type: "PHYSICAL",
          },
          {
            id: "LQ2KJ8M1WZ0AB",
            name: "Pop-up (closed)",
            timezone: "America/Halifax",
            status: "INACTIVE",
            merchant_id: merchantId,
            country: "CA",
            currency: "CAD",
            business_name: "Harbour Grocers",
            type: "MOBILE",
          },
        ],
      });
    }),
  );
}

// ---------- factories ----------

let merchantSeq = 0;
const newMerchantId = () => `MLTEST${String(++merchantSeq).padStart(6, "0")}`;

/** A merchant already connected (as the callback leaves it), with a sealed token issued at `issuedAt`. */
async function connectedMerchant(options: { issuedAt?: Date; accessToken?: string; refreshToken?: string } = {}) {
  const merchantId = newMerchantId();
  const issuedAt = options.issuedAt ?? new Date();
  const shop = await db.shop.create({
    data: { platform: "square", domain: merchantId, name: "Harbour Grocers", currency: "CAD" },
  });
  await db.location.createMany({
    data: [
      { shopId: shop.id, externalId: "L88917AVBK2S5", name: "Harbour Street" },
      { shopId: shop.id, externalId: "LQ2KJ8M1WZ0AB", name: "Pop-up", active: false },
    ],
  });
  const accessToken = options.accessToken ?? `EAAAl${merchantId}-access`;
  const refreshToken = options.refreshToken ?? `EQAAl${merchantId}-refresh`;
  const connection = await db.platformConnection.create({
    data: {
      shopId: shop.id,
      platform: "square",
      merchantId,
      accessTokenEnc: sealSecret(accessToken, KEY),
      refreshTokenEnc: sealSecret(refreshToken, KEY),
      accessTokenExpiresAt: new Date(issuedAt.getTime() + 30 * DAY),
      tokenIssuedAt: issuedAt,
      // As if last written when the token was issued.
      updatedAt: issuedAt,
    },
  });
  return { merchantId, shop, connection, accessToken, refreshToken };
}

/** Runs due jobs as the worker does (all handlers registered); returns "<type> → <outcome>". */
async function drainQueue(clock: () => Date = () => new Date(), limit = 50) {
  const handlers = await allJobHandlers();
  const outcomes: string[] = [];
  for (let i = 0; i < limit; i++) {
    const result = await runNextJob({
      db,
      databaseUrl: process.env.DATABASE_URL!,
      workerId: "test-worker",
      handlers,
      clock,
    });
    if (!result) break;
    outcomes.push(`${result.job.type} → ${result.outcome}`);
  }
  return outcomes;
}

function signed(body: string, options: { url?: string; key?: string } = {}) {
  // Square's documented signature: base64 HMAC-SHA256 of notification URL + raw body.
  return createHmac("sha256", options.key ?? SIGNATURE_KEY)
    .update((options.url ?? NOTIFICATION_URL) + body)
    .digest("base64");
}

function webhookRequest(event: unknown, options: { signature?: string | null; body?: string } = {}) {
  const body = options.body ?? JSON.stringify(event);
  const headers: Record<string, string> = { "Content-Type": "application/json", "Square-Version": "2026-09-16" };
  const signature = options.signature === undefined ? signed(body) : options.signature;
  if (signature !== null) headers["x-square-hmacsha256-signature"] = signature;
  // The request reaches the app on an internal address, as behind a proxy.
  return new Request("http://10.0.3.7:3000/webhooks/square", { method: "POST", headers, body });
}

let eventSeq = 0;
function squareEventBody(merchantId: string, type: string, data: Record<string, unknown>) {
  return {
    merchant_id: merchantId,
    type,
    event_id: `6a8f5f28-54a1-4eb0-a98a-${String(++eventSeq).padStart(12, "0")}`,
    created_at: "2026-11-20T15:04:41.129Z",
    data,
  };
}

function orderUpdatedEvent(merchantId: string, orderId: string, state = "COMPLETED") {
  return squareEventBody(merchantId, "order.updated", {
    type: "order_updated",
    id: orderId,
    object: {
      order_updated: {
        created_at: "2026-11-20T15:02:11.512Z",
        location_id: "L88917AVBK2S5",
        order_id: orderId,
        state,
        updated_at: "2026-11-20T15:04:40.000Z",
        version: 4,
      },
    },
  });
}

/** A callback request as Square's redirect makes it, from the browser that started. */
function callbackRequest(params: Record<string, string>, cookie: string | null) {
  const url = new URL(`${APP_URL}/connect/square/callback`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const headers: Record<string, string> = {};
  if (cookie) headers.Cookie = cookie;
  return new Request(url, { headers });
}

async function startConnect() {
  const response = await connectLoader(args(new Request(`${APP_URL}/connect/square`)));
  const location = new URL(response.headers.get("Location")!);
  const setCookie = response.headers.get("Set-Cookie")!;
  return { response, location, state: location.searchParams.get("state")!, cookie: setCookie.split(";")[0]! };
}

async function everythingStoredFor(merchantId: string) {
  return {
    shops: await db.shop.count({ where: { platform: "square", domain: merchantId } }),
    connections: await db.platformConnection.count({ where: { merchantId } }),
    jobs: await db.job.count({ where: { shopDomain: merchantId } }),
  };
}

// ---------- OAuth ----------

describe("connecting a Square seller", () => {
  it("sends the seller to Square's authorize page with the read scopes, a fresh state and session=false", async () => {
    const before = Date.now();
    const { response, location, state, cookie } = await startConnect();

    expect(response.status).toBe(302);
    expect(location.origin + location.pathname).toBe(`${SQUARE}/oauth2/authorize`);
    expect(location.searchParams.get("client_id")).toBe("sandbox-sq0idb-register-copilot");
    expect(location.searchParams.get("scope")!.split(" ")).toEqual([
      "MERCHANT_PROFILE_READ",
      "ORDERS_READ",
      "ORDERS_WRITE",
      "ITEMS_READ",
      "INVENTORY_READ",
      "CUSTOMERS_READ",
      "LOYALTY_READ",
    ]);
    expect(location.searchParams.get("session")).toBe("false");
    expect(state).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(cookie).toBe(`square_oauth_state=${state}`);
    expect(response.headers.get("Set-Cookie")).toMatch(/HttpOnly; SameSite=Lax; Secure/);

    const row = await db.oAuthState.findUniqueOrThrow({ where: { state } });
    expect(row.platform).toBe("square");
    const ttl = row.expiresAt.getTime() - before;
    expect(ttl).toBeGreaterThan(9.9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000 + 5_000);
  });

  it("exchanges the code once, seals both tokens, records the shop and its locations, and queues the backfill", async () => {
    const merchantId = newMerchantId();
    const accessToken = "EAAAlQ1v2x3y4z-plain-access-token";
    const refreshToken = "EQAAlR9s8t7u6v-plain-refresh-token";
    mockTokenEndpoint(() => tokenAnswer(merchantId, accessToken, refreshToken));
    mockLocations(merchantId);
    const { state, cookie } = await startConnect();

    const response = await callbackLoader(
      args(callbackRequest({ code: "sq0cgb-auth-code-1", response_type: "code", state }, cookie)),
    );

    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Harbour Grocers is connected");
    // Connecting signs the seller into the console, where register panels are paired.
    expect(html).toContain('<a href="/console">Set up register panels</a>');
    const [stateCookie, consoleCookie] = response.headers.getSetCookie();
    expect(stateCookie).toMatch(/^square_oauth_state=; .*Max-Age=0/);
    expect(consoleCookie).toMatch(/^rc_console=[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200/);

    // The code flow, with our credentials, exactly once.
    expect(calls("/oauth2/token").map((c) => c.body)).toEqual([
      {
        client_id: "sandbox-sq0idb-register-copilot",
        client_secret: "sandbox-sq0csb-not-a-real-secret",
        code: "sq0cgb-auth-code-1",
        grant_type: "authorization_code",
      },
    ]);
    expect(calls("/v2/locations")[0]!.auth).toBe(`Bearer ${accessToken}`);

    const shop = await db.shop.findUniqueOrThrow({
      where: { platform_domain: { platform: "square", domain: merchantId } },
      include: { locations: { orderBy: { externalId: "asc" } }, platformConnection: true },
    });
    expect(shop).toMatchObject({ name: "Harbour Grocers", currency: "CAD", timezone: "America/Halifax" });
    expect(shop.locations.map((l) => [l.externalId, l.name, l.active])).toEqual([
      ["L88917AVBK2S5", "Harbour Street", true],
      ["LQ2KJ8M1WZ0AB", "Pop-up (closed)", false],
    ]);

    // Sealed at rest: no column holds either token in the clear, and they open with the key.
    const connection = shop.platformConnection!;
    const rowText = JSON.stringify(connection);
    expect(rowText).not.toContain(accessToken);
    expect(rowText).not.toContain(refreshToken);
    expect(openSecret(connection.accessTokenEnc, KEY)).toBe(accessToken);
    expect(openSecret(connection.refreshTokenEnc!, KEY)).toBe(refreshToken);
    expect(connection).toMatchObject({ platform: "square", merchantId, status: "active" });
    expect(connection.accessTokenExpiresAt!.getTime() - connection.tokenIssuedAt.getTime()).toBeGreaterThan(29 * DAY);
    expect(connection.scopes).toBe(
      "MERCHANT_PROFILE_READ ORDERS_READ ORDERS_WRITE ITEMS_READ INVENTORY_READ CUSTOMERS_READ LOYALTY_READ",
    );

    const backfill = await db.job.findFirstOrThrow({ where: { shopDomain: merchantId, type: "square:backfill" } });
    expect(backfill.status).toBe("pending");
    const run = await db.backfillRun.findFirstOrThrow({ where: { shopId: shop.id } });
    expect(run.status).toBe("pending");
    expect(JSON.parse(backfill.payload)).toMatchObject({ runId: run.id, phase: "catalog", cursor: null, chunk: 0 });
    // The daily token refresh is scheduled, a day out.
    const refresh = await db.job.findFirstOrThrow({ where: { type: SQUARE_REFRESH_JOB, status: "pending" } });
    expect(refresh.runAt.getTime() - Date.now()).toBeGreaterThan(23 * 60 * 60 * 1000);
    // The state is spent.
    expect(await db.oAuthState.count({ where: { state } })).toBe(0);
  });

  it("refuses a replayed callback with 400 and exchanges nothing the second time", async () => {
    const merchantId = newMerchantId();
    mockTokenEndpoint(() => tokenAnswer(merchantId, "EAAAl-replay-access", "EQAAl-replay-refresh"));
    mockLocations(merchantId);
    const { state, cookie } = await startConnect();
    const params = { code: "sq0cgb-auth-code-replay", state };

    const first = await callbackLoader(args(callbackRequest(params, cookie)));
    const replays = await Promise.all([1, 2, 3].map(() => callbackLoader(args(callbackRequest(params, cookie)))));

    expect(first.status).toBe(200);
    expect(replays.map((r) => r.status)).toEqual([400, 400, 400]);
    expect(await replays[0]!.text()).toContain("expired or was already used");
    expect(calls("/oauth2/token")).toHaveLength(1);
    expect(await db.platformConnection.count({ where: { merchantId } })).toBe(1);
  });

  it("refuses an unknown state with 400 before calling Square, and writes nothing", async () => {
    const merchantId = newMerchantId();
    mockTokenEndpoint(() => tokenAnswer(merchantId, "EAAAl-x", "EQAAl-x"));
    const state = "forged-state-that-was-never-issued";

    const response = await callbackLoader(
      args(callbackRequest({ code: "sq0cgb-auth-code-2", state }, `square_oauth_state=${state}`)),
    );

    expect(response.status).toBe(400);
    expect(calls("/oauth2/token")).toHaveLength(0);
    expect(await everythingStoredFor(merchantId)).toEqual({ shops: 0, connections: 0, jobs: 0 });
  });

  it("refuses an expired state with 400 and writes nothing", async () => {
    const merchantId = newMerchantId();
    mockTokenEndpoint(() => tokenAnswer(merchantId, "EAAAl-y", "EQAAl-y"));
    const state = "state-issued-eleven-minutes-ago-0123456789abcdef";
    await db.oAuthState.create({
      data: {
        platform: "square",
        state,
        expiresAt: new Date(Date.now() - 60_000),
        createdAt: new Date(Date.now() - 11 * 60_000),
      },
    });

    const response = await callbackLoader(
      args(callbackRequest({ code: "sq0cgb-auth-code-3", state }, `square_oauth_state=${state}`)),
    );

    expect(response.status).toBe(400);
    expect(calls("/oauth2/token")).toHaveLength(0);
    expect(await everythingStoredFor(merchantId)).toEqual({ shops: 0, connections: 0, jobs: 0 });
  });

  it("refuses a callback from a browser that did not start the connection, keeping the state for the one that did", async () => {
    const merchantId = newMerchantId();
    mockTokenEndpoint(() => tokenAnswer(merchantId, "EAAAl-z", "EQAAl-z"));
    const { state } = await startConnect();

    const response = await callbackLoader(args(callbackRequest({ code: "sq0cgb-auth-code-4", state }, null)));

    expect(response.status).toBe(400);
    expect(await response.text()).toContain("not started in this browser");
    expect(calls("/oauth2/token")).toHaveLength(0);
    expect(await db.oAuthState.count({ where: { state } })).toBe(1);
  });

  it("answers 400 with Square's reason when the code is refused, and stores no shop or token", async () => {
    const merchantId = newMerchantId();
    mockTokenEndpoint(() =>
      squareErrors(401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", "Authorization code is already redeemed"),
    );
    mockLocations(merchantId);
    const { state, cookie } = await startConnect();

    const response = await callbackLoader(args(callbackRequest({ code: "sq0cgb-redeemed", state }, cookie)));

    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain("Square refused the authorization");
    expect(text).toContain("Authorization code is already redeemed");
    expect(calls("/v2/locations")).toHaveLength(0);
    expect(await db.platformConnection.count()).toBe(
      await db.platformConnection.count({ where: { NOT: { merchantId } } }),
    );
    expect(await everythingStoredFor(merchantId)).toEqual({ shops: 0, connections: 0, jobs: 0 });
  });

  it("answers 400 when the seller declines on Square's page", async () => {
    const { state, cookie } = await startConnect();
    const response = await callbackLoader(
      args(callbackRequest({ error: "access_denied", error_description: "user_denied", state }, cookie)),
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("declined");
    expect(await db.oAuthState.count({ where: { state } })).toBe(0);
  });
});

// ---------- webhooks: signature, dedupe ----------

describe("Square webhook intake", () => {
  const inventoryEvent = (merchantId: string) =>
    squareEventBody(merchantId, "inventory.count.updated", {
      type: "inventory_counts",
      id: "84c9a1a3-4d64-4b58-9b2f-3a0e1f2b7c11",
      object: {
        inventory_counts: [
          {
            calculated_at: "2026-11-20T15:04:41.000Z",
            catalog_object_id: "W62UWFY35CWMYGVWK6TWJDNI",
            catalog_object_type: "ITEM_VARIATION",
            location_id: "L88917AVBK2S5",
            quantity: "14",
            state: "IN_STOCK",
          },
        ],
      },
    });

  it("accepts a delivery signed the way Square documents, over the configured URL, and queues one job", async () => {
    const { merchantId } = await connectedMerchant();
    const event = inventoryEvent(merchantId);
    const body = JSON.stringify(event);
    const signature = signed(body);
    // The SDK's own verifier agrees with the documented computation.
    expect(
      await WebhooksHelper.verifySignature({
        requestBody: body,
        signatureHeader: signature,
        signatureKey: SIGNATURE_KEY,
        notificationUrl: NOTIFICATION_URL,
      }),
    ).toBe(true);

    const response = await webhookAction(args(webhookRequest(event, { body, signature })));

    expect(response.status).toBe(200);
    const row = await db.webhookEvent.findFirstOrThrow({ where: { eventId: event.event_id } });
    expect(row).toMatchObject({ shopDomain: merchantId, topic: "square:inventory.count.updated" });
    const job = await db.job.findUniqueOrThrow({ where: { id: row.jobId! } });
    expect(job).toMatchObject({ type: "square:event", shopDomain: merchantId, status: "pending" });

    expect(await drainQueue()).toEqual(["square:event → done"]);
    const level = await db.inventoryLevel.findFirstOrThrow({ where: { inventoryItemId: "W62UWFY35CWMYGVWK6TWJDNI" } });
    expect(level).toMatchObject({ locationExternalId: "L88917AVBK2S5", available: 14 });
  });

  it.each([
    [
      "signed over the request's own URL (Host header) instead of the configured one",
      { url: "http://10.0.3.7:3000/webhooks/square" },
    ],
    ["signed with another key", { key: "some-other-subscription-key" }],
  ])("refuses a delivery %s with 401 and writes nothing", async (_name, option) => {
    const { merchantId } = await connectedMerchant();
    const event = inventoryEvent(merchantId);
    const body = JSON.stringify(event);

    const response = await webhookAction(args(webhookRequest(event, { body, signature: signed(body, option) })));

    expect(response.status).toBe(401);
    expect(await db.webhookEvent.count({ where: { shopDomain: merchantId } })).toBe(0);
    expect(await db.job.count()).toBe(0);
    // Counted in the security log under the merchant the body claims (ours, so it is kept).
    expect(await refusalsClaiming(db, "webhooks/square", merchantId)).toBe(1);
  });

  it("refuses a body with one byte changed after signing, and a delivery without a signature", async () => {
    const { merchantId } = await connectedMerchant();
    const event = inventoryEvent(merchantId);
    const body = JSON.stringify(event);
    const signature = signed(body);
    const tampered = body.replace('"quantity":"14"', '"quantity":"94"');
    expect(tampered).not.toBe(body);
    expect(tampered.length).toBe(body.length);

    const changed = await webhookAction(args(webhookRequest(event, { body: tampered, signature })));
    const unsigned = await webhookAction(args(webhookRequest(event, { body, signature: null })));

    expect([changed.status, unsigned.status]).toEqual([401, 401]);
    expect(await db.webhookEvent.count({ where: { shopDomain: merchantId } })).toBe(0);
    expect(await db.job.count()).toBe(0);
    expect(await refusalsClaiming(db, "webhooks/square", merchantId)).toBe(2);
  });

  it("refuses a body over 1 MB with 413, and anything but POST with 405", async () => {
    const huge = JSON.stringify({ padding: "x".repeat(1024 * 1024) });
    const tooLarge = await webhookAction(args(webhookRequest(null, { body: huge })));
    const put = await webhookAction(
      args(
        new Request(NOTIFICATION_URL, { method: "PUT", body: "{}", headers: { "Content-Type": "application/json" } }),
      ),
    );
    expect([tooLarge.status, put.status]).toEqual([413, 405]);
    expect(await db.job.count()).toBe(0);
  });

  it("acknowledges every copy of one event_id and queues a single job", async () => {
    const { merchantId } = await connectedMerchant();
    const event = inventoryEvent(merchantId);

    const first = await webhookAction(args(webhookRequest(event)));
    const copies = await Promise.all([1, 2, 3, 4].map(() => webhookAction(args(webhookRequest(event)))));

    expect([first, ...copies].map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await db.webhookEvent.count({ where: { eventId: event.event_id } })).toBe(1);
    expect(await db.job.count({ where: { shopDomain: merchantId, type: "square:event" } })).toBe(1);
  });

  it("keeps a signed body that is not a Square event as a dead letter, and answers 200 so Square stops resending", async () => {
    const body = '{"merchant_id":"MLTESTBROKEN","type":"order.updated"';
    const response = await webhookAction(args(webhookRequest(null, { body })));
    expect(response.status).toBe(200);
    const dead = await db.job.findFirstOrThrow({ where: { type: "square:event" } });
    expect(dead).toMatchObject({ status: "dead", payload: body });
    expect(dead.lastError).toContain("not valid JSON");
  });

  it("acknowledges event types the copilot does not use without queueing anything", async () => {
    const { merchantId } = await connectedMerchant();
    const event = squareEventBody(merchantId, "payment.updated", { type: "payment", id: "x", object: {} });
    const response = await webhookAction(args(webhookRequest(event)));
    expect(response.status).toBe(200);
    expect(await db.job.count()).toBe(0);
  });
});

// ---------- webhooks: processing ----------

describe("Square events in the worker", () => {
  function mockRetrieveOrder(answer: () => Response) {
    server.use(
      http.get(`${SQUARE}/v2/orders/:orderId`, async ({ request }) => {
        await record(request);
        return answer();
      }),
    );
  }

  it("order.updated: retrieves the order with the merchant's token and stores the COMPLETED sale in minor units", async () => {
    const { merchantId, shop, accessToken } = await connectedMerchant();
    // The catalog is known: the line's variation leads to its product.
    await db.product.create({
      data: {
        shopId: shop.id,
        externalId: "BJHURKYAIAQFDRAVBLP3AYMH",
        title: "Oat Milk Latte",
        variants: {
          create: [
            { shopId: shop.id, externalId: "W62UWFY35CWMYGVWK6TWJDNI", title: "Large", sku: "LAT-L", priceMinor: 550 },
          ],
        },
      },
    });
    const orderId = ORDER_FIXTURE.order.id as string;
    mockRetrieveOrder(() => HttpResponse.json(ORDER_FIXTURE));

    const response = await webhookAction(args(webhookRequest(orderUpdatedEvent(merchantId, orderId))));
    expect(response.status).toBe(200);
    // The seller's first sale here asks for a suggestions model, trained for this Square shop.
    expect(await drainQueue()).toEqual(["square:event → done", "recs:train → done"]);
    expect(await db.recommendationModel.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await db.shop.count({ where: { domain: merchantId } })).toBe(1);

    expect(calls("/v2/orders/")).toEqual([
      expect.objectContaining({ method: "GET", path: `/v2/orders/${orderId}`, auth: `Bearer ${accessToken}` }),
    ]);
    const order = await db.order.findUniqueOrThrow({
      where: { shopId_externalId: { shopId: shop.id, externalId: orderId } },
      include: { lineItems: { orderBy: { title: "asc" } } },
    });
    expect(order).toMatchObject({
      currency: "CAD",
      totalMinor: 2519,
      discountMinor: 110,
      // 2 × 550 − 110, plus the weighed beans as one unit of 1400.
      subtotalMinor: 2390,
      financialStatus: "paid",
      sourceName: "pos",
      locationExternalId: "L88917AVBK2S5",
      customerExternalId: "JDKYHBWT1D4F8MFH63DBMEN8Y4",
    });
    expect(order.processedAt.toISOString()).toBe("2026-11-20T15:04:39.866Z");
    expect(
      order.lineItems.map((l) => [
        l.title,
        l.variantExternalId,
        l.productExternalId,
        l.sku,
        l.quantity,
        l.priceMinor,
        l.discountMinor,
      ]),
    ).toEqual([
      ["Coffee Beans – By weight", "AII6Q3HZNJ3V3WXJ3SGBCSEX", null, null, 1, 1400, 0],
      ["Oat Milk Latte – Large", "W62UWFY35CWMYGVWK6TWJDNI", "BJHURKYAIAQFDRAVBLP3AYMH", "LAT-L", 2, 550, 110],
    ]);
  });

  it("order.updated for an OPEN order (a cart) stores nothing and does not call Square", async () => {
    const { merchantId, shop } = await connectedMerchant();
    mockRetrieveOrder(() => HttpResponse.json(ORDER_FIXTURE));
    await webhookAction(args(webhookRequest(orderUpdatedEvent(merchantId, "OPENCARTORDER123", "OPEN"))));
    expect(await drainQueue()).toEqual(["square:event → done"]);
    expect(calls("/v2/orders/")).toHaveLength(0);
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(0);
  });

  it("a 429 from Square puts the job back in the queue with backoff, and the retry stores the order", async () => {
    const { merchantId, shop } = await connectedMerchant();
    const orderId = ORDER_FIXTURE.order.id as string;
    let limited = true;
    mockRetrieveOrder(() =>
      limited
        ? squareErrors(429, "RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limit exceeded.")
        : HttpResponse.json(ORDER_FIXTURE),
    );
    await webhookAction(args(webhookRequest(orderUpdatedEvent(merchantId, orderId))));

    const now = new Date();
    expect(await drainQueue(() => now)).toEqual(["square:event → retry"]);
    const job = await db.job.findFirstOrThrow({ where: { shopDomain: merchantId, type: "square:event" } });
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job.lastError).toContain("RetryLaterError: Square 429 RATE_LIMITED");
    expect(job.runAt.getTime()).toBeGreaterThan(now.getTime());
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(0);

    limited = false;
    expect(await drainQueue(() => new Date(job.runAt.getTime() + 1))).toEqual([
      "square:event → done",
      "recs:train → done",
    ]);
    expect(await db.order.count({ where: { shopId: shop.id, externalId: orderId } })).toBe(1);
    expect(await db.job.count({ where: { status: "dead" } })).toBe(0);
  });

  it("a request Square refuses for good (404) is dead-lettered at once with Square's reason", async () => {
    const { merchantId } = await connectedMerchant();
    mockRetrieveOrder(() => squareErrors(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", "Order not found"));
    await webhookAction(args(webhookRequest(orderUpdatedEvent(merchantId, "GONEORDER000001"))));
    expect(await drainQueue()).toEqual(["square:event → dead"]);
    const job = await db.job.findFirstOrThrow({ where: { shopDomain: merchantId } });
    expect(job.lastError).toContain("Square 404 NOT_FOUND: Order not found");
  });

  it("customer.created stores the customer; catalog.version.updated re-reads items changed since", async () => {
    const { merchantId, shop } = await connectedMerchant();
    server.use(
      http.post(`${SQUARE}/v2/catalog/search`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          objects: [
            {
              type: "ITEM",
              id: "BJHURKYAIAQFDRAVBLP3AYMH",
              updated_at: "2026-11-20T15:10:02.112Z",
              version: 1732115402112,
              is_deleted: false,
              present_at_all_locations: true,
              item_data: {
                name: "Oat Milk Latte",
                categories: [{ id: "CATCOFFEE00000000000001", ordinal: 0 }],
                reporting_category: { id: "CATCOFFEE00000000000001", ordinal: 0 },
                variations: [
                  {
                    type: "ITEM_VARIATION",
                    id: "W62UWFY35CWMYGVWK6TWJDNI",
                    updated_at: "2026-11-20T15:10:02.112Z",
                    version: 1732115402112,
                    is_deleted: false,
                    present_at_all_locations: true,
                    item_variation_data: {
                      item_id: "BJHURKYAIAQFDRAVBLP3AYMH",
                      name: "Large",
                      sku: "LAT-L",
                      ordinal: 1,
                      pricing_type: "FIXED_PRICING",
                      price_money: { amount: 575, currency: "CAD" },
                    },
                  },
                ],
              },
            },
            {
              type: "ITEM_VARIATION",
              id: "VARONLYCHANGED0000000001",
              updated_at: "2026-11-20T15:10:02.112Z",
              version: 1732115402112,
              item_variation_data: {
                item_id: "ITEMOFVARIATION000000001",
                name: "Small",
                price_money: { amount: 300, currency: "CAD" },
              },
            },
          ],
          related_objects: [
            { type: "CATEGORY", id: "CATCOFFEE00000000000001", version: 1, category_data: { name: "Coffee" } },
          ],
          latest_time: "2026-11-20T15:10:02.112Z",
        });
      }),
      http.post(`${SQUARE}/v2/catalog/batch-retrieve`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          objects: [
            {
              type: "ITEM",
              id: "ITEMOFVARIATION000000001",
              version: 1732115402112,
              item_data: {
                name: "Croissant",
                variations: [
                  {
                    type: "ITEM_VARIATION",
                    id: "VARONLYCHANGED0000000001",
                    item_variation_data: {
                      item_id: "ITEMOFVARIATION000000001",
                      name: "Small",
                      price_money: { amount: 300, currency: "CAD" },
                    },
                  },
                ],
              },
            },
          ],
        });
      }),
    );
    const customerEvent = squareEventBody(merchantId, "customer.created", {
      type: "customer",
      id: "JDKYHBWT1D4F8MFH63DBMEN8Y4",
      object: {
        customer: {
          id: "JDKYHBWT1D4F8MFH63DBMEN8Y4",
          created_at: "2026-11-20T15:00:00.000Z",
          updated_at: "2026-11-20T15:00:00.000Z",
          given_name: "Ada",
          family_name: "Lovelace",
          email_address: "ada@example.com",
          phone_number: "+1-902-555-0134",
          preferences: { email_unsubscribed: false },
          creation_source: "DIRECTORY",
          version: 0,
        },
      },
    });
    const catalogEvent = squareEventBody(merchantId, "catalog.version.updated", {
      type: "catalog_version",
      id: "",
      object: { catalog_version: { updated_at: "2026-11-20T15:10:02.112Z" } },
    });

    await webhookAction(args(webhookRequest(customerEvent)));
    await webhookAction(args(webhookRequest(catalogEvent)));
    expect(await drainQueue()).toEqual(["square:event → done", "square:event → done"]);

    const customer = await db.customer.findUniqueOrThrow({
      where: { shopId_externalId: { shopId: shop.id, externalId: "JDKYHBWT1D4F8MFH63DBMEN8Y4" } },
    });
    expect(customer).toMatchObject({ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });

    const search = calls("/v2/catalog/search")[0]!.body!;
    expect(search).toMatchObject({
      object_types: ["ITEM", "ITEM_VARIATION"],
      begin_time: "2026-11-20T15:09:02.112Z",
      include_deleted_objects: true,
      include_related_objects: true,
    });
    expect(calls("/v2/catalog/batch-retrieve")[0]!.body).toMatchObject({ object_ids: ["ITEMOFVARIATION000000001"] });
    const products = await db.product.findMany({
      where: { shopId: shop.id },
      include: { variants: true },
      orderBy: { title: "asc" },
    });
    expect(
      products.map((p) => [
        p.title,
        p.productType,
        JSON.parse(p.tags),
        p.variants.map((v) => [v.externalId, v.priceMinor, v.inventoryItemId]),
      ]),
    ).toEqual([
      ["Croissant", "", [], [["VARONLYCHANGED0000000001", 300, "VARONLYCHANGED0000000001"]]],
      ["Oat Milk Latte", "Coffee", ["Coffee"], [["W62UWFY35CWMYGVWK6TWJDNI", 575, "W62UWFY35CWMYGVWK6TWJDNI"]]],
    ]);
  });

  it("oauth.authorization.revoked marks the connection revoked and stops the merchant's queued work", async () => {
    const { merchantId, shop } = await connectedMerchant();
    await db.job.create({
      data: { shopDomain: merchantId, type: "square:backfill", payload: "{}", runAt: new Date(Date.now() + DAY) },
    });
    const event = squareEventBody(merchantId, "oauth.authorization.revoked", {
      type: "revocation",
      id: "191f2e4e-3c2f-4a3e-8a8e-4b0b7e0f3b8a",
      object: { revocation: { revoked_at: "2026-11-20T16:00:00Z", revoker_type: "MERCHANT" } },
    });

    await webhookAction(args(webhookRequest(event)));
    expect(await drainQueue()).toEqual(["square:event → done"]);

    const connection = await db.platformConnection.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(connection).toMatchObject({ status: "revoked", lastError: "authorization revoked by MERCHANT" });
    expect((await db.shop.findUniqueOrThrow({ where: { id: shop.id } })).uninstalledAt).not.toBeNull();
    expect(
      await db.job.count({ where: { shopDomain: merchantId, type: "square:backfill", status: "cancelled" } }),
    ).toBe(1);
  });
});

// ---------- token refresh ----------

describe("Square token refresh", () => {
  const config = () => squareConfig();
  const deps = (now: Date) => ({ db, config: config(), oauthClient: squareClient(config(), { maxRetries: 0 }), now });

  it("two refreshes racing call Square's token endpoint once, and the new token is stored sealed", async () => {
    const now = new Date();
    const { merchantId, connection, refreshToken } = await connectedMerchant({
      issuedAt: new Date(now.getTime() - 6.5 * DAY),
    });
    const newAccess = "EAAAl-refreshed-access-token-0001";
    mockTokenEndpoint(async () => {
      await delay(50); // the loser's claim happens while the winner waits on Square
      return tokenAnswer(merchantId, newAccess, refreshToken, now);
    });

    const runs = await Promise.all([refreshDueSquareTokens(deps(now)), refreshDueSquareTokens(deps(now))]);

    expect(calls("/oauth2/token").map((c) => c.body)).toEqual([
      {
        client_id: "sandbox-sq0idb-register-copilot",
        client_secret: "sandbox-sq0csb-not-a-real-secret",
        refresh_token: refreshToken,
        grant_type: "refresh_token",
      },
    ]);
    expect(runs.map((r) => r.refreshed).sort()).toEqual([0, 1]);
    expect(runs.map((r) => r.skipped).sort()).toEqual([0, 1]);
    const stored = await db.platformConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(JSON.stringify(stored)).not.toContain(newAccess);
    expect(openSecret(stored.accessTokenEnc, KEY)).toBe(newAccess);
    expect(openSecret(stored.refreshTokenEnc!, KEY)).toBe(refreshToken);
    expect(stored).toMatchObject({ status: "active", lastError: null, version: connection.version + 2 });
    expect(stored.tokenIssuedAt.getTime()).toBe(now.getTime());
  });

  it("a refresh that starts while another is still waiting on Square skips instead of calling again", async () => {
    const now = new Date();
    const { merchantId, refreshToken } = await connectedMerchant({ issuedAt: new Date(now.getTime() - 7 * DAY) });
    let asked!: () => void;
    const squareAsked = new Promise<void>((resolve) => (asked = resolve));
    let answer!: () => void;
    const squareAnswers = new Promise<void>((resolve) => (answer = resolve));
    mockTokenEndpoint(async () => {
      asked();
      await squareAnswers;
      return tokenAnswer(merchantId, "EAAAl-late-reader-token", refreshToken, now);
    });

    const first = refreshDueSquareTokens(deps(now));
    await squareAsked; // the first has claimed and is waiting on Square; the second reads the claimed row
    const second = await refreshDueSquareTokens(deps(now));
    answer();

    expect(second).toMatchObject({ refreshed: 0, skipped: 1 });
    expect((await first).refreshed).toBe(1);
    expect(calls("/oauth2/token")).toHaveLength(1);
  });

  it("leaves tokens younger than 6 days alone", async () => {
    const now = new Date();
    await connectedMerchant({ issuedAt: new Date(now.getTime() - 5 * DAY) });
    mockTokenEndpoint(() => HttpResponse.json({}, { status: 500 }));
    const run = await refreshDueSquareTokens(deps(now));
    expect(run).toMatchObject({ refreshed: 0, failed: 0 });
    expect(calls("/oauth2/token")).toHaveLength(0);
  });

  it("a failed refresh keeps the old token and records why; at 8 days the connection is reported stale", async () => {
    const now = new Date();
    const { merchantId, connection, accessToken } = await connectedMerchant({
      issuedAt: new Date(now.getTime() - 9 * DAY),
    });
    const fresh = await connectedMerchant({ issuedAt: new Date(now.getTime() - 1 * DAY) });
    mockTokenEndpoint(() => squareErrors(401, "AUTHENTICATION_ERROR", "UNAUTHORIZED", "Refresh token revoked"));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);

    // The daily job, through the worker: it refreshes, warns about stale tokens, and re-queues itself.
    await db.job.create({ data: { shopDomain: "square", type: SQUARE_REFRESH_JOB, payload: "{}", runAt: now } });
    expect(await drainQueue(() => now)).toEqual([`${SQUARE_REFRESH_JOB} → done`]);

    const stored = await db.platformConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(stored.status).toBe("refresh_failed");
    expect(stored.lastError).toContain("Refresh token revoked");
    expect(openSecret(stored.accessTokenEnc, KEY)).toBe(accessToken);
    expect(stored.tokenIssuedAt.getTime()).toBe(connection.tokenIssuedAt.getTime());

    const stale = await staleSquareConnections(db, now);
    expect(stale.map((s) => s.merchantId)).toContain(merchantId);
    expect(stale.map((s) => s.merchantId)).not.toContain(fresh.merchantId);
    expect(warn.mock.calls.flat().join("\n")).toContain(`${merchantId}: access token issued`);

    // Exactly one next run, a day later.
    const next = await db.job.findMany({ where: { type: SQUARE_REFRESH_JOB, status: "pending" } });
    expect(next).toHaveLength(1);
    expect(next[0]!.runAt.getTime()).toBe(now.getTime() + DAY);
    warn.mockRestore();
    info.mockRestore();
  });
});

// ---------- backfill ----------

describe("Square backfill", () => {
  function saleOrder(id: string, closedAt: string, variationId: string, amount: number) {
    return {
      id,
      location_id: "L88917AVBK2S5",
      state: "COMPLETED",
      created_at: closedAt,
      updated_at: closedAt,
      closed_at: closedAt,
      version: 3,
      line_items: [
        {
          uid: `${id}-line-1`,
          catalog_object_id: variationId,
          quantity: "1",
          name: "Oat Milk Latte",
          variation_name: "Large",
          base_price_money: { amount, currency: "CAD" },
          gross_sales_money: { amount, currency: "CAD" },
          total_discount_money: { amount: 0, currency: "CAD" },
          total_money: { amount, currency: "CAD" },
        },
      ],
      total_money: { amount, currency: "CAD" },
      total_discount_money: { amount: 0, currency: "CAD" },
      tenders: [{ id: `${id}-tender`, type: "CASH", amount_money: { amount, currency: "CAD" } }],
    };
  }

  function catalogItem(id: string, variationId: string, name: string) {
    return {
      type: "ITEM",
      id,
      version: 1,
      item_data: {
        name,
        variations: [
          {
            type: "ITEM_VARIATION",
            id: variationId,
            item_variation_data: { item_id: id, name: "Regular", price_money: { amount: 550, currency: "CAD" } },
          },
        ],
      },
    };
  }

  /** A merchant with a pending backfill (as the callback queues it) and its history on Square. */
  async function merchantWithHistory(options: { catalogPages: 1 | 2; rateLimitPage2Once?: boolean }) {
    const { merchantId, shop, accessToken } = await connectedMerchant();
    const now = new Date("2026-11-25T12:00:00.000Z");
    const run = await db.backfillRun.create({
      data: { shopId: shop.id, status: "pending", sinceDate: new Date("2025-11-25T12:00:00.000Z"), startedAt: now },
    });
    const window = { startAt: "2025-11-25T12:00:00.000Z", endAt: now.toISOString() };
    await db.job.create({
      data: {
        shopDomain: merchantId,
        type: "square:backfill",
        payload: JSON.stringify({ runId: run.id, phase: "catalog", cursor: null, window, chunk: 0 }),
        runAt: now,
      },
    });

    server.use(
      http.post(`${SQUARE}/v2/catalog/search`, async ({ request }) => {
        const { body } = await record(request);
        return HttpResponse.json(
          body?.cursor || options.catalogPages === 1
            ? {
                objects: [
                  catalogItem("ITEMCROISSANT000000001", "VARCROISSANT0000000001", "Croissant"),
                  ...(options.catalogPages === 1
                    ? [catalogItem("ITEMLATTE0000000000001", "VARLATTE00000000000001", "Latte")]
                    : []),
                ],
              }
            : {
                objects: [catalogItem("ITEMLATTE0000000000001", "VARLATTE00000000000001", "Latte")],
                cursor: "catalog-2",
              },
        );
      }),
      http.post(`${SQUARE}/v2/inventory/counts/batch-retrieve`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          counts: [
            {
              catalog_object_id: "VARLATTE00000000000001",
              catalog_object_type: "ITEM_VARIATION",
              state: "IN_STOCK",
              location_id: "L88917AVBK2S5",
              quantity: "22",
              calculated_at: "2026-11-25T11:00:00Z",
            },
          ],
        });
      }),
      http.get(`${SQUARE}/v2/customers`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          customers: [{ id: "CUSTOMER00000000000000001", given_name: "Grace", family_name: "Hopper", version: 1 }],
        });
      }),
      http.post(`${SQUARE}/v2/orders/search`, async ({ request }) => {
        const { body } = await record(request);
        if (body?.cursor === "orders-page-2" && options.rateLimitPage2Once) {
          options.rateLimitPage2Once = false;
          return squareErrors(429, "RATE_LIMIT_ERROR", "RATE_LIMITED", "Rate limit exceeded.");
        }
        if (body?.cursor === "orders-page-2") {
          return HttpResponse.json({
            orders: [saleOrder("ORDER3000000000000000000", "2026-06-01T10:00:00Z", "VARCROISSANT0000000001", 325)],
          });
        }
        return HttpResponse.json({
          orders: [
            saleOrder("ORDER1000000000000000000", "2026-01-05T09:00:00Z", "VARLATTE00000000000001", 550),
            saleOrder("ORDER2000000000000000000", "2026-01-05T09:30:00Z", "VARLATTE00000000000001", 550),
          ],
          cursor: "orders-page-2",
        });
      }),
    );

    return { merchantId, shop, accessToken, now, run, window };
  }

  it("imports catalog, stock and customers, then pages SearchOrders by cursor across job runs", async () => {
    const { shop, accessToken, now, run, window } = await merchantWithHistory({ catalogPages: 2 });

    const outcomes = await drainQueue(() => now);

    // Six pages at five per run: the first run stops after orders page 1 and queues the cursor.
    expect(outcomes).toEqual(["square:backfill → done", "square:backfill → done"]);
    expect(recorded.map((r) => `${r.method} ${r.path.split("?")[0]}`)).toEqual([
      "POST /v2/catalog/search",
      "POST /v2/catalog/search",
      "POST /v2/inventory/counts/batch-retrieve",
      "GET /v2/customers",
      "POST /v2/orders/search",
      "POST /v2/orders/search",
    ]);
    expect(recorded.every((r) => r.auth === `Bearer ${accessToken}`)).toBe(true);
    const [page1, page2] = calls("/v2/orders/search").map((c) => c.body!);
    const query = {
      filter: {
        state_filter: { states: ["COMPLETED"] },
        date_time_filter: { closed_at: { start_at: window.startAt, end_at: window.endAt } },
      },
      sort: { sort_field: "CLOSED_AT", sort_order: "ASC" },
    };
    expect(page1).toEqual({ location_ids: ["L88917AVBK2S5", "LQ2KJ8M1WZ0AB"], limit: 100, query });
    // Square wants the same query with the cursor.
    expect(page2).toEqual({ ...page1, cursor: "orders-page-2" });

    const orders = await db.order.findMany({
      where: { shopId: shop.id },
      include: { lineItems: true },
      orderBy: { processedAt: "asc" },
    });
    expect(orders.map((o) => [o.externalId, o.totalMinor, o.lineItems[0]!.productExternalId])).toEqual([
      ["ORDER1000000000000000000", 550, "ITEMLATTE0000000000001"],
      ["ORDER2000000000000000000", 550, "ITEMLATTE0000000000001"],
      ["ORDER3000000000000000000", 325, "ITEMCROISSANT000000001"],
    ]);
    expect(await db.product.count({ where: { shopId: shop.id } })).toBe(2);
    expect(await db.inventoryLevel.findFirst({ where: { shopId: shop.id } })).toMatchObject({ available: 22 });
    expect(await db.customer.count({ where: { shopId: shop.id, firstName: "Grace" } })).toBe(1);
    expect(await db.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: "completed",
      ordersImported: 3,
      linesImported: 3,
    });
    // The model is trained on the imported baskets.
    expect(await db.recommendationModel.count({ where: { shopId: shop.id } })).toBe(1);
  });
  it("a rate limit mid-backfill retries the job run and counts no order twice", async () => {
    const { shop, now, run } = await merchantWithHistory({ catalogPages: 1, rateLimitPage2Once: true });

    // Run 1 reaches orders page 2 in its five pages and is rate limited there.
    expect(await drainQueue(() => now)).toEqual(["square:backfill → retry"]);
    const job = await db.job.findFirstOrThrow({ where: { type: "square:backfill" } });
    expect(job.lastError).toContain("429");
    expect(await drainQueue(() => new Date(job.runAt.getTime() + 1))).toEqual(["square:backfill → done"]);

    expect(calls("/v2/orders/search").map((c) => c.body!.cursor ?? null)).toEqual([
      null,
      "orders-page-2",
      null,
      "orders-page-2",
    ]);
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(3);
    expect(await db.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: "completed",
      ordersImported: 3,
      linesImported: 3,
    });
    expect(await db.job.count({ where: { status: "dead" } })).toBe(0);
  });
});

// ---------- normalization details ----------

describe("Square normalization", () => {
  const wireOrder = (overrides: Record<string, unknown>) => fromWire.order({ ...ORDER_FIXTURE.order, ...overrides });

  it("only a COMPLETED order is a sale; an OPEN one is a cart with its lines", () => {
    expect(orderFromSquare(wireOrder({ state: "OPEN" }))).toBeNull();
    expect(orderFromSquare(wireOrder({ state: "CANCELED" }))).toBeNull();
    expect(openOrderFromSquare(wireOrder({ state: "COMPLETED" }))).toBeNull();
    const cart = openOrderFromSquare(wireOrder({ state: "OPEN" }))!;
    expect(cart).toMatchObject({ locationExternalId: "L88917AVBK2S5", currency: "CAD", subtotalMinor: 2390 });
    expect(cart.lineItems.map((l) => [l.variantExternalId, l.quantity, l.priceMinor])).toEqual([
      ["W62UWFY35CWMYGVWK6TWJDNI", 2, 550],
      ["AII6Q3HZNJ3V3WXJ3SGBCSEX", 1, 1400],
    ]);
  });

  it("reads refunds, sales channels and the SDK's bigint amounts", () => {
    const order = orderFromSquare(
      wireOrder({
        source: { name: "Square Online" },
        refunds: [
          {
            id: "R1",
            location_id: "L88917AVBK2S5",
            status: "COMPLETED",
            amount_money: { amount: 500, currency: "CAD" },
          },
          { id: "R2", location_id: "L88917AVBK2S5", status: "PENDING", amount_money: { amount: 900, currency: "CAD" } },
        ],
      }),
    )!;
    expect(order.sourceName).toBe("Square Online");
    expect(order.financialStatus).toBe("partially_refunded");
    expect(order.refunds.map((r) => [r.externalId, r.amountMinor])).toEqual([["R1", 500]]);
    expect(order.discountTitles).toEqual(["Loyalty reward RC-7Q2K"]);
    expect(typeof fromWire.order(ORDER_FIXTURE.order).totalMoney!.amount).toBe("bigint");
  });

  it("counts only IN_STOCK as available, and a catalog item's variations become variants", () => {
    const count = (state: string) =>
      inventoryLevelFromSquare(
        fromWire.inventoryCount({ catalog_object_id: "V1", state, location_id: "L1", quantity: "3.75" }),
      );
    expect(count("IN_STOCK")).toEqual({ inventoryItemId: "V1", locationExternalId: "L1", available: 3 });
    expect(count("WASTE")).toBeNull();
    const product = productFromSquare(
      fromWire.catalogObject({
        type: "ITEM",
        id: "I1",
        item_data: {
          name: "Tea",
          is_archived: true,
          variations: [
            {
              type: "ITEM_VARIATION",
              id: "V1",
              item_variation_data: { name: "Pot", sku: "TEA-P", price_money: { amount: 450, currency: "CAD" } },
            },
            { type: "ITEM_VARIATION", id: "V2", is_deleted: true, item_variation_data: { name: "Old" } },
          ],
        },
      }),
      new Map(),
    );
    expect(product).toMatchObject({ externalId: "I1", title: "Tea", status: "archived" });
    expect(product.variants).toEqual([
      { externalId: "V1", title: "Pot", sku: "TEA-P", priceMinor: 450, inventoryItemId: "V1" },
    ]);
  });

  it("refuses an order that does not fit, with the field named", () => {
    expect(() => orderFromSquare(wireOrder({ line_items: [{ quantity: "two", name: "x" }] }))).toThrow(
      /square order: lineItems\.0\.quantity not a quantity/,
    );
  });
});
