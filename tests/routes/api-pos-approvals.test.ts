import { API_KEY, getJwt } from "@shopify/shopify-api/test-helpers";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { action as createAction, loader as overviewLoader } from "../../app/routes/api.pos.approvals";
import { loader as statusLoader } from "../../app/routes/api.pos.approvals.$id";
import { action as tokenAction } from "../../app/routes/api.pos.approvals.$id.token";
import { action as decisionAction } from "../../app/routes/api.pos.approvals.$id.decision";
import { action as redeemAction } from "../../app/routes/api.pos.approvals.$id.redeem";
import { action as voidAction } from "../../app/routes/api.pos.approvals.$id.void";
import { verifyAuditChain } from "../../app/services/audit.server";
import { hashPin } from "../../app/services/pin-hash.server";
import { cartFingerprint } from "../../shared/approvals";
import type { ApprovalsOverviewResponse } from "../../shared/pos-contract";
import { createProduct, createShop } from "../factories";
import { posGet, posPost, type RouteFunction } from "../support/pos";

const db = getDb();
const SHOP = "approvals-shop.myshopify.com";
const OTHER_SHOP = "approvals-other.myshopify.com";
const STORE = "5101";
const PIN = "246810";

let shopId: string;
let managerId: string;
let otherManagerId: string;
let variant: string;

function get(loader: RouteFunction, path: string, options: { shop?: string; sub?: string; id?: string } = {}) {
  return posGet(loader, path, {
    shop: options.shop ?? SHOP,
    sub: options.sub,
    params: options.id ? { id: options.id } : {},
  });
}

function post(
  action: RouteFunction,
  path: string,
  body: unknown,
  options: { shop?: string; sub?: string; id?: string; raw?: string; bearer?: string | null } = {},
) {
  const { id, shop, ...rest } = options;
  return posPost(action, path, body, { ...rest, shop: shop ?? SHOP, params: id ? { id } : {} });
}

const cart = (quantity = 4) => ({ lineItems: [{ variantId: Number(variant), quantity }], subtotalMinor: 99 });
const fingerprint = (quantity = 4) => cartFingerprint([{ variantId: variant, quantity }]);

function ask(
  discount: { kind: "percent" | "amount"; value: number },
  options: { quantity?: number; staff?: string; sub?: string } = {},
) {
  return post(
    createAction,
    "/api/pos/approvals",
    {
      cart: cart(options.quantity),
      discount,
      reasonCode: "damaged_box",
      note: "dented",
      locationId: STORE,
      deviceId: "ipad-1",
      staffMemberId: options.staff ?? "9001",
    },
    { sub: options.sub },
  );
}

function decide(id: string, body: Record<string, unknown>, options: { deviceId?: string; shop?: string } = {}) {
  return post(
    decisionAction,
    `/api/pos/approvals/${id}/decision`,
    {
      decision: "approve",
      pin: PIN,
      approverId: managerId,
      deviceId: options.deviceId ?? "ipad-1",
      locationId: STORE,
      ...body,
    },
    { id, shop: options.shop },
  );
}

function redeem(id: string, body: Record<string, unknown>, options: { shop?: string } = {}) {
  return post(
    redeemAction,
    `/api/pos/approvals/${id}/redeem`,
    { cartFingerprint: fingerprint(), ...body },
    { id, shop: options.shop },
  );
}

async function approved(discount = { kind: "percent" as const, value: 30 }) {
  const created = await ask(discount);
  expect(created.body.status).toBe("pending");
  const id = created.body.requestId as string;
  const decision = await decide(id, {});
  expect(decision.status).toBe(200);
  return { id, token: decision.body.token as string };
}

beforeAll(async () => {
  const pepper = process.env.MANAGER_PIN_PEPPER!;
  shopId = (await createShop(db, { domain: SHOP, currency: "USD" })).id;
  const product = await createProduct(db, shopId, { title: "Espresso machine", priceMinor: 25_000 });
  variant = product.variants[0]!.externalId;
  const pinHash = await hashPin(PIN, pepper);
  managerId = (await db.manager.create({ data: { shopId, name: "Grace", staffMemberId: "7001", pinHash } })).id;
  otherManagerId = (
    await db.manager.create({ data: { shopId, name: "Linus", pinHash, locations: JSON.stringify(["9999"]) } })
  ).id;
  const other = await createShop(db, { domain: OTHER_SHOP, currency: "USD" });
  await createProduct(db, other.id, { title: "Other" });
}, 30_000);

