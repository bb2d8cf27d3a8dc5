/** The return check's verdicts in the cashier's words (the POS extension's wording). */
import type { ReturnVerdict } from "../../shared/return-codes";

export const VERDICT_OUTCOME: Record<ReturnVerdict, "allowed" | "needs approval" | "refused"> = {
  approve: "allowed",
  store_credit: "allowed",
  exchange_only: "allowed",
  needs_manager: "needs approval",
  deny: "refused",
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

export const VERDICT_BADGES: Record<ReturnVerdict, string> = {
  approve: "Refund",
  store_credit: "Store credit",
  exchange_only: "Exchange",
  needs_manager: "Manager",
  deny: "No return",
};

export const CONDITION_LABELS = { unopened: "Unopened", used: "Used", defective: "Defective" } as const;

export const RETURN_REASON_LABELS = {
  defective: "Defective",
  wrong_size: "Wrong size",
  not_as_described: "Not as described",
  wrong_item: "Wrong item",
  changed_mind: "Changed mind",
  unwanted_gift: "Unwanted gift",
  other: "Other",
} as const;
