/**
 * The manager's shift summary: figures counted from the database (sales, suggestions, approvals,
 * returns) with anomalies flagged by rule, and a short note about them, written by the shop's
 * language model when it is on and checked so that every number in it is one of the figures;
 * otherwise, or when the check fails, written from a template. The figures are always shown
 * beside the note.
 */
import type { Db } from "../db.server";
import { SHIFT_SUMMARY_PROMPT } from "../ai/prompts";
import { formatMoney } from "../../shared/money";
import { runShopPrompt, saveAiOutput } from "./ai.server";

export const SHIFT_KIND = "shift";

export interface ShiftWindow {
  location: string | null;
  from: Date;
  to: Date;
  currency: string;
}

export interface StaffDiscounts {
  staff: string;
  discounts: number;
  amount: string;
  sharePct: number;
}

export interface ShiftFigures {
  location: string | null;
  from: string;
  to: string;
  sales: { orders: number; revenue: string };
  suggestions: { shown: number; added: number; addedPct: number };
  approvals: { asked: number; approved: number; declined: number; withinLimits: number };
  returns: { checks: number; byVerdict: Record<string, number> };
  manualDiscounts: { total: number; byStaff: StaffDiscounts[] };
  anomalies: Array<{ kind: "discount_share"; staff: string; sharePct: number; discounts: number; text: string }>;
}

/** A staff member giving at least this share of the shift's manual discounts (and 3 or more) is flagged. */
const DISCOUNT_SHARE_FLAG = 0.5;
const DISCOUNT_COUNT_FLAG = 3;

const pct = (part: number, whole: number) => (whole > 0 ? Math.round((100 * part) / whole) : 0);

export async function shiftFigures(db: Db, shopId: string, window: ShiftWindow): Promise<ShiftFigures> {
  const when = { gte: window.from, lt: window.to };
  const here = window.location ? { locationExternalId: window.location } : {};
  const money = (minor: number) => formatMoney({ amountMinor: minor, currency: window.currency });
  const [sales, events, approvals, checks] = await Promise.all([
    db.order.aggregate({
      where: { shopId, processedAt: when, cancelledAt: null, ...here },
      _count: { _all: true },
      _sum: { totalMinor: true },
    }),
    db.suggestionEvent.groupBy({
      by: ["kind"],
      where: { shopId, createdAt: when, kind: { in: ["shown", "added"] }, ...here },
      _count: { _all: true },
    }),
    db.approvalRequest.findMany({
      where: { shopId, kind: "discount", createdAt: when, ...here },
      select: { status: true, staffMemberId: true, userId: true, amountMinor: true },
    }),
    db.returnCheck.groupBy({ by: ["verdict"], where: { shopId, createdAt: when, ...here }, _count: { _all: true } }),
  ]);
  const shown = events.find((row) => row.kind === "shown")?._count._all ?? 0;
  const added = events.find((row) => row.kind === "added")?._count._all ?? 0;

  // Manual discounts that reached a cart: under the limits (applied) or with a manager (redeemed).
  const given = approvals.filter((row) => row.status === "applied" || row.status === "redeemed");
  const perStaff = new Map<string, { discounts: number; amountMinor: number }>();
  for (const row of given) {
    const staff = row.staffMemberId ? `staff ${row.staffMemberId}` : row.userId ? `user ${row.userId}` : "unknown";
    const entry = perStaff.get(staff) ?? { discounts: 0, amountMinor: 0 };
    entry.discounts++;
    entry.amountMinor += row.amountMinor;
    perStaff.set(staff, entry);
  }
  const byStaff = [...perStaff.entries()]
    .map(([staff, entry]) => ({
      staff,
      discounts: entry.discounts,
      amount: money(entry.amountMinor),
      sharePct: pct(entry.discounts, given.length),
    }))
    .sort((a, b) => b.discounts - a.discounts || a.staff.localeCompare(b.staff));
  const anomalies = byStaff
    .filter(
      (row) => byStaff.length >= 2 && row.discounts >= DISCOUNT_COUNT_FLAG && row.sharePct >= DISCOUNT_SHARE_FLAG * 100,
    )
    .map((row) => ({
      kind: "discount_share" as const,
      staff: row.staff,
      sharePct: row.sharePct,
      discounts: row.discounts,
      text: `${row.staff} gave ${row.discounts} of the shift's ${given.length} manual discounts (${row.sharePct}%)`,
    }));

  return {
    location: window.location,
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    sales: { orders: sales._count._all, revenue: money(sales._sum.totalMinor ?? 0) },
    suggestions: { shown, added, addedPct: pct(added, shown) },
    approvals: {
      asked: approvals.filter((row) => row.status !== "applied").length,
      approved: approvals.filter((row) => row.status === "approved" || row.status === "redeemed").length,
      declined: approvals.filter((row) => row.status === "declined").length,
      withinLimits: approvals.filter((row) => row.status === "applied").length,
    },
    returns: {
      checks: checks.reduce((sum, row) => sum + row._count._all, 0),
      byVerdict: Object.fromEntries(checks.map((row) => [row.verdict, row._count._all])),
    },
    manualDiscounts: { total: given.length, byStaff },
    anomalies,
  };
}