describe("POST /api/pos/approvals", () => {
  it("applies a discount under the limits at once, priced from our catalog, and records it", async () => {
    const response = await ask({ kind: "percent", value: 5 });
    // 4 × 250.00 from the catalog (the register said 0.99): 5% is 50.00, at the amount limit, not over.
    expect(response).toMatchObject({ status: 200, body: { status: "applied", amountMinor: 5_000 } });
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: response.body.requestId as string } });
    expect(row).toMatchObject({ status: "applied", subtotalMinor: 100_000, userId: "501", staffMemberId: "9001" });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { shopId, type: "discount.applied" } });
    expect(JSON.parse(audit.data)).toMatchObject({ requestId: row.id, amountMinor: 5_000, reasonCode: "damaged_box" });
  });

  it("asks a manager above the percentage or the amount, and lists the request for other registers", async () => {
    const percent = await ask({ kind: "percent", value: 30 });
    expect(percent.body).toMatchObject({ status: "pending", triggers: expect.arrayContaining(["percent", "amount"]) });
    const amount = await ask({ kind: "amount", value: 6_000 });
    expect(amount.body).toMatchObject({ status: "pending", triggers: expect.arrayContaining(["amount"]) });

    const overview = await get(overviewLoader, `/api/pos/approvals?locationId=${STORE}&deviceId=ipad-2`);
    expect(overview.status).toBe(200);
    const body = overview.body as unknown as ApprovalsOverviewResponse & { enabled: true };
    expect(body.pending.map((entry) => entry.id)).toEqual(
      expect.arrayContaining([percent.body.requestId, amount.body.requestId]),
    );
    expect(body.limits).toEqual({ maxPercent: 15, maxAmountMinor: 5_000, currency: "USD" });
    // Linus approves only at store 9999; no PIN hash or lock state leaves the server.
    expect(body.approvers).toEqual([{ id: managerId, name: "Grace", role: "manager" }]);
    const elsewhere = await get(overviewLoader, `/api/pos/approvals?locationId=9999`);
    expect((elsewhere.body as { approvers: unknown[] }).approvers).toHaveLength(2);
    expect((await get(overviewLoader, `/api/pos/approvals?locationId=not%20an%20id`)).body.error).toMatchObject({
      code: "invalid_query",
      message: expect.stringMatching(/^locationId: /),
    });
  });

  it("counts a shift's manual discounts by the signed user, whatever staff member id the register claims", async () => {
    // 4 × 250.00 = 1,000.00; 4% = 40.00 each: under the per-discount limits, 120.00 passes the shift's 100.00.
    const first = await ask({ kind: "percent", value: 4 }, { sub: "777", staff: "1" });
    const second = await ask({ kind: "percent", value: 4 }, { sub: "777", staff: "2" });
    const third = await ask({ kind: "percent", value: 4 }, { sub: "777", staff: "3" });
    expect([first.body.status, second.body.status, third.body.status]).toEqual(["applied", "applied", "pending"]);
    expect(third.body.triggers).toEqual(["shift"]);
    // Another signed user starts their own shift total.
    expect((await ask({ kind: "percent", value: 4 }, { sub: "778", staff: "3" })).body.status).toBe("applied");
  });

  it("names the field of a bad body, refuses oversized bodies and requests without a session token", async () => {
    const bad = await post(createAction, "/api/pos/approvals", {
      cart: cart(),
      discount: { kind: "percent", value: 130 },
      reasonCode: "damaged_box",
    });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "invalid_body" } } });
    expect(bad.body.error!.message).toMatch(/^discount\.value: a percent discount is at most 100/);
    const code = await post(createAction, "/api/pos/approvals", {
      cart: cart(),
      discount: { kind: "amount", value: 100 },
      reasonCode: "Robert'); DROP TABLE",
    });
    expect(code.body.error!.message).toMatch(/^reasonCode: /);
    const huge = await post(createAction, "/api/pos/approvals", null, { raw: "x".repeat(70_000) });
    expect(huge.status).toBe(413);
    // The library throws its 401 (Remix sends a thrown Response as the answer).
    await expect(post(createAction, "/api/pos/approvals", {}, { bearer: null })).rejects.toMatchObject({ status: 401 });
    const forged = (await getJwt("approvals-shop", API_KEY, "not-the-secret")).token;
    await expect(post(createAction, "/api/pos/approvals", {}, { bearer: forged })).rejects.toMatchObject({
      status: 401,
    });
  });

  it("shows nothing when the merchant switched approvals off for the location", async () => {
    await db.approvalPolicy.create({ data: { shopId, locationExternalId: "5102", enabled: false } });
    const response = await post(createAction, "/api/pos/approvals", {
      cart: cart(),
      discount: { kind: "percent", value: 50 },
      reasonCode: "price_match",
      locationId: "5102",
    });
    expect(response.body).toEqual({ status: "disabled" });
    expect((await get(overviewLoader, "/api/pos/approvals?locationId=5102")).body).toEqual({ enabled: false });
  });
});

