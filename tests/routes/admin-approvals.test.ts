import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { signedInAdminRequest } from "../support/admin";
import { action, loader } from "../../app/routes/app.approvals";
import { loader as csvLoader } from "../../app/routes/app.audit[.]csv";
import { loader as pendingLoader } from "../../app/routes/app.approvals.pending";
import { requestDiscount } from "../../app/services/approvals.server";
import { hashPin, verifyPin } from "../../app/services/pin-hash.server";

const db = getDb();
const SHOP = "admin-approvals.myshopify.com";
const args = (request: Request) => ({ request, params: {}, context: {} });
let shopId: string;

const signedIn = (path: string, init: RequestInit = {}) => signedInAdminRequest(SHOP, path, init);

const form = (fields: Record<string, string>) => ({ method: "POST", body: new URLSearchParams(fields) });
const submit = async (fields: Record<string, string>) => {
  const result = await action(args(await signedIn("/app/approvals", form(fields))));
  return result instanceof Response
    ? { status: result.status, body: await result.json() }
    : { status: 200, body: result };
};

beforeAll(async () => {
  shopId = (
    await db.shop.create({
      data: { domain: SHOP, currency: "USD", locations: { create: { externalId: "88", name: "Harbour" } } },
    })
  ).id;
});

describe("admin approvals page", () => {
  it("saves limits per location, audits the change and the kill switch, and reads them back", async () => {
    const saved = await submit({
      intent: "policy",
      locationExternalId: "88",
      enabled: "off",
      maxPercent: "20",
      maxAmount: "75.50",
      shiftLimit: "200",
      shiftHours: "8",
    });
    expect(saved).toEqual({ status: 200, body: { done: "Limits saved" } });
    expect(
      await db.approvalPolicy.findUniqueOrThrow({
        where: { shopId_locationExternalId: { shopId, locationExternalId: "88" } },
      }),
    ).toMatchObject({ enabled: false, maxPercent: 20, maxAmountMinor: 7_550, shiftLimitMinor: 20_000, shiftHours: 8 });
    const types = (await db.auditEvent.findMany({ where: { shopId }, orderBy: { seq: "asc" } })).map((e) => [
      e.type,
      e.actor,
    ]);
    expect(types).toEqual([
      ["killswitch.changed", "admin:42"],
      ["policy.changed", "admin:42"],
    ]);
    const page = await loader(args(await signedIn("/app/approvals?location=88")));
    expect(page.limits).toMatchObject({ enabled: false, maxAmountMinor: 7_550 });
  });

  it("names the field of a bad form and refuses another shop's location", async () => {
    const bad = await submit({
      intent: "policy",
      locationExternalId: "",
      enabled: "on",
      maxPercent: "150",
      maxAmount: "10",
      shiftLimit: "10",
      shiftHours: "8",
    });
    expect(bad).toEqual({ status: 400, body: { fieldErrors: { maxPercent: "at most 100" } } });
    const elsewhere = await submit({
      intent: "policy",
      locationExternalId: "999",
      enabled: "on",
      maxPercent: "10",
      maxAmount: "10",
      shiftLimit: "10",
      shiftHours: "8",
    });
    expect(elsewhere.status).toBe(400);
  });

  it("enrols a manager with a hashed PIN (never stored in clear), resets it, and disables them", async () => {
    const enrolled = await submit({
      intent: "enrol",
      name: "Ada",
      role: "manager",
      staffMemberId: "123",
      locations: "88",
      pin: "8642",
    });
    expect(enrolled.status).toBe(200);
    const manager = await db.manager.findFirstOrThrow({ where: { shopId, name: "Ada" } });
    expect(manager.pinHash).not.toContain("8642");
    expect(await verifyPin("8642", process.env.MANAGER_PIN_PEPPER!, manager.pinHash)).toBe(true);
    expect(JSON.parse(manager.locations)).toEqual(["88"]);

    expect(
      (await submit({ intent: "enrol", name: "Bob", role: "manager", staffMemberId: "", locations: "", pin: "12" }))
        .body,
    ).toEqual({
      fieldErrors: { pin: "a PIN is 4 to 10 digits" },
    });

    await db.manager.update({
      where: { id: manager.id },
      data: { failedPins: 3, lockedUntil: new Date(Date.now() + 60_000) },
    });
    expect((await submit({ intent: "reset-pin", managerId: manager.id, pin: "97531" })).status).toBe(200);
    const reset = await db.manager.findUniqueOrThrow({ where: { id: manager.id } });
    expect(reset).toMatchObject({ failedPins: 0, lockedUntil: null });
    expect(await verifyPin("97531", process.env.MANAGER_PIN_PEPPER!, reset.pinHash)).toBe(true);

    expect((await submit({ intent: "disable", managerId: manager.id })).status).toBe(200);
    expect((await submit({ intent: "disable", managerId: manager.id })).status).toBe(404);
    const audit = await db.auditEvent.findMany({
      where: { shopId, type: { startsWith: "manager." } },
      orderBy: { seq: "asc" },
    });
    expect(audit.map((e) => e.type)).toEqual(["manager.enrolled", "manager.pin_reset", "manager.disabled"]);
    expect(audit.map((e) => e.data).join("")).not.toContain("97531");
  }, 30_000);

  it("verifies the chain from the page, and exports the log as CSV that a spreadsheet cannot execute", async () => {
    expect((await submit({ intent: "verify" })).body).toMatchObject({ verdict: { ok: true, firstBad: null } });
    await db.manager.create({ data: { shopId, name: '=HYPERLINK("x")', pinHash: "scrypt$x" } });
    await submit({
      intent: "enrol",
      name: "=cmd|' /C calc'!A0",
      role: "owner",
      staffMemberId: "",
      locations: "",
      pin: "55555",
    });
    const csv = await (await csvLoader(args(await signedIn("/app/audit.csv?type=manager.")))).text();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("seq,time,type,actor,data,hash");
    expect(lines.slice(1).every((line) => line.includes("manager."))).toBe(true);
    expect(csv).not.toMatch(/(^|,)=cmd/m);

    const second = await db.auditEvent.findFirstOrThrow({ where: { shopId, seq: 2 } });
    await db.auditEvent.update({ where: { id: second.id }, data: { actor: "admin:someone-else" } });
    expect((await submit({ intent: "verify" })).body).toMatchObject({ verdict: { ok: false, firstBad: { seq: 2 } } });
  }, 30_000);
});

