/**
 * Zod schemas for shared/pos-contract.ts, for the server and tests only (the extension imports
 * the types, never this file, to keep zod out of its bundle). `satisfies` ties each schema to
 * its type, so the two cannot drift apart silently.
 */
import { z } from "zod";
import type {
  ApprovalDecisionRequest,
  ApprovalRedeemRequest,
  ApprovalVoidRequest,
  DiscountRequest,
  PosErrorResponse,
  PosStatusResponse,
  LoyaltyRedeemRequest,
  LoyaltyReleaseRequest,
  RegisterOrigin,
  ReturnCheckRequest,
  SuggestionEventRequest,
  SuggestionsRequest,
  SuggestionsResponse,
} from "./pos-contract";
import { RETURN_CONDITIONS, RETURN_REASON_CODES } from "./returns";
import { isPlainText } from "./text";

const isoDateTime = z.iso.datetime();

export const PosStatusResponseSchema = z.strictObject({
  shop: z.strictObject({
    domain: z.string().min(1),
    name: z.string().nullable(),
    currency: z.string().length(3),
    known: z.boolean(),
    installed: z.boolean(),
  }),
  catalog: z.strictObject({
    products: z.number().int().nonnegative(),
    variants: z.number().int().nonnegative(),
  }),
  lastOrderAt: isoDateTime.nullable(),
  backfill: z
    .strictObject({
      status: z.string().min(1),
      ordersImported: z.number().int().nonnegative(),
      startedAt: isoDateTime,
      finishedAt: isoDateTime.nullable(),
    })
    .nullable(),
  paused: z.boolean(),
  checkedAt: isoDateTime,
}) satisfies z.ZodType<PosStatusResponse>;

export const PosErrorResponseSchema = z.strictObject({
  error: z.strictObject({ code: z.string().min(1), message: z.string() }),
}) satisfies z.ZodType<PosErrorResponse>;

// The reverse direction: every field the type promises is produced by the schema.
type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const statusSchemaCoversType: Equals<z.infer<typeof PosStatusResponseSchema>["shop"], PosStatusResponse["shop"]> = true;
void statusSchemaCoversType;

/** A string the register sends: any script and emoji, no control characters (shared/text.ts). */
const string = () => z.string().refine(isPlainText, "must not contain control characters");

const posId = z.union([
  z.number().int().nonnegative(),
  string().min(1, "must not be empty").max(100, "must be at most 100 characters"),
]);

export const SuggestionsRequestSchema = z.strictObject({
  cart: z.strictObject({
    lineItems: z
      .array(
        z.strictObject({
          variantId: posId,
          productId: posId.optional(),
          quantity: z.number().int().min(1).max(10_000),
        }),
      )
      .max(250, "at most 250 line items"),
  }),
  customerId: posId.nullish(),
  locationId: posId.nullish(),
  limit: z.number().int().min(1).max(5).optional(),
  record: z.boolean().optional(),
}) satisfies z.ZodType<SuggestionsRequest>;

export const SuggestionEventRequestSchema = z.strictObject({
  requestId: z.string().uuid(),
  variantId: posId,
  kind: z.enum(["added", "dismissed"]),
}) satisfies z.ZodType<SuggestionEventRequest>;

export const SuggestionsResponseSchema = z.strictObject({
  requestId: z.string(),
  modelVersion: z.string().nullable(),
  enabled: z.boolean(),
  suggestions: z.array(
    z.strictObject({
      productId: z.string(),
      variantId: z.string(),
      title: z.string(),
      price: z.string(),
      currency: z.string().length(3),
      reason: z.string().min(1),
      pitch: z.string().min(1).max(90).optional(),
      confidence: z.number().min(0).max(1),
      inStock: z.boolean(),
    }),
  ),
}) satisfies z.ZodType<SuggestionsResponse>;

const origin = {
  locationId: posId.nullish(),
  deviceId: string().min(1).max(100, "must be at most 100 characters").nullish(),
  staffMemberId: posId.nullish(),
};