describe("decisions and redemption", () => {
  it("approves with the right PIN and applies once: a second redeem gets 409 and is audited as a replay", async () => {
    const { id, token: approval } = await approved();
    const first = await redeem(id, { token: approval, discount: { kind: "percent", value: 30 } });
    expect(first).toMatchObject({
      status: 200,
      body: { status: "redeemed", discount: { kind: "percent", value: 30 } },
    });
    const again = await redeem(id, { token: approval });
    expect(again).toMatchObject({ status: 409, body: { error: { code: "approval_already_redeemed" } } });
    const types = (await db.auditEvent.findMany({ where: { shopId }, orderBy: { seq: "asc" } }))
      .filter((event) => JSON.parse(event.data).requestId === id)
      .map((event) => event.type);
    expect(types).toEqual(["approval.requested", "approval.approved", "approval.redeemed", "approval.token_replayed"]);
  });

  it("lets exactly one of two simultaneous redeems through", async () => {
    const { id, token: approval } = await approved();
    const results = await Promise.all([redeem(id, { token: approval }), redeem(id, { token: approval })]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
  });

  it("refuses a wrong token, another cart (voiding the approval), another amount, another shop and an expired token", async () => {
    const wrong = await approved();
    expect((await redeem(wrong.id, { token: "x".repeat(43) })).status).toBe(403);
    expect((await redeem(wrong.id, { token: wrong.token, discount: { kind: "percent", value: 31 } })).status).toBe(403);
    expect((await redeem(wrong.id, { token: wrong.token }, { shop: OTHER_SHOP })).status).toBe(403);
    const otherCart = await redeem(wrong.id, { token: wrong.token, cartFingerprint: fingerprint(5) });
    expect(otherCart).toMatchObject({ status: 403, body: { error: { code: "approval_refused" } } });
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: wrong.id } })).status).toBe("voided");
    expect((await redeem(wrong.id, { token: wrong.token })).status).toBe(403);
    // Every refusal is in the shop's audit chain, with why (a wrong shop never reaches this shop's).
    const refusals = (await db.auditEvent.findMany({ where: { shopId }, orderBy: { seq: "asc" } }))
      .map((event) => ({ type: event.type, data: JSON.parse(event.data) as { requestId?: string; reason?: string } }))
      .filter((event) => event.data.requestId === wrong.id && event.type !== "approval.requested")
      .map((event) => `${event.type}: ${event.data.reason ?? ""}`);
    expect(refusals).toEqual([
      "approval.approved: ",
      "approval.token_rejected: token does not match",
      "approval.token_rejected: presented with another discount",
      "approval.token_cart_mismatch: the cart changed after approval",
      "approval.token_replayed: request voided",
    ]);

    const late = await approved();
    await db.approvalRequest.update({ where: { id: late.id }, data: { tokenExpiresAt: new Date(Date.now() - 1) } });
    expect((await redeem(late.id, { token: late.token })).status).toBe(403);
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: late.id } })).status).toBe("expired");
  });

  it("tells the cashier why a manager declined, and a decided request cannot be decided again", async () => {
    const created = await ask({ kind: "percent", value: 40 });
    const id = created.body.requestId as string;
    const declined = await decide(id, { decision: "decline", reason: "Not for display units" });
    expect(declined.body).toEqual({ status: "declined", reason: "Not for display units" });
    expect((await decide(id, {})).status).toBe(409);
    expect((await redeem(id, { token: "y".repeat(43) })).status).toBe(403);
  });

  it("gives the same answer for a wrong PIN, an unknown approver and one not enrolled here", async () => {
    const id = (await ask({ kind: "percent", value: 30 })).body.requestId as string;
    const answers = await Promise.all([
      decide(id, { pin: "111111" }, { deviceId: "ipad-9" }),
      decide(id, { approverId: "no-such-manager" }, { deviceId: "ipad-9" }),
      decide(id, { approverId: otherManagerId }, { deviceId: "ipad-9" }),
    ]);
    for (const answer of answers) {
      expect(answer).toEqual({
        status: 403,
        body: { error: { code: "pin_refused", message: "The approver or PIN was not accepted" } },
      });
    }
    const rejected = await db.auditEvent.count({ where: { shopId, type: "approval.pin_rejected" } });
    expect(rejected).toBeGreaterThanOrEqual(3);
  });

  it("voids a request when the register's cart changes", async () => {
    const id = (await ask({ kind: "percent", value: 30 })).body.requestId as string;
    const voided = await post(voidAction, `/api/pos/approvals/${id}/void`, { reason: "cart changed" }, { id });
    expect(voided.body).toEqual({ status: "voided" });
    expect((await decide(id, {})).status).toBe(409);
  });
});

