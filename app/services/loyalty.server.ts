/**
 * The loyalty ledger: an append-only list of point movements per customer, the source of truth
 * for balances. Every write takes the customer's account row first (an UPDATE, so PostgreSQL
 * row-locks it and SQLite's single writer serializes it), then checks and appends: two registers
 * redeeming the same points at once cannot both succeed, and a webhook delivered twice earns once
 * (each entry has a unique key).
 */
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import { currencyExponent } from "../../shared/money";
import type { ShopRef } from "../../shared/model";
import { LoyaltyProgramSchema } from "../../shared/loyalty-program";
import type { LoyaltyViewResponse } from "../../shared/pos-contract";
import { approvalLimitsFor } from "./approvals.server";
import { appendAudit, inAuditedTransaction, type Tx } from "./audit.server";
import { enqueueJob } from "./jobs.server";
import { registerSwitchesFor } from "./register-switches.server";
import {
  balanceOf,
  bestOffer,
  DEFAULT_LOYALTY_PROGRAM,
  tierFor,
  pointsExpiring,
  pointsForPaid,
  pointsToReverse,
  type LedgerEntry,
  type LedgerKind,
  type LoyaltyProgram,
} from "../../shared/loyalty";

/** Orders in these states were paid for (refunds are taken back separately). */
const PAID_STATUSES = new Set(["paid", "partially_refunded", "refunded"]);

export async function loyaltyProgramFor(db: Db | Tx, shopId: string): Promise<LoyaltyProgram> {
  const row = await db.loyaltyProgram.findUnique({ where: { shopId } });
  return row ? LoyaltyProgramSchema.parse(JSON.parse(row.document)) : DEFAULT_LOYALTY_PROGRAM;
}

/** Takes the customer's account row for the rest of the transaction. */
async function lockAccount(tx: Tx, shopId: string, customerExternalId: string) {
  await tx.loyaltyAccount.upsert({
    where: { shopId_customerExternalId: { shopId, customerExternalId } },
    create: { shopId, customerExternalId, version: 1 },
    update: { version: { increment: 1 } },
    select: { id: true },
  });
}

