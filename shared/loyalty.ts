/**
 * Loyalty, the pure part: the program a merchant sets up, what an order earns, what a refund
 * takes back, a customer's tier from their last 12 months of spend, and the single best offer
 * to make at the register. The ledger itself (append-only, the source of truth) lives in the
 * database; this module only does its arithmetic.
 */

export interface LoyaltyTier {
  name: string;
  /** Spend over the last 12 months (minor units) from which the tier applies. */
  minSpendMinor: number;
  /** A standing percentage off for members of this tier (0 for none). */
  perkPercent: number;
}

export interface LoyaltyReward {
  id: string;
  name: string;
  kind: "amount" | "percent";
  /** Minor units off, or percent off. */
  value: number;
  points: number;
  /** The cart must be at least this much (minor units). */
  minSpendMinor: number;
}

export interface LoyaltyProgram {
  enabled: boolean;
  /** Points per whole unit of currency paid (e.g. 1 point per 1.00). */
  pointsPerUnit: number;
  /** Ascending by minSpendMinor; the first tier starts at 0. */
  tiers: LoyaltyTier[];
  rewards: LoyaltyReward[];
  /** Locations that take part; empty = all. */
  locations: string[];
  /** Points expire this many days after they were earned (null: never). */
  expiryDays: number | null;
  /** Minutes a redemption waits for its order before the points are released. */
  reservationMinutes: number;
}

export const DEFAULT_LOYALTY_PROGRAM: LoyaltyProgram = {
  enabled: true,
  pointsPerUnit: 1,
  tiers: [
    { name: "Member", minSpendMinor: 0, perkPercent: 0 },
    { name: "Silver", minSpendMinor: 50_000, perkPercent: 0 },
    { name: "Gold", minSpendMinor: 150_000, perkPercent: 5 },
  ],
  rewards: [
    { id: "five-off", name: "5.00 off", kind: "amount", value: 500, points: 100, minSpendMinor: 1_000 },
    { id: "ten-percent", name: "10% off", kind: "percent", value: 10, points: 250, minSpendMinor: 3_000 },
    { id: "twenty-off", name: "20.00 off", kind: "amount", value: 2_000, points: 400, minSpendMinor: 6_000 },
  ],
  locations: [],
  expiryDays: null,
  reservationMinutes: 30,
};

/** Points an order earns: whole currency units paid × rate (never negative). */
export function pointsForPaid(paidMinor: number, program: Pick<LoyaltyProgram, "pointsPerUnit">, exponent = 2) {
  return Math.max(0, Math.floor((paidMinor / 10 ** exponent) * program.pointsPerUnit));
}

/**
 * Points a refund takes back: the order's earned points in proportion to the share refunded,
 * never more than what is left to reverse.
 */
export function pointsToReverse(earned: number, alreadyReversed: number, refundMinor: number, paidMinor: number) {
  if (earned <= 0 || paidMinor <= 0) return 0;
  const share = Math.min(1, Math.max(0, refundMinor / paidMinor));
  return Math.max(0, Math.min(earned - alreadyReversed, Math.round(earned * share)));
}

export interface TierStanding {
  tier: LoyaltyTier;
  next: LoyaltyTier | null;
  /** Spend still needed for the next tier (0 at the top). */
  toNextMinor: number;
  /** 0–1 progress from this tier's threshold to the next one's. */
  progress: number;
}

export function tierFor(program: Pick<LoyaltyProgram, "tiers">, spend12mMinor: number): TierStanding {
  const tiers = [...program.tiers].sort((a, b) => a.minSpendMinor - b.minSpendMinor);
  let index = 0;
  for (const [i, tier] of tiers.entries()) if (spend12mMinor >= tier.minSpendMinor) index = i;
  const tier = tiers[index] ?? { name: "Member", minSpendMinor: 0, perkPercent: 0 };
  const next = tiers[index + 1] ?? null;
  if (!next) return { tier, next: null, toNextMinor: 0, progress: 1 };
  const span = next.minSpendMinor - tier.minSpendMinor;
  return {
    tier,
    next,
    toNextMinor: Math.max(0, next.minSpendMinor - spend12mMinor),
    progress: span > 0 ? Math.min(1, Math.max(0, (spend12mMinor - tier.minSpendMinor) / span)) : 1,
  };
}