describe("approving from another register or the admin", () => {
  const collect = (id: string, deviceId: string, options: { sub?: string } = {}) =>
    post(tokenAction, `/api/pos/approvals/${id}/token`, { deviceId, locationId: STORE }, { id, sub: options.sub });
  const status = (id: string, deviceId = "ipad-1") =>
    get(statusLoader, `/api/pos/approvals/${id}?deviceId=${deviceId}`, { id });

  it("gives the token only to the register that asked, once, and it then applies the discount", async () => {
    const created = await ask({ kind: "percent", value: 30 });
    const id = created.body.requestId as string;
    expect((await status(id)).body).toMatchObject({ status: "pending", tokenWaiting: false, amountMinor: 30_000 });

    const remote = await decide(id, {}, { deviceId: "ipad-2" });
    expect(remote).toMatchObject({ status: 200, body: { status: "approved", token: null } });
    expect((await status(id)).body).toMatchObject({ status: "approved", tokenWaiting: true });
    expect((await status(id, "ipad-2")).body).toMatchObject({ status: "approved", tokenWaiting: false });

    // Another device, or the same device under another signed user, cannot take it.
    expect((await collect(id, "ipad-2")).body.error).toMatchObject({ code: "approval_refused" });
    expect((await collect(id, "ipad-1", { sub: "502" })).status).toBe(403);
    // Nothing can be redeemed before the token is collected.
    expect((await redeem(id, { token: "x".repeat(43) })).status).toBe(403);

    const collected = await collect(id, "ipad-1");
    expect(collected).toMatchObject({ status: 200, body: { token: expect.any(String) } });
    expect((await collect(id, "ipad-1")).body.error).toMatchObject({ code: "approval_token_collected" });
    expect((await status(id)).body).toMatchObject({ status: "approved", tokenWaiting: false });

    const applied = await redeem(id, { token: collected.body.token });
    expect(applied).toMatchObject({ status: 200, body: { status: "redeemed", amountMinor: 30_000 } });
    expect((await status(id)).body).toMatchObject({ status: "redeemed" });
    const types = (await db.auditEvent.findMany({ where: { shopId }, orderBy: { seq: "asc" } }))
      .filter((event) => JSON.parse(event.data).requestId === id)
      .map((event) => event.type);
    expect(types).toEqual(["approval.requested", "approval.approved", "approval.token_collected", "approval.redeemed"]);
  });

  it("tells the asking register a remote decline and its reason, and refuses a token for it", async () => {
    const id = (await ask({ kind: "amount", value: 9_000 })).body.requestId as string;
    await decide(id, { decision: "decline", reason: "Not for this customer" }, { deviceId: "ipad-2" });
    expect((await status(id)).body).toMatchObject({ status: "declined", declineReason: "Not for this customer" });
    expect((await collect(id, "ipad-1")).body.error).toMatchObject({ code: "approval_closed" });
  });

  it("expires an approval nobody collected within 120 seconds", async () => {
    const id = (await ask({ kind: "percent", value: 40 })).body.requestId as string;
    await decide(id, {}, { deviceId: "ipad-2" });
    await db.approvalRequest.update({ where: { id }, data: { tokenExpiresAt: new Date(Date.now() - 1_000) } });
    expect((await status(id)).body).toMatchObject({ status: "expired", tokenWaiting: false });
    expect((await collect(id, "ipad-1")).body.error).toMatchObject({ code: "approval_refused" });
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id } })).status).toBe("expired");
  });

  it("does not show one shop's request to another", async () => {
    const id = (await ask({ kind: "percent", value: 20 })).body.requestId as string;
    expect((await get(statusLoader, `/api/pos/approvals/${id}`, { id, shop: OTHER_SHOP })).status).toBe(403);
    expect((await get(statusLoader, `/api/pos/approvals/nope`, { id: "nope" })).status).toBe(404);
  });
});

