/**
 * The loyalty ledger on a real database, fed the way production feeds it: order and refund
 * webhooks processed by the worker's handler. Earned once per order however often Shopify
 * delivers it, taken back in proportion on refunds, reserved at the register so the same points
 * cannot be spent twice, released when no order carries the reward, confirmed when one does.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import {
  loyaltyStanding,
  releaseExpiredReservations,
  releaseReservation,
  reserveReward,
} from "../../app/services/loyalty.server";
import { processWebhook } from "../../app/services/webhooks.server";
import { restOrderPayload } from "../support/webhooks";

const db = getDb();
const SHOP = "loyalty-ledger.myshopify.com";
let shopId: string;
let customerSeq = 300_000_000;

const NOW = new Date("2026-11-25T12:00:00Z");

/** A paid order of `subtotal` for a new customer (or `customer`), processed like its webhook. */
async function paidOrder(subtotal: string, customer = customerSeq++, extra: Record<string, unknown> = {}) {
  const payload = restOrderPayload({
    subtotal_price: subtotal,
    total_price: subtotal,
    customer: { id: customer, first_name: "Test", last_name: "Customer", email: null, phone: null, tags: "" },
    ...extra,
  });
  await processWebhook(db, "orders/create", SHOP, payload, NOW);
  return { payload, customer: String(customer) };
}

async function refund(orderId: number, refundId: number, amount: string) {
  await processWebhook(
    db,
    "refunds/create",
    SHOP,
    {
      id: refundId,
      order_id: orderId,
      created_at: "2026-11-25T11:00:00Z",
      refund_line_items: [],
      transactions: [{ kind: "refund", status: "success", amount }],
    },
    NOW,
  );
}

const entries = (customer: string) =>
  db.loyaltyLedgerEntry.findMany({ where: { shopId, customerExternalId: customer }, orderBy: { createdAt: "asc" } });

beforeAll(async () => {
  shopId = (await db.shop.create({ data: { domain: SHOP, currency: "USD" } })).id;
});

describe("the loyalty ledger", () => {
  it("earns once per paid order, however many times the webhook arrives", async () => {
    const { payload, customer } = await paidOrder("123.45");
    await processWebhook(db, "orders/create", SHOP, payload, NOW);
    await processWebhook(db, "orders/updated", SHOP, { ...payload, updated_at: "2026-11-20T10:20:00-05:00" }, NOW);
    expect((await entries(customer)).map((e) => [e.kind, e.points, e.key])).toEqual([
      ["earn", 123, `earn:${payload.id}`],
    ]);
    expect((await loyaltyStanding(db, shopId, customer, NOW)).balance).toBe(123);
  });

  it("earns nothing for an order not yet paid, and earns when it is", async () => {
    const { payload, customer } = await paidOrder("50.00", undefined, { financial_status: "pending" });
    expect(await entries(customer)).toHaveLength(0);
    await processWebhook(
      db,
      "orders/updated",
      SHOP,
      { ...payload, financial_status: "paid", updated_at: "2026-11-21T10:00:00-05:00" },
      NOW,
    );
    expect((await entries(customer)).map((e) => e.points)).toEqual([50]);
  });

  it("takes points back in proportion on a partial refund, the rest on a full one, once each", async () => {
    const { payload, customer } = await paidOrder("200.00");
    await refund(payload.id, 9_001, "50.00");
    await refund(payload.id, 9_001, "50.00"); // delivered twice
    expect((await entries(customer)).map((e) => [e.kind, e.points])).toEqual([
      ["earn", 200],
      ["reverse", -50],
    ]);
    await refund(payload.id, 9_002, "150.00");
    expect((await loyaltyStanding(db, shopId, customer, NOW)).balance).toBe(0);
  });

  it("lets exactly one of two registers redeem the same points at the same instant", async () => {
    const { customer } = await paidOrder("150.00"); // 150 points: one 100-point reward
    const redeem = (device: string) =>
      reserveReward(
        db,
        shopId,
        {
          customerExternalId: customer,
          rewardId: "five-off",
          cartSubtotalMinor: 4_000,
          locationExternalId: null,
          deviceId: device,
          userId: "1",
        },
        NOW,
      );
    const results = await Promise.allSettled([redeem("a"), redeem("b"), redeem("c")]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    for (const failure of refused) expect(failure.reason).toMatchObject({ status: 409, code: "insufficient_points" });
    expect((await loyaltyStanding(db, shopId, customer, NOW)).balance).toBe(50);
    expect(await db.loyaltyReservation.count({ where: { shopId, customerExternalId: customer } })).toBe(1);
  });

  it("releases a reservation no order carried in time, once; a removed discount releases it too", async () => {
    const { customer } = await paidOrder("300.00");
    const reservation = await reserveReward(
      db,
      shopId,
      {
        customerExternalId: customer,
        rewardId: "ten-percent",
        cartSubtotalMinor: 5_000,
        locationExternalId: null,
        deviceId: "a",
        userId: null,
      },
      NOW,
    );
    expect(reservation).toMatchObject({ points: 250, valueMinor: 500, balanceAfter: 50 });
    expect(await releaseExpiredReservations(db, shopId, NOW)).toBe(0);
    const later = new Date(NOW.getTime() + 31 * 60_000);
    expect(await releaseExpiredReservations(db, shopId, later)).toBeGreaterThanOrEqual(1);
    expect(await releaseReservation(db, shopId, reservation.reservationId, "again", later)).toBe(false);
    expect((await loyaltyStanding(db, shopId, customer, later)).balance).toBe(300);
    expect((await entries(customer)).map((e) => e.kind)).toEqual(["earn", "redeem", "release"]);
  });

  it("confirms a reservation when the order carrying its code arrives, and then never releases it", async () => {
    const { customer } = await paidOrder("300.00");
    const reservation = await reserveReward(
      db,
      shopId,
      {
        customerExternalId: customer,
        rewardId: "five-off",
        cartSubtotalMinor: 5_000,
        locationExternalId: null,
        deviceId: "a",
        userId: null,
      },
      NOW,
    );
    await paidOrder("45.00", Number(customer), {
      discount_applications: [{ title: `Loyalty reward ${reservation.code}`, description: null }],
    });
    expect(await db.loyaltyReservation.findUniqueOrThrow({ where: { id: reservation.reservationId } })).toMatchObject({
      status: "confirmed",
    });
    expect(
      await releaseReservation(db, shopId, reservation.reservationId, "removed", new Date(NOW.getTime() + 3_600_000)),
    ).toBe(false);
    // 300 earned − 100 redeemed + 45 earned on the new order.
    expect((await loyaltyStanding(db, shopId, customer, NOW)).balance).toBe(245);
  });

  it("writes off points past the program's expiry", async () => {
    const { customer } = await paidOrder("80.00");
    await db.loyaltyProgram.create({
      data: {
        shopId,
        document: JSON.stringify({
          ...(await import("../../shared/loyalty")).DEFAULT_LOYALTY_PROGRAM,
          expiryDays: 30,
        }),
      },
    });
    try {
      // The order was processed on 2026-11-20: 40 days later its points are gone.
      const later = new Date("2026-12-30T12:00:00Z");
      expect((await loyaltyStanding(db, shopId, customer, later)).balance).toBe(0);
      expect((await entries(customer)).map((e) => [e.kind, e.points])).toEqual([
        ["earn", 80],
        ["expire", -80],
      ]);
    } finally {
      await db.loyaltyProgram.deleteMany({ where: { shopId } });
    }
  });
});
