/**
 * The panel's words for a cashier, and the few formatting helpers its sections share. Money
 * goes through shared/money (integer minor units), so the panel shows what the backend computes.
 */
import type { CartDiscount } from "../../../../shared/approvals";
import { formatMoney, toMinorUnits } from "../../../../shared/money";
import type { ApprovalFlowState } from "../../../register-copilot/src/approval-flow";
import { DISCOUNT_REASON_LABELS, pinRefusalText as pinRefusalWords } from "../../../../shared/register-words";

export {
  describeTriggers,
  parseDiscountValue,
  RETURN_REASON_LABELS,
  verdictHeading,
} from "../../../../shared/register-words";

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

/** "30%" or "$5.00". */
export function discountText(discount: CartDiscount, currency: string): string {
  return discount.kind === "percent" ? `${discount.value}%` : money(discount.value, currency);
}

export const REASON_LABELS = DISCOUNT_REASON_LABELS;

/** A refused PIN, in words that do not say whether the manager or the PIN was wrong. */
export const pinRefusalText = (code: string, message: string) => pinRefusalWords(code, message, NOTICES);

/** Why a flow ended without a result, for the cashier. */
export function failureText(state: Extract<ApprovalFlowState, { step: "failed" }>): string {
  if (state.code === "offline") return NOTICES.offline;
  if (state.code === "unauthorized") return NOTICES.notPaired;
  return state.message;
}