describe("PIN brute force", () => {
  it("locks the approver after 5 wrong PINs: 2,000 more guesses never succeed, and the right PIN waits too", async () => {
    const locked = await db.manager.create({
      data: { shopId, name: "Target", pinHash: await hashPin("975310", process.env.MANAGER_PIN_PEPPER!) },
    });
    const id = (await ask({ kind: "percent", value: 30 })).body.requestId as string;
    const statuses: number[] = [];
    // Each guess from its own device, so only the approver's lock can stop them.
    for (let guess = 0; guess < 6; guess++) {
      const answer = await decide(
        id,
        { approverId: locked.id, pin: String(100000 + guess) },
        { deviceId: `dev-${guess}` },
      );
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429]);
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          decide(
            id,
            { approverId: locked.id, pin: String(200000 + batch * 100 + i) },
            { deviceId: `dev-b${batch}-${i}` },
          ),
        ),
      );
      expect(answers.every((answer) => answer.status === 429)).toBe(true);
    }
    expect((await decide(id, { approverId: locked.id, pin: "975310" }, { deviceId: "dev-right" })).status).toBe(429);
    expect(await db.auditEvent.count({ where: { shopId, type: "lockout.approver" } })).toBe(1);
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id } })).status).toBe("pending");
  }, 120_000);

  it("locks a device after 10 wrong PINs, whichever approvers they named", async () => {
    const id = (await ask({ kind: "percent", value: 30 })).body.requestId as string;
    const statuses: number[] = [];
    for (let guess = 0; guess < 11; guess++) {
      const answer = await decide(id, { approverId: `ghost-${guess}`, pin: "123456" }, { deviceId: "ipad-brute" });
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(403));
    expect(statuses[10]).toBe(429);
    // The right approver and PIN from that device wait out the lock as well.
    expect((await decide(id, {}, { deviceId: "ipad-brute" })).status).toBe(429);
    expect(await db.auditEvent.count({ where: { shopId, type: "lockout.device" } })).toBe(1);
  }, 60_000);
});

describe("the audit chain", () => {
  it("verifies, and names the first row edited directly in the database", async () => {
    const intact = await verifyAuditChain(db, shopId);
    expect(intact).toMatchObject({ ok: true, firstBad: null });
    expect(intact.checked).toBeGreaterThan(10);

    const victim = await db.auditEvent.findFirstOrThrow({ where: { shopId, seq: 3 } });
    const data = JSON.parse(victim.data) as Record<string, unknown>;
    await db.$executeRaw`UPDATE "AuditEvent" SET "data" = ${JSON.stringify({ ...data, amountMinor: 1 })} WHERE "id" = ${victim.id}`;
    const tampered = await verifyAuditChain(db, shopId);
    expect(tampered).toMatchObject({ ok: false, checked: 2, firstBad: { seq: 3, id: victim.id } });
    expect(tampered.firstBad!.reason).toMatch(/content does not match its hash/);
  });
});
