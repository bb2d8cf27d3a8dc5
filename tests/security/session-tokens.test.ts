/**
 * Forged, stale and misdirected register credentials against the running app: POS session tokens
 * (expired, not yet valid, for another app, `alg: none`, signed with another secret, another
 * shop's) and panel tokens. Each is refused with 401, writes nothing, and is counted in the
 * security log (ADR 0019) under the shop it claimed when that shop is ours.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBlackBox, tableCounts, type BlackBoxApp } from "../support/black-box";
import {
  changedTables,
  demoVariants,
  LOCATION,
  register,
  securityEvents,
  sessionToken,
  SHOP,
  type Answer,
  type TokenOptions,
} from "../support/attacker";

let app: BlackBoxApp;
let variantId: string;

beforeAll(async () => {
  app = await startBlackBox();
  variantId = (await demoVariants(app.database, 1))[0]!.variantId;
});

afterAll(async () => {
  await app?.close();
});

/** A register POST that would write (a return check records itself) when the token is good. */
const returnCheck = (token: string | null) =>
  register(app, "POST", "/api/pos/returns/check", {
    token,
    body: {
      locationId: LOCATION,
      deviceId: "register-1",
      order: null,
      receipt: "none",
      reason: { code: "changed_mind" },
      items: [{ variantId, quantity: 1 }],
    },
  });

async function refusalsOf(send: () => Promise<Answer>) {
  const before = await tableCounts(app.database);
  const logged = await securityEvents(app.database);
  const answer = await send();
  const changed = changedTables(before, await tableCounts(app.database));
  delete changed.SecurityEvent;
  const after = await securityEvents(app.database);
  const counted = (kind: string, claimedShop: string) =>
    after.filter((r) => r.kind === kind && r.claimedShop === claimedShop).reduce((n, r) => n + Number(r.count), 0) -
    logged.filter((r) => r.kind === kind && r.claimedShop === claimedShop).reduce((n, r) => n + Number(r.count), 0);
  const reasons = after.map((row) => row.reason);
  return { answer, changed, counted, reasons };
}

