/** ADR 0010: the plan read from Shopify App Pricing, in its three cases, and the webhook's update. */
import { describe, expect, it } from "vitest";
import {
  CurrentAppInstallation,
  planFromInstallation,
  planSummary,
  planUpdateFromWebhook,
  pricingPlansUrl,
} from "../../app/services/billing.server";

const NOW = new Date("2026-11-26T12:00:00Z");
const recurring = (planHandle: string | null) => [
  { plan: { pricingDetails: { __typename: "AppRecurringPricing", planHandle } } },
];
const shop = {
  domain: "harbour.myshopify.com",
  isDemo: false,
  planName: null,
  planStatus: null,
  planHandle: null,
  planTrialEndsAt: null,
};

describe("the shop's plan", () => {
  it("is none when the merchant has not chosen one, and the page links to Shopify's plan page", () => {
    expect(planFromInstallation(CurrentAppInstallation.parse({ activeSubscriptions: [] }))).toBeNull();
    expect(planSummary(shop, "register-copilot", NOW)).toEqual({
      kind: "none",
      url: "https://admin.shopify.com/store/harbour/charges/register-copilot/pricing_plans",
    });
  });

  it("is a trial while the trial days since the subscription began have not run out", () => {
    const plan = planFromInstallation(
      CurrentAppInstallation.parse({
        activeSubscriptions: [
          {
            name: "Growth",
            status: "ACTIVE",
            trialDays: 14,
            createdAt: "2026-11-20T12:00:00Z",
            lineItems: recurring("growth"),
          },
        ],
      }),
    );
    expect(plan).toEqual({
      handle: "growth",
      name: "Growth",
      status: "ACTIVE",
      trialEndsAt: new Date("2026-12-04T12:00:00Z"),
    });
    const summary = planSummary(
      { ...shop, planName: "Growth", planStatus: "ACTIVE", planHandle: "growth", planTrialEndsAt: plan!.trialEndsAt },
      "register-copilot",
      NOW,
    );
    expect(summary).toMatchObject({ kind: "trial", name: "Growth", trialEndsAt: "2026-12-04T12:00:00.000Z" });
  });

  it("is active after the trial, with its handle for feature gates", () => {
    const plan = planFromInstallation(
      CurrentAppInstallation.parse({
        activeSubscriptions: [
          {
            name: "Growth",
            status: "ACTIVE",
            trialDays: 0,
            createdAt: "2026-01-02T00:00:00Z",
            lineItems: recurring("growth"),
          },
        ],
      }),
    );
    expect(plan?.trialEndsAt).toBeNull();
    expect(
      planSummary({ ...shop, planName: "Growth", planStatus: "ACTIVE", planHandle: "growth" }, "register-copilot", NOW),
    ).toMatchObject({ kind: "active", handle: "growth" });
  });

  it("asks for attention when the subscription is frozen, and says demo for the demo store", () => {
    expect(planSummary({ ...shop, planName: "Growth", planStatus: "FROZEN" }, "rc", NOW)).toMatchObject({
      kind: "attention",
      status: "FROZEN",
    });
    expect(planSummary({ ...shop, isDemo: true }, "rc", NOW)).toEqual({ kind: "demo" });
  });

  it("reads app_subscriptions/update: an active plan's handle, and no plan once cancelled", () => {
    const active = { app_subscription: { name: "Growth", status: "ACTIVE", plan_handle: "growth" } };
    expect(planUpdateFromWebhook(active, NOW)).toEqual({
      planHandle: "growth",
      planName: "Growth",
      planStatus: "ACTIVE",
      planCheckedAt: NOW,
    });
    const cancelled = { app_subscription: { name: "Growth", status: "CANCELLED", plan_handle: "growth" } };
    expect(planUpdateFromWebhook(cancelled, NOW)).toMatchObject({
      planHandle: null,
      planName: null,
      planStatus: "CANCELLED",
    });
    expect(planUpdateFromWebhook({ app_subscription: { status: 3 } }, NOW)).toBeNull();
  });

  it("escapes the store name in the plan page's address", () => {
    expect(pricingPlansUrl("a-b.myshopify.com", "register-copilot")).toBe(
      "https://admin.shopify.com/store/a-b/charges/register-copilot/pricing_plans",
    );
  });
});
