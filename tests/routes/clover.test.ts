/**
 * The Clover adapter end to end through the real pieces: the routes, the fetch client, the job
 * queue and worker, the sealed tokens and the database. Only Clover's HTTP is mocked (msw), with
 * the shapes Clover's docs define: POST /oauth/v2/token and /oauth/v2/refresh ({ access_token,
 * access_token_expiration, refresh_token, refresh_token_expiration }, Unix seconds), GET
 * /v3/merchants/{mId}, /orders?expand=lineItems,discounts (limit/offset/filter), /items,
 * /item_stocks, /customers ({ elements: [...] }), and the webhook body
 * { appId, merchants: { [mId]: [{ objectId, type, ts }] } } with its X-Clover-Auth header.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { refusalsClaiming } from "../support/webhooks";

// Clover's settings before any app module reads the environment.
const AUTH_CODE = "0307e264-b33a-4913-88aa-37b10014a0b8";
process.env.CLOVER_APP_ID = "RKWZ4N3XQ1T8A";
process.env.CLOVER_APP_SECRET = "clover-app-secret-not-real-0123";
process.env.CLOVER_ENVIRONMENT = "sandbox";
process.env.CLOVER_WEBHOOK_AUTH_CODE = AUTH_CODE;
process.env.TOKEN_ENCRYPTION_KEY = randomBytes(32).toString("base64");

// msw patches fetch before the app loads, as in square.test.ts.
const server = setupServer();
server.listen({ onUnhandledRequest: "error" });

const { getDb } = await import("~/db.server");
const { loader: connectLoader } = await import("~/routes/connect.clover");
const { loader: callbackLoader } = await import("~/routes/connect.clover.callback");
const { action: webhookAction } = await import("~/routes/webhooks.clover");
const { allJobHandlers } = await import("~/services/job-handlers.server");
const { runNextJob } = await import("~/services/worker.server");
const { openSecret, sealSecret, secretKey } = await import("~/services/secret-box.server");
const { cloverConfig } = await import("~/platforms/clover/config.server");
const { parseEnv } = await import("~/env.server");
const { refreshDueCloverTokens, CLOVER_REFRESH_JOB } = await import("~/platforms/clover/tokens.server");
const { BACKFILL_PAGE } = await import("~/platforms/clover/sync.server");
const { orderFromClover, openOrderFromClover, productFromClover, inventoryLevelFromClover, customerFromClover } =
  await import("~/platforms/clover/normalize");

const db = getDb();
const KEY = secretKey(process.env.TOKEN_ENCRYPTION_KEY!);
const API = "https://apisandbox.dev.clover.com";
const WEB = "https://sandbox.dev.clover.com";
const APP_URL = process.env.SHOPIFY_APP_URL!;
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const ORDER_FIXTURE = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, "../fixtures/clover/order-paid.json"), "utf8"),
) as Record<string, unknown> & { id: string };

const args = (request: Request) => ({ request, params: {}, context: {} });

beforeEach(async () => {
  // Each test starts with an empty queue, so the worker runs only what the test queued.
  await db.job.deleteMany({});
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// ---------- Clover, mocked ----------

interface Recorded {
  method: string;
  path: string;
  url: URL;
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
    path: url.pathname,
    url,
    auth: request.headers.get("Authorization"),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
  recorded.push(entry);
  return entry;
}

const calls = (pathStart: string) => recorded.filter((r) => r.path.startsWith(pathStart));
const seconds = (at: number) => Math.floor(at / 1000);

function pairAnswer(accessToken: string, refreshToken: string, accessExpiresAt: number, refreshExpiresAt: number) {
  return HttpResponse.json({
    access_token: accessToken,
    access_token_expiration: seconds(accessExpiresAt),
    refresh_token: refreshToken,
    refresh_token_expiration: seconds(refreshExpiresAt),
  });
}

function mockTokenEndpoint(
  route: "token" | "refresh",
  answer: (body: Record<string, unknown>) => Response | Promise<Response>,
) {
  server.use(
    http.post(`${API}/oauth/v2/${route}`, async ({ request }) => {
      const entry = await record(request);
      return answer(entry.body ?? {});
    }),
  );
}

function mockMerchant(merchantId: string) {
  server.use(
    http.get(`${API}/v3/merchants/:mId`, async ({ request, params }) => {
      await record(request);
      if (params.mId !== merchantId) return HttpResponse.json({ message: "Unauthorized" }, { status: 401 });
      return HttpResponse.json({
        href: `${API}/v3/merchants/${merchantId}`,
        id: merchantId,
        name: "Harbour Grocers",
        properties: { defaultCurrency: "USD", timezone: "America/New_York", tipsEnabled: true },
      });
    }),
  );
}

// ---------- factories ----------

let merchantSeq = 0;
const newMerchantId = () => `MCLVT${String(++merchantSeq).padStart(8, "0")}`;

/** A merchant as the callback leaves it, with a sealed pair whose access token expires at `accessExpiresAt`. */
async function connectedMerchant(options: { accessExpiresAt?: Date; lastWrite?: Date } = {}) {
  const merchantId = newMerchantId();
  const shop = await db.shop.create({
    data: { platform: "clover", domain: merchantId, name: "Harbour Grocers", currency: "USD" },
  });
  await db.location.create({ data: { shopId: shop.id, externalId: merchantId, name: "Harbour Grocers" } });
  const accessToken = `acc-${merchantId}-1`;
  const refreshToken = `ref-${merchantId}-1`;
  const connection = await db.platformConnection.create({
    data: {
      shopId: shop.id,
      platform: "clover",
      merchantId,
      accessTokenEnc: sealSecret(accessToken, KEY),
      refreshTokenEnc: sealSecret(refreshToken, KEY),
      accessTokenExpiresAt: options.accessExpiresAt ?? new Date(Date.now() + 6 * 60 * MINUTE),
      refreshTokenExpiresAt: new Date(Date.now() + 365 * DAY),
      tokenIssuedAt: new Date(Date.now() - 10 * MINUTE),
      updatedAt: options.lastWrite ?? new Date(Date.now() - 10 * MINUTE),
    },
  });
  return { merchantId, shop, connection, accessToken, refreshToken };
}

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