/** The note without a model: the same facts in fixed sentences. */
export function templateSummary(figures: ShiftFigures): string {
  const parts = [
    `${figures.sales.orders} orders for ${figures.sales.revenue}.`,
    `Suggestions: ${figures.suggestions.shown} shown, ${figures.suggestions.added} added (${figures.suggestions.addedPct}%).`,
    `Discounts: ${figures.manualDiscounts.total} given, ${figures.approvals.asked} sent to a manager ` +
      `(${figures.approvals.approved} approved, ${figures.approvals.declined} declined).`,
    `Returns checked: ${figures.returns.checks}.`,
  ];
  for (const anomaly of figures.anomalies) parts.push(`Look at this: ${anomaly.text}.`);
  return parts.join(" ");
}

/**
 * Every number the note uses must be one of the figures (as written there): the model adds none.
 * The shift's start and end are left out: their digits (a minute of 37) would let any small
 * number through.
 */
export function numbersAreFromFigures(text: string, figures: ShiftFigures): boolean {
  const { from: _from, to: _to, ...counted } = figures;
  const allowed = new Set(JSON.stringify(counted).match(/\d+(?:[.,]\d+)*/g) ?? []);
  return (text.match(/\d+(?:[.,]\d+)*/g) ?? []).every((number) => allowed.has(number));
}

export interface ShiftNote {
  text: string;
  source: "model" | "template";
  promptVersion: number | null;
  /** Why the model's note is not shown, when it is not. */
  fallbackReason: string | null;
}

export async function writeShiftNote(db: Db, shopId: string, figures: ShiftFigures, now: Date): Promise<ShiftNote> {
  const template = (why: string): ShiftNote => ({
    text: templateSummary(figures),
    source: "template",
    promptVersion: null,
    fallbackReason: why,
  });
  const answer = await runShopPrompt(db, shopId, SHIFT_SUMMARY_PROMPT, figures, {
    now,
    timeoutMs: 15_000,
    maxRetries: 2,
  });
  if (!answer.ok) return template(answer.detail);
  const text = answer.value.summary.trim();
  if (!numbersAreFromFigures(text, figures)) return template("the model's note used a number not in the figures");
  await saveAiOutput(db, shopId, {
    kind: SHIFT_KIND,
    key: `${figures.location ?? "all"}:${figures.from}:${figures.to}`,
    prompt: SHIFT_SUMMARY_PROMPT,
    model: answer.model,
    value: { summary: text, figures },
    now,
  });
  return { text, source: "model", promptVersion: SHIFT_SUMMARY_PROMPT.version, fallbackReason: null };
}
