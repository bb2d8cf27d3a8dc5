/** The suggestions settings form, shared by the admin page and the server (zod: server/admin only). */
import { z } from "zod";

const list = (max: number, itemMax: number) =>
  z
    .string()
    .max(max * (itemMax + 2), "too long")
    .transform((text) =>
      text
        .split(/[,\n]/)
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().max(itemMax, `each entry must be at most ${itemMax} characters`))
        .max(max, `at most ${max} entries`),
    );

export const SuggestionSettingsFormSchema = z.strictObject({
  locationExternalId: z.string().max(30).regex(/^\d*$/, "must be a location id or empty for all locations"),
  enabled: z.enum(["on", "off"]).transform((value) => value === "on"),
  maxSuggestions: z.coerce.number().int().min(1, "at least 1").max(5, "at most 5"),
  excludedTags: list(100, 255),
  excludedProductIds: list(1_000, 30).pipe(z.array(z.string().regex(/^\d+$/, "product ids are numbers"))),
});

export type SuggestionSettingsForm = z.infer<typeof SuggestionSettingsFormSchema>;
