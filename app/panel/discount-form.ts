/**
 * The discount form's words and parsing, shared by the panel's components and its tests. The
 * reason codes are the register's (shared/approvals.ts); the labels are the POS extension's.
 */
import { DISCOUNT_REASON_CODES, type DiscountKind, type DiscountReasonCode } from "../../shared/approvals";
import { toMinorUnits } from "../../shared/money";
import type { PanelPlatform } from "../../shared/panel-contract";

export const REASON_LABELS: Record<DiscountReasonCode, string> = {
  price_match: "Price match",
  damaged_item: "Damaged item",
  service_recovery: "Make good",
  loyal_customer: "Loyal customer",
  staff_discount: "Staff discount",
  other: "Other",
};

export const REASON_OPTIONS = DISCOUNT_REASON_CODES.map((code) => ({ value: code, label: REASON_LABELS[code] }));

export const isReasonCode = (value: string): value is DiscountReasonCode =>
  (DISCOUNT_REASON_CODES as readonly string[]).includes(value);

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
      return "Can't reach the copilot. Check the connection and try again.";
    default:
      return message;
  }
}

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
