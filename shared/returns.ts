/**
 * Return-policy checks, the pure part: given an order as the store recorded it, the lines a
 * customer brings back, their condition and reason, and the store's policy, what the cashier
 * may do for each line, how much is refundable, the rules that decided it in plain words, and
 * risk signals as advice. No I/O: the server loads the order and history, the register shows
 * the answer.
 */

export const RETURN_CONDITIONS = ["unopened", "used", "defective"] as const;
export type ReturnCondition = (typeof RETURN_CONDITIONS)[number];

/** Most to least generous; a line gets the strictest verdict any rule gives it. */
export const RETURN_VERDICTS = ["approve", "store_credit", "exchange_only", "needs_manager", "deny"] as const;
export type ReturnVerdict = (typeof RETURN_VERDICTS)[number];

export const RETURN_REASON_CODES = [
  "defective",
  "wrong_size",
  "not_as_described",
  "wrong_item",
  "changed_mind",
  "unwanted_gift",
  "other",
] as const;
export type ReturnReasonCode = (typeof RETURN_REASON_CODES)[number];

export type ReceiptKind = "receipt" | "gift_receipt" | "none";

/** A rule that matches products by type or tag (case-insensitive). */
export interface ProductMatch {
  productType?: string;
  tag?: string;
}

export interface ReturnPolicy {
  /** Days after purchase (in the shop's time zone) a line can come back. */
  windowDays: number;
  /** First matching override wins over windowDays. */
  windowOverrides: Array<ProductMatch & { days: number }>;
  /** Products with any of these tags are final sale. */
  finalSaleTags: string[];
  /** What each condition allows at best. */
  conditions: Record<ReturnCondition, Exclude<ReturnVerdict, "needs_manager">>;
  /** Without a receipt or order, refuse (true) or apply `noReceipt`. */
  receiptRequired: boolean;
  /** Exchange only for these products (any match). */
  exchangeOnly: ProductMatch[];
  /** Percent kept on lines in these conditions. */
  restockingFee: { percent: number; conditions: ReturnCondition[] };
  /** Orders placed online (not at a POS) can be returned in store. */
  onlineReturnsInStore: boolean;
  /** Returns without a receipt: store credit up to `approvalAboveMinor`, a manager above it. */
  noReceipt: { allowed: boolean; approvalAboveMinor: number };
  /** Customers with this many returns (or this value) in `days` are flagged for review. */
  review: { days: number; maxReturns: number; maxValueMinor: number };
  /** A line at or above this value is flagged as high value (advice only). */
  highValueMinor: number;
}

export const DEFAULT_RETURN_POLICY: ReturnPolicy = {
  windowDays: 30,
  windowOverrides: [],
  finalSaleTags: ["final-sale"],
  conditions: { unopened: "approve", used: "store_credit", defective: "approve" },
  receiptRequired: false,
  exchangeOnly: [],
  restockingFee: { percent: 0, conditions: ["used"] },
  onlineReturnsInStore: true,
  noReceipt: { allowed: true, approvalAboveMinor: 5_000 },
  review: { days: 90, maxReturns: 5, maxValueMinor: 50_000 },
  highValueMinor: 20_000,
};

/** One line of the order as the store recorded it. */
export interface OrderLineFacts {
  lineItemId: string;
  title: string;
  productType: string;
  tags: string[];
  quantity: number;
  /** Unit price before discounts, minor units. */
  priceMinor: number;
  /** Discounts allocated to the whole line (all units), minor units. */
  discountMinor: number;
  /** Units already refunded, and the amount refunded for them. */
  refundedQuantity: number;
  refundedMinor: number;
}

export interface OrderFacts {
  name: string;
  currency: string;
  processedAt: Date;
  /** "pos" for the register; anything else ("web", "shopify_draft_order", …) is online. */
  sourceName: string | null;
  locationId: string | null;
  customerId: string | null;
  lines: OrderLineFacts[];
}

export interface ReturnLineRequest {
  lineItemId: string;
  quantity: number;
  condition: ReturnCondition;
}

