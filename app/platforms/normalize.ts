/**
 * What every platform's normalizer shares. Pure: checking a payload against its schema (a shape
 * that does not fit fails with the field named, as a PayloadError) and the Shop's columns as a
 * platform describes the store, with the app's defaults.
 */
import type { z } from "zod";

/** A payload that will never process as it is: the queue dead-letters it with this reason. */
export class PayloadError extends Error {
  override name = "PayloadError";
}

/** `payload` as `schema` reads it; PayloadError "`what`: field message" when it does not fit. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: unknown, what: string): T {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new PayloadError(`${what}: ${issue.path.join(".") || "(root)"} ${issue.message}`);
  }
  return result.data;
}

/** The zone if this Node's ICU knows it, else UTC: an unknown zone would break every local-time report. */
export function validTimezone(zone: string | null | undefined): string {
  if (!zone) return "UTC";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone;
  } catch {
    return "UTC";
  }
}

/** The Shop's columns as the platform describes the merchant. */
export interface ShopDetails {
  name: string | null;
  currency: string;
  timezone: string;
}
