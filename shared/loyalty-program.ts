/** The loyalty program as a validated document (server and admin only: zod). */
import { z } from "zod";
import type { LoyaltyProgram } from "./loyalty";

export const LoyaltyProgramSchema = z.strictObject({
  enabled: z.boolean(),
  pointsPerUnit: z.number().min(0, "cannot be negative").max(1_000, "at most 1000"),
  tiers: z
    .array(
      z.strictObject({
        name: z.string().trim().min(1).max(40),
        minSpendMinor: z.number().int().min(0),
        perkPercent: z.number().min(0).max(100),
      }),
    )
    .min(1, "at least one tier")
    .max(10),
  rewards: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9-]{1,40}$/, "a reward id is a-z, 0-9 and -"),
        name: z.string().trim().min(1).max(60),
        kind: z.enum(["amount", "percent"]),
        value: z.number().positive(),
        points: z.number().int().min(1),
        minSpendMinor: z.number().int().min(0),
      }),
    )
    .max(20),
  locations: z.array(z.string().regex(/^\d+$/)).max(100),
  expiryDays: z.number().int().min(1).max(3_650).nullable(),
  reservationMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
}) satisfies z.ZodType<LoyaltyProgram>;