export interface ReturnCheckInput {
  policy: ReturnPolicy;
  /** null: no receipt and no order found (store-credit handling). */
  order: OrderFacts | null;
  lines: ReturnLineRequest[];
  /** For a return without an order: what the items sell for now. */
  noReceiptValueMinor?: number;
  receipt: ReceiptKind;
  reason: { code: ReturnReasonCode; text: string | null };
  /** Today, and the shop's IANA time zone the window is counted in. */
  now: Date;
  timeZone: string;
  /** The register's location. */
  locationId: string | null;
  /** The customer's returns in the review period (excluding this one). */
  customerHistory: { returns: number; valueMinor: number } | null;
}

export interface RuleApplied {
  code: string;
  /** Plain words a cashier can read out. */
  text: string;
}

export type RiskSignal = "frequent_returns" | "high_value" | "other_location";

export interface ReturnLineCheck {
  lineItemId: string;
  title: string;
  quantity: number;
  verdict: ReturnVerdict;
  /** What may be refunded for these units after discounts, earlier refunds and any fee. */
  refundableMinor: number;
  restockingFeeMinor: number;
  rules: RuleApplied[];
}

export interface ReturnCheckResult {
  verdict: ReturnVerdict;
  lines: ReturnLineCheck[];
  /** Lines of the request that could not be checked (unknown line, nothing left to return). */
  problems: Array<{ lineItemId: string; text: string }>;
  refundableMinor: number;
  signals: Array<{ signal: RiskSignal; text: string }>;
  reasonCode: ReturnReasonCode;
  /** Days since purchase in the shop's time zone (null without an order). */
  daysSincePurchase: number | null;
}

const strictest = (a: ReturnVerdict, b: ReturnVerdict): ReturnVerdict =>
  RETURN_VERDICTS.indexOf(a) >= RETURN_VERDICTS.indexOf(b) ? a : b;

const lower = (text: string) => text.trim().toLowerCase();

function matches(match: ProductMatch, line: Pick<OrderLineFacts, "productType" | "tags">): boolean {
  if (match.productType && lower(match.productType) !== lower(line.productType)) return false;
  if (match.tag && !line.tags.some((tag) => lower(tag) === lower(match.tag!))) return false;
  return Boolean(match.productType || match.tag);
}

/** The calendar date (YYYY-MM-DD) of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(instant);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Whole calendar days from `from` to `to` in `timeZone` (purchase day = day 0). */
export function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
  const day = (instant: Date) => Date.parse(`${localDate(instant, timeZone)}T00:00:00Z`);
  return Math.round((day(to) - day(from)) / 86_400_000);
}

function formatDays(days: number): string {
  return days === 1 ? "1 day" : `${days} days`;
}

/**
 * The deterministic reason classifier: keywords (English, Spanish, French, German) to a
 * reason code; "other" when nothing matches. The AI layer may add a model in front of it.
 */
