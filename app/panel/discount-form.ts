/**
 * The discount form's words and parsing, shared by the panel's components and its tests. The
 * reason codes are the register's (shared/approvals.ts); the labels are the POS extension's.
 */
import { DISCOUNT_REASON_CODES, type DiscountReasonCode } from "../../shared/approvals";
import type { PanelPlatform } from "../../shared/panel-contract";
import { DISCOUNT_REASON_LABELS, pinRefusalText as pinRefusalWords } from "../../shared/register-words";

export { describeTriggers, parseDiscountValue } from "../../shared/register-words";

export const REASON_LABELS = DISCOUNT_REASON_LABELS;

/** A refused PIN, in words that do not say whether the manager or the PIN was wrong. */
export const pinRefusalText = (code: string, message: string) =>
  pinRefusalWords(code, message, { offline: "Can't reach the copilot. Check the connection and try again." });

export const REASON_OPTIONS = DISCOUNT_REASON_CODES.map((code) => ({ value: code, label: REASON_LABELS[code] }));

export const isReasonCode = (value: string): value is DiscountReasonCode =>
  (DISCOUNT_REASON_CODES as readonly string[]).includes(value);

export const PLATFORM_NAMES: Record<PanelPlatform, string> = {
  square: "Square",
  clover: "Clover",
  demo: "Square",
};

/** "Square", "Clover"; an unknown platform is named plainly rather than hidden. */
export function platformName(platform: string | undefined): string {
  if (!platform) return "the register";
  return PLATFORM_NAMES[platform as PanelPlatform] ?? platform.charAt(0).toUpperCase() + platform.slice(1);
}
