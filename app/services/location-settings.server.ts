/**
 * The settings page's service: every feature's on/off and limits for one scope (all locations, or
 * one location's overrides), read from and written to where each feature keeps them, in one
 * audited transaction: a save is whole or not at all.
 */
import type { Db } from "../db.server";
import { loyaltyLocationsAfter, type LocationSettingsForm, type ScopeSettings } from "../../shared/location-settings";
import type { AiSettingsForm } from "../../shared/ai-settings";
import { aiSettingsFor } from "./ai.server";
import { enqueuePitchLines } from "./ai-pitches.server";
import { approvalLimitsFor, writeApprovalPolicy } from "./approvals.server";
import { appendAudit, inAuditedTransaction, type Tx } from "./audit.server";
import { loyaltyProgramFor, takesPartAt, writeLoyaltyProgram } from "./loyalty.server";
import { markShopSnapshotStale } from "./shop-snapshot.server";
import { suggestionSettingsFor, writeSuggestionSettings } from "./suggestions.server";

export interface SettingsShop {
  id: string;
  locations: Array<{ externalId: string; name: string }>;
}

export interface ScopeRow {
  /** "" for all locations. */
  locationExternalId: string;
  name: string;
  settings: ScopeSettings;
  /** Whether the copilot is paused here, and by which switch. */
  pausedBy: "shop" | "location" | null;
}

async function switchRows(db: Db | Tx, shopId: string) {
  return db.locationSettings.findMany({
    where: { shopId },
    select: { locationExternalId: true, copilotEnabled: true, returnsEnabled: true },
  });
}

/** One scope's settings as saved (the kill switch is the scope's own; see pausedBy for the effect). */
export async function scopeSettings(db: Db | Tx, shopId: string, location: string | null): Promise<ScopeSettings> {
  const [suggestions, approvals, program, rows] = await Promise.all([
    suggestionSettingsFor(db, shopId, location),
    approvalLimitsFor(db, shopId, location),
    loyaltyProgramFor(db, shopId),
    switchRows(db, shopId),
  ]);
  const own = rows.find((row) => row.locationExternalId === (location ?? ""));
  const shopRow = rows.find((row) => row.locationExternalId === "");
  return {
    copilot: own?.copilotEnabled ?? true,
    suggestions: { enabled: suggestions.enabled, maxSuggestions: suggestions.maxSuggestions },
    approvals: {
      enabled: approvals.enabled,
      maxPercent: approvals.maxPercent,
      maxAmountMinor: approvals.maxAmountMinor,
      shiftLimitMinor: approvals.shiftLimitMinor,
    },
    returns: (own ?? shopRow)?.returnsEnabled ?? true,
    loyalty: location === null ? program.enabled : takesPartAt(program, location),
  };
}

/** All locations first, then each location, for the page's overview table. */
export async function settingsOverview(db: Db, shop: SettingsShop): Promise<ScopeRow[]> {
  const scopes = [{ externalId: "", name: "All locations (default)" }, ...shop.locations];
  const shopSettings = await scopeSettings(db, shop.id, null);
  return Promise.all(
    scopes.map(async (scope) => {
      const settings = scope.externalId ? await scopeSettings(db, shop.id, scope.externalId) : shopSettings;
      const pausedBy = !shopSettings.copilot ? "shop" : !settings.copilot ? "location" : null;
      return { locationExternalId: scope.externalId, name: scope.name, settings, pausedBy };
    }),
  );
}

export type SaveSettingsResult = { saved: true } | { fieldErrors: Record<string, string> };

/**
 * Writes what changed for the scope, each feature where it lives, with the features' own audit
 * events (policy.changed, killswitch.changed) and one for the copilot and returns switches.
 */
