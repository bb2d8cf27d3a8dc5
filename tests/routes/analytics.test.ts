/**
 * The analytics figures equal what the records say: each number is recounted here straight from
 * the tables, for the whole shop and for one location, on seeded data from several features.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { analyticsFor } from "../../app/services/analytics.server";
import { createShop } from "../factories";

const db = getDb();
let shopId: string;
const FROM = new Date("2026-11-01T00:00:00Z");
const TO = new Date("2026-11-08T00:00:00Z");
const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 10, day, hour));

beforeAll(async () => {
  shopId = (await createShop(db, { domain: "analytics.myshopify.com", currency: "USD" })).id;
  const event = (n: number, kind: string, location: string, day: number) =>
    db.suggestionEvent.create({
      data: {
        shopId,
        requestId: `r${n}`,
        kind,
        productExternalId: "1",
        variantExternalId: String(n),
        locationExternalId: location,
        priceMinor: 100,
        currency: "USD",
        modelVersion: "m",
        createdAt: at(day),
      },
    });
  for (let n = 0; n < 12; n++) await event(n, "shown", n % 3 === 0 ? "B" : "A", 1 + (n % 6));
  const added = await event(100, "added", "A", 2);
  await event(101, "added", "B", 3);
  await event(102, "added", "A", 20); // outside the range
  await db.suggestionAttribution.create({
    data: {
      shopId,
      orderId: "o1",
      lineItemExternalId: "l1",
      suggestionEventId: added.id,
      revenueMinor: 1_234,
      currency: "USD",
      createdAt: at(2, 13),
    },
  });
  const approval = (status: string, location: string, staff: string, day: number, amount = 500) =>
    db.approvalRequest.create({
      data: {
        shopId,
        locationExternalId: location,
        staffMemberId: staff,
        cartHash: "h",
        subtotalMinor: 10_000,
        discountKind: "percent",
        discountValue: 5,
        amountMinor: amount,
        currency: "USD",
        reasonCode: "price_match",
        status,
        createdAt: at(day),
      },
    });
  await approval("applied", "A", "7", 1);
  await approval("redeemed", "A", "7", 2, 3_000);
  await approval("declined", "B", "8", 3);
  await approval("pending", "A", "8", 9);
  const check = (verdict: string, reason: string, location: string) =>
    db.returnCheck.create({
      data: {
        shopId,
        policyVersion: 0,
        locationExternalId: location,
        receipt: "receipt",
        reasonCode: reason,
        verdict,
        refundableMinor: 100,
        currency: "USD",
        request: "{}",
        result: "{}",
        createdAt: at(4),
      },
    });
  await check("approve", "defective", "A");
  await check("deny", "changed_mind", "B");
  await check("deny", "defective", "A");
});

describe("analytics", () => {
  it("counts every figure exactly as the records do, for the shop and for one location", async () => {
    for (const location of [null, "A"]) {
      const where = location ? { locationExternalId: location } : {};
      const when = { gte: FROM, lt: TO };
      const result = await analyticsFor(db, shopId, { from: FROM, to: TO, location });
      const shown = await db.suggestionEvent.count({ where: { shopId, kind: "shown", createdAt: when, ...where } });
      const added = await db.suggestionEvent.count({ where: { shopId, kind: "added", createdAt: when, ...where } });
      expect(result.suggestions).toMatchObject({ shown, added, attributedRevenueMinor: 1_234 });
      expect(result.suggestions.addedRate).toBeCloseTo(added / shown);
      const approvals = await db.approvalRequest.groupBy({
        by: ["status"],
        where: { shopId, createdAt: when, ...where },
        _count: true,
      });
      expect(result.approvals.byOutcome).toEqual(Object.fromEntries(approvals.map((a) => [a.status, a._count])));
      const verdicts = await db.returnCheck.groupBy({ by: ["verdict"], where: { shopId, ...where }, _count: true });
      expect(result.returns.byVerdict).toEqual(Object.fromEntries(verdicts.map((v) => [v.verdict, v._count])));
      expect(result.days).toHaveLength(7);
      expect(result.days.reduce((sum, day) => sum + day.shown, 0)).toBe(shown);
    }
    const whole = await analyticsFor(db, shopId, { from: FROM, to: TO, location: null });
    expect(whole.approvals.byStaff).toEqual([
      { staff: "staff 7", requests: 2, approved: 1, declined: 0, amountMinor: 3_500 },
      { staff: "staff 8", requests: 1, approved: 0, declined: 1, amountMinor: 0 },
    ]);
    expect(whole.returns.byReason).toEqual({ defective: 2, changed_mind: 1 });
    const atB = await analyticsFor(db, shopId, { from: FROM, to: TO, location: "B" });
    expect(atB.suggestions.attributedRevenueMinor).toBe(0);
  });
});
