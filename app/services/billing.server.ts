/**
 * The shop's plan under Shopify App Pricing (ADR 0010): read, never charged by the app. The
 * install and `shop:sync` read `currentAppInstallation.activeSubscriptions`; the
 * app_subscriptions/update webhook updates the copy at once and queues a full re-read.
 */
import { z } from "zod";

export const SUBSCRIPTIONS_FIELDS = `currentAppInstallation {
    activeSubscriptions {
      name status trialDays createdAt
      lineItems { plan { pricingDetails { __typename ... on AppRecurringPricing { planHandle } } } }
    }
  }`;

const ActiveSubscription = z.object({
  name: z.string().max(255),
  status: z.string().max(40),
  trialDays: z.number().int().min(0).max(3_650).nullish(),
  createdAt: z.string().max(40),
  lineItems: z
    .array(
      z.object({
        plan: z.object({
          pricingDetails: z.object({ __typename: z.string(), planHandle: z.string().max(255).nullish() }),
        }),
      }),
    )
    .max(10)
    .nullish(),
});

export const CurrentAppInstallation = z.object({
  activeSubscriptions: z.array(ActiveSubscription).max(10),
});

export interface ShopPlan {
  handle: string | null;
  name: string;
  status: string;
  trialEndsAt: Date | null;
}

/** The subscription in force (App Pricing allows one), or null when the merchant chose none. */
export function planFromInstallation(installation: z.infer<typeof CurrentAppInstallation>): ShopPlan | null {
  const subscription = installation.activeSubscriptions[0];
  if (!subscription) return null;
  const handle =
    subscription.lineItems?.map((item) => item.plan.pricingDetails.planHandle).find((value) => Boolean(value)) ?? null;
  const started = new Date(subscription.createdAt);
  const trialEndsAt =
    subscription.trialDays && !Number.isNaN(started.getTime())
      ? new Date(started.getTime() + subscription.trialDays * 86_400_000)
      : null;
  return { handle, name: subscription.name, status: subscription.status, trialEndsAt };
}

/** The Shop columns that hold the plan, for an update. */
export function planColumns(plan: ShopPlan | null, checkedAt: Date) {
  return {
    planHandle: plan?.handle ?? null,
    planName: plan?.name ?? null,
    planStatus: plan?.status ?? null,
    planTrialEndsAt: plan?.trialEndsAt ?? null,
    planCheckedAt: checkedAt,
  };
}

const SubscriptionWebhook = z.object({
  app_subscription: z.object({
    name: z.string().max(255),
    status: z.string().max(40),
    plan_handle: z.string().max(255).nullish(),
  }),
});

/** app_subscriptions/update: what changed, without the trial (the queued re-read brings it). */
export function planUpdateFromWebhook(payload: unknown, checkedAt: Date) {
  const parsed = SubscriptionWebhook.safeParse(payload);
  if (!parsed.success) return null;
  const { name, status, plan_handle } = parsed.data.app_subscription;
  // A cancelled, declined or expired subscription leaves the shop with no plan.
  const inForce = ["ACTIVE", "PENDING", "FROZEN"].includes(status.toUpperCase());
  return {
    planHandle: inForce ? (plan_handle ?? null) : null,
    planName: inForce ? name : null,
    planStatus: status.toUpperCase(),
    planCheckedAt: checkedAt,
  };
}

/** Shopify's hosted plan page for this shop, where the merchant picks or changes a plan. */
export function pricingPlansUrl(shopDomain: string, appHandle: string): string {
  const store = shopDomain.replace(/\.myshopify\.com$/, "");
  return `https://admin.shopify.com/store/${encodeURIComponent(store)}/charges/${encodeURIComponent(appHandle)}/pricing_plans`;
}

/** What the home page says about the plan. */
export type PlanSummary =
  | { kind: "demo" }
  | { kind: "none"; url: string }
  | { kind: "trial"; name: string; trialEndsAt: string; url: string }
  | { kind: "active"; name: string; handle: string | null; url: string }
  | { kind: "attention"; name: string | null; status: string; url: string };

export function planSummary(
  shop: {
    domain: string;
    isDemo: boolean;
    planName: string | null;
    planStatus: string | null;
    planHandle: string | null;
    planTrialEndsAt: Date | null;
  },
  appHandle: string,
  now: Date,
): PlanSummary {
  if (shop.isDemo) return { kind: "demo" };
  const url = pricingPlansUrl(shop.domain, appHandle);
  if (!shop.planStatus || !shop.planName) return { kind: "none", url };
  if (shop.planStatus !== "ACTIVE") return { kind: "attention", name: shop.planName, status: shop.planStatus, url };
  if (shop.planTrialEndsAt && shop.planTrialEndsAt > now) {
    return { kind: "trial", name: shop.planName, trialEndsAt: shop.planTrialEndsAt.toISOString(), url };
  }
  return { kind: "active", name: shop.planName, handle: shop.planHandle, url };
}
