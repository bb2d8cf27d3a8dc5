/**
 * Install (afterAuth): record the shop as Shopify describes it, its locations, and start the
 * order-history backfill. afterAuth runs again on re-installs and new offline tokens, so every
 * step is an upsert and a backfill is only enqueued when one is actually needed.
 */
import { z } from "zod";
import type { Db } from "../db.server";
import { shopifyId } from "../../shared/ids";
import {
  type AdminGraphql,
  type AdminJobOptions,
  BACKFILL_JOB,
  type BackfillJobHandler,
  type BackfillJobRecord,
  backfillJobHandlers,
  enqueueBackfill,
  runAdminApiJob,
} from "./backfill.server";
import {
  CurrentAppInstallation,
  planColumns,
  planFromInstallation,
  SUBSCRIPTIONS_FIELDS,
  type ShopPlan,
} from "./billing.server";
import { enqueueJob } from "./jobs.server";

const SHOP_QUERY = `#graphql
query RegisterCopilotInstall($after: String) {
  shop { name currencyCode ianaTimezone }
  ${SUBSCRIPTIONS_FIELDS}
  locations(first: 250, after: $after, includeInactive: true) {
    nodes { id name isActive }
    pageInfo { hasNextPage endCursor }
  }
}`;

const ShopInfo = z.object({
  shop: z.object({
    name: z.string().max(500),
    currencyCode: z.string().regex(/^[A-Z]{3}$/),
    ianaTimezone: z.string().max(100).nullish(),
  }),
  currentAppInstallation: CurrentAppInstallation,
  locations: z.object({
    nodes: z.array(z.object({ id: z.string(), name: z.string().max(500), isActive: z.boolean().nullish() })).max(250),
    pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() }),
  }),
});

export interface ShopProfile {
  name: string;
  currency: string;
  timezone: string;
  locations: { externalId: string; name: string; active: boolean }[];
  /** The App Pricing subscription in force (ADR 0010); null when none was chosen. */
  plan: ShopPlan | null;
}

function validTimezone(zone: string | null | undefined): string {
  if (!zone) return "UTC";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone;
  } catch {
    return "UTC"; // a zone this Node's ICU does not know would break every local-time report
  }
}

/** Reads the shop and all its locations (paged; a shop can have more than 250). */
export async function fetchShopProfile(graphql: AdminGraphql): Promise<ShopProfile> {
  const locations: ShopProfile["locations"] = [];
  let after: string | null = null;
  let shop: z.infer<typeof ShopInfo>["shop"] | null = null;
  let plan: ShopPlan | null = null;
  for (let page = 0; page < 40; page++) {
    const response = await graphql(SHOP_QUERY, { variables: { after } });
    const body = (await response.json()) as { data?: unknown; errors?: unknown };
    if (body.errors) throw new Error(`Admin API: ${JSON.stringify(body.errors).slice(0, 500)}`);
    const parsed = ShopInfo.safeParse(body.data);
    if (!parsed.success) {
      throw new Error(
        `unexpected shop answer: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`,
      );
    }
    if (!shop) plan = planFromInstallation(parsed.data.currentAppInstallation);
    shop ??= parsed.data.shop;
    for (const node of parsed.data.locations.nodes) {
      const id = shopifyId(node.id);
      if (id) locations.push({ externalId: id, name: node.name, active: node.isActive ?? true });
    }
    if (!parsed.data.locations.pageInfo.hasNextPage || !parsed.data.locations.pageInfo.endCursor) break;
    after = parsed.data.locations.pageInfo.endCursor;
  }
  if (!shop) throw new Error("Admin API returned no shop");
  return { name: shop.name, currency: shop.currencyCode, timezone: validTimezone(shop.ianaTimezone), locations, plan };
}

export interface InstallInput {
  db: Db;
  session: { shop: string };
  admin: { graphql: AdminGraphql };
  now?: Date;
}

export interface InstallResult {
  shopId: string;
  reinstalled: boolean;
  /** False when the Admin API could not be read; a `shop:sync` job retries it. */
  profileSynced: boolean;
  backfillRunId: string | null;
}

export const INSTALL_JOB = { syncShop: "shop:sync" } as const;

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Upserts the shop (and, with a profile, its details and locations). Returns whether it was uninstalled. */
async function saveShop(tx: Tx, domain: string, profile: ShopProfile | null, now: Date, install: boolean) {
  const before = await tx.shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain } },
    select: { uninstalledAt: true },
  });
  const details = profile
    ? { name: profile.name, currency: profile.currency, timezone: profile.timezone, ...planColumns(profile.plan, now) }
    : {};
  const reinstalled = install && Boolean(before?.uninstalledAt);
  const lifecycle = install ? { uninstalledAt: null, ...(reinstalled ? { installedAt: now } : {}) } : {};
  const shop = await tx.shop.upsert({
    where: { platform_domain: { platform: "shopify", domain } },
    create: { platform: "shopify", domain, installedAt: now, ...details },
    update: { ...details, ...lifecycle },
    select: { id: true },
  });
  if (profile) {
    for (const location of profile.locations) {
      await tx.location.upsert({
        where: { shopId_externalId: { shopId: shop.id, externalId: location.externalId } },
        create: { shopId: shop.id, ...location },
        update: { name: location.name, active: location.active },
      });
    }
    // Locations deleted in Shopify stay (old orders point at them) but no longer count as active.
    await tx.location.updateMany({
      where: { shopId: shop.id, externalId: { notIn: profile.locations.map((l) => l.externalId) } },
      data: { active: false },
    });
  }
  return { shopId: shop.id, reinstalled };
}