/** The offer id of a tier's standing percentage: applied without spending points. */
export const PERK_REWARD_ID = "tier-perk";

export interface Offer {
  reward: LoyaltyReward;
  /** What it takes off this cart, in minor units. */
  valueMinor: number;
}

/**
 * The single best offer now: among the rewards the customer can afford and the cart qualifies
 * for, the one worth most to the customer on this cart, within `capMinor` (the store's discount
 * limit); ties go to the one costing fewer points.
 */
export function bestOffer(
  program: Pick<LoyaltyProgram, "rewards">,
  balance: number,
  cartSubtotalMinor: number,
  capMinor: number,
  /** The customer's tier perk (a standing percentage, no points), competing with the rewards. */
  perk?: { tierName: string; percent: number },
): Offer | null {
  let best: Offer | null = null;
  const candidates: LoyaltyReward[] = [...program.rewards];
  if (perk && perk.percent > 0) {
    candidates.push({
      id: PERK_REWARD_ID,
      name: `${perk.tierName} ${perk.percent}% perk`,
      kind: "percent",
      value: perk.percent,
      points: 0,
      minSpendMinor: 0,
    });
  }
  for (const reward of candidates) {
    if (reward.points > balance || cartSubtotalMinor < reward.minSpendMinor) continue;
    const valueMinor = rewardValueMinor(reward, cartSubtotalMinor);
    if (valueMinor <= 0 || valueMinor > capMinor) continue;
    if (
      !best ||
      valueMinor > best.valueMinor ||
      (valueMinor === best.valueMinor && reward.points < best.reward.points)
    ) {
      best = { reward, valueMinor };
    }
  }
  return best;
}

export function rewardValueMinor(reward: Pick<LoyaltyReward, "kind" | "value">, cartSubtotalMinor: number): number {
  const raw = reward.kind === "percent" ? Math.round((cartSubtotalMinor * reward.value) / 100) : reward.value;
  return Math.max(0, Math.min(raw, cartSubtotalMinor));
}

export type LedgerKind = "earn" | "reverse" | "redeem" | "release" | "expire" | "adjust";

export interface LedgerEntry {
  kind: LedgerKind;
  /** Signed: earn/release/adjust up, reverse/redeem/expire down. */
  points: number;
  createdAt: Date;
}

/** The balance is the ledger's sum; a reservation not yet released counts as spent. */
export function balanceOf(entries: Pick<LedgerEntry, "points">[]): number {
  return entries.reduce((sum, entry) => sum + entry.points, 0);
}

/**
 * Points that have expired by `now` and are not yet written off: earned points older than the
 * expiry, minus what was already spent or expired (oldest points are spent first).
 */
export function pointsExpiring(entries: LedgerEntry[], expiryDays: number | null, now: Date): number {
  if (expiryDays === null) return 0;
  const cutoff = now.getTime() - expiryDays * 86_400_000;
  const expiredEarned = entries
    .filter((entry) => (entry.kind === "earn" || entry.kind === "adjust") && entry.points > 0)
    .filter((entry) => entry.createdAt.getTime() <= cutoff)
    .reduce((sum, entry) => sum + entry.points, 0);
  const used = entries
    .filter((entry) => entry.kind === "redeem" || entry.kind === "reverse" || entry.kind === "expire")
    .reduce((sum, entry) => sum - entry.points, 0);
  const released = entries.filter((entry) => entry.kind === "release").reduce((sum, entry) => sum + entry.points, 0);
  return Math.max(0, Math.min(expiredEarned - (used - released), balanceOf(entries)));
}
