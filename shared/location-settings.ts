/**
 * Settings per location in one place: the copilot's kill switch and every feature's on/off and
 * limits. Each feature keeps its settings where they already live (suggestions and approvals
 * rows, the loyalty program's locations); the switches no feature held live in LocationSettings.
 * zod: server and admin only; the register imports nothing from here.
 */
import { z } from "zod";

export interface SwitchRow {
  locationExternalId: string;
  copilotEnabled: boolean;
  returnsEnabled: boolean;
}

export interface RegisterSwitches {
  /** False when the copilot is paused shop-wide or at this location: every feature is off. */
  copilot: boolean;
  returns: boolean;
}

/** A shop-wide pause wins over every location; for returns a location's row overrides the shop's. */
export function resolveSwitches(rows: SwitchRow[], location: string | null): RegisterSwitches {
  const shopRow = rows.find((row) => row.locationExternalId === "");
  const locationRow = location ? rows.find((row) => row.locationExternalId === location) : undefined;
  const copilot = (shopRow?.copilotEnabled ?? true) && (locationRow?.copilotEnabled ?? true);
  return { copilot, returns: copilot && (locationRow ?? shopRow)?.returnsEnabled !== false };
}

const onOff = z.enum(["on", "off"], { message: "must be on or off" }).transform((value) => value === "on");
const money = (label: string) =>
  z.coerce
    .number({ message: `${label} must be a number` })
    .min(0, `${label} cannot be negative`)
    .max(1_000_000, `${label} is at most 1,000,000`)
    .transform((value) => Math.round(value * 100));

/** The settings page's one form for a scope ("" = all locations). Amounts in major units. */
export const LocationSettingsFormSchema = z.strictObject({
  locationExternalId: z.string().max(30).regex(/^\d*$/, "must be a location id or empty for all locations"),
  copilot: onOff,
  suggestions: onOff,
  maxSuggestions: z.coerce
    .number({ message: "must be a number" })
    .int("a whole number")
    .min(1, "at least 1")
    .max(5, "at most 5"),
  approvals: onOff,
  maxPercent: z.coerce.number({ message: "must be a number" }).min(0, "at least 0").max(100, "at most 100"),
  maxAmount: money("the amount"),
  shiftLimit: money("the shift limit"),
  returns: onOff,
  loyalty: onOff,
});

export type LocationSettingsForm = z.infer<typeof LocationSettingsFormSchema>;

/** What one scope has, as the page shows it and the form starts from. */
export interface ScopeSettings {
  copilot: boolean;
  suggestions: { enabled: boolean; maxSuggestions: number };
  approvals: { enabled: boolean; maxPercent: number; maxAmountMinor: number; shiftLimitMinor: number };
  returns: boolean;
  loyalty: boolean;
}

export function settingsFormValues(settings: ScopeSettings): Record<string, string> {
  const onOffText = (value: boolean) => (value ? "on" : "off");
  return {
    copilot: onOffText(settings.copilot),
    suggestions: onOffText(settings.suggestions.enabled),
    maxSuggestions: String(settings.suggestions.maxSuggestions),
    approvals: onOffText(settings.approvals.enabled),
    maxPercent: String(settings.approvals.maxPercent),
    maxAmount: (settings.approvals.maxAmountMinor / 100).toFixed(2),
    shiftLimit: (settings.approvals.shiftLimitMinor / 100).toFixed(2),
    returns: onOffText(settings.returns),
    loyalty: onOffText(settings.loyalty),
  };
}

/**
 * The loyalty program's locations after switching one location on or off. An empty list means
 * every location, so switching one off lists all the others. Null when no location would be
 * left: the program cannot say that, it is switched off for all locations instead.
 */
export function loyaltyLocationsAfter(
  current: string[],
  allLocations: string[],
  location: string,
  enabled: boolean,
): string[] | null {
  if (enabled && current.length === 0) return [];
  const taking = current.length === 0 ? allLocations : current;
  const next = enabled ? [...new Set([...taking, location])] : taking.filter((id) => id !== location);
  if (next.length === 0) return null;
  // Every location listed again reads as "all", which also covers locations opened later.
  if (allLocations.every((id) => next.includes(id))) return [];
  return next.sort();
}
