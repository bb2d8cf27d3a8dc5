/**
 * The shift summary's figures are the database's, recounted here; one staff member giving most
 * of the shift's manual discounts is flagged; with AI off the note comes from the template and
 * uses only the figures.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { loader, action } from "../../app/routes/app.shift";
import { numbersAreFromFigures, shiftFigures, templateSummary } from "../../app/services/shift-summary.server";
import { createOrder, createShop } from "../factories";
import { signedInAdminRequest } from "../support/admin";

const db = getDb();
const SHOP = "shift-summary.myshopify.com";
const STORE = "5501";
let shopId: string;
const now = new Date();
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
const args = (request: Request) => ({ request, params: {}, context: {} });

beforeAll(async () => {
  shopId = (await createShop(db, { domain: SHOP, currency: "USD" })).id;
  await db.location.create({ data: { shopId, externalId: STORE, name: "Dock" } });
  for (const hours of [1, 2, 3])
    await createOrder(db, shopId, { processedAt: hoursAgo(hours), totalMinor: 2_500, locationExternalId: STORE });
  await createOrder(db, shopId, { processedAt: hoursAgo(30), totalMinor: 9_900, locationExternalId: STORE });
  const discount = (staff: string, status: string, hours: number) =>
    db.approvalRequest.create({
      data: {
        shopId,
        locationExternalId: STORE,
        staffMemberId: staff,
        cartHash: "h",
        subtotalMinor: 5_000,
        discountKind: "percent",
        discountValue: 10,
        amountMinor: 500,
        currency: "USD",
        reasonCode: "loyal_customer",
        status,
        createdAt: hoursAgo(hours),
      },
    });
  for (const hours of [1, 2, 3, 4]) await discount("71", "applied", hours);
  await discount("72", "redeemed", 2);
  await discount("72", "declined", 2);
  await discount("71", "applied", 40); // before the shift
});

describe("shift summary", () => {
  it("counts the shift from the database and flags one staff member's share of manual discounts", async () => {
    const figures = await shiftFigures(db, shopId, { location: STORE, from: hoursAgo(12), to: now, currency: "USD" });
    expect(figures.sales).toEqual({ orders: 3, revenue: "$75.00" });
    expect(figures.manualDiscounts.total).toBe(5);
    expect(figures.manualDiscounts.byStaff).toEqual([
      { staff: "staff 71", discounts: 4, amount: "$20.00", sharePct: 80 },
      { staff: "staff 72", discounts: 1, amount: "$5.00", sharePct: 20 },
    ]);
    expect(figures.approvals).toEqual({ asked: 2, approved: 1, declined: 1, withinLimits: 4 });
    expect(figures.anomalies).toEqual([
      expect.objectContaining({ kind: "discount_share", staff: "staff 71", sharePct: 80, discounts: 4 }),
    ]);
    const note = templateSummary(figures);
    expect(note).toContain("staff 71 gave 4 of the shift's 5 manual discounts (80%)");
    expect(numbersAreFromFigures(note, figures)).toBe(true);
    expect(numbersAreFromFigures("Sales rose 12%", figures)).toBe(false);
    // The shift's own timestamps lend the note no numbers (37 is in them, in no figure).
    const at37 = { ...figures, from: "2026-11-25T15:37:00.000Z", to: "2026-11-26T03:37:00.000Z" };
    expect(numbersAreFromFigures("Sales were up 37%", at37)).toBe(false);
    expect(numbersAreFromFigures("3 orders", at37)).toBe(true);
  });

  it("shows the figures on the page and writes the template note while AI is off", async () => {
    const page = await loader(args(await signedInAdminRequest(SHOP, `/app/shift?location=${STORE}&hours=12`)));
    expect(page.figures.sales.orders).toBe(3);
    const request = await signedInAdminRequest(SHOP, "/app/shift", {
      method: "POST",
      body: new URLSearchParams({ location: STORE, hours: "12", to: page.figures.to }),
    });
    const result = (await action(args(request))) as { note: { source: string; text: string; fallbackReason: string } };
    expect(result.note.source).toBe("template");
    expect(result.note.text).toContain("3 orders for $75.00");
    expect(result.note.fallbackReason).toMatch(/no language model|not switched AI on/);
    expect(await db.aiOutput.count()).toBe(0);
  });
});
