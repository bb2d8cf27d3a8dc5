/**
 * The merchant's numbers for a date range (and optionally one location): suggestions shown and
 * added, revenue attributed to them, approvals by outcome and by staff member, returns by verdict
 * and reason, loyalty points earned and redeemed. Counted straight from the records each feature
 * writes, so the page shows exactly what the database holds. Days are UTC calendar days.
 */
import type { Db } from "../db.server";

export interface AnalyticsFilter {
  /** Inclusive start, exclusive end. */
  from: Date;
  to: Date;
  location: string | null;
}

export interface AnalyticsDay {
  day: string;
  shown: number;
  added: number;
  attributedRevenueMinor: number;
  pointsEarned: number;
  pointsRedeemed: number;
}

export interface Analytics {
  suggestions: { shown: number; added: number; addedRate: number; attributedRevenueMinor: number };
  approvals: {
    byOutcome: Record<string, number>;
    byStaff: Array<{ staff: string; requests: number; approved: number; declined: number; amountMinor: number }>;
  };
  returns: { checks: number; byVerdict: Record<string, number>; byReason: Record<string, number> };
  loyalty: { earned: number; redeemed: number };
  days: AnalyticsDay[];
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

function countBy<T>(rows: T[], key: (row: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[key(row)] = (counts[key(row)] ?? 0) + 1;
  return counts;
}

export async function analyticsFor(db: Db, shopId: string, filter: AnalyticsFilter): Promise<Analytics> {
  const when = { gte: filter.from, lt: filter.to };
  const where = filter.location ? { locationExternalId: filter.location } : {};
  const [events, approvals, checks, earnEntries, reservations] = await Promise.all([
    db.suggestionEvent.findMany({
      where: { shopId, createdAt: when, kind: { in: ["shown", "added"] }, ...where },
      select: { id: true, kind: true, createdAt: true },
    }),
    db.approvalRequest.findMany({
      where: { shopId, createdAt: when, ...where },
      select: { status: true, userId: true, staffMemberId: true, amountMinor: true },
    }),
    db.returnCheck.findMany({
      where: { shopId, createdAt: when, ...where },
      select: { verdict: true, reasonCode: true },
    }),
    db.loyaltyLedgerEntry.findMany({
      where: { shopId, kind: "earn", createdAt: when },
      select: { points: true, createdAt: true, orderExternalId: true },
    }),
    db.loyaltyReservation.findMany({
      where: { shopId, status: "confirmed", createdAt: when, ...where },
      select: { points: true, createdAt: true },
    }),
  ]);

  // Attributed revenue belongs to the shown/added event it came from, so it follows the filter.
  const attributions = await db.suggestionAttribution.findMany({
    where: { shopId, createdAt: when },
    select: { revenueMinor: true, createdAt: true, suggestionEventId: true },
  });
  const eventIds = new Set(events.map((event) => event.id));
  const attributed = filter.location ? attributions.filter((row) => eventIds.has(row.suggestionEventId)) : attributions;

  // Points earned count at the order's location.
  let earned = earnEntries;
  if (filter.location) {
    // An order earns when it is processed (the entry carries processedAt): same range, no id list.
    const orders = await db.order.findMany({
      where: { shopId, locationExternalId: filter.location, processedAt: when },
      select: { externalId: true },
    });
    const here = new Set(orders.map((order) => order.externalId));
    earned = earnEntries.filter((entry) => entry.orderExternalId !== null && here.has(entry.orderExternalId));
  }

  const days = new Map<string, AnalyticsDay>();
  const day = (date: Date) => {
    const key = dayOf(date);
    let row = days.get(key);
    if (!row) {
      row = { day: key, shown: 0, added: 0, attributedRevenueMinor: 0, pointsEarned: 0, pointsRedeemed: 0 };
      days.set(key, row);
    }
    return row;
  };
  for (const event of events) day(event.createdAt)[event.kind === "shown" ? "shown" : "added"]++;
  for (const row of attributed) day(row.createdAt).attributedRevenueMinor += row.revenueMinor;
  for (const entry of earned) day(entry.createdAt).pointsEarned += entry.points;
  for (const reservation of reservations) day(reservation.createdAt).pointsRedeemed += reservation.points;
  // Every day of the range, so a chart shows quiet days as zero rather than skipping them.
  for (let at = new Date(filter.from); at < filter.to; at = new Date(at.getTime() + 86_400_000)) day(at);

  const shown = events.filter((event) => event.kind === "shown").length;
  const added = events.length - shown;
  const byStaff = new Map<string, Analytics["approvals"]["byStaff"][number]>();
  for (const row of approvals) {
    const staff = row.staffMemberId ? `staff ${row.staffMemberId}` : row.userId ? `user ${row.userId}` : "unknown";
    const entry = byStaff.get(staff) ?? { staff, requests: 0, approved: 0, declined: 0, amountMinor: 0 };
    entry.requests++;
    if (row.status === "approved" || row.status === "redeemed") entry.approved++;
    if (row.status === "declined") entry.declined++;
    if (row.status === "applied" || row.status === "redeemed") entry.amountMinor += row.amountMinor;
    byStaff.set(staff, entry);
  }
  return {
    suggestions: {
      shown,
      added,
      addedRate: shown ? added / shown : 0,
      attributedRevenueMinor: attributed.reduce((sum, row) => sum + row.revenueMinor, 0),
    },
    approvals: {
      byOutcome: countBy(approvals, (row) => row.status),
      byStaff: [...byStaff.values()].sort((a, b) => b.requests - a.requests),
    },
    returns: {
      checks: checks.length,
      byVerdict: countBy(checks, (row) => row.verdict),
      byReason: countBy(checks, (row) => row.reasonCode),
    },
    loyalty: {
      earned: earned.reduce((sum, entry) => sum + entry.points, 0),
      redeemed: reservations.reduce((sum, reservation) => sum + reservation.points, 0),
    },
    days: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
  };
}
