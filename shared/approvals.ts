/**
 * Manager approvals, the pure part: when a cart discount needs a manager, and the cart
 * fingerprint an approval is bound to. Used by the server (which decides) and the register
 * (which asks); no I/O.
 */
import { externalId } from "./ids";

export interface ApprovalLimits {
  /** Kill switch: off means the register shows nothing for discounts approvals. */
  enabled: boolean;
  /** A discount above this percentage of the cart needs a manager. */
  maxPercent: number;
  /** …or above this amount, in the shop currency's minor units. */
  maxAmountMinor: number;
  /** …or once one staff member's manual discounts in a shift would pass this, in minor units. */
  shiftLimitMinor: number;
  shiftHours: number;
}

export const DEFAULT_APPROVAL_LIMITS: ApprovalLimits = {
  enabled: true,
  maxPercent: 15,
  maxAmountMinor: 5_000,
  shiftLimitMinor: 10_000,
  shiftHours: 12,
};

export type DiscountKind = "percent" | "amount";

/** Why a cashier gives a discount; the register offers these, the audit log records them. */
export const DISCOUNT_REASON_CODES = [
  "price_match",
  "damaged_item",
  "service_recovery",
  "loyal_customer",
  "staff_discount",
  "other",
] as const;
export type DiscountReasonCode = (typeof DISCOUNT_REASON_CODES)[number];

export interface CartDiscount {
  kind: DiscountKind;
  /** Percent (0–100] for "percent"; minor units for "amount". */
  value: number;
}

export type ApprovalTrigger = "percent" | "amount" | "shift";

/** What the discount takes off a cart of `subtotalMinor`, in minor units (never more than the cart). */
export function discountAmountMinor(discount: CartDiscount, subtotalMinor: number): number {
  const raw = discount.kind === "percent" ? Math.round((subtotalMinor * discount.value) / 100) : discount.value;
  return Math.max(0, Math.min(Math.round(raw), subtotalMinor));
}

/** The discount as a percentage of the cart (an amount off an empty cart counts as 100%). */
export function discountPercent(discount: CartDiscount, subtotalMinor: number): number {
  if (discount.kind === "percent") return discount.value;
  return subtotalMinor > 0 ? (discount.value / subtotalMinor) * 100 : 100;
}

/**
 * Which limits the discount passes; none means it may be applied at once. `shiftTotalMinor` is
 * what this staff member already gave in manual discounts this shift.
 */
export function approvalTriggers(
  limits: ApprovalLimits,
  discount: CartDiscount,
  subtotalMinor: number,
  shiftTotalMinor: number,
): ApprovalTrigger[] {
  const amount = discountAmountMinor(discount, subtotalMinor);
  const triggers: ApprovalTrigger[] = [];
  if (discountPercent(discount, subtotalMinor) > limits.maxPercent) triggers.push("percent");
  if (amount > limits.maxAmountMinor) triggers.push("amount");
  if (shiftTotalMinor + amount > limits.shiftLimitMinor) triggers.push("shift");
  return triggers;
}

export interface FingerprintLine {
  variantId: string | number;
  quantity: number;
}

/**
 * The cart an approval is bound to: its variants and quantities, order-independent, with the
 * lines of one variant merged. A plain canonical string (not a short hash) so two different carts
 * can never share one; the server stores its SHA-256.
 */
export function cartFingerprint(lines: FingerprintLine[]): string {
  const quantities = new Map<string, number>();
  for (const line of lines) {
    const id = externalId(line.variantId) ?? String(line.variantId).trim();
    quantities.set(id, (quantities.get(id) ?? 0) + line.quantity);
  }
  const parts = [...quantities]
    .filter(([, quantity]) => quantity > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, quantity]) => `${id}x${quantity}`);
  return `cart1:${parts.join(",")}`;
}
