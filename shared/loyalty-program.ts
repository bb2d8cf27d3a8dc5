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

/**
 * The admin form: flat text fields. Tiers "Silver=500:0, Gold=1500:5" (name=spend:perk%) and
 * rewards "five-off=5.00 off:100:10" (id=amount|percent%:points:min spend), one per comma or line.
 */
export const LoyaltyProgramFormSchema = z
  .strictObject({
    enabled: z.enum(["on", "off"]).transform((value) => value === "on"),
    pointsPerUnit: z.coerce
      .number({ message: "points per unit must be a number" })
      .min(0, "points per unit cannot be negative")
      .max(1_000, "points per unit is at most 1000"),
    tiers: z.string().max(2_000),
    rewards: z.string().max(4_000),
    locations: z.string().max(2_000),
    expiryDays: z.string().regex(/^\d{0,4}$/, "expiry is a number of days, or empty for never"),
    reservationMinutes: z.coerce.number().int("whole minutes").min(1, "at least 1 minute").max(1_440, "at most a day"),
    baseTierName: z.string().trim().min(1, "the first tier needs a name").max(40),
  })
  .transform((form, context): LoyaltyProgram => {
    const items = (text: string) =>
      text
        .split(/[\n,]+/)
        .map((item) => item.trim())
        .filter(Boolean);
    const tiers: LoyaltyProgram["tiers"] = [{ name: form.baseTierName, minSpendMinor: 0, perkPercent: 0 }];
    for (const item of items(form.tiers)) {
      const match = /^([^=]{1,40})=(\d+(?:\.\d{1,2})?):(\d{1,2}(?:\.\d+)?)$/.exec(item);
      if (!match) {
        context.addIssue({ code: "custom", path: ["tiers"], message: `"${item}" should look like Gold=1500:5` });
        return z.NEVER;
      }
      tiers.push({
        name: match[1]!.trim(),
        minSpendMinor: Math.round(Number(match[2]) * 100),
        perkPercent: Number(match[3]),
      });
    }
    const rewards: LoyaltyProgram["rewards"] = [];
    for (const item of items(form.rewards)) {
      const match = /^([a-z0-9-]{1,40})=(\d+(?:\.\d{1,2})?)(%?):(\d+):(\d+(?:\.\d{1,2})?)$/.exec(item);
      if (!match) {
        context.addIssue({
          code: "custom",
          path: ["rewards"],
          message: `"${item}" should look like five-off=5.00:100:10 or ten-percent=10%:250:30`,
        });
        return z.NEVER;
      }
      const percent = match[3] === "%";
      const value = percent ? Number(match[2]) : Math.round(Number(match[2]) * 100);
      if (percent && value > 100) {
        context.addIssue({ code: "custom", path: ["rewards"], message: `"${item}": a percent reward is at most 100%` });
        return z.NEVER;
      }
      rewards.push({
        id: match[1]!,
        name: percent ? `${match[2]}% off` : `${match[2]} off`,
        kind: percent ? "percent" : "amount",
        value,
        points: Number(match[4]),
        minSpendMinor: Math.round(Number(match[5]) * 100),
      });
    }
    const locations = items(form.locations);
    if (locations.some((id) => !/^\d+$/.test(id))) {
      context.addIssue({ code: "custom", path: ["locations"], message: "location ids are numbers" });
      return z.NEVER;
    }
    const program = {
      enabled: form.enabled,
      pointsPerUnit: form.pointsPerUnit,
      tiers,
      rewards,
      locations,
      expiryDays: form.expiryDays ? Number(form.expiryDays) : null,
      reservationMinutes: form.reservationMinutes,
    };
    const checked = LoyaltyProgramSchema.safeParse(program);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      context.addIssue({ code: "custom", path: [String(issue.path[0] ?? "form")], message: issue.message });
      return z.NEVER;
    }
    return checked.data;
  });

/** The form's fields for a program (the admin page's initial values). */
export function programFormValues(program: LoyaltyProgram): Record<string, string> {
  const money = (minor: number) => (minor / 100).toFixed(2);
  return {
    enabled: program.enabled ? "on" : "off",
    pointsPerUnit: String(program.pointsPerUnit),
    baseTierName: program.tiers[0]?.name ?? "Member",
    tiers: program.tiers
      .slice(1)
      .map((tier) => `${tier.name}=${money(tier.minSpendMinor)}:${tier.perkPercent}`)
      .join(", "),
    rewards: program.rewards
      .map(
        (reward) =>
          `${reward.id}=${reward.kind === "percent" ? `${reward.value}%` : money(reward.value)}:${reward.points}:${money(reward.minSpendMinor)}`,
      )
      .join(", "),
    locations: program.locations.join(", "),
    expiryDays: program.expiryDays === null ? "" : String(program.expiryDays),
    reservationMinutes: String(program.reservationMinutes),
  };
}

/** A manager's manual adjustment of a customer's points (audited). */
export const LoyaltyAdjustFormSchema = z.strictObject({
  customerId: z
    .string()
    .trim()
    .regex(/^\d{1,20}$/, "a customer id is a number"),
  points: z.coerce
    .number({ message: "points must be a number" })
    .int("whole points")
    .refine((value) => value !== 0, "points cannot be 0")
    .refine((value) => Math.abs(value) <= 1_000_000, "at most 1,000,000 points"),
  reason: z.string().trim().min(3, "say why (at least 3 characters)").max(200, "at most 200 characters"),
});
