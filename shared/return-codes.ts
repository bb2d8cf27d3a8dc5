/**
 * The return vocabulary on its own, for the register: importing it does not pull in the policy
 * engine or the reason classifier (the POS bundle has a 64 KB limit).
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