describe("deciding from the admin", () => {
  it("lists waiting requests live, and a manager approves or declines one with their own PIN", async () => {
    const managerId = (
      await db.manager.create({
        data: { shopId, name: "Remote Rita", pinHash: await hashPin("112233", process.env.MANAGER_PIN_PEPPER!) },
      })
    ).id;
    const register = {
      shopId,
      currency: "USD",
      // Location 88 was switched off above: this register asks under the shop-wide limits.
      locationExternalId: null,
      deviceId: "ipad-9",
      userId: "77",
      staffMemberId: "5",
    };
    const ask = async () => {
      const outcome = await requestDiscount(
        db,
        register,
        {
          lines: [{ variantId: "1", quantity: 1 }],
          subtotalMinor: 20_000,
          discount: { kind: "percent", value: 40 },
          reasonCode: "price_match",
          note: null,
        },
        new Date(),
      );
      expect(outcome.status).toBe("pending");
      return (outcome as { requestId: string }).requestId;
    };
    const first = await ask();
    const second = await ask();
    const waiting = async () =>
      (
        (await (await pendingLoader(args(await signedIn("/app/approvals/pending")))).json()) as {
          pending: Array<{ id: string }>;
        }
      ).pending.map((p) => p.id);
    expect(await waiting()).toEqual(expect.arrayContaining([first, second]));

    const decide = (fields: Record<string, string>) =>
      submit({ intent: "decide", approverId: managerId, reason: "", ...fields });
    expect(await decide({ requestId: first, decision: "approve", pin: "000000" })).toEqual({
      status: 403,
      body: { fieldErrors: { pin: "The approver or PIN was not accepted" }, requestId: first },
    });
    expect((await decide({ requestId: first, decision: "decline", pin: "112233" })).body).toEqual({
      fieldErrors: { reason: "say why, so the cashier can tell the customer" },
    });
    expect(await decide({ requestId: first, decision: "approve", pin: "112233" })).toEqual({
      status: 200,
      body: { done: "Approved: the register applies the discount", requestId: first },
    });
    // The token waits for the asking register; the admin never holds it.
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: first } })).toMatchObject({
      status: "approved",
      approverId: managerId,
      tokenHash: null,
    });
    expect((await decide({ requestId: second, decision: "decline", pin: "112233", reason: "Too much" })).status).toBe(
      200,
    );
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: second } })).declineReason).toBe("Too much");
    expect((await decide({ requestId: second, decision: "approve", pin: "112233" })).status).toBe(409);
    expect(await waiting()).not.toEqual(expect.arrayContaining([first]));
    expect(await waiting()).not.toEqual(expect.arrayContaining([second]));

    const audit = await db.auditEvent.findFirstOrThrow({ where: { shopId, type: "approval.approved" } });
    expect(audit.actor).toBe(`manager:${managerId}`);
    expect(JSON.parse(audit.data)).toMatchObject({ requestId: first, device: "admin:42", remote: true });
  }, 30_000);
});