const discount = z
  .strictObject({
    kind: z.enum(["percent", "amount"]),
    value: z.number().positive("must be more than 0").max(100_000_000),
  })
  .refine((value) => value.kind !== "percent" || value.value <= 100, {
    message: "a percent discount is at most 100",
    path: ["value"],
  })
  .refine((value) => value.kind !== "amount" || Number.isInteger(value.value), {
    message: "an amount is in minor units (a whole number)",
    path: ["value"],
  });

const text = (max: number) => string().max(max, `must be at most ${max} characters`);

export const DiscountRequestSchema = z.strictObject({
  ...origin,
  cart: z.strictObject({
    lineItems: z
      .array(z.strictObject({ variantId: posId, quantity: z.number().int().min(1).max(10_000) }))
      .min(1, "the cart is empty")
      .max(250, "at most 250 line items"),
    subtotalMinor: z.number().int().nonnegative().max(10_000_000_000),
  }),
  discount,
  reasonCode: z.string().regex(/^[a-z0-9_]{1,40}$/, "must be a reason code (a-z, 0-9, _; at most 40 characters)"),
  note: text(500).nullish(),
}) satisfies z.ZodType<DiscountRequest>;

export const ApprovalDecisionRequestSchema = z.strictObject({
  ...origin,
  decision: z.enum(["approve", "decline"]),
  pin: z.string().regex(/^\d{4,10}$/, "must be 4 to 10 digits"),
  approverId: string().min(1).max(100, "must be at most 100 characters"),
  reason: text(500).nullish(),
}) satisfies z.ZodType<ApprovalDecisionRequest>;

export const ApprovalRedeemRequestSchema = z.strictObject({
  ...origin,
  token: string().min(20).max(200),
  cartFingerprint: string().min(1).max(16_384),
  discount: discount.optional(),
}) satisfies z.ZodType<ApprovalRedeemRequest>;

/** A body that says only which register is asking (POST …/:id/token, POST /api/pos/returns/:checkId/approval). */
export const RegisterOriginSchema = z.strictObject(origin) satisfies z.ZodType<RegisterOrigin>;

export const ApprovalVoidRequestSchema = z.strictObject({
  ...origin,
  reason: text(200).min(1, "must not be empty"),
}) satisfies z.ZodType<ApprovalVoidRequest>;

export const ReturnCheckRequestSchema = z
  .strictObject({
    ...origin,
    order: string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters").nullable(),
    receipt: z.enum(["receipt", "gift_receipt", "none"]),
    lines: z
      .array(
        z.strictObject({
          lineItemId: string().min(1).max(100),
          quantity: z.number().int().min(1, "must be at least 1").max(10_000),
          condition: z.enum(RETURN_CONDITIONS),
        }),
      )
      .min(1, "must name at least one line")
      .max(250, "at most 250 lines")
      .optional(),
    condition: z.enum(RETURN_CONDITIONS).optional(),
    reason: z.strictObject({
      code: z.enum(RETURN_REASON_CODES).nullish(),
      text: text(500).nullish(),
    }),
    items: z
      .array(z.strictObject({ variantId: posId, quantity: z.number().int().min(1).max(1_000) }))
      .min(1, "must name at least one item")
      .max(250, "at most 250 items")
      .optional(),
  })
  .refine((body) => body.order !== null || body.receipt === "none", {
    message: "without an order the receipt must be none",
    path: ["receipt"],
  })
  .refine((body) => body.order !== null || body.items !== undefined, {
    message: "a return without an order must list the items brought back",
    path: ["items"],
  }) satisfies z.ZodType<ReturnCheckRequest>;

export const LoyaltyRedeemRequestSchema = z.strictObject({
  ...origin,
  customerId: posId,
  rewardId: z.string().regex(/^[a-z0-9-]{1,40}$/, "must be a reward id"),
  cart: z.strictObject({
    lineItems: z
      .array(z.strictObject({ variantId: posId, quantity: z.number().int().min(1).max(10_000) }))
      .max(500, "at most 500 lines"),
    subtotalMinor: z.number().int().min(0).max(1_000_000_000),
  }),
}) satisfies z.ZodType<LoyaltyRedeemRequest>;

export const LoyaltyReleaseRequestSchema = z.strictObject({
  ...origin,
  reservationId: string().min(1).max(100),
}) satisfies z.ZodType<LoyaltyReleaseRequest>;
