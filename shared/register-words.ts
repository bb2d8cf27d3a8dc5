/**
 * The cashier's words on the web registers (the companion panel and the Lightspeed extension),
 * in English, and the discount value parsing both forms share. The Shopify POS extension says
 * the same through its translation files. Pure: no I/O.
 */
import type { DiscountKind, DiscountReasonCode } from "./approvals";
import { toMinorUnits } from "./money";
import type { ReturnReasonCode, ReturnVerdict } from "./return-codes";

export const DISCOUNT_REASON_LABELS: Record<DiscountReasonCode, string> = {
  price_match: "Price match",
  damaged_item: "Damaged item",
  service_recovery: "Make good",
  loyal_customer: "Loyal customer",
  staff_discount: "Staff discount",
  other: "Other",
};

export const RETURN_REASON_LABELS: Record<ReturnReasonCode, string> = {
  defective: "Defective",
  wrong_size: "Wrong size",
  not_as_described: "Not as described",
  wrong_item: "Wrong item",
  changed_mind: "Changed mind",
  unwanted_gift: "Unwanted gift",
  other: "Other",
};

export function verdictHeading(verdict: ReturnVerdict, amount: string): string {
  switch (verdict) {
    case "approve":
      return `Allowed: refund ${amount}`;
    case "store_credit":
      return `Allowed: store credit ${amount}`;
    case "exchange_only":
      return "Allowed: exchange only";
    case "needs_manager":
      return "Needs a manager's approval";
    case "deny":
      return "Refused: this return is not allowed";
  }
}

/** "30" → 30 (percent), "12.50" → 1250 (minor units); null when it is not a valid discount. */
export function parseDiscountValue(kind: DiscountKind, text: string, currency: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+([.,]\d+)?$/.test(trimmed)) return null;
  const decimal = trimmed.replace(",", ".");
  if (kind === "percent") {
    const percent = Number(decimal);
    return percent > 0 && percent <= 100 ? percent : null;
  }
  try {
    const minor = toMinorUnits(decimal, currency);
    return minor > 0 ? minor : null;
  } catch {
    return null;
  }
}

const TRIGGER_LABELS: Record<string, string> = {
  percent: "percentage limit",
  amount: "amount limit",
  shift: "limit for this shift",
};

/** ["percent", "amount"] → "percentage limit and amount limit". */
export function describeTriggers(triggers: string[]): string {
  const words = triggers.map((trigger) => TRIGGER_LABELS[trigger] ?? trigger.replace(/_/g, " "));
  if (words.length <= 1) return words[0] ?? "limits";
  return `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/**
 * A refused PIN, in words that do not say whether the manager or the PIN was wrong. `notices`
 * are the register's own words for being offline or not paired.
 */
export function pinRefusalText(
  code: string,
  message: string,
  notices: { offline: string; notPaired?: string },
): string {
  switch (code) {
    case "pin_refused":
      return "That PIN was not accepted. Try again.";
    case "approver_locked":
    case "device_locked":
      return "Too many wrong PINs. Try again in 15 minutes or use another manager.";
    case "approval_already_decided":
      return "Another manager decided this request a moment ago.";
    case "approval_expired":
      return "The request waited too long. Ask again.";
    case "offline":
      return notices.offline;
    case "unauthorized":
      return notices.notPaired ?? message;
    default:
      return message;
  }
}