describe("POS session tokens", () => {
  it("a valid token is served (the baseline: the same request the forgeries make)", async () => {
    const before = await tableCounts(app.database);
    const answer = await returnCheck(sessionToken());
    expect(answer.json).not.toHaveProperty("error");
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ checkId: expect.any(String) });
    expect(changedTables(before, await tableCounts(app.database))).toHaveProperty("ReturnCheck");
  });

  const forged: Array<[string, TokenOptions, string]> = [
    ["expired a minute ago", { expiresIn: -60 }, "expired"],
    ["not valid for another two minutes", { notBeforeIn: 120 }, "not yet valid"],
    ["issued for another app (wrong audience)", { aud: "someone-elses-api-key" }, "issued for another app"],
    ["signed with another app's secret", { secret: "another-apps-secret" }, "signature does not verify"],
    ["unsigned (`alg: none`)", { alg: "none" }, "algorithm none is not accepted"],
    ["claiming RS256 with an HMAC signature", { alg: "RS256" }, "algorithm RS256 is not accepted"],
  ];
  for (const [name, options, reason] of forged) {
    it(`a token ${name}: 401, nothing written, counted as "${reason}" under the shop it claims`, async () => {
      const { answer, changed, counted, reasons } = await refusalsOf(() => returnCheck(sessionToken(options)));
      expect(answer.status).toBe(401);
      expect(changed).toEqual({});
      expect(counted("session_token.invalid", SHOP)).toBe(1);
      expect(reasons).toContain(reason);
    });
  }

  it("a token for a shop where the app is not installed: refused, nothing written", async () => {
    const { answer, changed } = await refusalsOf(() =>
      returnCheck(sessionToken({ shop: "someone-else.myshopify.com" })),
    );
    expect(answer.status).toBe(404);
    expect(answer.json?.error?.code).toBe("shop_not_installed");
    expect(changed).toEqual({});
  });

  it("a token whose destination is not a shop: 401 invalid_token_destination", async () => {
    const { answer, changed } = await refusalsOf(() =>
      returnCheck(sessionToken({ claims: { dest: "https://evil.example.com" } })),
    );
    expect(answer.status).toBe(401);
    expect(answer.json?.error?.code).toBe("invalid_token_destination");
    expect(changed).toEqual({});
  });

  it("the shop is the token's: a request naming another shop (query, header, body) is answered for the token's shop", async () => {
    const answer = await register(app, "GET", `/api/pos/status?shop=someone-else.myshopify.com`, {
      headers: { "X-Shopify-Shop-Domain": "someone-else.myshopify.com" },
    });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ shop: { domain: SHOP } });
    const bodyClaim = await register(app, "POST", "/api/pos/returns/check", {
      body: {
        shop: "someone-else.myshopify.com",
        order: null,
        receipt: "none",
        reason: {},
        items: [{ variantId: 1, quantity: 1 }],
      },
    });
    expect(bodyClaim.status).toBe(400);
    expect(bodyClaim.json?.error?.message).toMatch(/shop/);
  });

  const malformed: Array<[string, string | null]> = [
    ["no Authorization header at all", null],
    ["garbage", "not-a-token"],
    ["three empty parts", ".."],
    ["SQL in every part", "' OR 1=1 --.' OR 1=1 --.' OR 1=1 --"],
    ["a 6 KB token", `${"a".repeat(2_000)}.${"b".repeat(2_000)}.${"c".repeat(2_000)}`],
  ];
  for (const [name, token] of malformed) {
    it(`${name}: 401, nothing written, counted without a shop`, async () => {
      const { answer, changed, counted } = await refusalsOf(() => returnCheck(token));
      expect(answer.status).toBe(401);
      expect(changed).toEqual({});
      expect(counted("session_token.invalid", "")).toBe(1);
    });
  }

  it("a token naming a made-up shop is counted without its name (no row per made-up name)", async () => {
    const { answer, counted } = await refusalsOf(() =>
      returnCheck(sessionToken({ shop: "made-up-7f3a.myshopify.com", secret: "forged" })),
    );
    expect(answer.status).toBe(401);
    expect(counted("session_token.invalid", "")).toBe(1);
    expect((await securityEvents(app.database)).some((row) => row.claimedShop.includes("made-up"))).toBe(false);
  });

  it("the security log never holds a token", async () => {
    const token = sessionToken({ secret: "leak-check-secret" });
    await returnCheck(token);
    const rows = JSON.stringify(await securityEvents(app.database));
    expect(rows).not.toContain(token.split(".")[2]);
    expect(rows).not.toContain(token.split(".")[1]!.slice(0, 20));
  });
});

describe("panel tokens", () => {
  const panelToken = (claims: Record<string, unknown>, key: string) => {
    const payload = Buffer.from(JSON.stringify(claims)).toString("base64url");
    const signature = createHmac("sha256", `panel-token:${key}`).update(payload).digest("base64url");
    return `${payload}.${signature}`;
  };

  it("a panel token signed with another key: 401 on the register API and the panel API, nothing written, counted", async () => {
    const token = panelToken(
      { device: "dev-1", shop: "shop-1", location: LOCATION, exp: Date.now() + 60_000 },
      "not-the-app-secret",
    );
    const onRegister = await refusalsOf(() => returnCheck(token));
    expect(onRegister.answer.status).toBe(401);
    expect(onRegister.answer.json?.error?.code).toBe("invalid_token");
    expect(onRegister.changed).toEqual({});
    expect(onRegister.counted("panel_token.invalid", "")).toBe(1);

    const onPanel = await refusalsOf(() => register(app, "GET", "/api/panel/orders", { token }));
    expect(onPanel.answer.status).toBe(401);
    expect(onPanel.changed).toEqual({});
    expect(onPanel.counted("panel_token.invalid", "")).toBe(1);
    expect((await securityEvents(app.database)).some((row) => row.source === "api/panel")).toBe(true);
  });
});

describe("panel pairing codes", () => {
  it("a guesser cannot escape the attempt limit by writing a new X-Forwarded-For on every request", async () => {
    const before = await tableCounts(app.database);
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) {
      const answer = await register(app, "POST", "/api/panel/pair", {
        token: null,
        headers: { "X-Forwarded-For": `203.0.113.${i}` },
        body: { code: `GUESS${String(i).padStart(3, "0")}`, deviceName: "attacker" },
      });
      statuses.push(answer.status);
    }
    expect(statuses.filter((status) => status === 400).length).toBeLessThanOrEqual(60);
    expect(statuses.slice(60).every((status) => status === 429)).toBe(true);
    expect(changedTables(before, await tableCounts(app.database))).toEqual({});
  });
});
