/**
 * /api/pos/status through the real authenticate.public.pos: session tokens are signed with the
 * test app's secret exactly as Shopify POS signs them, and the database is a real migrated one.
 */
import { API_KEY, API_SECRET_KEY, APP_URL, getJwt } from "@shopify/shopify-api/test-helpers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { action, loader } from "../../app/routes/api.pos.status";
import { issuePairingCode, panelAccessToken, redeemPairingCode } from "../../app/services/pairing.server";
import { PosErrorResponseSchema, PosStatusResponseSchema } from "../../shared/pos-contract.schema";
import { createBackfillRun, createOrder, createProduct, createShop } from "../factories";

const POS_ORIGIN = "https://extensions.shopifycdn.com";

function statusRequest(
  init: { token?: string; method?: string; headers?: Record<string, string>; query?: string } = {},
) {
  const headers: Record<string, string> = { Origin: POS_ORIGIN, ...init.headers };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  return new Request(`${APP_URL}/api/pos/status${init.query ?? ""}`, { method: init.method ?? "GET", headers });
}

/** Remix answers with whatever the route returns or throws; so do we. */
async function respond(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const get = (request: Request) => respond(() => loader({ request, params: {}, context: {} }));
const send = (request: Request) => respond(() => action({ request, params: {}, context: {} }));

async function tokenFor(store: string, overrides: Record<string, unknown> = {}) {
  return (await getJwt(store, API_KEY, API_SECRET_KEY, overrides)).token;
}

describe("GET /api/pos/status", () => {
  it("tells a register of a known shop its catalog, last order and import progress", async () => {
    // GIVEN a shop with two sellable products, one deleted and one draft product,
    // two orders and two history imports (the later one still running)
    const db = getDb();
    const shop = await createShop(db, {
      domain: "corner-grocer.myshopify.com",
      name: "Corner Grocer",
      currency: "CAD",
    });
    await createProduct(db, shop.id, { title: "Whole milk" });
    await createProduct(db, shop.id, { title: "Rolls/buns" });
    await createProduct(db, shop.id, { title: "Discontinued", deletedAt: new Date() });
    await createProduct(db, shop.id, { title: "Not yet on sale", status: "draft" });
    await createOrder(db, shop.id, { processedAt: new Date("2026-11-01T09:00:00Z") });
    await createOrder(db, shop.id, { processedAt: new Date("2026-11-20T17:30:00Z") });
    await createBackfillRun(db, shop.id, {
      status: "completed",
      ordersImported: 10,
      startedAt: new Date("2026-11-02T00:00:00Z"),
      finishedAt: new Date("2026-11-02T00:05:00Z"),
    });
    await createBackfillRun(db, shop.id, {
      status: "running",
      ordersImported: 412,
      startedAt: new Date("2026-11-21T08:00:00Z"),
    });
    // ... and another shop whose data must not leak into the answer
    const other = await createShop(db, { domain: "someone-else.myshopify.com" });
    await createProduct(db, other.id);
    await createOrder(db, other.id, { processedAt: new Date("2026-11-25T12:00:00Z") });

    // WHEN its register asks with a valid session token
    const response = await get(statusRequest({ token: await tokenFor("corner-grocer") }));

    // THEN it gets the shop's own status, readable from the POS webview's origin
    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = PosStatusResponseSchema.parse(await response.json());
    expect(body).toEqual({
      shop: {
        domain: "corner-grocer.myshopify.com",
        name: "Corner Grocer",
        currency: "CAD",
        known: true,
        installed: true,
      },
      catalog: { products: 2, variants: 2 },
      lastOrderAt: "2026-11-20T17:30:00.000Z",
      backfill: { status: "running", ordersImported: 412, startedAt: "2026-11-21T08:00:00.000Z", finishedAt: null },
      paused: false,
      checkedAt: expect.any(String),
    });
  });

  it("says paused where the store switched the copilot off, by location and then everywhere", async () => {
    const db = getDb();
    const shop = await createShop(db, { domain: "paused-grocer.myshopify.com" });
    await db.locationSettings.create({ data: { shopId: shop.id, locationExternalId: "71", copilotEnabled: false } });
    const token = await tokenFor("paused-grocer");
    const at = async (query: string) => {
      const response = await get(statusRequest({ token, query }));
      return {
        status: response.status,
        body: (await response.json()) as { paused?: boolean; error?: { code: string } },
      };
    };
    expect((await at("?locationId=71")).body.paused).toBe(true);
    expect((await at("?locationId=gid%3A%2F%2Fshopify%2FLocation%2F71")).body.paused).toBe(true);
    expect((await at("?locationId=72")).body.paused).toBe(false);
    expect((await at("")).body.paused).toBe(false);
    expect(await at("?locationId=north%20side")).toEqual({
      status: 400,
      body: { error: { code: "invalid_query", message: "locationId: must be a location id" } },
    });

    await db.locationSettings.create({ data: { shopId: shop.id, locationExternalId: "", copilotEnabled: false } });
    expect((await at("?locationId=72")).body.paused).toBe(true);
    expect((await at("")).body.paused).toBe(true);
  });

  it("answers a paired register panel for its own store and location, and only those", async () => {
    const db = getDb();
    const shop = await createShop(db, { platform: "square", domain: "MLSTATUSPANEL01", name: "Pier Market" });
    await db.location.create({ data: { shopId: shop.id, externalId: "LPIERMAIN00001", name: "Pier" } });
    await db.locationSettings.create({
      data: { shopId: shop.id, locationExternalId: "LPIERMAIN00001", copilotEnabled: false },
    });
    const now = new Date();
    const { code } = await issuePairingCode(
      db,
      { id: shop.id, locations: [{ externalId: "LPIERMAIN00001" }] },
      "LPIERMAIN00001",
      "test",
      now,
    );
    const device = await redeemPairingCode(db, code, "Front till", now);
    const { token } = await panelAccessToken(
      db,
      { deviceId: device.deviceId, secret: device.deviceSecret },
      process.env.SHOPIFY_API_SECRET!,
      now,
    );

    // No locationId: the panel's own; paused there by the store.
    const own = await get(statusRequest({ token }));
    expect(own.status).toBe(200);
    expect(PosStatusResponseSchema.parse(await own.json())).toMatchObject({
      shop: { domain: "MLSTATUSPANEL01", name: "Pier Market", known: true, installed: true },
      paused: true,
    });
    const elsewhere = await get(statusRequest({ token, query: "?locationId=LOTHERSTORE0001" }));
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.json()).toEqual({
      error: { code: "location_mismatch", message: "locationId: this panel is paired with another location" },
    });
    const forged = await get(statusRequest({ token: `${token.split(".")[0]}.${"A".repeat(43)}` }));
    expect(forged.status).toBe(401);
  });

  it("answers a shop the app has not recorded yet without creating it", async () => {
    const db = getDb();
    const response = await get(statusRequest({ token: await tokenFor("brand-new") }));

    expect(response.status).toBe(200);
    const body = PosStatusResponseSchema.parse(await response.json());
    expect(body.shop).toEqual({
      domain: "brand-new.myshopify.com",
      name: null,
      currency: "USD",
      known: false,
      installed: false,
    });
    expect(body.catalog).toEqual({ products: 0, variants: 0 });
    expect(body.backfill).toBeNull();
    // A status check is a read: it must never create tenants.
    expect(await db.shop.count({ where: { domain: "brand-new.myshopify.com" } })).toBe(0);
  });

  it("reports an uninstalled shop as not installed", async () => {
    const db = getDb();
    await createShop(db, { domain: "gone-away.myshopify.com", uninstalledAt: new Date() });

    const response = await get(statusRequest({ token: await tokenFor("gone-away") }));

    expect(response.status).toBe(200);
    const body = PosStatusResponseSchema.parse(await response.json());
    expect(body.shop.known).toBe(true);
    expect(body.shop.installed).toBe(false);
  });

  it("refuses a request without a session token", async () => {
    const response = await get(statusRequest());
    expect(response.status).toBe(401);
  });

  it("refuses a token signed with another secret", async () => {
    const { token } = await getJwt("corner-grocer", API_KEY, "not-the-app-secret-at-all");
    const response = await get(statusRequest({ token }));
    expect(response.status).toBe(401);
  });

  it("refuses an expired token", async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const token = await tokenFor("corner-grocer", {
      exp: nowSeconds - 120,
      nbf: nowSeconds - 600,
      iat: nowSeconds - 600,
    });
    const response = await get(statusRequest({ token }));
    expect(response.status).toBe(401);
  });

  it("refuses a valid token whose destination is not a shop", async () => {
    const token = await tokenFor("corner-grocer", { dest: "https://evil.example.com" });
    const response = await get(statusRequest({ token }));

    expect(response.status).toBe(401);
    const body = PosErrorResponseSchema.parse(await response.json());
    expect(body.error.code).toBe("invalid_token_destination");
  });
});

describe("OPTIONS /api/pos/status", () => {
  it("answers the POS webview's CORS preflight without a token", async () => {
    const response = await send(
      statusRequest({
        method: "OPTIONS",
        headers: { "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
      }),
    );

    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(response.headers.get("Access-Control-Allow-Headers")).toContain("Authorization");
    expect(response.headers.get("Access-Control-Max-Age")).toBe("7200");
  });

  it("refuses other methods, with CORS headers so the extension can read why", async () => {
    const response = await send(statusRequest({ method: "POST", token: await tokenFor("corner-grocer") }));

    expect(response.status).toBe(405);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(PosErrorResponseSchema.parse(await response.json()).error.code).toBe("method_not_allowed");
  });
});
