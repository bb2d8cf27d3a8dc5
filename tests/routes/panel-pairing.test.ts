/**
 * Register panels pair with a one-time code from the admin, then live on short-lived signed
 * tokens renewed with a device secret; unpairing ends them. Through the real routes.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { action as pairAction } from "../../app/routes/api.panel.pair";
import { loader as sessionLoader } from "../../app/routes/api.panel.session";
import { action as tokenAction } from "../../app/routes/api.panel.token";
import { action as adminAction, loader as adminLoader } from "../../app/routes/app.registers";
import { panelAccessToken, verifyPanelToken, PANEL_TOKEN_TTL_MS } from "../../app/services/pairing.server";
import { createShop } from "../factories";
import { signedInAdminRequest } from "../support/admin";

/** The answers' fields the tests read (error answers carry `error`). */
interface PanelAnswer {
  [field: string]: unknown;
  error: { code: string; message: string };
  token: string;
  deviceId: string;
  deviceSecret: string;
}

const db = getDb();
const SHOP = "panel-pairing.myshopify.com";
const OTHER = "panel-pairing-other.myshopify.com";
const STORE = "4401";
const KEY = process.env.SHOPIFY_API_SECRET!;
let shopId: string;
const args = (request: Request) => ({ request, params: {}, context: {} });

async function admin(fields: Record<string, string>, shop = SHOP) {
  const request = await signedInAdminRequest(shop, "/app/registers", {
    method: "POST",
    body: new URLSearchParams(fields),
  });
  const result = await adminAction(args(request));
  return result instanceof Response
    ? { status: result.status, body: (await result.json()) as Record<string, unknown> }
    : { status: 200, body: result as Record<string, unknown> };
}

