/** The return check's verdicts in the cashier's words (the POS extension's wording). */
import type { ReturnVerdict } from "../../shared/return-codes";

export { RETURN_REASON_LABELS, verdictHeading } from "../../shared/register-words";

export const VERDICT_OUTCOME: Record<ReturnVerdict, "allowed" | "needs approval" | "refused"> = {
  approve: "allowed",
  store_credit: "allowed",
  exchange_only: "allowed",
  needs_manager: "needs approval",
  deny: "refused",
};

export const VERDICT_BADGES: Record<ReturnVerdict, string> = {
  approve: "Refund",
  store_credit: "Store credit",
  exchange_only: "Exchange",
  needs_manager: "Manager",
  deny: "No return",
};

export const CONDITION_LABELS = { unopened: "Unopened", used: "Used", defective: "Defective" } as const;