function webhookRequest(body: unknown, auth: string | null = AUTH_CODE) {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (auth !== null) headers["X-Clover-Auth"] = auth;
  return new Request(`${APP_URL}/webhooks/clover`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function notificationBody(merchantId: string, notes: Array<{ objectId: string; type: string; ts: number }>) {
  return { appId: process.env.CLOVER_APP_ID, merchants: { [merchantId]: notes } };
}

function mockOrders(handler: (url: URL) => Response) {
  server.use(
    http.get(`${API}/v3/merchants/:mId/orders/:orderId`, async ({ request, params }) => {
      const entry = await record(request);
      if (params.orderId === ORDER_FIXTURE.id) return HttpResponse.json(ORDER_FIXTURE);
      return handler(entry.url);
    }),
  );
}

async function startConnect() {
  const response = await connectLoader(args(new Request(`${APP_URL}/connect/clover`)));
  const location = new URL(response.headers.get("Location")!);
  const setCookie = response.headers.get("Set-Cookie")!;
  return { response, location, state: location.searchParams.get("state")!, cookie: setCookie.split(";")[0]! };
}

function callbackRequest(params: Record<string, string>, cookie: string | null) {
  const url = new URL(`${APP_URL}/connect/clover/callback`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return new Request(url, { headers: cookie ? { Cookie: cookie } : {} });
}

async function everythingStoredFor(merchantId: string) {
  return {
    shops: await db.shop.count({ where: { platform: "clover", domain: merchantId } }),
    connections: await db.platformConnection.count({ where: { platform: "clover", merchantId } }),
    jobs: await db.job.count({ where: { shopDomain: merchantId } }),
  };
}

// ---------- configuration ----------

describe("Clover configuration", () => {
  it("maps each environment to Clover's documented web and API hosts, and refuses an unknown one", () => {
    const base = { CLOVER_APP_ID: "A", CLOVER_APP_SECRET: "S" };
    expect(cloverConfig({ ...base, CLOVER_ENVIRONMENT: "production-eu" })).toMatchObject({
      webUrl: "https://www.eu.clover.com",
      apiUrl: "https://api.eu.clover.com",
    });
    expect(cloverConfig({ ...base, CLOVER_ENVIRONMENT: "production-na" }).apiUrl).toBe("https://api.clover.com");
    expect(cloverConfig({ ...base, CLOVER_ENVIRONMENT: "production-la" }).webUrl).toBe("https://www.la.clover.com");
    expect(cloverConfig(base)).toMatchObject({ environment: "sandbox", webUrl: WEB, apiUrl: API });
    expect(() => parseEnv({ ...process.env, CLOVER_ENVIRONMENT: "production" })).toThrow(/CLOVER_ENVIRONMENT/);
  });
});

// ---------- OAuth ----------

describe("connecting a Clover merchant", () => {
  it("sends the merchant to Clover's v2 authorize page with a fresh single-use state bound to the browser", async () => {
    const before = Date.now();
    const { response, location, state, cookie } = await startConnect();

    expect(response.status).toBe(302);
    expect(location.origin + location.pathname).toBe(`${WEB}/oauth/v2/authorize`);
    expect(location.searchParams.get("client_id")).toBe("RKWZ4N3XQ1T8A");
    expect(location.searchParams.get("redirect_uri")).toBe(`${APP_URL}/connect/clover/callback`);
    expect(state).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(cookie).toBe(`clover_oauth_state=${state}`);
    expect(response.headers.get("Set-Cookie")).toMatch(/HttpOnly; SameSite=Lax; Secure/);
    const row = await db.oAuthState.findUniqueOrThrow({ where: { state } });
    expect(row.platform).toBe("clover");
    expect(row.expiresAt.getTime() - before).toBeGreaterThan(9.9 * MINUTE);
    expect(row.expiresAt.getTime() - before).toBeLessThanOrEqual(10 * MINUTE + 5_000);
  });

  it("exchanges the code once, seals both tokens with Clover's expirations, records the shop and its one location, and queues the backfill", async () => {
    const merchantId = newMerchantId();
    // Lifetimes Clover chose (not ones we assume): 37 minutes and 400 days.
    const accessExpiresAt = Date.now() + 37 * MINUTE;
    const refreshExpiresAt = Date.now() + 400 * DAY;
    mockTokenEndpoint("token", () => pairAnswer("acc-plain-1", "ref-plain-1", accessExpiresAt, refreshExpiresAt));
    mockMerchant(merchantId);
    const { state, cookie } = await startConnect();

    const response = await callbackLoader(
      args(
        callbackRequest(
          { code: "auth-code-1", merchant_id: merchantId, employee_id: "EMP1", client_id: "RKWZ4N3XQ1T8A", state },
          cookie,
        ),
      ),
    );

    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Harbour Grocers is connected");
    expect(response.headers.get("Set-Cookie")).toMatch(/^clover_oauth_state=; .*Max-Age=0/);
    expect(calls("/oauth/v2/token").map((c) => c.body)).toEqual([
      { client_id: "RKWZ4N3XQ1T8A", client_secret: "clover-app-secret-not-real-0123", code: "auth-code-1" },
    ]);
    const merchantCall = calls(`/v3/merchants/${merchantId}`)[0]!;
    expect(merchantCall.auth).toBe("Bearer acc-plain-1");

    const shop = await db.shop.findUniqueOrThrow({
      where: { platform_domain: { platform: "clover", domain: merchantId } },
      include: { locations: true, platformConnection: true },
    });
    expect(shop).toMatchObject({ name: "Harbour Grocers", currency: "USD", timezone: "America/New_York" });
    expect(shop.locations.map((l) => [l.externalId, l.name, l.active])).toEqual([
      [merchantId, "Harbour Grocers", true],
    ]);

    const connection = shop.platformConnection!;
    const rowText = JSON.stringify(connection);
    expect(rowText).not.toContain("acc-plain-1");
    expect(rowText).not.toContain("ref-plain-1");
    expect(openSecret(connection.accessTokenEnc, KEY)).toBe("acc-plain-1");
    expect(openSecret(connection.refreshTokenEnc!, KEY)).toBe("ref-plain-1");
    expect(connection.accessTokenExpiresAt!.getTime()).toBe(seconds(accessExpiresAt) * 1000);
    expect(connection.refreshTokenExpiresAt!.getTime()).toBe(seconds(refreshExpiresAt) * 1000);
    expect(connection).toMatchObject({ platform: "clover", merchantId, status: "active" });

    const run = await db.backfillRun.findFirstOrThrow({ where: { shopId: shop.id } });
    const backfill = await db.job.findFirstOrThrow({ where: { shopDomain: merchantId, type: "clover:backfill" } });
    expect(JSON.parse(backfill.payload)).toMatchObject({ runId: run.id, phase: "items", offset: 0 });
    expect(await db.job.count({ where: { shopDomain: merchantId, type: "clover:reconcile", status: "pending" } })).toBe(
      1,
    );
    expect(await db.job.count({ where: { type: CLOVER_REFRESH_JOB, status: "pending" } })).toBe(1);
    expect(await db.oAuthState.count({ where: { state } })).toBe(0);
  });

  it("refuses a replayed callback with 400 and exchanges the code only once", async () => {
    const merchantId = newMerchantId();
    mockTokenEndpoint("token", () => pairAnswer("acc-r", "ref-r", Date.now() + 30 * MINUTE, Date.now() + 300 * DAY));
    mockMerchant(merchantId);
    const { state, cookie } = await startConnect();
    const params = { code: "auth-code-replay", merchant_id: merchantId, state };

    const first = await callbackLoader(args(callbackRequest(params, cookie)));
    const replays = await Promise.all([1, 2, 3].map(() => callbackLoader(args(callbackRequest(params, cookie)))));

    expect(first.status).toBe(200);
    expect(replays.map((r) => r.status)).toEqual([400, 400, 400]);
    expect(await replays[0]!.text()).toContain("expired or was already used");
    expect(calls("/oauth/v2/token")).toHaveLength(1);
    expect(await db.platformConnection.count({ where: { merchantId } })).toBe(1);
  });

  it("refuses an unknown state with 400 before calling Clover, and writes nothing", async () => {
    const merchantId = newMerchantId();
    mockTokenEndpoint("token", () => pairAnswer("a", "r", Date.now() + MINUTE, Date.now() + DAY));
    const state = "forged-state-that-was-never-issued";
    const response = await callbackLoader(
      args(callbackRequest({ code: "c", merchant_id: merchantId, state }, `clover_oauth_state=${state}`)),
    );
    expect(response.status).toBe(400);
    expect(calls("/oauth/v2/token")).toHaveLength(0);
    expect(await everythingStoredFor(merchantId)).toEqual({ shops: 0, connections: 0, jobs: 0 });
  });

  it("answers 400 with Clover's reason when the code is refused, and 502 when Clover is unreachable; nothing is stored", async () => {
    const refused = newMerchantId();
    mockTokenEndpoint("token", () => HttpResponse.json({ message: "Invalid authorization code" }, { status: 400 }));
    const one = await startConnect();
    const response = await callbackLoader(
      args(callbackRequest({ code: "used", merchant_id: refused, state: one.state }, one.cookie)),
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Invalid authorization code");

    const down = newMerchantId();
    server.use(http.post(`${API}/oauth/v2/token`, () => HttpResponse.error()));
    const two = await startConnect();
    const unreachable = await callbackLoader(
      args(callbackRequest({ code: "c2", merchant_id: down, state: two.state }, two.cookie)),
    );
    expect(unreachable.status).toBe(502);
    for (const merchantId of [refused, down]) {
      expect(await everythingStoredFor(merchantId)).toEqual({ shops: 0, connections: 0, jobs: 0 });
    }
  });

  it("refuses a callback whose merchant_id the new token cannot read", async () => {
    const named = newMerchantId();
    mockTokenEndpoint("token", () => pairAnswer("acc-x", "ref-x", Date.now() + 30 * MINUTE, Date.now() + DAY));
    mockMerchant("MSOMEONEELSE1");
    const { state, cookie } = await startConnect();
    const response = await callbackLoader(args(callbackRequest({ code: "c", merchant_id: named, state }, cookie)));
    expect(response.status).toBe(400);
    expect(await everythingStoredFor(named)).toEqual({ shops: 0, connections: 0, jobs: 0 });
  });
});

// ---------- webhooks ----------

describe("Clover webhook intake", () => {
  it("logs the verification code, answers 200 and stores nothing", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    const events = await db.webhookEvent.count();
    const response = await webhookAction(
      args(webhookRequest({ verificationCode: "ce7643c1-83ea-4218-abe6-da876c9c7a0a" }, null)),
    );
    expect(response.status).toBe(200);
    expect(info.mock.calls.flat().join("\n")).toContain("ce7643c1-83ea-4218-abe6-da876c9c7a0a");
    expect(await db.webhookEvent.count()).toBe(events);
    expect(await db.job.count()).toBe(0);
    info.mockRestore();
  });

  it.each([
    ["a wrong X-Clover-Auth", "0307e264-b33a-4913-88aa-37b10014a0b9"],
    ["a shorter X-Clover-Auth", AUTH_CODE.slice(0, -1)],
    ["no X-Clover-Auth", null],
  ])("refuses a notification with %s with 401 and writes nothing", async (_name, auth) => {
    const { merchantId } = await connectedMerchant();
    const body = notificationBody(merchantId, [{ objectId: "O:QK7N9V2RPX4ZA", type: "UPDATE", ts: Date.now() }]);
    const response = await webhookAction(args(webhookRequest(body, auth)));
    expect(response.status).toBe(401);
    expect(await db.webhookEvent.count({ where: { shopDomain: merchantId } })).toBe(0);
    expect(await db.job.count()).toBe(0);
    // Counted in the security log under the merchant the body claims (ours, so it is kept).
    expect(await refusalsClaiming(db, "webhooks/clover", merchantId)).toBe(1);
  });

  it("queues one refetch per distinct notification and dedupes repeats", async () => {
    const { merchantId } = await connectedMerchant();
    const ts = Date.now();
    const notes = [
      { objectId: "O:QK7N9V2RPX4ZA", type: "CREATE", ts },
      { objectId: "O:QK7N9V2RPX4ZA", type: "UPDATE", ts: ts + 5 },
      { objectId: "I:ITEMLATTE0001", type: "UPDATE", ts },
      { objectId: "P:PAYMENT00001A", type: "CREATE", ts }, // payments are not used: ignored
    ];
    const first = await webhookAction(args(webhookRequest(notificationBody(merchantId, notes))));
    const again = await webhookAction(args(webhookRequest(notificationBody(merchantId, notes.slice(0, 2)))));

    expect([first.status, again.status]).toEqual([200, 200]);
    const jobs = await db.job.findMany({ where: { shopDomain: merchantId } });
    // Jobs queued in the same millisecond have no order between them: compared as a set.
    expect(jobs.map((j) => [j.type, JSON.parse(j.payload).objectId, JSON.parse(j.payload).type]).sort()).toEqual([
      ["clover:refetch", "I:ITEMLATTE0001", "UPDATE"],
      ["clover:refetch", "O:QK7N9V2RPX4ZA", "CREATE"],
      ["clover:refetch", "O:QK7N9V2RPX4ZA", "UPDATE"],
    ]);
    expect(await db.webhookEvent.count({ where: { shopDomain: merchantId } })).toBe(3);
  });

  it("the refetch job reads the order with the merchant's token and stores the sale in cents", async () => {
    const { merchantId, shop, accessToken } = await connectedMerchant();
    mockOrders(() => HttpResponse.json({ message: "Not found" }, { status: 404 }));
    const ts = Date.now();
    await webhookAction(
      args(webhookRequest(notificationBody(merchantId, [{ objectId: `O:${ORDER_FIXTURE.id}`, type: "UPDATE", ts }]))),
    );

    expect(await drainQueue()).toEqual(["clover:refetch → done", "recs:train → done"]);
    const call = calls(`/v3/merchants/${merchantId}/orders/`)[0]!;
    expect(call.auth).toBe(`Bearer ${accessToken}`);
    expect(call.url.searchParams.get("expand")).toBe("lineItems,discounts");
    const order = await db.order.findUniqueOrThrow({
      where: { shopId_externalId: { shopId: shop.id, externalId: ORDER_FIXTURE.id } },
      include: { lineItems: { orderBy: { externalId: "asc" } } },
    });
    expect(order).toMatchObject({
      currency: "USD",
      totalMinor: 1848,
      // 550 − 10 %, 550, and 0.35 lb of beans at 2000/lb as one unit of 700.
      subtotalMinor: 1745,
      discountMinor: 155,
      financialStatus: "paid",
      locationExternalId: merchantId,
      customerExternalId: "CUSTJ4W2M8Q1R",
      staffMemberId: "EMP7ZQ1D8K3NM",
    });
    expect(
      order.lineItems.map((l) => [l.externalId, l.productExternalId, l.quantity, l.priceMinor, l.discountMinor]),
    ).toEqual([
      ["LI1AQ2WS3ED4R", "ITEMLATTE0001", 1, 550, 55],
      ["LI5TG6YH7UJ8I", "ITEMLATTE0001", 1, 550, 0],
      ["LI9OL0PK1IJ2U", "ITEMBEANS0001", 1, 700, 0],
    ]);
  });

  it("a 429 puts the job back no sooner than Clover's Retry-After instead of dead-lettering it", async () => {
    const { merchantId, shop } = await connectedMerchant();
    let limited = true;
    server.use(
      http.get(`${API}/v3/merchants/:mId/orders/:orderId`, async ({ request }) => {
        await record(request);
        return limited
          ? HttpResponse.json({ message: "Too many requests" }, { status: 429, headers: { "Retry-After": "30" } })
          : HttpResponse.json(ORDER_FIXTURE);
      }),
    );
    await webhookAction(
      args(
        webhookRequest(notificationBody(merchantId, [{ objectId: `O:${ORDER_FIXTURE.id}`, type: "CREATE", ts: 1 }])),
      ),
    );

    const now = new Date();
    expect(await drainQueue(() => now)).toEqual(["clover:refetch → retry"]);
    const job = await db.job.findFirstOrThrow({ where: { shopDomain: merchantId, type: "clover:refetch" } });
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job.lastError).toContain("429");
    expect(job.runAt.getTime()).toBe(now.getTime() + 30_000);

    limited = false;
    expect(await drainQueue(() => new Date(job.runAt.getTime() + 1))).toEqual([
      "clover:refetch → done",
      "recs:train → done",
    ]);
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await db.job.count({ where: { status: "dead" } })).toBe(0);
  });

  it("a 401 from Clover dead-letters the job with the reason", async () => {
    const { merchantId } = await connectedMerchant();
    server.use(
      http.get(`${API}/v3/merchants/:mId/orders/:orderId`, () =>
        HttpResponse.json({ message: "Unauthorized" }, { status: 401 }),
      ),
    );
    await webhookAction(
      args(webhookRequest(notificationBody(merchantId, [{ objectId: "O:GONE00000001Z", type: "UPDATE", ts: 2 }]))),
    );
    expect(await drainQueue()).toEqual(["clover:refetch → dead"]);
    const job = await db.job.findFirstOrThrow({ where: { shopDomain: merchantId } });
    expect(job.lastError).toContain("Clover 401");
    expect(job.lastError).toContain("reconnect");
  });
});

// ---------- tokens ----------

describe("Clover token refresh", () => {
  const deps = (now: Date) => ({
    db,
    config: cloverConfig(),
    fetch: (i: string, init?: RequestInit) => fetch(i, init),
    now,
  });

  it("two refreshes at once call /oauth/v2/refresh exactly once and store the new pair in one write", async () => {
    const now = new Date();
    const { connection, refreshToken } = await connectedMerchant({
      accessExpiresAt: new Date(now.getTime() + 3 * MINUTE),
    });
    const newAccessExpiry = now.getTime() + 45 * MINUTE;
    const newRefreshExpiry = now.getTime() + 200 * DAY;
    mockTokenEndpoint("refresh", async () => {
      await delay(50); // the loser's claim happens while the winner waits on Clover
      return pairAnswer("acc-new-2", "ref-new-2", newAccessExpiry, newRefreshExpiry);
    });

    const runs = await Promise.all([refreshDueCloverTokens(deps(now)), refreshDueCloverTokens(deps(now))]);

    expect(calls("/oauth/v2/refresh").map((c) => c.body)).toEqual([
      { client_id: "RKWZ4N3XQ1T8A", refresh_token: refreshToken },
    ]);
    expect(runs.map((r) => r.refreshed).sort()).toEqual([0, 1]);
    const stored = await db.platformConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(openSecret(stored.accessTokenEnc, KEY)).toBe("acc-new-2");
    expect(openSecret(stored.refreshTokenEnc!, KEY)).toBe("ref-new-2");
    expect(stored.accessTokenExpiresAt!.getTime()).toBe(seconds(newAccessExpiry) * 1000);
    expect(stored.refreshTokenExpiresAt!.getTime()).toBe(seconds(newRefreshExpiry) * 1000);
    expect(stored).toMatchObject({ status: "active", lastError: null, version: connection.version + 2 });
  });

  it("never sends a refresh token twice: the next refresh uses the new one", async () => {
    const start = new Date();
    const { refreshToken, connection } = await connectedMerchant({
      accessExpiresAt: new Date(start.getTime() + 5 * MINUTE),
    });
    // Only this merchant's chain is due here: earlier tests' connections are set aside.
    await db.platformConnection.updateMany({
      where: { platform: "clover", NOT: { id: connection.id } },
      data: { status: "revoked" },
    });
    let n = 0;
    mockTokenEndpoint("refresh", () => {
      n += 1;
      return pairAnswer(`acc-gen-${n}`, `ref-gen-${n}`, start.getTime() + n * 30 * MINUTE, start.getTime() + 300 * DAY);
    });

    await refreshDueCloverTokens(deps(start));
    await refreshDueCloverTokens(deps(new Date(start.getTime() + 1 * MINUTE))); // not due: nothing sent
    await refreshDueCloverTokens(deps(new Date(start.getTime() + 25 * MINUTE))); // due again

    const sent = calls("/oauth/v2/refresh").map((c) => c.body!.refresh_token);
    expect(sent).toEqual([refreshToken, "ref-gen-1"]);
    expect(new Set(sent).size).toBe(sent.length);
  });

  it("a refresh Clover refuses (401) marks the connection refresh_failed with the reason", async () => {
    const now = new Date();
    const { connection, accessToken } = await connectedMerchant({ accessExpiresAt: new Date(now.getTime() + MINUTE) });
    mockTokenEndpoint("refresh", () => HttpResponse.json({ message: "Refresh token is invalid" }, { status: 401 }));
    const run = await refreshDueCloverTokens(deps(now));
    expect(run.failed).toBe(1);
    const stored = await db.platformConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(stored.status).toBe("refresh_failed");
    expect(stored.lastError).toContain("Refresh token is invalid");
    expect(openSecret(stored.accessTokenEnc, KEY)).toBe(accessToken);
  });

  it("refreshes lazily before an API call when the access token is about to expire", async () => {
    const { merchantId, shop } = await connectedMerchant({ accessExpiresAt: new Date(Date.now() + 2 * MINUTE) });
    mockTokenEndpoint("refresh", () =>
      pairAnswer("acc-lazy-2", "ref-lazy-2", Date.now() + 60 * MINUTE, Date.now() + 300 * DAY),
    );
    mockOrders(() => HttpResponse.json({ message: "Not found" }, { status: 404 }));
    await webhookAction(
      args(
        webhookRequest(notificationBody(merchantId, [{ objectId: `O:${ORDER_FIXTURE.id}`, type: "UPDATE", ts: 3 }])),
      ),
    );

    expect(await drainQueue()).toEqual(["clover:refetch → done", "recs:train → done"]);
    expect(recorded.map((r) => r.path.replace(merchantId, "{mId}"))).toEqual([
      "/oauth/v2/refresh",
      `/v3/merchants/{mId}/orders/${ORDER_FIXTURE.id}`,
    ]);
    expect(calls("/v3/merchants/")[0]!.auth).toBe("Bearer acc-lazy-2");
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(1);
  });

  it("the periodic job refreshes due tokens and queues its next run", async () => {
    const now = new Date();
    const { connection } = await connectedMerchant({ accessExpiresAt: new Date(now.getTime() + 4 * MINUTE) });
    mockTokenEndpoint("refresh", () => pairAnswer("acc-p", "ref-p", now.getTime() + 60 * MINUTE, now.getTime() + DAY));
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    await db.job.create({ data: { shopDomain: "clover", type: CLOVER_REFRESH_JOB, payload: "{}", runAt: now } });

    expect(await drainQueue(() => now)).toEqual([`${CLOVER_REFRESH_JOB} → done`]);
    expect(
      openSecret((await db.platformConnection.findUniqueOrThrow({ where: { id: connection.id } })).accessTokenEnc, KEY),
    ).toBe("acc-p");
    const next = await db.job.findMany({ where: { type: CLOVER_REFRESH_JOB, status: "pending" } });
    expect(next).toHaveLength(1);
    expect(next[0]!.runAt.getTime()).toBe(now.getTime() + 5 * MINUTE);
    info.mockRestore();
  });
});

// ---------- reconciliation and backfill ----------

function paidOrder(id: string, createdTime: number, itemId = "ITEMLATTE0001", price = 550) {
  return {
    id,
    currency: "USD",
    total: price,
    paymentState: "PAID",
    state: "locked",
    createdTime,
    modifiedTime: createdTime + 1_000,
    lineItems: { elements: [{ id: `${id}-L1`, item: { id: itemId }, name: "Oat Milk Latte", price }] },
  };
}

describe("Clover reconciliation and backfill", () => {
  it("reconciliation stores a sale no webhook announced and queues its next pass", async () => {
    const { merchantId, shop } = await connectedMerchant();
    const now = new Date();
    const since = now.getTime() - 15 * MINUTE;
    server.use(
      http.get(`${API}/v3/merchants/:mId/orders`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          elements: [
            paidOrder("SILENTSALE001", since + MINUTE),
            { ...paidOrder("OPENCART00001", since + MINUTE), paymentState: "OPEN", state: "open" },
          ],
        });
      }),
    );
    await db.job.create({
      data: {
        shopDomain: merchantId,
        type: "clover:reconcile",
        payload: JSON.stringify({ since, until: null, offset: 0 }),
        runAt: now,
      },
    });

    expect(await drainQueue(() => now)).toEqual(["clover:reconcile → done", "recs:train → done"]);
    const call = calls(`/v3/merchants/${merchantId}/orders`)[0]!;
    expect(call.url.searchParams.getAll("filter")).toEqual([`modifiedTime>=${since}`, `modifiedTime<${now.getTime()}`]);
    expect(call.url.searchParams.get("expand")).toBe("lineItems,discounts");
    const orders = await db.order.findMany({ where: { shopId: shop.id } });
    expect(orders.map((o) => o.externalId)).toEqual(["SILENTSALE001"]);
    const next = await db.job.findFirstOrThrow({
      where: { shopDomain: merchantId, type: "clover:reconcile", status: "pending" },
    });
    expect(JSON.parse(next.payload)).toEqual({ since: now.getTime() - 2 * MINUTE, until: null, offset: 0 });
    expect(next.runAt.getTime()).toBe(now.getTime() + 15 * MINUTE);
  });

  it("the backfill imports items, stock and customers, then pages a year of orders by offset across job runs", async () => {
    const { merchantId, shop } = await connectedMerchant();
    const now = new Date("2026-11-25T12:00:00.000Z");
    const startAt = new Date("2025-11-25T12:00:00.000Z").getTime();
    const run = await db.backfillRun.create({
      data: { shopId: shop.id, status: "pending", sinceDate: new Date(startAt), startedAt: now },
    });
    await db.job.create({
      data: {
        shopDomain: merchantId,
        type: "clover:backfill",
        payload: JSON.stringify({
          runId: run.id,
          phase: "items",
          offset: 0,
          window: { startAt, endAt: now.getTime() },
          sliceStart: startAt,
        }),
        runAt: now,
      },
    });
    const fullPage = Array.from({ length: BACKFILL_PAGE }, (_, i) =>
      paidOrder(`HIST${String(i).padStart(9, "0")}`, startAt + DAY + i),
    );
    server.use(
      http.get(`${API}/v3/merchants/:mId/items`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          elements: [
            {
              id: "ITEMLATTE0001",
              name: "Oat Milk Latte",
              price: 550,
              sku: "LAT-L",
              categories: { elements: [{ id: "CAT1", name: "Coffee" }] },
            },
          ],
        });
      }),
      http.get(`${API}/v3/merchants/:mId/item_stocks`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({ elements: [{ item: { id: "ITEMLATTE0001" }, stockCount: 23, quantity: 22.5 }] });
      }),
      http.get(`${API}/v3/merchants/:mId/customers`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          elements: [
            {
              id: "CUSTJ4W2M8Q1R",
              firstName: "Grace",
              lastName: "Hopper",
              emailAddresses: { elements: [{ emailAddress: "grace@example.com" }] },
            },
          ],
        });
      }),
      http.get(`${API}/v3/merchants/:mId/orders`, async ({ request }) => {
        const { url } = await record(request);
        const first = url.searchParams.get("filter") === `createdTime>=${startAt}`;
        if (first && url.searchParams.get("offset") === "0") return HttpResponse.json({ elements: fullPage });
        if (first) return HttpResponse.json({ elements: [paidOrder("HISTLAST00001", startAt + 2 * DAY)] });
        return HttpResponse.json({ elements: [] });
      }),
    );

    const outcomes = await drainQueue(() => now);

    expect(outcomes).toEqual(["clover:backfill → done", "clover:backfill → done"]);
    const orderCalls = calls(`/v3/merchants/${merchantId}/orders`).map((c) => [
      c.url.searchParams.getAll("filter")[0],
      c.url.searchParams.get("offset"),
      c.url.searchParams.get("limit"),
    ]);
    // Two pages of the first 90-day slice by offset, then one page for each later slice.
    expect(orderCalls.slice(0, 2)).toEqual([
      [`createdTime>=${startAt}`, "0", String(BACKFILL_PAGE)],
      [`createdTime>=${startAt}`, String(BACKFILL_PAGE), String(BACKFILL_PAGE)],
    ]);
    expect(orderCalls.length).toBe(2 + 4); // 365 days = five 90-day slices
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(BACKFILL_PAGE + 1);
    expect(await db.product.findFirst({ where: { shopId: shop.id } })).toMatchObject({
      title: "Oat Milk Latte",
      productType: "Coffee",
    });
    expect(await db.inventoryLevel.findFirst({ where: { shopId: shop.id } })).toMatchObject({
      inventoryItemId: "ITEMLATTE0001",
      locationExternalId: merchantId,
      available: 22,
    });
    expect(await db.customer.count({ where: { shopId: shop.id, email: "grace@example.com" } })).toBe(1);
    expect(await db.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: "completed",
      ordersImported: BACKFILL_PAGE + 1,
      linesImported: BACKFILL_PAGE + 1,
    });
  });
});

