/**
 * The Lightspeed Retail (X-Series) adapter end to end through the real pieces: the routes, the
 * fetch client, the job queue and worker, the sealed tokens and the database. Only Lightspeed's
 * HTTP is mocked (msw), with the shapes its docs define:
 * - OAuth: the authorize page https://secure.retail.lightspeed.app/connect; the code and refresh
 *   exchanges as forms to https://{domain_prefix}.retail.lightspeed.app/api/1.0/token, answered
 *   with { access_token, token_type, expires, expires_in, refresh_token, domain_prefix, scope };
 * - the REST API at /api/2026-07: GET /retailer and /products/{id}, /customers/{id}, /sales/{id}
 *   ({ data }); GET /outlets, /registers, /products, /customers, /sales paged by `after` ({ data, version:
 *   { min, max } }, the end is an empty page); POST /inventory (filters in the body, records as
 *   the answer) and GET /inventory/{product_id}; GET and POST /webhooks;
 * - 429 with Retry-After as an HTTP date;
 * - webhooks: application/x-www-form-urlencoded with a JSON `payload` field, signed
 *   `X-Signature: signature=…,algorithm=HMAC-SHA256` with the client secret over the body.
 */
import { createHmac, randomBytes } from "node:crypto";
import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { refusalsClaiming } from "../support/webhooks";

// Lightspeed's settings before any app module reads the environment.
const CLIENT_ID = "lsx-client-id-not-real-0042";
const CLIENT_SECRET = "lsx-client-secret-not-real-0123456789";
process.env.LIGHTSPEED_CLIENT_ID = CLIENT_ID;
process.env.LIGHTSPEED_CLIENT_SECRET = CLIENT_SECRET;
process.env.TOKEN_ENCRYPTION_KEY = randomBytes(32).toString("base64");

// msw patches fetch before the app loads, as in clover.test.ts.
const server = setupServer();
server.listen({ onUnhandledRequest: "error" });

const { getDb } = await import("~/db.server");
const { loader: connectLoader } = await import("~/routes/connect.lightspeed");
const { loader: callbackLoader } = await import("~/routes/connect.lightspeed.callback");
const { action: webhookAction } = await import("~/routes/webhooks.lightspeed");
const { allJobHandlers } = await import("~/services/job-handlers.server");
const { runNextJob } = await import("~/services/worker.server");
const { openSecret, sealSecret, secretKey } = await import("~/services/secret-box.server");
const { lightspeedConfig } = await import("~/platforms/lightspeed/config.server");
const { parseEnv } = await import("~/env.server");
const { refreshDueLightspeedTokens, LIGHTSPEED_REFRESH_JOB } = await import("~/platforms/lightspeed/tokens.server");
const { lightspeedWebhookUrl, NO_CURSORS } = await import("~/platforms/lightspeed/sync.server");
const { mergeFamily, saleFromLightspeed, saleState } = await import("~/platforms/lightspeed/normalize");

const db = getDb();
const KEY = secretKey(process.env.TOKEN_ENCRYPTION_KEY!);
const APP_URL = process.env.SHOPIFY_APP_URL!;
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;
const host = (prefix: string) => `https://${prefix}.retail.lightspeed.app`;
const api = (prefix: string) => `${host(prefix)}/api/2026-07`;

const args = (request: Request) => ({ request, params: {}, context: {} });

