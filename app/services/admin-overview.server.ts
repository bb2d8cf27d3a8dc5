/**
 * What the admin home shows: the shop's data, the history import, the model's freshness, the
 * setup steps done so far, the plan, and the queue's health. JSON-safe (dates as ISO strings):
 * the home page renders it and then polls the same answer from /app/overview.
 */
import type { Db } from "../db.server";
import { latestBackfill } from "./backfill.server";
import { planSummary, type PlanSummary } from "./billing.server";
import { REBUILD_AFTER_MS } from "./suggestions.server";

export interface HomeOverview {
  shop: { domain: string; name: string | null; currency: string; isDemo: boolean; installedAt: string } | null;
  counts: { products: number; orders: number; customers: number; locations: number } | null;
  backfill: {
    status: string;
    sinceDate: string;
    objectCount: number;
    ordersImported: number;
    linesImported: number;
    error: string | null;
    startedAt: string;
    finishedAt: string | null;
  } | null;
  model: { trainedAt: string; basketCount: number; productCount: number; fresh: boolean } | null;
  setup: {
    /** The first time a register talked to the app (a suggestion shown, a return checked, a discount asked). */
    registerSeenAt: string | null;
    managers: number;
    returnPolicyVersion: number;
    loyaltySaved: boolean;
    settingsSaved: boolean;
  } | null;
  plan: PlanSummary | null;
  deadLetters: number;
  queue: { pending: number; running: number };
  lastOrderAt: string | null;
}

const iso = (value: Date | null | undefined) => (value ? value.toISOString() : null);

export async function shopOverview(db: Db, shopDomain: string, appHandle: string, now: Date): Promise<HomeOverview> {
  const shop = await db.shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain: shopDomain } },
    select: {
      id: true,
      name: true,
      domain: true,
      currency: true,
      isDemo: true,
      installedAt: true,
      planName: true,
      planStatus: true,
      planHandle: true,
      planTrialEndsAt: true,
    },
  });
  const [deadLetters, queue] = await Promise.all([
    db.job.count({ where: { shopDomain, status: "dead" } }),
    db.job.groupBy({
      by: ["status"],
      where: { shopDomain, status: { in: ["pending", "running"] } },
      _count: { _all: true },
    }),
  ]);
  const queueCount = (status: string) => queue.find((row) => row.status === status)?._count._all ?? 0;
  const base = {
    deadLetters,
    queue: { pending: queueCount("pending"), running: queueCount("running") },
  };
  if (!shop)
    return {
      shop: null,
      counts: null,
      backfill: null,
      model: null,
      setup: null,
      plan: null,
      lastOrderAt: null,
      ...base,
    };

  const shopId = shop.id;
  const firstOf = (rows: Array<{ createdAt: Date } | null>) =>
    rows
      .filter((row): row is { createdAt: Date } => row !== null)
      .map((row) => row.createdAt)
      .sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  const earliest = { orderBy: { createdAt: "asc" as const }, select: { createdAt: true } };
  const [
    products,
    orders,
    customers,
    locations,
    backfill,
    lastOrder,
    model,
    seen,
    managers,
    policy,
    loyalty,
    settings,
  ] = await Promise.all([
    db.product.count({ where: { shopId, deletedAt: null } }),
    db.order.count({ where: { shopId } }),
    db.customer.count({ where: { shopId, redactedAt: null } }),
    db.location.count({ where: { shopId, active: true } }),
    latestBackfill(db, shopDomain),
    db.order.findFirst({ where: { shopId }, orderBy: { processedAt: "desc" }, select: { processedAt: true } }),
    db.recommendationModel.findFirst({
      where: { shopId },
      orderBy: { trainedAt: "desc" },
      select: { trainedAt: true, basketCount: true, productCount: true },
    }),
    Promise.all([
      db.suggestionEvent.findFirst({ where: { shopId }, ...earliest }),
      db.returnCheck.findFirst({ where: { shopId }, ...earliest }),
      db.approvalRequest.findFirst({ where: { shopId }, ...earliest }),
    ]),
    db.manager.count({ where: { shopId, disabledAt: null } }),
    db.returnPolicyVersion.findFirst({ where: { shopId }, orderBy: { version: "desc" }, select: { version: true } }),
    db.loyaltyProgram.count({ where: { shopId } }),
    Promise.all([
      db.suggestionSettings.count({ where: { shopId } }),
      db.approvalPolicy.count({ where: { shopId } }),
      db.locationSettings.count({ where: { shopId } }),
    ]),
  ]);
  return {
    shop: {
      domain: shop.domain,
      name: shop.name,
      currency: shop.currency,
      isDemo: shop.isDemo,
      installedAt: shop.installedAt.toISOString(),
    },
    counts: { products, orders, customers, locations },
    backfill: backfill
      ? {
          status: backfill.status,
          sinceDate: backfill.sinceDate.toISOString(),
          objectCount: backfill.objectCount,
          ordersImported: backfill.ordersImported,
          linesImported: backfill.linesImported,
          error: backfill.error,
          startedAt: backfill.startedAt.toISOString(),
          finishedAt: iso(backfill.finishedAt),
        }
      : null,
    model: model
      ? {
          trainedAt: model.trainedAt.toISOString(),
          basketCount: model.basketCount,
          productCount: model.productCount,
          fresh: now.getTime() - model.trainedAt.getTime() <= REBUILD_AFTER_MS,
        }
      : null,
    setup: {
      registerSeenAt: iso(firstOf(seen)),
      managers,
      returnPolicyVersion: policy?.version ?? 0,
      loyaltySaved: loyalty > 0,
      settingsSaved: settings.some((count) => count > 0),
    },
    plan: planSummary(shop, appHandle, now),
    lastOrderAt: iso(lastOrder?.processedAt),
    ...base,
  };
}