// ---------- normalization ----------

describe("Clover normalization", () => {
  const context = { merchantId: "MCLOVERTEST01", currency: "USD" };

  it("only a paid order is a sale; an open one is a cart with its lines", () => {
    expect(orderFromClover({ ...ORDER_FIXTURE, paymentState: "OPEN", state: "open" }, context)).toBeNull();
    expect(orderFromClover({ ...ORDER_FIXTURE, testMode: true }, context)).toBeNull();
    expect(orderFromClover({ ...ORDER_FIXTURE, paymentState: "PARTIALLY_REFUNDED" }, context)!.financialStatus).toBe(
      "partially_refunded",
    );
    expect(openOrderFromClover(ORDER_FIXTURE, context)).toBeNull();
    const cart = openOrderFromClover({ ...ORDER_FIXTURE, paymentState: "OPEN", state: "open" }, context)!;
    expect(cart).toMatchObject({ locationExternalId: "MCLOVERTEST01", subtotalMinor: 1745, discountMinor: 155 });
    expect(cart.lineItems.map((l) => [l.variantExternalId, l.quantity, l.priceMinor])).toEqual([
      ["ITEMLATTE0001", 1, 550],
      ["ITEMLATTE0001", 1, 550],
      ["ITEMBEANS0001", 1, 700],
    ]);
  });

  it("items, stock and customers map to the neutral model", () => {
    expect(productFromClover({ id: "ITEM1", name: "Tea", price: 450, code: "TEA", hidden: true })).toMatchObject({
      status: "archived",
      variants: [{ externalId: "ITEM1", sku: "TEA", priceMinor: 450, inventoryItemId: "ITEM1" }],
    });
    expect(inventoryLevelFromClover({ item: { id: "ITEM1" }, stockCount: 4 }, "M1")).toEqual({
      inventoryItemId: "ITEM1",
      locationExternalId: "M1",
      available: 4,
    });
    expect(
      customerFromClover({ id: "C1", firstName: "Ada", phoneNumbers: { elements: [{ phoneNumber: "555" }] } }),
    ).toMatchObject({
      firstName: "Ada",
      email: null,
      phone: "555",
    });
  });
});
