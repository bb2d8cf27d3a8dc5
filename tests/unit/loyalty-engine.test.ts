import { describe, expect, it } from "vitest";
import {
  balanceOf,
  bestOffer,
  DEFAULT_LOYALTY_PROGRAM,
  pointsExpiring,
  pointsForPaid,
  pointsToReverse,
  tierFor,
  type LedgerEntry,
} from "../../shared/loyalty";

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000);

describe("loyalty arithmetic", () => {
  it("earns whole units paid × rate, in the currency's own units", () => {
    expect(pointsForPaid(12_345, { pointsPerUnit: 1 })).toBe(123);
    expect(pointsForPaid(12_345, { pointsPerUnit: 2.5 })).toBe(308);
    expect(pointsForPaid(1_500, { pointsPerUnit: 1 }, 0)).toBe(1_500); // JPY
    expect(pointsForPaid(-500, { pointsPerUnit: 1 })).toBe(0);
  });

  it("takes back points in proportion to a refund, never more than was earned", () => {
    expect(pointsToReverse(100, 0, 2_500, 10_000)).toBe(25);
    expect(pointsToReverse(100, 25, 7_500, 10_000)).toBe(75);
    expect(pointsToReverse(100, 90, 10_000, 10_000)).toBe(10);
    expect(pointsToReverse(0, 0, 5_000, 10_000)).toBe(0);
  });

  it("places a customer in a tier by 12-month spend, with progress to the next", () => {
    expect(tierFor(DEFAULT_LOYALTY_PROGRAM, 0)).toMatchObject({ tier: { name: "Member" }, next: { name: "Silver" } });
    expect(tierFor(DEFAULT_LOYALTY_PROGRAM, 100_000)).toMatchObject({
      tier: { name: "Silver" },
      next: { name: "Gold" },
      toNextMinor: 50_000,
      progress: 0.5,
    });
    expect(tierFor(DEFAULT_LOYALTY_PROGRAM, 900_000)).toMatchObject({
      tier: { name: "Gold" },
      next: null,
      progress: 1,
    });
  });

  it("offers the reward worth most on this cart that the customer can afford, within the cap", () => {
    // 300 points, a 50.00 cart: 10% (5.00, 250 pts) ties 5.00 off (100 pts) → fewer points wins.
    expect(bestOffer(DEFAULT_LOYALTY_PROGRAM, 300, 5_000, 10_000)?.reward.id).toBe("five-off");
    // A 80.00 cart: 10% = 8.00 beats 5.00; 20.00 off needs 400 points.
    expect(bestOffer(DEFAULT_LOYALTY_PROGRAM, 300, 8_000, 10_000)).toMatchObject({
      reward: { id: "ten-percent" },
      valueMinor: 800,
    });
    expect(bestOffer(DEFAULT_LOYALTY_PROGRAM, 500, 8_000, 10_000)?.reward.id).toBe("twenty-off");
    // The store's discount limit caps the offer.
    expect(bestOffer(DEFAULT_LOYALTY_PROGRAM, 500, 8_000, 1_000)?.reward.id).toBe("ten-percent");
    // Minimum spend and balance.
    expect(bestOffer(DEFAULT_LOYALTY_PROGRAM, 500, 900, 10_000)).toBeNull();
    expect(bestOffer(DEFAULT_LOYALTY_PROGRAM, 99, 8_000, 10_000)).toBeNull();
  });

  it("derives the balance from the ledger and expires the oldest unspent points", () => {
    const entries: LedgerEntry[] = [
      { kind: "earn", points: 100, createdAt: day(0) },
      { kind: "earn", points: 50, createdAt: day(200) },
      { kind: "redeem", points: -30, createdAt: day(210) },
      { kind: "redeem", points: -40, createdAt: day(220) },
      { kind: "release", points: 40, createdAt: day(221) },
    ];
    expect(balanceOf(entries)).toBe(120);
    // After 365 days, the first 100 expire less the 30 spent from them.
    expect(pointsExpiring(entries, 365, day(366))).toBe(70);
    expect(pointsExpiring([...entries, { kind: "expire", points: -70, createdAt: day(366) }], 365, day(367))).toBe(0);
    expect(pointsExpiring(entries, null, day(1_000))).toBe(0);
  });
});

describe("a tier's standing percentage", () => {
  it("competes with the rewards and wins when it is worth more, costing no points", () => {
    const perk = { tierName: "Gold", percent: 12 };
    expect(bestOffer(DEFAULT_LOYALTY_PROGRAM, 300, 8_000, 10_000, perk)).toMatchObject({
      reward: { id: "tier-perk", name: "Gold 12% perk", points: 0 },
      valueMinor: 960,
    });
    // Capped like any discount: above the limit it is not offered.
    expect(bestOffer(DEFAULT_LOYALTY_PROGRAM, 0, 8_000, 900, perk)).toBeNull();
  });
});
