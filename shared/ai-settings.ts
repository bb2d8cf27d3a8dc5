/** The AI settings form, shared by the settings page and the server (zod: server/admin only). */
import { z } from "zod";

export const AiSettingsFormSchema = z.strictObject({
  intent: z.literal("ai"),
  enabled: z.enum(["on", "off"], { message: "must be on or off" }).transform((value) => value === "on"),
  dailyTokenBudget: z.coerce
    .number({ message: "must be a number" })
    .int("a whole number of tokens")
    .min(1_000, "at least 1,000 tokens")
    .max(50_000_000, "at most 50,000,000 tokens"),
});

export type AiSettingsForm = z.infer<typeof AiSettingsFormSchema>;
