/**
 * The Square and Clover merchants' console: signed in only by a signed session cookie (left by
 * connecting the store), it issues pairing codes and unpairs panels for that store alone.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";
import { clearConsoleSessionCookie, consoleSessionCookie, CONSOLE_SESSION_MS } from "../../app/console-auth.server";
import { getDb } from "../../app/db.server";
import { action as consoleAction, loader as consoleLoader } from "../../app/routes/console._index";
import { action as signInAction } from "../../app/routes/console.sign-in";
import { action as pairAction } from "../../app/routes/api.panel.pair";
import { createShop } from "../factories";

const db = getDb();
const APP = "https://my-test-app.myshopify.io";
const args = (request: Request) => ({ request, params: {}, context: {} });
let square: { id: string };
let otherSquare: { id: string };
let shopify: { id: string };

/** The cookie a browser sends back: name=value, without the attributes. */
const sent = (setCookie: string) => setCookie.split(";")[0]!;

function consoleRequest(cookie: string | null, form?: Record<string, string>) {
  return new Request(`${APP}/console`, {
    method: form ? "POST" : "GET",
    headers: cookie ? { Cookie: cookie } : {},
    body: form ? new URLSearchParams(form) : undefined,
  });
}

async function outcome(run: () => Promise<unknown>) {
  try {
    const result = await run();
    if (result instanceof Response)
      return { status: result.status, body: await result.json(), headers: result.headers };
    return { status: 200, body: result as Record<string, unknown>, headers: new Headers() };
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    return { status: thrown.status, body: null, headers: thrown.headers };
  }
}

beforeAll(async () => {
  square = await createShop(db, { platform: "square", domain: "MLCONSOLESQUARE1", name: "Harbour Grocers" });
  await db.location.create({ data: { shopId: square.id, externalId: "LHARBOURMAIN01", name: "Main" } });
  otherSquare = await createShop(db, { platform: "square", domain: "MLCONSOLESQUARE2" });
  await db.location.create({ data: { shopId: otherSquare.id, externalId: "LELSEWHERE0001", name: "Elsewhere" } });
  shopify = await createShop(db, { domain: "console-shopify.myshopify.com" });
});

describe("merchant console", () => {
  it("sends a visitor without a valid session to sign in, whatever the cookie claims", async () => {
    const now = new Date();
    const valid = sent(consoleSessionCookie(square.id, now));
    const [payload, signature] = valid.slice("rc_console=".length).split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ shop: otherSquare.id, exp: Date.now() + 60_000 })).toString(
      "base64url",
    );
    for (const cookie of [
      null,
      "rc_console=garbage",
      `rc_console=${forgedPayload}.${signature}`, // another shop under this shop's signature
      `rc_console=${payload}.${signature!.slice(0, -2)}xx`,
      sent(consoleSessionCookie(shopify.id, now)), // Shopify stores use the Shopify admin
    ]) {
      const answer = await outcome(() => consoleLoader(args(consoleRequest(cookie))));
      expect(answer.status).toBe(302);
      expect(answer.headers.get("Location")).toBe("/console/sign-in");
      expect(answer.headers.get("Set-Cookie")).toBe(clearConsoleSessionCookie());
    }

    vi.useFakeTimers({ now: now.getTime() + CONSOLE_SESSION_MS + 1, toFake: ["Date"] });
    try {
      expect((await outcome(() => consoleLoader(args(consoleRequest(valid))))).status).toBe(302);
    } finally {
      vi.useRealTimers();
    }
  });

  it("issues a one-time code for the signed-in store's location that a panel can redeem, and unpairs it", async () => {
    const cookie = sent(consoleSessionCookie(square.id, new Date()));
    const view = await outcome(() => consoleLoader(args(consoleRequest(cookie))));
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ shop: { name: "Harbour Grocers", platform: "Square" }, devices: [] });

    // Another store's location is refused by name, and nothing is issued.
    const elsewhere = await outcome(() =>
      consoleAction(args(consoleRequest(cookie, { intent: "issue", locationExternalId: "LELSEWHERE0001" }))),
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body).toEqual({ fieldErrors: { locationExternalId: "not a location of this shop" } });
    expect(await db.pairingCode.count({ where: { shopId: square.id } })).toBe(0);

    const issued = await outcome(() =>
      consoleAction(args(consoleRequest(cookie, { intent: "issue", locationExternalId: "LHARBOURMAIN01" }))),
    );
    expect(issued.status).toBe(200);
    const code = issued.body!.code as string;
    const paired = await pairAction(
      args(
        new Request(`${APP}/api/panel/pair`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ code, deviceName: "Front till" }),
        }),
      ),
    );
    expect(paired.status).toBe(200);
    expect(await paired.json()).toMatchObject({ shopId: square.id, location: "LHARBOURMAIN01" });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { shopId: square.id, type: "pairing.issued" } });
    expect(audit.actor).toBe("merchant:square:MLCONSOLESQUARE1");

    const device = await db.registerDevice.findFirstOrThrow({ where: { shopId: square.id } });
    const listed = await outcome(() => consoleLoader(args(consoleRequest(cookie))));
    expect((listed.body!.devices as Array<{ name: string }>).map((d) => d.name)).toEqual(["Front till"]);
    const revoked = await outcome(() =>
      consoleAction(args(consoleRequest(cookie, { intent: "revoke", deviceId: device.id }))),
    );
    expect(revoked.body).toEqual({ revoked: device.id });
    expect((await db.registerDevice.findUniqueOrThrow({ where: { id: device.id } })).revokedAt).not.toBeNull();

    // A store cannot unpair another store's panel: same answer as an unknown device.
    const theirs = await db.registerDevice.create({
      data: {
        shopId: otherSquare.id,
        locationExternalId: "LELSEWHERE0001",
        name: "Theirs",
        secretHash: "0".repeat(64),
        createdAt: new Date(),
      },
    });
    const refused = await outcome(() =>
      consoleAction(args(consoleRequest(cookie, { intent: "revoke", deviceId: theirs.id }))),
    );
    expect(refused.status).toBe(404);
    expect((await db.registerDevice.findUniqueOrThrow({ where: { id: theirs.id } })).revokedAt).toBeNull();
  });

  it("opens the demo seller's console without OAuth only in demo mode", async () => {
    const answer = await outcome(() => signInAction(args(new Request(`${APP}/console/sign-in`, { method: "POST" }))));
    expect(answer.status).toBe(404);
    expect(answer.headers.get("Set-Cookie")).toBeNull();
  });
});
