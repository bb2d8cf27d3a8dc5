/**
 * Unicode and control characters in what the app keeps and shows again, against the running app
 * and worker. Any script, emoji, combining marks and direction marks are data: stored and
 * returned exactly. Control characters are not text anyone typed (NUL cannot be stored in
 * PostgreSQL): a register body carrying one is refused with a 400 naming the field, and a
 * webhook's product title has them dropped (Shopify's data is kept, minus what cannot be text).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBlackBox, tableCounts, queryRows, type BlackBoxApp } from "../support/black-box";
import { changedTables, demoVariants, LOCATION, register, SHOP, webhook } from "../support/attacker";
import { waitFor } from "../support/processes";

let app: BlackBoxApp;
let variant: string;

beforeAll(async () => {
  app = await startBlackBox({ worker: true });
  variant = (await demoVariants(app.database, 1))[0]!.variantId;
});

afterAll(async () => {
  await app?.close();
});

const WORLD = "Kundin 🙂 مرحبا 日本語 é (e\u0301) \u202Eevil\u202C \u200Bzero-width 👩‍👩‍👧 𝔘𝔫𝔦𝔠𝔬𝔡𝔢";

const discount = (note: unknown, extra: Record<string, unknown> = {}) => ({
  locationId: LOCATION,
  deviceId: "register-unicode",
  cart: { lineItems: [{ variantId: variant, quantity: 1 }], subtotalMinor: 10_000 },
  discount: { kind: "percent", value: 60 },
  reasonCode: "damaged_box",
  note,
  ...extra,
});

describe("register text fields", () => {
  it("a note in any script, with emoji, combining and direction marks, is stored and returned exactly", async () => {
    const note = `${WORLD}\nsecond line\twith a tab`;
    const answer = await register(app, "POST", "/api/pos/approvals", { body: discount(note) });
    expect(answer.status).toBe(200);
    const id = (answer.json as { requestId: string }).requestId;
    const [row] = await queryRows<{ note: string }>(app.database, 'SELECT note FROM "ApprovalRequest" WHERE id = ?', [
      id,
    ]);
    expect(row!.note).toBe(note);
    const overview = await register(app, "GET", `/api/pos/approvals?locationId=${LOCATION}&deviceId=register-unicode`);
    const pending = (overview.json as { pending: Array<{ id: string; note: string }> }).pending;
    expect(pending.find((request) => request.id === id)?.note).toBe(note);
  });

  const CONTROLS: Array<[string, string]> = [
    ["NUL", "a\u0000b"],
    ["BEL", "ring\u0007"],
    ["an ANSI escape", "\u001b[2J\u001b[31mred"],
    ["DEL", "x\u007f"],
    ["a lone surrogate", "half \ud800 a pair"],
  ];
  const FIELDS: Array<[string, string, (value: string) => unknown]> = [
    ["/api/pos/approvals", "note", (value) => discount(value)],
    ["/api/pos/approvals", "deviceId", (value) => discount(null, { deviceId: value })],
    ["/api/pos/approvals", "staffMemberId", (value) => discount(null, { staffMemberId: value })],
    ["/api/pos/approvals/x/void", "reason", (value) => ({ reason: value })],
    [
      "/api/pos/approvals/x/decision",
      "reason",
      (value) => ({ decision: "decline", pin: "1234", approverId: "m", reason: value }),
    ],
    [
      "/api/pos/returns/check",
      "reason.text",
      (value) => ({
        order: null,
        receipt: "none",
        reason: { text: value },
        items: [{ variantId: variant, quantity: 1 }],
      }),
    ],
    [
      "/api/pos/returns/check",
      "items.0.variantId",
      (value) => ({ order: null, receipt: "none", reason: {}, items: [{ variantId: value, quantity: 1 }] }),
    ],
  ];
  for (const [path, field, body] of FIELDS) {
    it(`${path} ${field}: control characters are refused with 400 naming the field, nothing written`, async () => {
      for (const [name, value] of CONTROLS) {
        const before = await tableCounts(app.database);
        // JSON.stringify writes NUL and lone surrogates as \u escapes, as a register would.
        const answer = await register(app, "POST", path, { body: body(value) });
        expect(answer.status, name).toBe(400);
        expect(answer.json?.error?.code, name).toBe("invalid_body");
        // Ids may be numbers or strings: their message is the union's, still naming the field.
        const message = answer.json?.error?.message ?? "";
        if (field === "staffMemberId" || field.endsWith("variantId"))
          expect(message.startsWith(`${field}: `)).toBe(true);
        else expect(message, name).toBe(`${field}: must not contain control characters`);
        expect(changedTables(before, await tableCounts(app.database)), name).toEqual({});
      }
    });
  }
});

describe("a product title from a webhook", () => {
  it("keeps every script and emoji, drops control characters (NUL, BEL, ESC), and is served as data", async () => {
    const [row] = await queryRows<{ productId: string; variantId: string; priceMinor: number }>(
      app.database,
      'SELECT p."externalId" AS "productId", v."externalId" AS "variantId", v."priceMinor" FROM "Product" p ' +
        'JOIN "Variant" v ON v."productId" = p.id JOIN "Shop" s ON s.id = p."shopId" WHERE s.domain = ? ' +
        'ORDER BY p."externalId" LIMIT 1',
      [SHOP],
    );
    const title = `Crème brûlée 🍮 \u0000\u0007\u001b[2J${WORLD}`;
    const expected = `Crème brûlée 🍮 [2J${WORLD}`;
    const answer = await webhook(app, "products/update", {
      id: Number(row!.productId),
      title,
      status: "active",
      variants: [
        { id: Number(row!.variantId), title: "Default\u0000 Title", price: (row!.priceMinor / 100).toFixed(2) },
      ],
    });
    expect(answer.status).toBe(200);
    const stored = await waitFor(
      "the worker to apply the product update",
      async () => {
        const [product] = await queryRows<{ title: string }>(
          app.database,
          'SELECT p.title FROM "Product" p JOIN "Shop" s ON s.id = p."shopId" WHERE s.domain = ? AND p."externalId" = ?',
          [SHOP, row!.productId],
        );
        return product?.title !== undefined && product.title.startsWith("Crème") ? product.title : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(stored).toBe(expected);
    const [variantRow] = await queryRows<{ title: string }>(
      app.database,
      'SELECT v.title FROM "Variant" v JOIN "Shop" s ON s.id = v."shopId" WHERE s.domain = ? AND v."externalId" = ?',
      [SHOP, row!.variantId],
    );
    expect(variantRow!.title).toBe("Default Title");
    // Nothing was dead-lettered on the way.
    const dead = await queryRows<{ n: number }>(
      app.database,
      `SELECT count(*) AS n FROM "Job" WHERE status IN ('dead', 'failed') AND "shopDomain" = ?`,
      [SHOP],
    );
    expect(Number(dead[0]!.n)).toBe(0);
    // A return check of that item shows the title as data, in JSON.
    const check = await register(app, "POST", "/api/pos/returns/check", {
      body: {
        locationId: LOCATION,
        order: null,
        receipt: "none",
        reason: { code: "changed_mind" },
        items: [{ variantId: row!.variantId, quantity: 1 }],
      },
    });
    expect(check.status, check.text).toBe(200);
    expect(check.headers.get("content-type")).toMatch(/^application\/json/);
  });
});