const REASON_KEYWORDS: Array<[ReturnReasonCode, RegExp]> = [
  [
    "defective",
    /\b(broken|defect\w*|faulty|damaged|doesn'?t work|does not work|not working|stopped working|cracked|leak\w*|torn|ripped|roto|rota|defectuos[oa]|cass[ée]e?|d[ée]fectueu[xs]e?|kaputt|defekt)\b/i,
  ],
  ["wrong_size", /\b(too (small|big|large|tight|loose)|size|fit|doesn'?t fit|talla|taille|gr[öo]sse|passt nicht)\b/i],
  ["wrong_item", /\b(wrong (item|product|one|colou?r)|sent the wrong|not what i ordered|equivocad[oa])\b/i],
  [
    "not_as_described",
    /\b(not as (described|pictured|advertised)|different from|looks different|quality|no es como|pas comme)\b/i,
  ],
  ["unwanted_gift", /\b(gift|present|regalo|cadeau|geschenk)\b/i],
  [
    "changed_mind",
    /\b(changed? (my|her|his|their) mind|don'?t (need|want|like)|no longer|not needed|cambi[ée] de opini[óo]n|chang[ée] d'avis|nicht mehr)\b/i,
  ],
];

export function classifyReason(text: string): ReturnReasonCode {
  for (const [code, pattern] of REASON_KEYWORDS) if (pattern.test(text)) return code;
  return "other";
}

/** Checks a return against the policy; every verdict comes with the rules that decided it. */
export function checkReturn(input: ReturnCheckInput): ReturnCheckResult {
  const { policy, order } = input;
  const reasonCode = input.reason.code !== "other" ? input.reason.code : classifyReason(input.reason.text ?? "");
  const signals: ReturnCheckResult["signals"] = [];
  const history = input.customerHistory;
  const reviewDue =
    !!history && (history.returns >= policy.review.maxReturns || history.valueMinor >= policy.review.maxValueMinor);
  if (reviewDue) {
    signals.push({
      signal: "frequent_returns",
      text: `This customer returned ${history!.returns} time(s) in the last ${policy.review.days} days; a manager reviews the return`,
    });
  }
  if (!order) return checkWithoutOrder(input, reasonCode, signals, reviewDue);

  if (order.locationId && input.locationId && order.locationId !== input.locationId) {
    signals.push({ signal: "other_location", text: "Bought at another location" });
  }
  const days = calendarDaysBetween(order.processedAt, input.now, input.timeZone);
  const online = (order.sourceName ?? "pos") !== "pos";
  const lines: ReturnLineCheck[] = [];
  const problems: ReturnCheckResult["problems"] = [];
  const seen = new Map<string, number>();

  for (const request of input.lines) {
    const line = order.lines.find((candidate) => candidate.lineItemId === request.lineItemId);
    if (!line) {
      problems.push({ lineItemId: request.lineItemId, text: "This item is not on the order" });
      continue;
    }
    const already = seen.get(line.lineItemId) ?? 0;
    const left = line.quantity - line.refundedQuantity - already;
    if (left <= 0) {
      problems.push({ lineItemId: line.lineItemId, text: `Every unit of ${line.title} was already returned` });
      continue;
    }
    const rules: RuleApplied[] = [];
    let quantity = request.quantity;
    if (quantity > left) {
      rules.push({
        code: "quantity_capped",
        text: `Only ${left} of ${line.quantity} can still be returned (bought ${line.quantity}, ${line.refundedQuantity + already} already returned)`,
      });
      quantity = left;
    }
    seen.set(line.lineItemId, already + quantity);
    let verdict = "approve" as ReturnVerdict; // widened: decide() below changes it
    const decide = (next: ReturnVerdict, rule: RuleApplied) => {
      verdict = strictest(verdict, next);
      rules.push(rule);
    };

    const override = policy.windowOverrides.find((candidate) => matches(candidate, line));
    const window = override ? override.days : policy.windowDays;
    const windowSource = override
      ? `the ${override.productType ? `"${override.productType}"` : `"${override.tag}"`} window of ${formatDays(window)}`
      : `the ${window}-day return window`;
    if (days > window) {
      decide("deny", {
        code: "window_passed",
        text: `Bought ${formatDays(days)} ago: past ${windowSource} (last day was ${formatDays(window)} after purchase)`,
      });
    } else {
      rules.push({
        code: "within_window",
        text: `Bought ${formatDays(days)} ago: within ${windowSource}${days === window ? " (today is the last day)" : ""}`,
      });
    }
    const finalTag = line.tags.find((tag) => policy.finalSaleTags.some((final) => lower(final) === lower(tag)));
    if (finalTag && request.condition !== "defective") {
      decide("deny", { code: "final_sale", text: `Final sale ("${finalTag}"): not returnable unless defective` });
    }
    const conditionBest = policy.conditions[request.condition];
    if (conditionBest !== "approve") {
      decide(conditionBest, {
        code: `condition_${request.condition}`,
        text: `Condition "${request.condition}": ${VERDICT_WORDS[conditionBest]} at most`,
      });
    }
    if (policy.exchangeOnly.some((match) => matches(match, line)) && request.condition !== "defective") {
      decide("exchange_only", {
        code: "exchange_only",
        text: `${line.productType || "This product"} is exchange only`,
      });
    }
    if (online && !policy.onlineReturnsInStore) {
      decide("deny", { code: "online_order", text: "Bought online: this store does not take online orders back" });
    } else if (online) {
      rules.push({ code: "online_order_ok", text: "Bought online: returnable in store" });
    }
    if (input.receipt === "gift_receipt") {
      decide("store_credit", {
        code: "gift_receipt",
        text: "Gift receipt: refunded as store credit, not to the buyer",
      });
    }
    if (reviewDue) {
      decide("needs_manager", {
        code: "customer_review",
        text: `Customer over the review trigger (${policy.review.maxReturns} returns or ${policy.review.maxValueMinor / 100} in ${formatDays(policy.review.days)})`,
      });
    }

    // Money: what was paid for the units still returnable, minus fee. Earlier refunds of this line
    // are taken off the line's paid total first, so a line is never refunded beyond what was paid.
    const paidMinor = line.priceMinor * line.quantity - line.discountMinor;
    const remainingMinor = Math.max(0, paidMinor - line.refundedMinor);
    const unitsLeft = line.quantity - line.refundedQuantity;
    const grossMinor = Math.min(remainingMinor, Math.round((remainingMinor * quantity) / Math.max(1, unitsLeft)));
    if (line.discountMinor > 0) {
      rules.push({
        code: "discount_allocated",
        text: `Refund is what was paid after a discount of ${(line.discountMinor / 100).toFixed(2)} on this line`,
      });
    }
    const feeApplies = policy.restockingFee.percent > 0 && policy.restockingFee.conditions.includes(request.condition);
    const feeMinor = feeApplies ? Math.round((grossMinor * policy.restockingFee.percent) / 100) : 0;
    if (feeApplies) {
      rules.push({
        code: "restocking_fee",
        text: `Restocking fee of ${policy.restockingFee.percent}% for items returned ${request.condition}`,
      });
    }
    const refundableMinor = verdict === "deny" ? 0 : grossMinor - feeMinor;
    if (grossMinor >= policy.highValueMinor && !signals.some((s) => s.signal === "high_value")) {
      signals.push({ signal: "high_value", text: "High-value return" });
    }
    lines.push({
      lineItemId: line.lineItemId,
      title: line.title,
      quantity,
      verdict,
      refundableMinor,
      restockingFeeMinor: verdict === "deny" ? 0 : feeMinor,
      rules,
    });
  }

  const verdict = lines.length ? lines.map((line) => line.verdict).reduce(strictest) : "deny";
  return {
    verdict,
    lines,
    problems,
    refundableMinor: lines.reduce((sum, line) => sum + line.refundableMinor, 0),
    signals,
    reasonCode,
    daysSincePurchase: days,
  };
}

const VERDICT_WORDS: Record<ReturnVerdict, string> = {
  approve: "refund",
  store_credit: "store credit",
  exchange_only: "exchange",
  needs_manager: "a manager's approval",
  deny: "no return",
};

function checkWithoutOrder(
  input: ReturnCheckInput,
  reasonCode: ReturnReasonCode,
  signals: ReturnCheckResult["signals"],
  reviewDue: boolean,
): ReturnCheckResult {
  const { policy } = input;
  const value = Math.max(0, input.noReceiptValueMinor ?? 0);
  const rules: RuleApplied[] = [];
  let verdict: ReturnVerdict;
  if (policy.receiptRequired || !policy.noReceipt.allowed) {
    verdict = "deny";
    rules.push({ code: "receipt_required", text: "This store needs a receipt or the order for a return" });
  } else if (value > policy.noReceipt.approvalAboveMinor) {
    verdict = "needs_manager";
    rules.push({
      code: "no_receipt_over_limit",
      text: `No receipt: store credit only, and above ${(policy.noReceipt.approvalAboveMinor / 100).toFixed(2)} a manager approves`,
    });
  } else {
    verdict = "store_credit";
    rules.push({ code: "no_receipt", text: "No receipt: store credit only, at today's price" });
  }
  if (reviewDue && verdict !== "deny") {
    verdict = strictest(verdict, "needs_manager");
    rules.push({ code: "customer_review", text: "Customer over the review trigger: a manager reviews the return" });
  }
  if (value >= policy.highValueMinor) signals.push({ signal: "high_value", text: "High-value return" });
  return {
    verdict,
    lines: [
      {
        lineItemId: "no-receipt",
        title: "Items without a receipt",
        quantity: input.lines.reduce((sum, line) => sum + line.quantity, 0),
        verdict,
        refundableMinor: verdict === "deny" ? 0 : value,
        restockingFeeMinor: 0,
        rules,
      },
    ],
    problems: [],
    refundableMinor: verdict === "deny" ? 0 : value,
    signals,
    reasonCode,
    daysSincePurchase: null,
  };
}
