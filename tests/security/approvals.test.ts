/**
 * Manager approvals under attack, against the running app: an approval token works once, for
 * its own request and cart; a PIN cannot be brute-forced (approver and device lockouts). Each
 * refusal writes nothing but the shop's audit chain, which names it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cartFingerprint } from "../../shared/approvals";
import { DEMO_MANAGER_PIN, startBlackBox, tableCounts, queryRows, type BlackBoxApp } from "../support/black-box";
import {
  auditSince,
  changedTables,
  demoVariants,
  lastAuditSeq,
  LOCATION,
  register,
  type Answer,
} from "../support/attacker";

let app: BlackBoxApp;
let managerId: string;
let variants: string[];

const DEVICE = "register-sec-1";

beforeAll(async () => {
  app = await startBlackBox();
  variants = (await demoVariants(app.database, 6)).map((row) => row.variantId);
  const overview = await register(app, "GET", `/api/pos/approvals?locationId=${LOCATION}&deviceId=${DEVICE}`);
  expect(overview.status).toBe(200);
  const approvers = (overview.json as { approvers: Array<{ id: string }> }).approvers;
  managerId = approvers[0]!.id;
});

afterAll(async () => {
  await app?.close();
});

type Line = { variantId: string; quantity: number };

async function pendingDiscount(lines: Line[], device = DEVICE): Promise<string> {
  const answer = await register(app, "POST", "/api/pos/approvals", {
    body: {
      locationId: LOCATION,
      deviceId: device,
      cart: { lineItems: lines, subtotalMinor: 10_000 },
      discount: { kind: "percent", value: 60 },
      reasonCode: "damaged_box",
      note: "customer asked",
    },
  });
  expect(answer.json).toMatchObject({ status: "pending" });
  return (answer.json as { requestId: string }).requestId;
}

const decide = (requestId: string, pin: string, approverId = managerId, device = DEVICE) =>
  register(app, "POST", `/api/pos/approvals/${requestId}/decision`, {
    body: { locationId: LOCATION, deviceId: device, decision: "approve", pin, approverId },
  });

async function approved(lines: Line[]): Promise<{ requestId: string; token: string }> {
  const requestId = await pendingDiscount(lines);
  const decision = await decide(requestId, DEMO_MANAGER_PIN);
  expect(decision.json).toMatchObject({ status: "approved", token: expect.any(String) });
  return { requestId, token: (decision.json as { token: string }).token };
}

const redeem = (requestId: string, token: string, lines: Line[]) =>
  register(app, "POST", `/api/pos/approvals/${requestId}/redeem`, {
    body: { locationId: LOCATION, deviceId: DEVICE, token, cartFingerprint: cartFingerprint(lines) },
  });

/** The answer, what changed besides the audit chain, and the audit events it appended. */
async function attempt(send: () => Promise<Answer>) {
  const seq = await lastAuditSeq(app.database);
  const before = await tableCounts(app.database);
  const answer = await send();
  const changed = changedTables(before, await tableCounts(app.database));
  delete changed.AuditEvent;
  const audit = await auditSince(app.database, seq);
  return { answer, changed, audit, types: audit.map((row) => row.type) };
}

const status = async (requestId: string) =>
  (
    await queryRows<{ status: string }>(app.database, 'SELECT status FROM "ApprovalRequest" WHERE id = ?', [requestId])
  )[0]?.status;

