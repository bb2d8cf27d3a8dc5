/**
 * The panel's words for a cashier, and the few formatting helpers its sections share. Money
 * goes through shared/money (integer minor units), so the panel shows what the backend computes.
 */
import type { CartDiscount, DiscountKind, DiscountReasonCode } from "../../../../shared/approvals";
import { formatMoney, toMinorUnits } from "../../../../shared/money";
import type { ReturnReasonCode, ReturnVerdict } from "../../../../shared/return-codes";
import type { ApprovalFlowState } from "../../../register-copilot/src/approval-flow";

export const money = (amountMinor: number, currency: string) => formatMoney({ amountMinor, currency });

/** "4.99" in the shop's currency → "$4.99"; the text itself when it is not a decimal. */
export function price(decimal: string, currency: string): string {
  try {
    return money(toMinorUnits(decimal, currency), currency);
  } catch {
    return decimal;
  }
}

export const NOTICES = {
  notPaired: "This register is not paired with Register Copilot.",
  howToPair:
    "Get a pairing code from your store's Register Copilot console (Pair a register panel), then pair this register in the extension.",
  offline: "Can't reach Register Copilot. Suggestions and approvals come back when the connection does.",
  paused: "Paused by your store. The copilot is switched off at this location.",
  checking: "Connecting to Register Copilot…",
} as const;

export const REASON_LABELS: Record<DiscountReasonCode, string> = {
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

/** "30%" or "$5.00". */
export function discountText(discount: CartDiscount, currency: string): string {
  return discount.kind === "percent" ? `${discount.value}%` : money(discount.value, currency);
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

/** A refused PIN, in words that do not say whether the manager or the PIN was wrong. */
export function pinRefusalText(code: string, message: string): string {
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
      return NOTICES.offline;
    case "unauthorized":
      return NOTICES.notPaired;
    default:
      return message;
  }
}

/** Why a flow ended without a result, for the cashier. */
export function failureText(state: Extract<ApprovalFlowState, { step: "failed" }>): string {
  if (state.code === "offline") return NOTICES.offline;
  if (state.code === "unauthorized") return NOTICES.notPaired;
  return state.message;
}