async function call(route: typeof pairAction, path: string, body: unknown, headers: Record<string, string> = {}) {
  const request = new Request(`https://my-test-app.myshopify.io${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const response = await route(args(request));
  return { status: response.status, body: (await response.json()) as PanelAnswer };
}

async function session(token: string) {
  const request = new Request("https://my-test-app.myshopify.io/api/panel/session", {
    headers: { Authorization: `Bearer ${token}` },
  });
  const response = await sessionLoader(args(request));
  return { status: response.status, body: (await response.json()) as PanelAnswer };
}

beforeAll(async () => {
  shopId = (await createShop(db, { domain: SHOP, name: "Harbour Deli", currency: "USD" })).id;
  await db.location.create({ data: { shopId, externalId: STORE, name: "Pier" } });
  const other = await createShop(db, { domain: OTHER });
  await db.location.create({ data: { shopId: other.id, externalId: "4402", name: "Elsewhere" } });
});

describe("pairing a register panel", () => {
  it("issues a one-time code, pairs once, and the panel works on renewable short-lived tokens", async () => {
    const issued = await admin({ intent: "issue", locationExternalId: STORE });
    expect(issued.body.code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    const code = issued.body.code as string;
    // Only a hash is kept.
    const stored = await db.pairingCode.findFirstOrThrow({ where: { shopId } });
    expect(JSON.stringify(stored)).not.toContain(code.replace("-", ""));

    const paired = await call(pairAction, "/api/panel/pair", {
      code: ` ${code.toLowerCase().replace("-", " ")} `,
      deviceName: "Till 2",
    });
    expect(paired.status).toBe(200);
    expect(paired.body).toMatchObject({ shopId, location: STORE });
    const { deviceId, deviceSecret } = paired.body;
    expect(JSON.stringify(await db.registerDevice.findUniqueOrThrow({ where: { id: deviceId } }))).not.toContain(
      deviceSecret,
    );

    const again = await call(pairAction, "/api/panel/pair", { code, deviceName: "Till 3" });
    expect(again).toMatchObject({ status: 400, body: { error: { code: "invalid_code" } } });
    expect(await db.registerDevice.count({ where: { shopId } })).toBe(1);

    const token = await call(tokenAction, "/api/panel/token", { deviceId, secret: deviceSecret });
    expect(token.status).toBe(200);
    const who = await session(token.body.token as string);
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({
      device: deviceId,
      shop: { name: "Harbour Deli", platform: "shopify" },
      location: { externalId: STORE, name: "Pier" },
    });

    const wrongSecret = await call(tokenAction, "/api/panel/token", { deviceId, secret: "x".repeat(43) });
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: { code: "unknown_device" } } });

    const types = (await db.auditEvent.findMany({ where: { shopId }, orderBy: { seq: "asc" } })).map((e) => e.type);
    expect(types).toEqual(["pairing.issued", "pairing.redeemed"]);
  });

  it("refuses an expired token, a changed one, another key's, and every token of an unpaired device", async () => {
    const { code } = (await admin({ intent: "issue", locationExternalId: STORE })).body as { code: string };
    const { deviceId, deviceSecret } = (await call(pairAction, "/api/panel/pair", { code, deviceName: "Till 4" })).body;
    const now = new Date();
    const { token } = await panelAccessToken(db, { deviceId, secret: deviceSecret }, KEY, now);
    await expect(verifyPanelToken(db, token, KEY, now)).resolves.toMatchObject({ device: deviceId, location: STORE });
    await expect(verifyPanelToken(db, token, KEY, new Date(now.getTime() + PANEL_TOKEN_TTL_MS + 1))).rejects.toThrow(
      /expired/,
    );
    await expect(verifyPanelToken(db, token, "another-key-entirely", now)).rejects.toThrow(/signature/);
    const [payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString()) as Record<string, unknown>;
    const forged = `${Buffer.from(JSON.stringify({ ...claims, location: "9999" })).toString("base64url")}.${signature}`;
    expect((await session(forged)).status).toBe(401);
    expect((await session("")).status).toBe(401);

    expect((await admin({ intent: "revoke", deviceId })).body).toEqual({ revoked: deviceId });
    expect(await session(token)).toMatchObject({ status: 401, body: { error: { code: "invalid_token" } } });
    expect((await call(tokenAction, "/api/panel/token", { deviceId, secret: deviceSecret })).status).toBe(401);
    // Another shop's admin cannot unpair it (or see it).
    expect((await admin({ intent: "revoke", deviceId }, OTHER)).status).toBe(404);
  });

  it("refuses an expired code, bad bodies, another shop's location, and a guessing spree", async () => {
    const { code } = (await admin({ intent: "issue", locationExternalId: STORE })).body as { code: string };
    await db.pairingCode.updateMany({ where: { shopId, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect((await call(pairAction, "/api/panel/pair", { code, deviceName: "Late" })).body.error.code).toBe(
      "invalid_code",
    );
    expect((await call(pairAction, "/api/panel/pair", { code })).body.error.message).toMatch(/^deviceName:/);
    expect((await call(pairAction, "/api/panel/pair", "{")).body.error.code).toBe("invalid_json");
    expect((await call(pairAction, "/api/panel/pair", { code, deviceName: "x".repeat(10_000) })).status).toBe(413);
    expect((await admin({ intent: "issue", locationExternalId: "4402" })).body).toEqual({
      fieldErrors: { locationExternalId: "not a location of this shop" },
    });

    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const guess = await call(
        pairAction,
        "/api/panel/pair",
        { code: `ZZZZ-ZZ${i}`, deviceName: "Guess" },
        { "X-Forwarded-For": "203.0.113.9" },
      );
      statuses.push(guess.status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(await db.registerDevice.count({ where: { name: { in: ["Late", "Guess"] } } })).toBe(0);
  });

  it("lists the shop's paired panels for the admin", async () => {
    const page = await adminLoader(args(await signedInAdminRequest(SHOP, "/app/registers")));
    expect(page.devices.map((device) => device.name)).toEqual(["Till 2"]);
    expect(page.locations.map((location) => location.externalId)).toEqual([STORE]);
  });
});