describe("approval tokens", () => {
  it("a token redeems once; the replay is refused with 409 and recorded as approval.token_replayed", async () => {
    const lines = [{ variantId: variants[0]!, quantity: 2 }];
    const { requestId, token } = await approved(lines);
    const first = await redeem(requestId, token, lines);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ status: "redeemed" });

    const replay = await attempt(() => redeem(requestId, token, lines));
    expect(replay.answer.status).toBe(409);
    expect(replay.answer.json?.error?.code).toBe("approval_already_redeemed");
    expect(replay.changed).toEqual({});
    expect(replay.types).toEqual(["approval.token_replayed"]);
    expect(JSON.parse(replay.audit[0]!.data)).toMatchObject({ requestId, device: DEVICE });
    // The audit row never holds the token.
    expect(replay.audit[0]!.data).not.toContain(token);
  });

  it("a token presented with another cart is refused (403), voids the approval, and is recorded as approval.token_cart_mismatch", async () => {
    const lines = [{ variantId: variants[1]!, quantity: 1 }];
    const { requestId, token } = await approved(lines);
    const otherCart = [
      { variantId: variants[1]!, quantity: 1 },
      { variantId: variants[2]!, quantity: 5 },
    ];
    const crossCart = await attempt(() => redeem(requestId, token, otherCart));
    expect(crossCart.answer.status).toBe(403);
    expect(crossCart.answer.json?.error).toMatchObject({
      code: "approval_refused",
      message: expect.stringMatching(/cart/),
    });
    expect(crossCart.changed).toEqual({});
    expect(crossCart.types).toEqual(["approval.token_cart_mismatch"]);
    expect(JSON.parse(crossCart.audit[0]!.data)).toMatchObject({ requestId, status: "voided" });
    expect(await status(requestId)).toBe("voided");

    // Voided for good: back on the approved cart, the same token is a replay.
    const again = await attempt(() => redeem(requestId, token, lines));
    expect(again.answer.status).toBe(403);
    expect(again.changed).toEqual({});
    expect(again.types).toEqual(["approval.token_replayed"]);
  });

  it("one request's token on another request is refused (403) and recorded as approval.token_rejected; the right token still works", async () => {
    const linesA = [{ variantId: variants[3]!, quantity: 1 }];
    const linesB = [{ variantId: variants[4]!, quantity: 1 }];
    const a = await approved(linesA);
    const b = await approved(linesB);
    const crossed = await attempt(() => redeem(b.requestId, a.token, linesB));
    expect(crossed.answer.status).toBe(403);
    expect(crossed.answer.json?.error?.code).toBe("approval_refused");
    expect(crossed.changed).toEqual({});
    expect(crossed.types).toEqual(["approval.token_rejected"]);
    expect(await status(b.requestId)).toBe("approved");
    expect((await redeem(b.requestId, b.token, linesB)).status).toBe(200);
  });

  it("a token for a request id that does not exist (or is SQL) is a 404 and writes nothing", async () => {
    for (const id of ["does-not-exist", "' OR '1'='1", '1; DROP TABLE "ApprovalRequest"']) {
      const result = await attempt(() =>
        redeem(encodeURIComponent(id), "x".repeat(43), [{ variantId: variants[0]!, quantity: 1 }]),
      );
      expect(result.answer.status).toBe(404);
      expect(result.changed).toEqual({});
      expect(result.types).toEqual([]);
    }
  });
});

describe("PIN brute force", () => {
  it("five wrong PINs lock the approver (lockout.approver), after which even the right PIN is refused with 429", async () => {
    const requestId = await pendingDiscount([{ variantId: variants[5]!, quantity: 1 }]);
    const wrong = ["000000", "111111", "123456", "654321", "999999"];
    const all = await attempt(async () => {
      let last: Answer | undefined;
      for (const pin of wrong) {
        last = await decide(requestId, pin);
        expect(last.status).toBe(403);
        expect(last.json?.error?.code).toBe("pin_refused");
      }
      return last!;
    });
    expect(all.types.filter((type) => type === "approval.pin_rejected")).toHaveLength(5);
    expect(all.types).toContain("lockout.approver");
    // Only the lockout bookkeeping was written (a device failure counter row at most).
    expect(Object.keys(all.changed).filter((table) => table !== "DeviceLockout")).toEqual([]);

    const right = await attempt(() => decide(requestId, DEMO_MANAGER_PIN));
    expect(right.answer.status).toBe(429);
    expect(right.answer.json?.error?.code).toBe("approver_locked");
    expect(right.changed).toEqual({});
    expect(await status(requestId)).toBe("pending");
  });

  it("ten wrong PINs from one register at once (any approver id) lock the device (lockout.device)", async () => {
    const device = "register-sec-brute";
    const requestId = await pendingDiscount([{ variantId: variants[0]!, quantity: 3 }], device);
    // Sent at once: concurrent guesses are counted like sequential ones.
    const spray = await attempt(async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => decide(requestId, String(100_000 + i), `guessed-approver-${i}`, device)),
      );
      for (const answer of answers) expect(answer.status).toBe(403);
      return answers[9]!;
    });
    expect(spray.types.filter((type) => type === "approval.pin_rejected")).toHaveLength(10);
    expect(spray.types).toContain("lockout.device");
    const locked = await attempt(() => decide(requestId, DEMO_MANAGER_PIN, managerId, device));
    expect(locked.answer.status).toBe(429);
    expect(locked.answer.json?.error?.code).toBe("device_locked");
    expect(locked.changed).toEqual({});
  });

  it("a PIN that is not digits (SQL, JSON) is refused as a bad field before any PIN check", async () => {
    const requestId = await pendingDiscount([{ variantId: variants[1]!, quantity: 4 }], "register-sec-format");
    for (const pin of ["' OR 1=1 --", '{"$gt":""}', "1234\u0000"]) {
      const result = await attempt(() => decide(requestId, pin, managerId, "register-sec-format"));
      expect(result.answer.status).toBe(400);
      expect(result.answer.json?.error).toMatchObject({
        code: "invalid_body",
        message: expect.stringMatching(/^pin: /),
      });
      expect(result.changed).toEqual({});
      expect(result.types).toEqual([]);
    }
  });
});