beforeEach(async () => {
  // Each test starts with an empty queue, so the worker runs only what the test queued.
  await db.job.deleteMany({});
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// ---------- Lightspeed, mocked ----------

interface Recorded {
  method: string;
  host: string;
  path: string;
  url: URL;
  auth: string | null;
  contentType: string | null;
  body: Record<string, unknown> | null;
}

let recorded: Recorded[] = [];
beforeEach(() => {
  recorded = [];
});

async function record(request: Request): Promise<Recorded> {
  const url = new URL(request.url);
  const text = request.method === "GET" ? "" : await request.clone().text();
  const contentType = request.headers.get("Content-Type");
  const body = !text
    ? null
    : contentType?.startsWith("application/x-www-form-urlencoded")
      ? Object.fromEntries(new URLSearchParams(text))
      : (JSON.parse(text) as Record<string, unknown>);
  const entry = {
    method: request.method,
    host: url.host,
    path: url.pathname,
    url,
    auth: request.headers.get("Authorization"),
    contentType,
    body,
  };
  recorded.push(entry);
  return entry;
}

const calls = (pathStart: string) => recorded.filter((r) => r.path.startsWith(pathStart));
const seconds = (at: number) => Math.floor(at / 1000);

function tokenAnswer(prefix: string, accessToken: string, refreshToken: string, expiresAt: number) {
  return HttpResponse.json({
    access_token: accessToken,
    token_type: "Bearer",
    expires: seconds(expiresAt),
    expires_in: seconds(expiresAt - Date.now()),
    refresh_token: refreshToken,
    domain_prefix: prefix,
    scope:
      "retailer:read payment_types:read outlets:read registers:read products:read inventory:read customers:read sales:read webhooks",
  });
}

function mockTokenEndpoint(prefix: string, answer: (body: Record<string, unknown>) => Response | Promise<Response>) {
  server.use(
    http.post(`${host(prefix)}/api/1.0/token`, async ({ request }) => {
      const entry = await record(request);
      return answer(entry.body ?? {});
    }),
  );
}

const OUTLET_MAIN = "0a6f6e36-8b4f-11e8-f4be-2f5a0ad3c2d1";
const OUTLET_PIER = "0a6f6e36-8b4f-11e8-f4be-2f5a0ad3c2d2";
const OUTLET_CLOSED = "0a6f6e36-8b4f-11e8-f4be-2f5a0ad3c2d3";
const REGISTER_MAIN = "b1e198a9-f019-11e3-a0f5-b8ca3a64f8f4";
const REGISTER_PIER = "b8ca3a65-0183-11e4-fbb5-2816e25ffc51";
const REGISTER_OLD = "06e35f89-3783-11e6-ec7e-10e1180eba6d";

/** A register as GET /registers lists it in the 2026-07 Registers reference (its example's fields). */
function lightspeedRegister(id: string, outletId: string, overrides: Record<string, unknown> = {}) {
  return {
    ask_for_note_on_save: 1,
    ask_for_user_on_sale: false,
    button_layout_id: "d656e8e1-7be7-11e4-9bb5-b8ca3a65011c",
    email_receipt: true,
    id,
    invoice_prefix: "MR-",
    invoice_sequence: 1708,
    invoice_suffix: "-NZ",
    is_open: true,
    is_quick_keys_enabled: true,
    name: "Main Register",
    outlet_id: outletId,
    print_note_on_receipt: false,
    print_receipt: true,
    receipt_template_id: "0242ac11-0002-11ea-e96b-69ae6c24a799",
    register_open_sequence_id: "06bf537b-c783-11e7-ff13-3157eb615f96",
    register_open_time: "2026-11-20T21:00:00+00:00",
    show_discounts_on_receipts: true,
    version: 201,
    ...overrides,
  };
}

function mockRetailer(prefix: string) {
  server.use(
    http.get(`${api(prefix)}/retailer`, async ({ request }) => {
      await record(request);
      return HttpResponse.json({
        data: {
          id: "b1c50056-f019-11e3-a0f5-b8ca3a64f8f4",
          name: "Harbour Outfitters",
          domain_prefix: prefix,
          currency: { code: "NZD", symbol: "$" },
          timezone: "Pacific/Auckland",
          tax_exclusive: false,
        },
      });
    }),
    http.get(`${api(prefix)}/outlets`, async ({ request }) => {
      const { url } = await record(request);
      if (url.searchParams.get("after") !== "0")
        return HttpResponse.json({ data: [], version: { min: null, max: null } });
      return HttpResponse.json({
        data: [
          { id: OUTLET_MAIN, name: "Main Street", currency: "NZD", time_zone: "Pacific/Auckland", version: 101 },
          { id: OUTLET_PIER, name: "Pier Kiosk", currency: "NZD", time_zone: "Pacific/Auckland", version: 102 },
          { id: OUTLET_CLOSED, name: "Old Mall", deleted_at: "2025-01-01T00:00:00+00:00", version: 103 },
        ],
        version: { min: 101, max: 103 },
      });
    }),
    http.get(`${api(prefix)}/registers`, async ({ request }) => {
      const { url } = await record(request);
      if (url.searchParams.get("after") !== "0")
        return HttpResponse.json({ data: [], version: { min: null, max: null } });
      return HttpResponse.json({
        data: [
          lightspeedRegister(REGISTER_MAIN, OUTLET_MAIN, { version: 3391483933 }),
          lightspeedRegister(REGISTER_PIER, OUTLET_PIER, {
            name: "Pier Till",
            is_open: false,
            register_open_time: null,
            register_close_time: "2026-11-20T05:00:00+00:00",
            version: 709083,
          }),
        ],
        version: { min: 709083, max: 3391483933 },
      });
    }),
  );
}

// ---------- factories ----------

let prefixSeq = 0;
const newPrefix = () => `harbour${++prefixSeq}`;

/** A retailer as the callback leaves it, with a sealed pair whose access token expires at `accessExpiresAt`. */
async function connectedRetailer(options: { accessExpiresAt?: Date; lastWrite?: Date } = {}) {
  const prefix = newPrefix();
  const shop = await db.shop.create({
    data: { platform: "lightspeed", domain: prefix, name: "Harbour Outfitters", currency: "NZD" },
  });
  for (const [externalId, name] of [
    [OUTLET_MAIN, "Main Street"],
    [OUTLET_PIER, "Pier Kiosk"],
  ]) {
    await db.location.create({ data: { shopId: shop.id, externalId: externalId!, name: name! } });
  }
  const accessToken = `acc-${prefix}-1`;
  const refreshToken = `ref-${prefix}-1`;
  const connection = await db.platformConnection.create({
    data: {
      shopId: shop.id,
      platform: "lightspeed",
      merchantId: prefix,
      accessTokenEnc: sealSecret(accessToken, KEY),
      refreshTokenEnc: sealSecret(refreshToken, KEY),
      accessTokenExpiresAt: options.accessExpiresAt ?? new Date(Date.now() + 20 * 60 * MINUTE),
      tokenIssuedAt: new Date(Date.now() - 10 * MINUTE),
      updatedAt: options.lastWrite ?? new Date(Date.now() - 10 * MINUTE),
    },
  });
  return { prefix, shop, connection, accessToken, refreshToken };
}

/** The catalog a sale's lines name: a T-shirt family (two variants) and beans sold by weight. */
const TEE = "0242ac12-0002-11e9-e8c4-659494e33138";
const TEE_BLUE_L = "0242ac12-0002-11e9-e8c4-659494e33139";
const BEANS = "0242ac12-0002-11e9-e8c4-659494e33200";

async function seedCatalog(shopId: string) {
  await db.product.create({
    data: {
      shopId,
      externalId: TEE,
      title: "Harbour Tee",
      variants: {
        create: [
          { shopId, externalId: TEE, title: "Red / M", sku: "TEE-RED-M", priceMinor: 2500, inventoryItemId: TEE },
          { shopId, externalId: TEE_BLUE_L, title: "Blue / L", sku: "TEE-BLU-L", priceMinor: 2500 },
        ],
      },
    },
  });
  await db.product.create({
    data: {
      shopId,
      externalId: BEANS,
      title: "Espresso Beans",
      variants: { create: [{ shopId, externalId: BEANS, title: "", sku: "BEANS-KG", priceMinor: 2000 }] },
    },
  });
}

const CUSTOMER = "06e35f89-3783-11e6-ec7e-13193f7bd2ed";
const CASHIER = "020b2c2a-4661-11f0-e88b-1afde45e0728";

/** A sale as GET /sales/{id} returns it in the 2026-07 reference (state, source, line_items, totals). */
function lightspeedSale(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    date: new Date(Date.now() - 60 * MINUTE).toISOString(),
    created_at: new Date(Date.now() - 61 * MINUTE).toISOString(),
    updated_at: new Date(Date.now() - 59 * MINUTE).toISOString(),
    state: "closed",
    attributes: [],
    customer_id: CUSTOMER,
    invoice_number: "HB-1001",
    receipt_number: "1001",
    short_code: "mlzs94",
    note: "",
    source: { outlet_id: OUTLET_MAIN, register_id: "b1e198a9-f019-11e3-a0f5-b8ca3a64f8f4", author: { id: CASHIER } },
    line_items: [
      {
        id: "ac1a63f0-0001-4000-8000-000000000001",
        product: { id: TEE },
        quantity: 2,
        pricing: { price: 12.5, discount: 1.25, discount_total: 2.5, total: 22.5, cost: 6, loyalty_amount: 0 },
        tax: { id: "b1d192bc-f019-11e3-a0f5-b8ca3a64f8f4", amount: 1.69, total: 3.38 },
        promotions: [{ id: "promo-1", name: "Summer 10%", amount: 2.5 }],
        status: "CONFIRMED",
      },
      {
        // 0.35 kg of beans at 20.00/kg: one unit of 7.00.
        id: "ac1a63f0-0001-4000-8000-000000000002",
        product: { id: BEANS },
        quantity: 0.35,
        pricing: { price: 20, discount: 0, discount_total: 0, total: 7 },
        tax: { id: "b1d192bc-f019-11e3-a0f5-b8ca3a64f8f4", amount: 3, total: 1.05 },
        status: "CONFIRMED",
      },
    ],
    payments: [{ id: "pay-1", amount: 33.93, type: { config_id: "cfg-1", name: "Cash" } }],
    totals: { price: 29.5, price_incl_tax: 33.93, tax: 4.43, loyalty: 0 },
    _metadata: { version: 1_000 },
    ...overrides,
  };
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

const hmacHex = (body: string, secret = CLIENT_SECRET) => createHmac("sha256", secret).update(body).digest("hex");

/** A delivery as Lightspeed sends it: a form with a JSON `payload`, to the URL the add-on subscribed with. */
function deliveryBody(payload: unknown, prefix: string) {
  return new URLSearchParams({
    payload: JSON.stringify(payload),
    environment: "prod",
    domain_prefix: prefix,
  }).toString();
}

function webhookRequest(
  prefix: string,
  type: string,
  body: string,
  signature: string | null = `signature=${hmacHex(body)},algorithm=HMAC-SHA256`,
) {
  const headers: Record<string, string> = { "Content-Type": "application/x-www-form-urlencoded" };
  if (signature !== null) headers["X-Signature"] = signature;
  return new Request(lightspeedWebhookUrl(APP_URL, prefix, type as "sale.update"), { method: "POST", headers, body });
}

async function startConnect() {
  const response = await connectLoader(args(new Request(`${APP_URL}/connect/lightspeed`)));
  const location = new URL(response.headers.get("Location")!);
  const setCookie = response.headers.get("Set-Cookie")!;
  return { response, location, state: location.searchParams.get("state")!, cookie: setCookie.split(";")[0]! };
}

function callbackRequest(params: Record<string, string>, cookie: string | null) {
  const url = new URL(`${APP_URL}/connect/lightspeed/callback`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return new Request(url, { headers: cookie ? { Cookie: cookie } : {} });
}

async function everythingStoredFor(prefix: string) {
  return {
    shops: await db.shop.count({ where: { platform: "lightspeed", domain: prefix } }),
    connections: await db.platformConnection.count({ where: { platform: "lightspeed", merchantId: prefix } }),
    jobs: await db.job.count({ where: { shopDomain: prefix } }),
  };
}

function mockSale(prefix: string, answer: (saleId: string) => Response | Promise<Response>) {
  server.use(
    http.get(`${api(prefix)}/sales/:saleId`, async ({ request, params }) => {
      await record(request);
      return answer(String(params.saleId));
    }),
  );
}

// ---------- configuration ----------

describe("Lightspeed configuration", () => {
  it("is off without its client id and secret, and needs TOKEN_ENCRYPTION_KEY once set", () => {
    expect(lightspeedConfig()).toMatchObject({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, appUrl: APP_URL });
    expect(() => lightspeedConfig({ LIGHTSPEED_CLIENT_SECRET: undefined })).toThrow(/not configured/);
    expect(() => parseEnv({ ...process.env, TOKEN_ENCRYPTION_KEY: undefined })).toThrow(/TOKEN_ENCRYPTION_KEY/);
  });
});

// ---------- OAuth ----------

describe("connecting a Lightspeed retailer", () => {
  it("sends the retailer to Lightspeed's authorize page with a fresh single-use state bound to the browser", async () => {
    const before = Date.now();
    const { response, location, state, cookie } = await startConnect();

    expect(response.status).toBe(302);
    expect(location.origin + location.pathname).toBe("https://secure.retail.lightspeed.app/connect");
    expect(location.searchParams.get("response_type")).toBe("code");
    expect(location.searchParams.get("client_id")).toBe(CLIENT_ID);
    expect(location.searchParams.get("redirect_uri")).toBe(`${APP_URL}/connect/lightspeed/callback`);
    expect(location.searchParams.get("scope")!.split(" ")).toEqual(
      expect.arrayContaining([
        "retailer:read",
        "registers:read",
        "sales:read",
        "products:read",
        "inventory:read",
        "webhooks",
      ]),
    );
    expect(state).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(cookie).toBe(`lightspeed_oauth_state=${state}`);
    expect(response.headers.get("Set-Cookie")).toMatch(/HttpOnly; SameSite=Lax/);
    const row = await db.oAuthState.findUniqueOrThrow({ where: { state } });
    expect(row.platform).toBe("lightspeed");
    expect(row.expiresAt.getTime() - before).toBeLessThanOrEqual(10 * MINUTE + 5_000);
  });

  it("exchanges the code at the retailer's own token endpoint, seals the tokens, records the shop, its outlets and registers, and queues the backfill", async () => {
    const prefix = newPrefix();
    const expiresAt = Date.now() + 7 * DAY; // Lightspeed's lifetime, as given (the changelog's example: a week)
    mockTokenEndpoint(prefix, () => tokenAnswer(prefix, "acc-plain-1", "ref-plain-1", expiresAt));
    mockRetailer(prefix);
    const { state, cookie } = await startConnect();

    const response = await callbackLoader(
      args(callbackRequest({ code: "auth-code-1", domain_prefix: prefix, state, user_id: "u-1" }, cookie)),
    );

    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Harbour Outfitters is connected");
    const cookies = response.headers.getSetCookie();
    expect(cookies[0]).toMatch(/^lightspeed_oauth_state=; .*Max-Age=0/);
    expect(cookies[1]).toMatch(/^rc_console=/);

    const exchange = calls("/api/1.0/token");
    expect(exchange.map((c) => [c.host, c.contentType, c.body])).toEqual([
      [
        `${prefix}.retail.lightspeed.app`,
        "application/x-www-form-urlencoded",
        {
          code: "auth-code-1",
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          grant_type: "authorization_code",
          redirect_uri: `${APP_URL}/connect/lightspeed/callback`,
        },
      ],
    ]);
    expect(exchange[0]!.url.search).toBe(""); // never in the URL
    expect(calls("/api/2026-07/retailer")[0]!.auth).toBe("Bearer acc-plain-1");

    const shop = await db.shop.findUniqueOrThrow({
      where: { platform_domain: { platform: "lightspeed", domain: prefix } },
      include: { locations: { orderBy: { name: "asc" } }, platformConnection: true },
    });
    expect(shop).toMatchObject({ name: "Harbour Outfitters", currency: "NZD", timezone: "Pacific/Auckland" });
    expect(shop.locations.map((l) => [l.externalId, l.name, l.active])).toEqual([
      [OUTLET_MAIN, "Main Street", true],
      [OUTLET_CLOSED, "Old Mall", false],
      [OUTLET_PIER, "Pier Kiosk", true],
    ]);
    // The registers, deleted ones included, each with the outlet it belongs to.
    expect(calls("/api/2026-07/registers")[0]!.url.searchParams.get("deleted")).toBe("true");
    const registers = await db.posRegister.findMany({ where: { shopId: shop.id }, orderBy: { name: "asc" } });
    expect(registers.map((r) => [r.externalId, r.locationExternalId, r.name, r.isOpen, r.deletedAt])).toEqual([
      [REGISTER_MAIN, OUTLET_MAIN, "Main Register", true, null],
      [REGISTER_PIER, OUTLET_PIER, "Pier Till", false, null],
    ]);

    const connection = shop.platformConnection!;
    const rowText = JSON.stringify(connection);
    expect(rowText).not.toContain("acc-plain-1");
    expect(rowText).not.toContain("ref-plain-1");
    expect(openSecret(connection.accessTokenEnc, KEY)).toBe("acc-plain-1");
    expect(openSecret(connection.refreshTokenEnc!, KEY)).toBe("ref-plain-1");
    expect(connection.accessTokenExpiresAt!.getTime()).toBe(seconds(expiresAt) * 1000);
    expect(connection).toMatchObject({ platform: "lightspeed", merchantId: prefix, status: "active" });
    expect(connection.scopes).toContain("sales:read");

    const run = await db.backfillRun.findFirstOrThrow({ where: { shopId: shop.id } });
    const backfill = await db.job.findFirstOrThrow({ where: { shopDomain: prefix, type: "lightspeed:backfill" } });
    expect(JSON.parse(backfill.payload)).toMatchObject({ runId: run.id, phase: "products", after: 0 });
    expect(await db.job.count({ where: { shopDomain: prefix, type: "lightspeed:subscribe-webhooks" } })).toBe(1);
    // Reconciliation starts where the backfill ends.
    expect(await db.job.count({ where: { shopDomain: prefix, type: "lightspeed:reconcile" } })).toBe(0);
    expect(await db.job.count({ where: { type: LIGHTSPEED_REFRESH_JOB, status: "pending" } })).toBe(1);
    expect(await db.oAuthState.count({ where: { state } })).toBe(0);
  });

  it("refuses a replayed callback with 400 and exchanges the code only once", async () => {
    const prefix = newPrefix();
    mockTokenEndpoint(prefix, () => tokenAnswer(prefix, "acc-r", "ref-r", Date.now() + DAY));
    mockRetailer(prefix);
    const { state, cookie } = await startConnect();
    const params = { code: "auth-code-replay", domain_prefix: prefix, state };

    const first = await callbackLoader(args(callbackRequest(params, cookie)));
    const replays = await Promise.all([1, 2, 3].map(() => callbackLoader(args(callbackRequest(params, cookie)))));

    expect(first.status).toBe(200);
    expect(replays.map((r) => r.status)).toEqual([400, 400, 400]);
    expect(await replays[0]!.text()).toContain("expired or was already used");
    expect(calls("/api/1.0/token")).toHaveLength(1);
    expect(await db.platformConnection.count({ where: { merchantId: prefix } })).toBe(1);
  });

  it("refuses a state another browser started, before calling Lightspeed, and writes nothing", async () => {
    const prefix = newPrefix();
    mockTokenEndpoint(prefix, () => tokenAnswer(prefix, "a", "r", Date.now() + DAY));
    const { state } = await startConnect();
    const other = await startConnect();
    const response = await callbackLoader(
      args(callbackRequest({ code: "c", domain_prefix: prefix, state }, other.cookie)),
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("not started in this browser");
    expect(calls("/api/1.0/token")).toHaveLength(0);
    expect(await everythingStoredFor(prefix)).toEqual({ shops: 0, connections: 0, jobs: 0 });
  });

  it("refuses a domain_prefix that is not a store name, and tokens issued for another store", async () => {
    const { state, cookie } = await startConnect();
    const bad = await callbackLoader(
      args(callbackRequest({ code: "c", domain_prefix: "evil.example.com/x", state }, cookie)),
    );
    expect(bad.status).toBe(400);
    expect(recorded).toHaveLength(0);

    const named = newPrefix();
    mockTokenEndpoint(named, () => tokenAnswer("someoneelse", "acc-x", "ref-x", Date.now() + DAY));
    const second = await startConnect();
    const response = await callbackLoader(
      args(callbackRequest({ code: "c", domain_prefix: named, state: second.state }, second.cookie)),
    );
    expect(response.status).toBe(400);
    expect(await everythingStoredFor(named)).toEqual({ shops: 0, connections: 0, jobs: 0 });
  });

  it("answers 400 with Lightspeed's reason when the code is refused, and 502 when it is unreachable", async () => {
    const refused = newPrefix();
    mockTokenEndpoint(refused, () =>
      HttpResponse.json({ error: "invalid_grant", error_description: "The code has expired" }, { status: 400 }),
    );
    const one = await startConnect();
    const response = await callbackLoader(
      args(callbackRequest({ code: "old", domain_prefix: refused, state: one.state }, one.cookie)),
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("The code has expired");

    const down = newPrefix();
    server.use(http.post(`${host(down)}/api/1.0/token`, () => HttpResponse.error()));
    const two = await startConnect();
    const unreachable = await callbackLoader(
      args(callbackRequest({ code: "c2", domain_prefix: down, state: two.state }, two.cookie)),
    );
    expect(unreachable.status).toBe(502);
    for (const prefix of [refused, down]) {
      expect(await everythingStoredFor(prefix)).toEqual({ shops: 0, connections: 0, jobs: 0 });
    }
  });
});

// ---------- tokens ----------

describe("Lightspeed token refresh", () => {
  const deps = (now: Date) => ({
    db,
    config: lightspeedConfig(),
    fetch: (i: string, init?: RequestInit) => fetch(i, init),
    now,
  });

  it("two workers refreshing at once send the refresh token exactly once, to the retailer's token endpoint", async () => {
    const now = new Date();
    const { prefix, connection, refreshToken } = await connectedRetailer({
      accessExpiresAt: new Date(now.getTime() + 5 * MINUTE),
    });
    // Only this retailer is due here: earlier tests' connections are set aside.
    await db.platformConnection.updateMany({
      where: { platform: "lightspeed", NOT: { id: connection.id } },
      data: { status: "revoked" },
    });
    const newExpiry = now.getTime() + DAY;
    mockTokenEndpoint(prefix, async () => {
      await delay(50); // the loser's claim happens while the winner waits on Lightspeed
      return tokenAnswer(prefix, "acc-new-2", "ref-new-2", newExpiry);
    });

    const runs = await Promise.all([refreshDueLightspeedTokens(deps(now)), refreshDueLightspeedTokens(deps(now))]);

    expect(calls("/api/1.0/token").map((c) => [c.host, c.body])).toEqual([
      [
        `${prefix}.retail.lightspeed.app`,
        {
          refresh_token: refreshToken,
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
          grant_type: "refresh_token",
        },
      ],
    ]);
    expect(runs.map((r) => r.refreshed).sort()).toEqual([0, 1]);
    const stored = await db.platformConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(openSecret(stored.accessTokenEnc, KEY)).toBe("acc-new-2");
    // The old refresh token is revoked once a new one is issued: only the new one is kept.
    expect(openSecret(stored.refreshTokenEnc!, KEY)).toBe("ref-new-2");
    expect(stored.accessTokenExpiresAt!.getTime()).toBe(seconds(newExpiry) * 1000);
    expect(stored).toMatchObject({ status: "active", lastError: null, version: connection.version + 2 });
  });

  it("a refresh Lightspeed refuses marks the connection refresh_failed with the reason", async () => {
    const now = new Date();
    const { prefix, connection } = await connectedRetailer({ accessExpiresAt: new Date(now.getTime() + MINUTE) });
    mockTokenEndpoint(prefix, () =>
      HttpResponse.json({ error: "invalid_grant", error_description: "Refresh token revoked" }, { status: 400 }),
    );
    await refreshDueLightspeedTokens(deps(now));
    const stored = await db.platformConnection.findUniqueOrThrow({ where: { id: connection.id } });
    expect(stored.status).toBe("refresh_failed");
    expect(stored.lastError).toContain("Refresh token revoked");
  });

  it("refreshes lazily before an API call when the access token is about to expire", async () => {
    const { prefix, shop } = await connectedRetailer({ accessExpiresAt: new Date(Date.now() + 2 * MINUTE) });
    await seedCatalog(shop.id);
    mockTokenEndpoint(prefix, () => tokenAnswer(prefix, "acc-lazy-2", "ref-lazy-2", Date.now() + DAY));
    const saleId = "0a6f6e36-8b4f-11e8-f4be-aaaaaaaa0001";
    mockSale(prefix, (id) => HttpResponse.json({ data: lightspeedSale(id) }));
    await webhookAction(args(webhookRequest(prefix, "sale.update", deliveryBody({ id: saleId }, prefix))));

    expect(await drainQueue()).toEqual(["lightspeed:refetch → done", "recs:train → done"]);
    expect(recorded.map((r) => r.path)).toEqual(["/api/1.0/token", `/api/2026-07/sales/${saleId}`]);
    expect(calls("/api/2026-07/sales")[0]!.auth).toBe("Bearer acc-lazy-2");
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(1);
  });
});

// ---------- webhooks ----------

describe("Lightspeed webhook intake", () => {
  const saleId = "0a6f6e36-8b4f-11e8-f4be-bbbbbbbb0001";

  it("accepts a delivery signed with the client secret and queues one refetch hint", async () => {
    const { prefix } = await connectedRetailer();
    const body = deliveryBody({ id: saleId, status: "CLOSED", register_id: "r-1" }, prefix);
    const response = await webhookAction(args(webhookRequest(prefix, "sale.update", body)));

    expect(response.status).toBe(200);
    const jobs = await db.job.findMany({ where: { shopDomain: prefix } });
    expect(jobs.map((j) => [j.type, j.platform, JSON.parse(j.payload)])).toEqual([
      ["lightspeed:refetch", "lightspeed", { type: "sale.update", objectId: saleId }],
    ]);
    expect(await db.webhookEvent.count({ where: { shopDomain: prefix, topic: "lightspeed:sale.update" } })).toBe(1);
    expect(recorded).toHaveLength(0); // acknowledged without calling Lightspeed
  });

  it("accepts the digest in base64 too (the docs do not name its encoding)", async () => {
    const { prefix } = await connectedRetailer();
    const body = deliveryBody({ id: saleId }, prefix);
    const base64 = createHmac("sha256", CLIENT_SECRET).update(body).digest("base64");
    const response = await webhookAction(
      args(webhookRequest(prefix, "sale.update", body, `signature=${base64},algorithm=HMAC-SHA256`)),
    );
    expect(response.status).toBe(200);
    expect(await db.job.count({ where: { shopDomain: prefix } })).toBe(1);
  });

  it.each([
    [
      "signed with another secret",
      (body: string) => `signature=${hmacHex(body, "someone-elses-secret")},algorithm=HMAC-SHA256`,
    ],
    [
      "one byte of the body changed after signing",
      (body: string) => `signature=${hmacHex(`${body.slice(0, -1)}X`)},algorithm=HMAC-SHA256`,
    ],
    ["without X-Signature", () => null],
    ["naming another algorithm", (body: string) => `signature=${hmacHex(body)},algorithm=HMAC-SHA1`],
    ["a truncated signature", (body: string) => `signature=${hmacHex(body).slice(0, 63)},algorithm=HMAC-SHA256`],
  ])("refuses a delivery %s with 401 and writes nothing", async (_name, signature) => {
    const { prefix } = await connectedRetailer();
    const body = deliveryBody({ id: saleId }, prefix);
    const response = await webhookAction(args(webhookRequest(prefix, "sale.update", body, signature(body))));
    expect(response.status).toBe(401);
    expect(await db.webhookEvent.count({ where: { shopDomain: prefix } })).toBe(0);
    expect(await db.job.count()).toBe(0);
    // Counted in the security log under the retailer the delivery claims (ours, so it is kept).
    expect(await refusalsClaiming(db, "webhooks/lightspeed", prefix)).toBe(1);
  });

  it("dedupes a replayed delivery; a later change of the same sale is a new hint", async () => {
    const { prefix } = await connectedRetailer();
    const first = deliveryBody({ id: saleId, updated_at: "2026-11-20 10:00:00" }, prefix);
    const later = deliveryBody({ id: saleId, updated_at: "2026-11-20 10:05:00" }, prefix);
    const statuses = [];
    for (const body of [first, first, first, later]) {
      statuses.push((await webhookAction(args(webhookRequest(prefix, "sale.update", body)))).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(await db.job.count({ where: { shopDomain: prefix, type: "lightspeed:refetch" } })).toBe(2);
    expect(await db.webhookEvent.count({ where: { shopDomain: prefix } })).toBe(2);
  });

  it("keeps a signed but unusable delivery as a dead letter and answers 200", async () => {
    const { prefix } = await connectedRetailer();
    const body = "environment=prod&payload=%7Bnot-json";
    const response = await webhookAction(args(webhookRequest(prefix, "sale.update", body)));
    expect(response.status).toBe(200);
    const dead = await db.job.findFirstOrThrow({ where: { shopDomain: prefix, status: "dead" } });
    expect(dead.lastError).toContain("not valid JSON");
  });

  it("the hint job re-reads the sale with the retailer's token and stores a closed sale", async () => {
    const { prefix, shop, accessToken } = await connectedRetailer();
    await seedCatalog(shop.id);
    mockSale(prefix, (id) => HttpResponse.json({ data: lightspeedSale(id) }));
    await webhookAction(args(webhookRequest(prefix, "sale.update", deliveryBody({ id: saleId }, prefix))));

    expect(await drainQueue()).toEqual(["lightspeed:refetch → done", "recs:train → done"]);
    expect(calls(`/api/2026-07/sales/${saleId}`)[0]!.auth).toBe(`Bearer ${accessToken}`);
    const order = await db.order.findUniqueOrThrow({
      where: { shopId_externalId: { shopId: shop.id, externalId: saleId } },
      include: { lineItems: { orderBy: { externalId: "asc" } } },
    });
    expect(order).toMatchObject({
      name: "HB-1001",
      currency: "NZD",
      // 2 × 12.50 − 2.50, and 0.35 kg of beans at 20.00 as one unit of 7.00.
      subtotalMinor: 2950,
      totalMinor: 3393,
      discountMinor: 250,
      financialStatus: "paid",
      sourceName: "pos",
      locationExternalId: OUTLET_MAIN,
      customerExternalId: CUSTOMER,
      staffMemberId: CASHIER,
    });
    expect(
      order.lineItems.map((l) => [
        l.productExternalId,
        l.variantExternalId,
        l.title,
        l.quantity,
        l.priceMinor,
        l.discountMinor,
      ]),
    ).toEqual([
      [TEE, TEE, "Harbour Tee / Red / M", 2, 1250, 250],
      [BEANS, BEANS, "Espresso Beans", 1, 700, 0],
    ]);
  });

  it.each([["pending"], ["parked"]])("a %s sale is a cart: the hint stores nothing", async (state) => {
    const { prefix, shop } = await connectedRetailer();
    mockSale(prefix, (id) => HttpResponse.json({ data: lightspeedSale(id, { state }) }));
    await webhookAction(args(webhookRequest(prefix, "sale.update", deliveryBody({ id: saleId }, prefix))));
    expect(await drainQueue()).toEqual(["lightspeed:refetch → done"]);
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(0);
  });

  it("a voided sale cancels the stored one", async () => {
    const { prefix, shop } = await connectedRetailer();
    let state = "closed";
    mockSale(prefix, (id) => HttpResponse.json({ data: lightspeedSale(id, { state }) }));
    const hint = (updated: string) =>
      webhookAction(args(webhookRequest(prefix, "sale.update", deliveryBody({ id: saleId, updated }, prefix))));
    await hint("1");
    await drainQueue();
    state = "voided";
    await hint("2");
    await drainQueue();
    const order = await db.order.findUniqueOrThrow({
      where: { shopId_externalId: { shopId: shop.id, externalId: saleId } },
    });
    expect(order.cancelledAt).not.toBeNull();
  });

  it("a 429 puts the job back no sooner than Lightspeed's Retry-After (an HTTP date) instead of dead-lettering it", async () => {
    const { prefix, shop } = await connectedRetailer();
    await seedCatalog(shop.id);
    let limited = true;
    const retryAt = new Date(Math.ceil((Date.now() + 120_000) / 1000) * 1000);
    mockSale(prefix, (id) =>
      limited
        ? HttpResponse.json(
            { error: "Too Many Requests", message: "Rate limiting enforced" },
            { status: 429, headers: { "Retry-After": retryAt.toUTCString() } },
          )
        : HttpResponse.json({ data: lightspeedSale(id) }),
    );
    await webhookAction(args(webhookRequest(prefix, "sale.update", deliveryBody({ id: saleId }, prefix))));

    const now = new Date();
    expect(await drainQueue(() => now)).toEqual(["lightspeed:refetch → retry"]);
    const drained = Date.now();
    const job = await db.job.findFirstOrThrow({ where: { shopDomain: prefix, type: "lightspeed:refetch" } });
    expect(job).toMatchObject({ status: "pending", attempts: 1 });
    expect(job.lastError).toContain("429");
    // Retry-After is read against the wall clock when the answer comes, some time into the drain:
    // the job is due at the date Lightspeed gave, less at most the time the drain took.
    expect(job.runAt.getTime()).toBeLessThanOrEqual(retryAt.getTime());
    expect(job.runAt.getTime()).toBeGreaterThanOrEqual(retryAt.getTime() - (drained - now.getTime()));

    limited = false;
    expect(await drainQueue(() => new Date(job.runAt.getTime() + 1))).toEqual([
      "lightspeed:refetch → done",
      "recs:train → done",
    ]);
    expect(await db.order.count({ where: { shopId: shop.id } })).toBe(1);
    expect(await db.job.count({ where: { status: "dead" } })).toBe(0);
  });

  it("a 401 from Lightspeed dead-letters the job with the reason", async () => {
    const { prefix } = await connectedRetailer();
    mockSale(prefix, () => HttpResponse.json({ error: "Unauthorized", message: "Invalid token" }, { status: 401 }));
    await webhookAction(args(webhookRequest(prefix, "sale.update", deliveryBody({ id: saleId }, prefix))));
    expect(await drainQueue()).toEqual(["lightspeed:refetch → dead"]);
    const job = await db.job.findFirstOrThrow({ where: { shopDomain: prefix } });
    expect(job.lastError).toContain("Lightspeed 401");
    expect(job.lastError).toContain("reconnect");
  });

  it("an inventory hint re-reads the product's stock at every outlet", async () => {
    const { prefix, shop } = await connectedRetailer();
    server.use(
      http.get(`${api(prefix)}/inventory/:productId`, async ({ request, params }) => {
        await record(request);
        return HttpResponse.json([
          {
            id: "inv-1",
            outlet_id: OUTLET_MAIN,
            product_id: params.productId,
            current_inventory_level: 21,
            version: 7,
          },
          {
            id: "inv-2",
            outlet_id: OUTLET_PIER,
            product_id: params.productId,
            current_inventory_level: 4.5,
            version: 8,
          },
        ]);
      }),
    );
    // An inventory.update payload is an inventory record (API 1.0): it names the product.
    const payload = { id: "inv-1", product_id: BEANS, outlet_id: OUTLET_MAIN, count: 21 };
    await webhookAction(args(webhookRequest(prefix, "inventory.update", deliveryBody(payload, prefix))));
    expect(await drainQueue()).toEqual(["lightspeed:refetch → done"]);
    const levels = await db.inventoryLevel.findMany({ where: { shopId: shop.id }, orderBy: { available: "desc" } });
    expect(levels.map((l) => [l.inventoryItemId, l.locationExternalId, l.available])).toEqual([
      [BEANS, OUTLET_MAIN, 21],
      [BEANS, OUTLET_PIER, 4],
    ]);
  });

  it("a product hint updates one variant and keeps the rest of its family; a product gone leaves the family", async () => {
    const { prefix, shop } = await connectedRetailer();
    await seedCatalog(shop.id);
    let gone = false;
    server.use(
      http.get(`${api(prefix)}/products/:productId`, async ({ request }) => {
        await record(request);
        if (gone) return HttpResponse.json({ error: "Not Found" }, { status: 404 });
        return HttpResponse.json({
          data: {
            id: TEE_BLUE_L,
            name: "Harbour Tee",
            variant_name: "Harbour Tee / Blue / L",
            variant_parent_id: TEE,
            has_variants: false,
            active: true,
            is_active: true,
            sku: "TEE-BLU-L",
            price_excluding_tax: 27,
            price_including_tax: 31.05,
            variant_options: [
              { id: "o1", name: "Colour", value: "Blue" },
              { id: "o2", name: "Size", value: "L" },
            ],
            categories: [{ id: "t1", name: "Summer", version: 1 }],
            type: { id: "pt1", name: "Apparel", version: 1 },
            brand: { id: "b1", name: "Harbour", version: 1 },
            version: 9_001,
          },
        });
      }),
    );
    const hint = (n: number) =>
      webhookAction(args(webhookRequest(prefix, "product.update", deliveryBody({ id: TEE_BLUE_L, n }, prefix))));
    await hint(1);
    expect(await drainQueue()).toEqual(["lightspeed:refetch → done"]);
    const tee = await db.product.findUniqueOrThrow({
      where: { shopId_externalId: { shopId: shop.id, externalId: TEE } },
      include: { variants: { orderBy: { externalId: "asc" } } },
    });
    expect(tee).toMatchObject({ title: "Harbour Tee", productType: "Apparel", vendor: "Harbour" });
    expect(tee.variants.map((v) => [v.externalId, v.title, v.priceMinor])).toEqual([
      [TEE, "Red / M", 2500],
      [TEE_BLUE_L, "Blue / L", 2700],
    ]);

    gone = true;
    await hint(2);
    expect(await drainQueue()).toEqual(["lightspeed:refetch → done"]);
    expect(
      await db.variant.findMany({ where: { shopId: shop.id, productId: tee.id }, select: { externalId: true } }),
    ).toEqual([{ externalId: TEE }]);
  });
});

// ---------- subscriptions, reconciliation and backfill ----------

function collectionHandler(
  resource: (after: string) => { data: unknown[]; version: { min: number | null; max: number | null } },
) {
  return async ({ request }: { request: Request }) => {
    const { url } = await record(request);
    return HttpResponse.json(resource(url.searchParams.get("after") ?? "0"));
  };
}

const empty = { data: [], version: { min: null, max: null } };

describe("Lightspeed webhook subscriptions", () => {
  it("creates the webhooks the copilot uses, one URL per type and retailer, and keeps what exists", async () => {
    const { prefix } = await connectedRetailer();
    server.use(
      http.get(`${api(prefix)}/webhooks`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({
          data: [
            {
              id: "wh-1",
              retailer_id: "r",
              type: "sale.update",
              url: lightspeedWebhookUrl(APP_URL, prefix, "sale.update"),
              active: true,
            },
          ],
        });
      }),
      http.post(`${api(prefix)}/webhooks`, async ({ request }) => {
        const { body } = await record(request);
        if (body!.type === "customer.update") {
          return HttpResponse.json({ error: "A webhook with this type and URL already exists." }, { status: 409 });
        }
        return HttpResponse.json({ data: { id: "wh-new", ...body } }, { status: 201 });
      }),
    );
    await db.job.create({ data: { shopDomain: prefix, type: "lightspeed:subscribe-webhooks", payload: "{}" } });

    expect(await drainQueue()).toEqual(["lightspeed:subscribe-webhooks → done"]);
    const posted = recorded.filter((r) => r.method === "POST").map((r) => [r.contentType, r.body]);
    expect(posted).toEqual(
      ["product.update", "customer.update", "inventory.update"].map((type) => [
        "application/json",
        { url: lightspeedWebhookUrl(APP_URL, prefix, type as "sale.update"), type, active: true },
      ]),
    );
    expect(new URL(lightspeedWebhookUrl(APP_URL, prefix, "sale.update")).pathname).toBe("/webhooks/lightspeed");
  });
});

describe("Lightspeed reconciliation and backfill", () => {
  it("reconciliation stores a sale no webhook announced and carries on from the last version seen", async () => {
    const { prefix, shop } = await connectedRetailer();
    const now = new Date();
    const silent = "0a6f6e36-8b4f-11e8-f4be-cccccccc0001";
    const cart = "0a6f6e36-8b4f-11e8-f4be-cccccccc0002";
    server.use(
      http.get(
        `${api(prefix)}/sales`,
        collectionHandler((after) =>
          after === "800"
            ? {
                data: [lightspeedSale(silent), lightspeedSale(cart, { state: "pending" })],
                version: { min: 801, max: 805 },
              }
            : empty,
        ),
      ),
      http.get(
        `${api(prefix)}/products`,
        collectionHandler(() => empty),
      ),
      http.get(
        `${api(prefix)}/customers`,
        collectionHandler(() => empty),
      ),
      http.get(
        `${api(prefix)}/registers`,
        collectionHandler(() => empty),
      ),
      http.post(`${api(prefix)}/inventory`, async ({ request }) => {
        await record(request);
        return HttpResponse.json([]);
      }),
    );
    await db.job.create({
      data: {
        shopDomain: prefix,
        type: "lightspeed:reconcile",
        payload: JSON.stringify({ cursors: { products: 500, inventory: 600, customers: 700, sales: 800 } }),
        runAt: now,
      },
    });

    expect(await drainQueue(() => now)).toEqual(["lightspeed:reconcile → done", "recs:train → done"]);
    expect(calls("/api/2026-07/sales").map((c) => c.url.searchParams.get("after"))).toEqual(["800", "805"]);
    expect(calls("/api/2026-07/products")[0]!.url.searchParams.get("deleted")).toBe("true");
    expect(calls("/api/2026-07/inventory")[0]!.body).toMatchObject({ after: 600, sort_direction: "asc" });
    const orders = await db.order.findMany({ where: { shopId: shop.id } });
    expect(orders.map((o) => o.externalId)).toEqual([silent]);
    const next = await db.job.findFirstOrThrow({
      where: { shopDomain: prefix, type: "lightspeed:reconcile", status: "pending" },
    });
    expect(JSON.parse(next.payload)).toEqual({
      cursors: { products: 500, inventory: 600, customers: 700, sales: 805 },
      registers: 0,
    });
    expect(next.runAt.getTime()).toBe(now.getTime() + 15 * MINUTE);
  });

  it("a reconciliation pass updates a renamed register and marks a deleted one", async () => {
    const { prefix, shop } = await connectedRetailer();
    const now = new Date();
    await db.posRegister.createMany({
      data: [
        {
          shopId: shop.id,
          externalId: REGISTER_MAIN,
          locationExternalId: OUTLET_MAIN,
          name: "Main Register",
          isOpen: true,
        },
        {
          shopId: shop.id,
          externalId: REGISTER_OLD,
          locationExternalId: OUTLET_PIER,
          name: "Third register",
          isOpen: true,
        },
      ],
    });
    const deletedAt = "2026-11-25T03:00:00+00:00";
    server.use(
      http.get(
        `${api(prefix)}/registers`,
        collectionHandler((after) =>
          after === "300"
            ? {
                data: [
                  lightspeedRegister(REGISTER_MAIN, OUTLET_MAIN, {
                    name: "Front Counter",
                    is_open: false,
                    version: 310,
                  }),
                  lightspeedRegister(REGISTER_OLD, OUTLET_PIER, {
                    name: "Third register",
                    deleted_at: deletedAt,
                    version: 311,
                  }),
                ],
                version: { min: 310, max: 311 },
              }
            : empty,
        ),
      ),
      ...["/sales", "/products", "/customers"].map((path) =>
        http.get(
          `${api(prefix)}${path}`,
          collectionHandler(() => empty),
        ),
      ),
      http.post(`${api(prefix)}/inventory`, async ({ request }) => {
        await record(request);
        return HttpResponse.json([]);
      }),
    );
    await db.job.create({
      data: {
        shopDomain: prefix,
        type: "lightspeed:reconcile",
        payload: JSON.stringify({ cursors: { products: 0, inventory: 0, customers: 0, sales: 0 }, registers: 300 }),
        runAt: now,
      },
    });

    expect(await drainQueue(() => now)).toEqual(["lightspeed:reconcile → done"]);
    expect(calls("/api/2026-07/registers").map((c) => c.url.searchParams.get("after"))).toEqual(["300", "311"]);
    expect(calls("/api/2026-07/registers")[0]!.url.searchParams.get("deleted")).toBe("true");
    const registers = await db.posRegister.findMany({ where: { shopId: shop.id }, orderBy: { externalId: "asc" } });
    expect(registers.map((r) => [r.externalId, r.locationExternalId, r.name, r.isOpen, r.deletedAt])).toEqual([
      [REGISTER_OLD, OUTLET_PIER, "Third register", false, new Date(deletedAt)],
      [REGISTER_MAIN, OUTLET_MAIN, "Front Counter", false, null],
    ]);
    const next = await db.job.findFirstOrThrow({
      where: { shopDomain: prefix, type: "lightspeed:reconcile", status: "pending" },
    });
    expect(JSON.parse(next.payload)).toMatchObject({ registers: 311 });
  });

  it("a retailer who never granted registers:read is still reconciled", async () => {
    const { prefix } = await connectedRetailer();
    const now = new Date();
    server.use(
      http.get(`${api(prefix)}/registers`, async ({ request }) => {
        await record(request);
        return HttpResponse.json({ error: "forbidden", message: "missing scope registers:read" }, { status: 403 });
      }),
      ...["/sales", "/products", "/customers"].map((path) =>
        http.get(
          `${api(prefix)}${path}`,
          collectionHandler(() => empty),
        ),
      ),
      http.post(`${api(prefix)}/inventory`, async ({ request }) => {
        await record(request);
        return HttpResponse.json([]);
      }),
    );
    await db.job.create({
      data: {
        shopDomain: prefix,
        type: "lightspeed:reconcile",
        payload: JSON.stringify({ cursors: { products: 0, inventory: 0, customers: 0, sales: 0 } }),
        runAt: now,
      },
    });

    expect(await drainQueue(() => now)).toEqual(["lightspeed:reconcile → done"]);
    expect(calls("/api/2026-07/sales")).toHaveLength(1);
    const next = await db.job.findFirstOrThrow({
      where: { shopDomain: prefix, type: "lightspeed:reconcile", status: "pending" },
    });
    expect(JSON.parse(next.payload)).toMatchObject({ registers: 0 });
  });

  it("the backfill imports the catalog, stock and customers, pages a year of sales by version, then hands over to reconciliation", async () => {
    const { prefix, shop } = await connectedRetailer();
    const now = new Date();
    const startAt = now.getTime() - 365 * DAY;
    const run = await db.backfillRun.create({
      data: { shopId: shop.id, status: "pending", sinceDate: new Date(startAt), startedAt: now },
    });
    await db.job.create({
      data: {
        shopDomain: prefix,
        type: "lightspeed:backfill",
        payload: JSON.stringify({ runId: run.id, phase: "products", after: 0, since: startAt, cursors: NO_CURSORS }),
        runAt: now,
      },
    });
    const product = (id: string, overrides: Record<string, unknown>) => ({
      id,
      name: "Harbour Tee",
      active: true,
      is_active: true,
      has_variants: false,
      variant_options: [],
      categories: [],
      price_excluding_tax: 25,
      price_including_tax: 28.75,
      ...overrides,
    });
    const old = "0a6f6e36-8b4f-11e8-f4be-dddddddd0001";
    const inWindow = "0a6f6e36-8b4f-11e8-f4be-dddddddd0002";
    const parked = "0a6f6e36-8b4f-11e8-f4be-dddddddd0003";
    const latest = "0a6f6e36-8b4f-11e8-f4be-dddddddd0004";
    const longAgo = new Date(startAt - 30 * DAY).toISOString();
    server.use(
      http.get(
        `${api(prefix)}/products`,
        collectionHandler((after) =>
          after === "0"
            ? {
                data: [
                  product(TEE, {
                    sku: "TEE-RED-M",
                    has_variants: true,
                    variant_options: [{ name: "Colour", value: "Red" }],
                    version: 110,
                  }),
                  product(TEE_BLUE_L, {
                    sku: "TEE-BLU-L",
                    variant_parent_id: TEE,
                    variant_options: [{ name: "Colour", value: "Blue" }],
                    version: 111,
                  }),
                  product(BEANS, {
                    name: "Espresso Beans",
                    sku: "BEANS-KG",
                    price_excluding_tax: "20.00",
                    version: 120,
                  }),
                ],
                version: { min: 110, max: 120 },
              }
            : empty,
        ),
      ),
      http.post(`${api(prefix)}/inventory`, async ({ request }) => {
        const { body } = await record(request);
        if (body!.after !== 0) return HttpResponse.json([]);
        return HttpResponse.json([
          { id: "i1", outlet_id: OUTLET_MAIN, product_id: TEE, current_inventory_level: 12, version: 130 },
          { id: "i2", outlet_id: OUTLET_PIER, product_id: BEANS, current_inventory_level: 3.2, version: 131 },
        ]);
      }),
      http.get(
        `${api(prefix)}/customers`,
        collectionHandler((after) =>
          after === "0"
            ? {
                data: [
                  {
                    id: CUSTOMER,
                    first_name: "Grace",
                    last_name: "Hopper",
                    email: "grace@example.com",
                    mobile: "+64 21 555",
                    version: 140,
                  },
                  { id: "cust-deleted", first_name: "Gone", deleted_at: "2025-06-01T00:00:00+00:00", version: 141 },
                ],
                version: { min: 140, max: 141 },
              }
            : empty,
        ),
      ),
      http.get(
        `${api(prefix)}/sales`,
        collectionHandler((after) => {
          if (after === "0") {
            return {
              data: [
                lightspeedSale(old, { date: longAgo, created_at: longAgo }),
                lightspeedSale(inWindow),
                lightspeedSale(parked, { state: "parked" }),
              ],
              version: { min: 150, max: 152 },
            };
          }
          if (after === "152") return { data: [lightspeedSale(latest)], version: { min: 160, max: 160 } };
          return empty;
        }),
      ),
      // The backfill skips registers; the reconciliation it hands over to reads them.
      http.get(
        `${api(prefix)}/registers`,
        collectionHandler(() => empty),
      ),
    );

    const outcomes = await drainQueue(() => now);

    // 2 pages of products, 2 of stock, 2 of customers, 3 of sales: five pages a run.
    expect(outcomes).toEqual([
      "lightspeed:backfill → done",
      "lightspeed:backfill → done",
      "lightspeed:reconcile → done",
    ]);
    expect(calls("/api/2026-07/sales").map((c) => c.url.searchParams.get("after"))).toEqual(["0", "152", "160", "160"]);
    expect(calls("/api/2026-07/sales")[0]!.auth).toMatch(/^Bearer acc-/);

    const tee = await db.product.findUniqueOrThrow({
      where: { shopId_externalId: { shopId: shop.id, externalId: TEE } },
      include: { variants: { orderBy: { externalId: "asc" } } },
    });
    expect(tee.variants.map((v) => [v.externalId, v.title, v.sku, v.priceMinor])).toEqual([
      [TEE, "Red", "TEE-RED-M", 2500],
      [TEE_BLUE_L, "Blue", "TEE-BLU-L", 2500],
    ]);
    expect(await db.product.count({ where: { shopId: shop.id } })).toBe(2);
    const levels = await db.inventoryLevel.findMany({ where: { shopId: shop.id }, orderBy: { available: "desc" } });
    expect(levels.map((l) => [l.inventoryItemId, l.locationExternalId, l.available])).toEqual([
      [TEE, OUTLET_MAIN, 12],
      [BEANS, OUTLET_PIER, 3],
    ]);
    expect(await db.customer.findMany({ where: { shopId: shop.id }, select: { email: true, phone: true } })).toEqual([
      { email: "grace@example.com", phone: "+64 21 555" },
    ]);
    const orders = await db.order.findMany({ where: { shopId: shop.id }, orderBy: { externalId: "asc" } });
    expect(orders.map((o) => o.externalId)).toEqual([inWindow, latest]);
    expect(await db.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: "completed",
      ordersImported: 2,
      linesImported: 4,
    });
    // History earns no loyalty points and is not attributed as live sales.
    expect(await db.job.count({ where: { shopDomain: prefix, type: "recs:train" } })).toBe(0);
    const next = await db.job.findFirstOrThrow({
      where: { shopDomain: prefix, type: "lightspeed:reconcile", status: "pending" },
    });
    expect(JSON.parse(next.payload)).toEqual({
      cursors: { products: 120, inventory: 131, customers: 141, sales: 160 },
      registers: 0,
    });
  });
});

// ---------- normalization ----------

describe("Lightspeed normalization", () => {
  it("only a closed sale is a sale; the deprecated status maps through the documented table", () => {
    const context = { currency: "NZD" };
    expect(saleFromLightspeed(lightspeedSale("s1", { state: "pending", attributes: ["layby"] }), context)).toBeNull();
    expect(saleFromLightspeed(lightspeedSale("s2", { return: { is_return: true } }), context)).toBeNull();
    const onAccount = saleFromLightspeed(lightspeedSale("s3", { state: "closed", attributes: ["onaccount"] }), context);
    // Promotions name the discount: a loyalty reward is found by the code in its title.
    expect(onAccount!.discountTitles).toEqual(["Summer 10%"]);
    expect(
      ["SAVED", "OPEN", "LAYBY", "ONACCOUNT", "CLOSED", "LAYBY_CLOSED", "ONACCOUNT_CLOSED", "VOIDED"].map((status) =>
        saleState({ status }),
      ),
    ).toEqual(["parked", "pending", "pending", "pending", "closed", "closed", "closed", "voided"]);
  });

  it("a family keeps its stored members, and is gone when its last member is deleted", () => {
    const stored = {
      title: "Tee",
      productType: "",
      vendor: "",
      tags: [],
      status: "active" as const,
      variants: [{ externalId: "p1", title: "Red", sku: "R", priceMinor: 100, inventoryItemId: "p1" }],
    };
    const merged = mergeFamily(
      "p1",
      [{ id: "p2", name: "Tee", variant_parent_id: "p1", price_excluding_tax: 2 }],
      stored,
      "USD",
    );
    expect(merged!.variants.map((v) => [v.externalId, v.priceMinor])).toEqual([
      ["p1", 100],
      ["p2", 200],
    ]);
    expect(mergeFamily("p1", [{ id: "p1", deleted_at: "2026-01-01T00:00:00Z" }], stored, "USD")).toBeNull();
  });
});
