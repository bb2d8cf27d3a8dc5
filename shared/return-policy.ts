/**
 * The return policy as a validated document (server and admin only: zod). The admin's form is
 * flat text fields; `ReturnPolicyFormSchema` turns them into a `ReturnPolicy` or names the field.
 */
import { z } from "zod";
import { RETURN_CONDITIONS, type ProductMatch, type ReturnPolicy } from "./returns";

const verdictCap = z.enum(["approve", "store_credit", "exchange_only", "deny"]);
const days = (label: string) =>
  z.coerce
    .number({ message: `${label} must be a number` })
    .int(`${label} must be whole days`)
    .min(0, `${label} cannot be negative`)
    .max(3_650, `${label} is at most 3650 days`);
const minor = (label: string) =>
  z.coerce
    .number({ message: `${label} must be a number` })
    .min(0, `${label} cannot be negative`)
    .max(1_000_000, `${label} is at most 1,000,000`)
    .transform((value) => Math.round(value * 100));

const productMatch = z
  .strictObject({ productType: z.string().trim().max(255).optional(), tag: z.string().trim().max(255).optional() })
  .refine((match) => Boolean(match.productType || match.tag), "needs a product type or a tag");

/** The stored document (minor units), checked again on every read. */
export const ReturnPolicySchema = z.strictObject({
  windowDays: days("the return window"),
  windowOverrides: z.array(productMatch.and(z.object({ days: days("an override") }))).max(100),
  finalSaleTags: z.array(z.string().trim().min(1).max(255)).max(100),
  conditions: z.strictObject({ unopened: verdictCap, used: verdictCap, defective: verdictCap }),
  receiptRequired: z.boolean(),
  exchangeOnly: z.array(productMatch).max(100),
  restockingFee: z.strictObject({
    percent: z.number().min(0).max(100),
    conditions: z.array(z.enum(RETURN_CONDITIONS)).max(3),
  }),
  onlineReturnsInStore: z.boolean(),
  noReceipt: z.strictObject({ allowed: z.boolean(), approvalAboveMinor: z.number().int().min(0) }),
  review: z.strictObject({
    days: z.number().int().min(1).max(365),
    maxReturns: z.number().int().min(1).max(1_000),
    maxValueMinor: z.number().int().min(0),
  }),
  highValueMinor: z.number().int().min(0),
}) satisfies z.ZodType<ReturnPolicy>;

/**
 * "type:Bakery=2, tag:clearance=14" (window overrides) or "type:Gift cards, tag:swimwear"
 * (exchange only): one rule per comma or line.
 */
function matchList(label: string, withDays: boolean) {
  return z
    .string()
    .max(5_000)
    .transform((text, context) => {
      const rules: Array<ProductMatch & { days?: number }> = [];
      for (const raw of text.split(/[\n,]+/).map((item) => item.trim())) {
        if (!raw) continue;
        const match = /^(type|tag)\s*:\s*([^=]+?)\s*(?:=\s*(\d+))?$/i.exec(raw);
        if (!match || (withDays && match[3] === undefined) || (!withDays && match[3] !== undefined)) {
          context.addIssue({
            code: "custom",
            message: `${label}: "${raw}" should look like ${withDays ? "type:Bakery=2 or tag:clearance=14" : "type:Gift cards or tag:swimwear"}`,
          });
          return z.NEVER;
        }
        const key = match[1]!.toLowerCase() === "type" ? "productType" : "tag";
        rules.push({ [key]: match[2]!, ...(withDays ? { days: Number(match[3]) } : {}) });
      }
      return rules;
    });
}

const tagList = z
  .string()
  .max(5_000)
  .transform((text) =>
    text
      .split(/[\n,]+/)
      .map((item) => item.trim())
      .filter(Boolean),
  );
const onOff = z.enum(["on", "off"]).transform((value) => value === "on");

export const ReturnPolicyFormSchema = z
  .strictObject({
    windowDays: days("the return window"),
    windowOverrides: matchList("window overrides", true),
    finalSaleTags: tagList,
    unopened: verdictCap,
    used: verdictCap,
    defective: verdictCap,
    receiptRequired: onOff,
    exchangeOnly: matchList("exchange only", false),
    restockingFeePercent: z.coerce
      .number({ message: "the restocking fee must be a number" })
      .min(0, "the restocking fee cannot be negative")
      .max(100, "the restocking fee is at most 100%"),
    restockingFeeOn: z.enum(["used", "used,unopened", "none"]),
    onlineReturnsInStore: onOff,
    noReceiptAllowed: onOff,
    noReceiptApprovalAbove: minor("the no-receipt limit"),
    reviewDays: z.coerce.number().int("whole days").min(1, "at least 1 day").max(365, "at most 365 days"),
    reviewMaxReturns: z.coerce.number().int("a whole number").min(1, "at least 1").max(1_000, "at most 1000"),
    reviewMaxValue: minor("the review value"),
    highValue: minor("the high-value mark"),
  })
  .transform((form): ReturnPolicy => ({
    windowDays: form.windowDays,
    windowOverrides: form.windowOverrides as ReturnPolicy["windowOverrides"],
    finalSaleTags: form.finalSaleTags,
    conditions: { unopened: form.unopened, used: form.used, defective: form.defective },
    receiptRequired: form.receiptRequired,
    exchangeOnly: form.exchangeOnly,
    restockingFee: {
      percent: form.restockingFeePercent,
      conditions: form.restockingFeeOn === "none" ? [] : (form.restockingFeeOn.split(",") as ("used" | "unopened")[]),
    },
    onlineReturnsInStore: form.onlineReturnsInStore,
    noReceipt: { allowed: form.noReceiptAllowed, approvalAboveMinor: form.noReceiptApprovalAbove },
    review: { days: form.reviewDays, maxReturns: form.reviewMaxReturns, maxValueMinor: form.reviewMaxValue },
    highValueMinor: form.highValue,
  }));

/** The form's fields for a policy (the admin page's initial values). */
export function policyFormValues(policy: ReturnPolicy): Record<string, string> {
  const matchText = (rules: Array<ProductMatch & { days?: number }>) =>
    rules
      .map(
        (rule) =>
          `${rule.productType ? `type:${rule.productType}` : `tag:${rule.tag}`}${rule.days !== undefined ? `=${rule.days}` : ""}`,
      )
      .join(", ");
  const feeOn = policy.restockingFee.conditions;
  return {
    windowDays: String(policy.windowDays),
    windowOverrides: matchText(policy.windowOverrides),
    finalSaleTags: policy.finalSaleTags.join(", "),
    unopened: policy.conditions.unopened,
    used: policy.conditions.used,
    defective: policy.conditions.defective,
    receiptRequired: policy.receiptRequired ? "on" : "off",
    exchangeOnly: matchText(policy.exchangeOnly),
    restockingFeePercent: String(policy.restockingFee.percent),
    restockingFeeOn: feeOn.length === 0 ? "none" : feeOn.includes("unopened") ? "used,unopened" : "used",
    onlineReturnsInStore: policy.onlineReturnsInStore ? "on" : "off",
    noReceiptAllowed: policy.noReceipt.allowed ? "on" : "off",
    noReceiptApprovalAbove: String(policy.noReceipt.approvalAboveMinor / 100),
    reviewDays: String(policy.review.days),
    reviewMaxReturns: String(policy.review.maxReturns),
    reviewMaxValue: String(policy.review.maxValueMinor / 100),
    highValue: String(policy.highValueMinor / 100),
  };
}