export async function onShopInstalled({ db, session, admin, now = new Date() }: InstallInput): Promise<InstallResult> {
  const domain = session.shop;
  // Outside the transaction: a slow Admin API call must not hold the database's write lock.
  // If it fails the install still completes (afterAuth may not run again for this session):
  // the shop is recorded with defaults and a queued `shop:sync` job fetches the details.
  let profile: ShopProfile | null = null;
  let problem: string | null = null;
  try {
    profile = await fetchShopProfile(admin.graphql);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }

  const { shopId, reinstalled } = await db.$transaction(async (tx) => {
    const saved = await saveShop(tx, domain, profile, now, true);
    if (!profile) {
      await enqueueJob(tx, {
        shopDomain: domain,
        type: INSTALL_JOB.syncShop,
        payload: { reason: problem },
        runAt: now,
      });
    }
    return saved;
  });
  if (problem)
    console.warn(`[install] ${domain}: shop details not read yet (${problem}); queued ${INSTALL_JOB.syncShop}`);

  const backfillRunId = await ensureBackfill(db, domain, shopId, reinstalled, now);
  return { shopId, reinstalled, profileSynced: profile !== null, backfillRunId };
}

export interface InstallJobContext {
  db: Db;
  shopDomain: string;
  payload: unknown;
  now: () => Date;
  graphql: AdminGraphql;
}

/** `shop:sync`: re-reads the shop's name, currency, timezone and locations. Throws to be retried. */
export async function syncShopJob(ctx: InstallJobContext): Promise<void> {
  const shop = await ctx.db.shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain: ctx.shopDomain } },
    select: { uninstalledAt: true },
  });
  if (!shop || shop.uninstalledAt) return;
  const profile = await fetchShopProfile(ctx.graphql);
  await ctx.db.$transaction((tx) => saveShop(tx, ctx.shopDomain, profile, ctx.now(), false));
}

/** Job type → handler, for the worker's dispatch table (same context shape as the backfill's). */
export const installJobHandlers: Record<string, (ctx: InstallJobContext) => Promise<void>> = {
  [INSTALL_JOB.syncShop]: syncShopJob,
};

/** Every job type that talks to the shop's Admin API: install's and the backfill's. */
export const shopifyAdminJobHandlers: Record<string, BackfillJobHandler> = {
  ...backfillJobHandlers,
  ...installJobHandlers,
};

export function isShopifyAdminJob(type: string): boolean {
  return Object.hasOwn(shopifyAdminJobHandlers, type);
}

/** The worker's JobHandler context (app/services/worker.server.ts), structurally. */
interface WorkerJobContext {
  db: Db;
  job: BackfillJobRecord;
  payload: unknown;
  now: Date;
}

/**
 * Entries for the worker's handler table, in its own ({ db, job, payload, now }) shape:
 * `{ ...webhookJobHandlers(), ...shopifyAdminWorkerHandlers() }`. Each builds the shop's Admin
 * API client from its offline session (unauthenticated.admin) and runs the step.
 */
export function shopifyAdminWorkerHandlers(): Record<string, (ctx: WorkerJobContext) => Promise<void>> {
  const entries = Object.keys(shopifyAdminJobHandlers).map((type) => {
    const handler = ({ db, job, payload, now }: WorkerJobContext) => {
      // A clock that starts at the worker's `now` (tests inject one) and moves with real time:
      // an ingest chunk runs for seconds.
      const skew = now.getTime() - Date.now();
      return runShopifyAdminJob(db, { ...job, payload }, { now: () => new Date(Date.now() + skew) });
    };
    return [type, handler] as const;
  });
  return Object.fromEntries(entries);
}

/** The worker's one call for `shop:sync` and `backfill:*` jobs. */
export function runShopifyAdminJob(db: Db, job: BackfillJobRecord, options: AdminJobOptions = {}): Promise<void> {
  return runAdminApiJob(db, job, shopifyAdminJobHandlers, options);
}

/**
 * Enqueues a backfill unless one is under way, or one completed and the app stayed installed
 * since (a new offline token is not a reason to download a year of orders again). A failed,
 * cancelled or interrupted run is replaced; a re-install backfills again to cover the gap.
 */
async function ensureBackfill(db: Db, domain: string, shopId: string, reinstalled: boolean, now: Date) {
  const active = await db.backfillRun.findMany({
    where: { shopId, status: { in: ["pending", "running", "ingesting"] } },
    select: { id: true },
  });
  if (active.length) {
    // A run is only alive while a backfill job is queued for it; uninstall cancels the jobs
    // and a dead-lettered job leaves its run behind.
    const liveJobs = await db.job.count({
      where: {
        shopDomain: domain,
        type: { in: Object.values(BACKFILL_JOB) },
        status: { in: ["pending", "running"] },
      },
    });
    if (liveJobs > 0 && !reinstalled) return null;
    await db.backfillRun.updateMany({
      where: { id: { in: active.map((run) => run.id) }, status: { in: ["pending", "running", "ingesting"] } },
      data: {
        status: "cancelled",
        error: reinstalled ? "the app was uninstalled" : "interrupted: no backfill job left in the queue",
        finishedAt: now,
      },
    });
  } else if (!reinstalled) {
    const completed = await db.backfillRun.count({ where: { shopId, status: "completed" } });
    if (completed > 0) return null;
  }
  return enqueueBackfill(db, domain, now);
}