export async function saveScopeSettings(
  db: Db,
  shop: SettingsShop,
  form: LocationSettingsForm,
  actor: string,
  now: Date,
): Promise<SaveSettingsResult> {
  const locationExternalId = form.locationExternalId;
  if (locationExternalId && !shop.locations.some((l) => l.externalId === locationExternalId)) {
    return { fieldErrors: { locationExternalId: "not a location of this shop" } };
  }
  const location = locationExternalId || null;
  const result = await inAuditedTransaction(db, async (tx): Promise<SaveSettingsResult> => {
    const before = await scopeSettings(tx, shop.id, location);

    if (before.loyalty !== form.loyalty) {
      const program = await loyaltyProgramFor(tx, shop.id);
      if (location === null) {
        await writeLoyaltyProgram(tx, shop.id, { ...program, enabled: form.loyalty }, actor, now);
      } else {
        const locations = loyaltyLocationsAfter(
          program.locations,
          shop.locations.map((l) => l.externalId),
          location,
          form.loyalty,
        );
        if (locations === null) {
          return {
            fieldErrors: {
              loyalty: "this is the last location in the loyalty program: switch it off for all locations instead",
            },
          };
        }
        // Switching a location on while the whole program is off would do nothing at the register.
        if (form.loyalty && !program.enabled) {
          return { fieldErrors: { loyalty: "the loyalty program is off for all locations: switch it on there first" } };
        }
        await writeLoyaltyProgram(tx, shop.id, { ...program, locations }, actor, now);
      }
    }

    if (before.suggestions.enabled !== form.suggestions || before.suggestions.maxSuggestions !== form.maxSuggestions) {
      const current = await suggestionSettingsFor(tx, shop.id, location);
      await writeSuggestionSettings(tx, shop.id, {
        ...current,
        locationExternalId,
        enabled: form.suggestions,
        maxSuggestions: form.maxSuggestions,
      });
      await appendAudit(tx, shop.id, {
        type: before.suggestions.enabled !== form.suggestions ? "killswitch.changed" : "policy.changed",
        actor,
        data: { feature: "suggestions", location, enabled: form.suggestions, maxSuggestions: form.maxSuggestions },
        at: now,
      });
    }

    const approvals = before.approvals;
    if (
      approvals.enabled !== form.approvals ||
      approvals.maxPercent !== form.maxPercent ||
      approvals.maxAmountMinor !== form.maxAmount ||
      approvals.shiftLimitMinor !== form.shiftLimit
    ) {
      const current = await approvalLimitsFor(tx, shop.id, location);
      await writeApprovalPolicy(
        tx,
        shop.id,
        {
          locationExternalId,
          enabled: form.approvals,
          maxPercent: form.maxPercent,
          maxAmount: form.maxAmount,
          shiftLimit: form.shiftLimit,
          shiftHours: current.shiftHours,
        },
        actor,
        now,
      );
    }

    if (before.copilot !== form.copilot || before.returns !== form.returns) {
      const data = { copilotEnabled: form.copilot, returnsEnabled: form.returns };
      await tx.locationSettings.upsert({
        where: { shopId_locationExternalId: { shopId: shop.id, locationExternalId } },
        create: { shopId: shop.id, locationExternalId, ...data },
        update: data,
      });
      for (const [feature, was, is] of [
        ["copilot", before.copilot, form.copilot],
        ["returns", before.returns, form.returns],
      ] as const) {
        if (was !== is) {
          await appendAudit(tx, shop.id, {
            type: "killswitch.changed",
            actor,
            data: { feature, location, enabled: is },
            at: now,
          });
        }
      }
    }
    return { saved: true };
  });
  // Registers served from this process see the change on their next request.
  if ("saved" in result) markShopSnapshotStale(shop.id);
  return result;
}

/** The merchant's switch and budget; switching on asks for pitch lines at once. Audited. */
export async function saveAiSettings(
  db: Db,
  shop: { id: string; domain: string },
  form: AiSettingsForm,
  actor: string,
  now: Date,
) {
  const before = await aiSettingsFor(db, shop.id);
  const data = { enabled: form.enabled, dailyTokenBudget: form.dailyTokenBudget };
  await inAuditedTransaction(db, async (tx) => {
    await tx.aiSettings.upsert({ where: { shopId: shop.id }, create: { shopId: shop.id, ...data }, update: data });
    if (before.enabled !== form.enabled) {
      await appendAudit(tx, shop.id, {
        type: "killswitch.changed",
        actor,
        data: { feature: "ai", location: null, enabled: form.enabled },
        at: now,
      });
    }
    await appendAudit(tx, shop.id, {
      type: "policy.changed",
      actor,
      data: { feature: "ai", before, after: data },
      at: now,
    });
  });
  markShopSnapshotStale(shop.id);
  if (form.enabled && !before.enabled) await enqueuePitchLines(db, { platform: "shopify", domain: shop.domain }, now);
}
