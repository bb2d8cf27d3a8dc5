/**
 * Zod schemas for shared/pos-contract.ts, for the server and tests only (the extension imports
 * the types, never this file, to keep zod out of its bundle). `satisfies` ties each schema to
 * its type, so the two cannot drift apart silently.
 */
import { z } from "zod";
import type { PosErrorResponse, PosStatusResponse } from "./pos-contract";

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
