/**
 * Zod schemas for shared/pos-contract.ts, for the server and tests only (the extension imports
 * the types, never this file, to keep zod out of its bundle). `satisfies` ties each schema to
 * its type, so the two cannot drift apart silently.
 */
import { z } from "zod";
import type {
  PosErrorResponse,
  PosStatusResponse,
  SuggestionEventRequest,
  SuggestionsRequest,
  SuggestionsResponse,
} from "./pos-contract";

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
  checkedAt: isoDateTime,
}) satisfies z.ZodType<PosStatusResponse>;

export const PosErrorResponseSchema = z.strictObject({
  error: z.strictObject({ code: z.string().min(1), message: z.string() }),
}) satisfies z.ZodType<PosErrorResponse>;

// The reverse direction: every field the type promises is produced by the schema.
type Equals<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const statusSchemaCoversType: Equals<z.infer<typeof PosStatusResponseSchema>["shop"], PosStatusResponse["shop"]> = true;
void statusSchemaCoversType;

const posId = z.union([
  z.number().int().nonnegative(),
  z.string().min(1, "must not be empty").max(100, "must be at most 100 characters"),
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
      confidence: z.number().min(0).max(1),
      inStock: z.boolean(),
    }),
  ),
}) satisfies z.ZodType<SuggestionsResponse>;