async function ledger(tx: Db | Tx, shopId: string, customerExternalId: string): Promise<LedgerEntry[]> {
  const rows = await tx.loyaltyLedgerEntry.findMany({
    where: { shopId, customerExternalId },
    select: { kind: true, points: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((row) => ({ ...row, kind: row.kind as LedgerKind }));
}

interface Append {
  shopId: string;
  customerExternalId: string;
  kind: LedgerKind;
  points: number;
  key: string;
  orderExternalId?: string | null;
  reservationId?: string | null;
  actor: string;
  note?: string | null;
  at: Date;
}

/** Appends unless an entry with this key exists (the caller holds the account lock). */
async function append(tx: Tx, entry: Append): Promise<boolean> {
  const existing = await tx.loyaltyLedgerEntry.findUnique({
    where: { shopId_key: { shopId: entry.shopId, key: entry.key } },
    select: { id: true },
  });
  if (existing || entry.points === 0) return false;
  await tx.loyaltyLedgerEntry.create({
    data: {
      shopId: entry.shopId,
      customerExternalId: entry.customerExternalId,
      kind: entry.kind,
      points: entry.points,
      key: entry.key,
      orderExternalId: entry.orderExternalId ?? null,
      reservationId: entry.reservationId ?? null,
      actor: entry.actor,
      note: entry.note ?? null,
      createdAt: entry.at,
    },
  });
  return true;
}

/**
 * After an order is stored: earn its points once it is paid (once per order), take back points
 * for its refunds (once per refund), and confirm a reward reservation whose code it carries.
 */
export async function applyLoyaltyForOrder(
  db: Db,
  shopId: string,
  order: { externalId: string; discountTitles: string[] },
  now: Date,
): Promise<void> {
  const stored = await db.order.findUnique({
    where: { shopId_externalId: { shopId, externalId: order.externalId } },
    include: { refunds: { select: { externalId: true, amountMinor: true } } },
  });
  if (!stored?.customerExternalId || stored.cancelledAt) return;
  const program = await loyaltyProgramFor(db, shopId);
  const customer = stored.customerExternalId;
  const takesPart =
    program.enabled &&
    (program.locations.length === 0 ||
      (stored.locationExternalId !== null && program.locations.includes(stored.locationExternalId)));
  await db.$transaction(async (tx) => {
    await lockAccount(tx, shopId, customer);
    if (takesPart && PAID_STATUSES.has(stored.financialStatus ?? "")) {
      await append(tx, {
        shopId,
        customerExternalId: customer,
        kind: "earn",
        points: pointsForPaid(stored.subtotalMinor, program, currencyExponent(stored.currency)),
        key: `earn:${stored.externalId}`,
        orderExternalId: stored.externalId,
        actor: "system",
        at: stored.processedAt,
      });
    }
    await reverseRefunds(tx, shopId, customer, stored, now);
    await confirmReservations(tx, shopId, customer, stored.externalId, order.discountTitles);
  });
}

async function reverseRefunds(
  tx: Tx,
  shopId: string,
  customer: string,
  order: { externalId: string; subtotalMinor: number; refunds: Array<{ externalId: string; amountMinor: number }> },
  now: Date,
) {
  if (order.refunds.length === 0) return;
  const entries = await tx.loyaltyLedgerEntry.findMany({
    where: { shopId, orderExternalId: order.externalId, kind: { in: ["earn", "reverse"] } },
    select: { kind: true, points: true, key: true },
  });
  const earned = entries.filter((e) => e.kind === "earn").reduce((sum, e) => sum + e.points, 0);
  let reversed = -entries.filter((e) => e.kind === "reverse").reduce((sum, e) => sum + e.points, 0);
  const done = new Set(entries.map((e) => e.key));
  for (const refund of order.refunds) {
    const key = `reverse:${refund.externalId}`;
    if (done.has(key)) continue;
    const points = pointsToReverse(earned, reversed, refund.amountMinor, order.subtotalMinor);
    if (
      await append(tx, {
        shopId,
        customerExternalId: customer,
        kind: "reverse",
        points: -points,
        key,
        orderExternalId: order.externalId,
        actor: "system",
        at: now,
      })
    ) {
      reversed += points;
    }
  }
}

/** The code a reward's cart discount carries in its title, so the order can confirm it. */
export const reservationCode = (reservationId: string) => `LR-${reservationId.slice(-8).toUpperCase()}`;

async function confirmReservations(
  tx: Tx,
  shopId: string,
  customer: string,
  orderExternalId: string,
  discountTitles: string[],
) {
  if (discountTitles.length === 0) return;
  const open = await tx.loyaltyReservation.findMany({
    where: { shopId, customerExternalId: customer, status: "reserved" },
    select: { id: true },
  });
  for (const reservation of open) {
    const code = reservationCode(reservation.id);
    if (!discountTitles.some((title) => title.toUpperCase().includes(code))) continue;
    await tx.loyaltyReservation.update({
      where: { id: reservation.id },
      data: { status: "confirmed", orderExternalId },
    });
  }
}

/** Refunds arrive on their own (refunds/create): take back their points too. */
export async function applyLoyaltyForRefund(db: Db, shopId: string, orderExternalId: string, now: Date) {
  await applyLoyaltyForOrder(db, shopId, { externalId: orderExternalId, discountTitles: [] }, now);
}

export interface LoyaltyStanding {
  balance: number;
  /** Spend over the last 12 months, for the tier. */
  spend12mMinor: number;
}

/** A customer's balance (the ledger's sum, after writing off expired points) and 12-month spend. */
export async function loyaltyStanding(
  db: Db,
  shopId: string,
  customerExternalId: string,
  now: Date,
): Promise<LoyaltyStanding> {
  const program = await loyaltyProgramFor(db, shopId);
  if (program.expiryDays !== null) await expirePoints(db, shopId, customerExternalId, program.expiryDays, now);
  const [entries, spend] = await Promise.all([
    ledger(db, shopId, customerExternalId),
    db.order.aggregate({
      where: {
        shopId,
        customerExternalId,
        cancelledAt: null,
        processedAt: { gte: new Date(now.getTime() - 365 * 86_400_000) },
      },
      _sum: { subtotalMinor: true },
    }),
  ]);
  const refunded = await db.refund.aggregate({
    where: { shopId, order: { customerExternalId }, createdAt: { gte: new Date(now.getTime() - 365 * 86_400_000) } },
    _sum: { amountMinor: true },
  });
  return {
    balance: balanceOf(entries),
    spend12mMinor: Math.max(0, (spend._sum.subtotalMinor ?? 0) - (refunded._sum.amountMinor ?? 0)),
  };
}

/** Writes off points older than the program's expiry (one entry per day at most). */
export async function expirePoints(db: Db, shopId: string, customerExternalId: string, expiryDays: number, now: Date) {
  await db.$transaction(async (tx) => {
    await lockAccount(tx, shopId, customerExternalId);
    const entries = await ledger(tx, shopId, customerExternalId);
    const points = pointsExpiring(entries, expiryDays, now);
    await append(tx, {
      shopId,
      customerExternalId,
      kind: "expire",
      points: -points,
      key: `expire:${customerExternalId}:${now.toISOString().slice(0, 10)}`,
      actor: "system",
      at: now,
    });
  });
}

export class LoyaltyError extends Error {
  constructor(
    readonly status: 403 | 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const LOYALTY_JOB = { release: "loyalty:release" } as const;

/** Whether the program runs at this register's location. */
export function takesPartAt(program: LoyaltyProgram, location: string | null) {
  return (
    program.enabled && (program.locations.length === 0 || (location !== null && program.locations.includes(location)))
  );
}

/**
 * What the register shows for a customer on the cart: tier, points, progress and the single best
 * offer for this cart, capped so it never exceeds the store's discount limits (so applying it
 * needs no manager), and what the cart will earn.
 */
export async function loyaltyView(
  db: Db,
  shop: { id: string; currency: string },
  customerExternalId: string,
  location: string | null,
  cartSubtotalMinor: number,
  now: Date,
): Promise<LoyaltyViewResponse> {
  const [program, switches] = await Promise.all([
    loyaltyProgramFor(db, shop.id),
    registerSwitchesFor(db, shop.id, location),
  ]);
  if (!switches.copilot || !takesPartAt(program, location)) return { enabled: false };
  const [standing, limits] = await Promise.all([
    loyaltyStanding(db, shop.id, customerExternalId, now),
    approvalLimitsFor(db, shop.id, location),
  ]);
  const capMinor = limits.enabled
    ? Math.min(limits.maxAmountMinor, Math.floor((cartSubtotalMinor * limits.maxPercent) / 100))
    : Number.MAX_SAFE_INTEGER;
  const tier = tierFor(program, standing.spend12mMinor);
  const offer = bestOffer(program, standing.balance, cartSubtotalMinor, capMinor, {
    tierName: tier.tier.name,
    percent: tier.tier.perkPercent,
  });
  return {
    enabled: true,
    customerId: customerExternalId,
    currency: shop.currency,
    points: standing.balance,
    tier: { name: tier.tier.name, perkPercent: tier.tier.perkPercent },
    next: tier.next ? { name: tier.next.name, toNextMinor: tier.toNextMinor } : null,
    progress: tier.progress,
    bestOffer: offer
      ? {
          rewardId: offer.reward.id,
          name: offer.reward.name,
          kind: offer.reward.kind,
          value: offer.reward.value,
          points: offer.reward.points,
          valueMinor: offer.valueMinor,
        }
      : null,
    earnOnCart: pointsForPaid(cartSubtotalMinor - (offer?.valueMinor ?? 0), program, currencyExponent(shop.currency)),
  };
}

export interface Redemption {
  /** For the job that releases the reservation if no order carries it. */
  shop?: ShopRef;
  customerExternalId: string;
  rewardId: string;
  cartSubtotalMinor: number;
  locationExternalId: string | null;
  deviceId: string | null;
  userId: string | null;
}

/**
 * Reserves a reward's points for a cart: checked and appended under the account lock, so of two
 * registers redeeming the same points at once exactly one succeeds (the other gets 409).
 */
export async function reserveReward(db: Db, shopId: string, redemption: Redemption, now: Date) {
  const program = await loyaltyProgramFor(db, shopId);
  if (!takesPartAt(program, redemption.locationExternalId)) {
    throw new LoyaltyError(403, "loyalty_disabled", "Loyalty is switched off here");
  }
  const reward = program.rewards.find((candidate) => candidate.id === redemption.rewardId);
  if (!reward) throw new LoyaltyError(404, "reward_not_found", `No reward ${redemption.rewardId}`);
  if (redemption.cartSubtotalMinor < reward.minSpendMinor) {
    throw new LoyaltyError(409, "cart_too_small", "The cart does not reach this reward's minimum spend");
  }
  const valueMinor =
    reward.kind === "percent"
      ? Math.round((redemption.cartSubtotalMinor * reward.value) / 100)
      : Math.min(reward.value, redemption.cartSubtotalMinor);
  const customer = redemption.customerExternalId;
  return db.$transaction(async (tx) => {
    await lockAccount(tx, shopId, customer);
    const balance = balanceOf(await ledger(tx, shopId, customer));
    if (balance < reward.points) {
      throw new LoyaltyError(409, "insufficient_points", `${reward.points} points needed, ${balance} available`);
    }
    const reservation = await tx.loyaltyReservation.create({
      data: {
        shopId,
        customerExternalId: customer,
        rewardId: reward.id,
        points: reward.points,
        valueMinor,
        discountKind: reward.kind,
        discountValue: reward.value,
        status: "reserved",
        locationExternalId: redemption.locationExternalId,
        deviceId: redemption.deviceId,
        userId: redemption.userId,
        expiresAt: new Date(now.getTime() + program.reservationMinutes * 60_000),
        createdAt: now,
      },
    });
    await append(tx, {
      shopId,
      customerExternalId: customer,
      kind: "redeem",
      points: -reward.points,
      key: `redeem:${reservation.id}`,
      reservationId: reservation.id,
      actor: redemption.userId ? `user:${redemption.userId}` : "register",
      at: now,
    });
    if (redemption.shop) {
      await enqueueJob(tx, {
        platform: redemption.shop.platform,
        shopDomain: redemption.shop.domain,
        type: LOYALTY_JOB.release,
        payload: { reservationId: reservation.id },
        runAt: reservation.expiresAt,
      });
    }
    return {
      reservationId: reservation.id,
      code: reservationCode(reservation.id),
      reward: { id: reward.id, name: reward.name, kind: reward.kind, value: reward.value },
      points: reward.points,
      valueMinor,
      expiresAt: reservation.expiresAt.toISOString(),
      balanceAfter: balance - reward.points,
    };
  });
}

/**
 * Gives a reservation's points back: the register removed the discount, or no order carried it
 * before it expired. Once only (the release entry's key), and never for a confirmed one.
 */
export async function releaseReservation(db: Db, shopId: string, reservationId: string, why: string, now: Date) {
  return db.$transaction(async (tx) => {
    const reservation = await tx.loyaltyReservation.findUnique({ where: { id: reservationId } });
    if (!reservation || reservation.shopId !== shopId) return false;
    await lockAccount(tx, shopId, reservation.customerExternalId);
    const claimed = await tx.loyaltyReservation.updateMany({
      where: { id: reservationId, status: "reserved" },
      data: { status: "released" },
    });
    if (claimed.count === 0) return false;
    await append(tx, {
      shopId,
      customerExternalId: reservation.customerExternalId,
      kind: "release",
      points: reservation.points,
      key: `release:${reservationId}`,
      reservationId,
      actor: "system",
      note: why,
      at: now,
    });
    return true;
  });
}

/** Releases every reservation past its time (the worker runs this periodically). */
export async function releaseExpiredReservations(db: Db, shopId: string, now: Date) {
  const expired = await db.loyaltyReservation.findMany({
    where: { shopId, status: "reserved", expiresAt: { lte: now } },
    select: { id: true },
    take: 500,
  });
  let released = 0;
  for (const { id } of expired) {
    if (await releaseReservation(db, shopId, id, "no order carried the reward in time", now)) released++;
  }
  return released;
}

/** Saves the program; the change (and switching it on or off) is audited. */
export async function saveLoyaltyProgram(db: Db, shopId: string, program: LoyaltyProgram, actor: string, now: Date) {
  await inAuditedTransaction(db, (tx) => writeLoyaltyProgram(tx, shopId, program, actor, now));
}

/** saveLoyaltyProgram's writes, inside the caller's transaction. */
export async function writeLoyaltyProgram(tx: Tx, shopId: string, program: LoyaltyProgram, actor: string, now: Date) {
  const before = await loyaltyProgramFor(tx, shopId);
  const document = JSON.stringify(program);
  await tx.loyaltyProgram.upsert({ where: { shopId }, create: { shopId, document }, update: { document } });
  if (before.enabled !== program.enabled) {
    await appendAudit(tx, shopId, {
      type: "killswitch.changed",
      actor,
      data: { feature: "loyalty", location: null, enabled: program.enabled },
      at: now,
    });
  }
  await appendAudit(tx, shopId, { type: "policy.changed", actor, data: { feature: "loyalty", program }, at: now });
}

/**
 * A manager's manual adjustment: one ledger entry and its audit event in the same transaction.
 * A deduction can never take the balance below zero.
 */
export async function adjustPoints(
  db: Db,
  shopId: string,
  adjustment: { customerExternalId: string; points: number; reason: string },
  actor: string,
  now: Date,
) {
  return inAuditedTransaction(db, async (tx) => {
    await lockAccount(tx, shopId, adjustment.customerExternalId);
    const balance = balanceOf(await ledger(tx, shopId, adjustment.customerExternalId));
    if (balance + adjustment.points < 0) {
      throw new LoyaltyError(409, "insufficient_points", `The balance is ${balance}; it cannot go below 0`);
    }
    const key = `adjust:${randomUUID()}`;
    await append(tx, {
      shopId,
      customerExternalId: adjustment.customerExternalId,
      kind: "adjust",
      points: adjustment.points,
      key,
      actor,
      note: adjustment.reason,
      at: now,
    });
    await appendAudit(tx, shopId, {
      type: "loyalty.adjusted",
      actor,
      data: { customerId: adjustment.customerExternalId, points: adjustment.points, reason: adjustment.reason, key },
      at: now,
    });
    return { balance: balance + adjustment.points };
  });
}

/**
 * Customers of this shop whose name, email or phone contains `query` (the register's "add a
 * customer" search). Email and phone come back masked: the cashier confirms, not reads, them.
 */
export async function searchCustomers(db: Db, shopId: string, query: string, limit = 8) {
  const needle = `%${query
    .trim()
    .toLowerCase()
    .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  // LOWER(…) LIKE is case-insensitive on both SQLite and PostgreSQL, unlike Prisma's `contains`.
  const rows = await db.$queryRaw<
    Array<{
      externalId: string;
      firstName: string | null;
      lastName: string | null;
      email: string | null;
      phone: string | null;
    }>
  >(Prisma.sql`
    SELECT "externalId", "firstName", "lastName", "email", "phone" FROM "Customer"
     WHERE "shopId" = ${shopId} AND "redactedAt" IS NULL
       AND (LOWER(COALESCE("firstName", '') || ' ' || COALESCE("lastName", '')) LIKE ${needle} ESCAPE '\\'
            OR LOWER(COALESCE("email", '')) LIKE ${needle} ESCAPE '\\'
            OR COALESCE("phone", '') LIKE ${needle} ESCAPE '\\')
     ORDER BY "lastName", "firstName"
     LIMIT ${limit}`);
  return rows.map((row) => ({
    id: row.externalId,
    name: [row.firstName, row.lastName].filter(Boolean).join(" ") || `Customer ${row.externalId}`,
    hint: maskEmail(row.email) ?? maskPhone(row.phone),
  }));
}

function maskEmail(email: string | null): string | null {
  if (!email) return null;
  const [user = "", domain = ""] = email.split("@");
  return `${user.slice(0, 1)}•••@${domain}`;
}

function maskPhone(phone: string | null): string | null {
  return phone ? `•••${phone.replace(/\D/g, "").slice(-4)}` : null;
}
