/**
 * A serving process's in-memory view of one shop, so a register's suggestions request does no
 * database reads: the shop row, the catalog (products, variants, tags, status), stock per
 * location, the suggestion settings and the current recommendation model.
 *
 * The view is refreshed incrementally — rows changed since the last look, re-reading an overlap
 * for transactions that committed late — at most every `refreshMs`. Requests in between use the
 * current view and a due refresh runs beside them (stale-while-revalidate): only the first
 * request for a shop, or one after an in-process change such as a settings save, waits for it.
 * The worker changes the catalog in another process, so a register sees its changes within
 * about `refreshMs`.
 */
import type { Db } from "../db.server";
import { PITCH_LINES_PROMPT } from "../ai/prompts";
import { resolveSwitches, type SwitchRow } from "../../shared/location-settings";
import { PITCH_KIND } from "./ai-pitches.server";
import type { ShopRef } from "../../shared/model";
import { deserializeModel, updateModel, type Basket, type RecommendationModel } from "../../shared/recommendations";

export interface EffectiveSuggestionSettings {
  enabled: boolean;
  maxSuggestions: number;
  excludedTags: string[];
  excludedProductIds: string[];
}

export const DEFAULT_SUGGESTION_SETTINGS: EffectiveSuggestionSettings = {
  enabled: true,
  maxSuggestions: 3,
  excludedTags: [],
  excludedProductIds: [],
};

export function settingsFromRow(row: {
  enabled: boolean;
  maxSuggestions: number;
  excludedTags: string;
  excludedProductIds: string;
}): EffectiveSuggestionSettings {
  return {
    enabled: row.enabled,
    maxSuggestions: row.maxSuggestions,
    excludedTags: JSON.parse(row.excludedTags) as string[],
    excludedProductIds: JSON.parse(row.excludedProductIds) as string[],
  };
}

export interface SnapshotVariant {
  variantId: string;
  priceMinor: number;
  inventoryItemId: string | null;
}

export interface SnapshotProduct {
  productId: string;
  title: string;
  /** Active and not deleted. */
  forSale: boolean;
  tagsLower: string[];
  variants: SnapshotVariant[];
}

export interface CachedModel {
  rowId: string;
  model: RecommendationModel;
  version: string;
  /** Orders processed after this time are not in the model yet. */
  learnedUntil: Date;
  caughtUpAt: number;
}

export interface ShopSnapshot {
  shopId: string;
  currency: string;
  products: Map<string, SnapshotProduct>;
  productOfVariant: Map<string, string>;
  /** Available units by `${locationExternalId} ${inventoryItemId}`. */
  stock: Map<string, number>;
  /** By location external id; "" is the shop-wide default. */
  settings: Map<string, EffectiveSuggestionSettings>;
  /** The copilot's kill switch rows (shared/location-settings.ts). */
  switches: SwitchRow[];
  /** The shop switched the AI layer on: pitch lines are served. */
  aiEnabled: boolean;
  /** Model-written pitch lines by pitchKey(cart product, suggested product), current prompt only. */
  pitches: Map<string, string>;
  model: CachedModel | null;
}

export function stockKey(locationExternalId: string, inventoryItemId: string): string {
  return `${locationExternalId} ${inventoryItemId}`;
}

/**
 * The shop default ("" row) overridden by the location's row, when either exists; off while the
 * copilot is paused there.
 */
export function settingsAt(snapshot: ShopSnapshot, locationExternalId: string | null): EffectiveSuggestionSettings {
  if (!resolveSwitches(snapshot.switches, locationExternalId).copilot) {
    return { ...DEFAULT_SUGGESTION_SETTINGS, enabled: false };
  }
  return (
    (locationExternalId !== null ? snapshot.settings.get(locationExternalId) : undefined) ??
    snapshot.settings.get("") ??
    DEFAULT_SUGGESTION_SETTINGS
  );
}

/** How often a serving process folds new orders into its copy of the model. */
export const CATCH_UP_INTERVAL_MS = 30_000;
/** Rows are re-read this far behind the newest change seen: a transaction may commit late. */
const OVERLAP_MS = 10_000;
const PAGE_SIZE = 5_000;
/** A view older than this many refresh intervals is not served; the request waits for fresh data. */
const MAX_STALENESS_INTERVALS = 10;

interface Entry {
  snapshot: ShopSnapshot | null;
  refreshedAt: number;
  productsSeenUntil: Date | null;
  stockSeenUntil: Date | null;
  pitchesSeenUntil: Date | null;
  mustWait: boolean;
  /** Bumped by markShopSnapshotStale: a refresh that started before the bump does not clear mustWait. */
  staleMarks: number;
  refreshing: Promise<void> | null;
}

const entries = new Map<string, Entry>();

export async function shopSnapshot(db: Db, shop: ShopRef, now: Date, refreshMs: number): Promise<ShopSnapshot | null> {
  const key = `${shop.platform}:${shop.domain}`;
  let entry = entries.get(key);
  if (!entry) {
    entry = {
      snapshot: null,
      refreshedAt: -Infinity,
      productsSeenUntil: null,
      stockSeenUntil: null,
      pitchesSeenUntil: null,
      mustWait: true,
      staleMarks: 0,
      refreshing: null,
    };
    entries.set(key, entry);
  }
  const age = now.getTime() - entry.refreshedAt;
  if (age >= refreshMs || entry.mustWait) {
    const mustWait = entry.mustWait || age >= refreshMs * MAX_STALENESS_INTERVALS;
    const refresh = refreshOnce(db, shop, entry, now);
    if (!mustWait) {
      refresh.catch((error: unknown) => console.error(`refreshing ${key} for serving failed:`, error));
      return entry.snapshot;
    }
    await refresh;
    // The refresh this request shared may have begun before what it has to see (a change saved
    // in this process meanwhile, or a refresh begun long ago): then one more, begun now.
    if (entry.mustWait || now.getTime() - entry.refreshedAt >= refreshMs) await refreshOnce(db, shop, entry, now);
  }
  return entry.snapshot;
}

/** The next request for this shop waits for a refresh (after a change made in this process). */
export function markShopSnapshotStale(shopId: string) {
  for (const entry of entries.values()) {
    if (entry.snapshot?.shopId !== shopId) continue;
    entry.mustWait = true;
    entry.staleMarks++;
  }
}

/** One refresh at a time per shop; callers arriving meanwhile share it. */
function refreshOnce(db: Db, shop: ShopRef, entry: Entry, now: Date): Promise<void> {
  entry.refreshing ??= refresh(db, shop, entry, now).finally(() => {
    entry.refreshing = null;
  });
  return entry.refreshing;
}

async function refresh(db: Db, ref: ShopRef, entry: Entry, now: Date) {
  const staleMarks = entry.staleMarks;
  const shop = await db.shop.findUnique({
    where: { platform_domain: { platform: ref.platform, domain: ref.domain } },
    select: { id: true, currency: true },
  });
  if (!shop) {
    Object.assign(entry, { snapshot: null, productsSeenUntil: null, stockSeenUntil: null });
  } else {
    const current = entry.snapshot?.shopId === shop.id ? entry.snapshot : null;
    // A first load is built aside and published whole; later refreshes patch the live view.
    const snapshot: ShopSnapshot = current ?? {
      shopId: shop.id,
      currency: shop.currency,
      products: new Map(),
      productOfVariant: new Map(),
      stock: new Map(),
      settings: new Map(),
      switches: [],
      aiEnabled: false,
      pitches: new Map(),
      model: null,
    };
    if (!current) Object.assign(entry, { productsSeenUntil: null, stockSeenUntil: null, pitchesSeenUntil: null });
    snapshot.currency = shop.currency;
    entry.productsSeenUntil = await loadProducts(db, snapshot, entry.productsSeenUntil);
    entry.stockSeenUntil = await loadStock(db, snapshot, entry.stockSeenUntil);
    const settingsRows = await db.suggestionSettings.findMany({ where: { shopId: shop.id } });
    snapshot.settings = new Map(settingsRows.map((row) => [row.locationExternalId, settingsFromRow(row)]));
    snapshot.switches = await db.locationSettings.findMany({
      where: { shopId: shop.id },
      select: { locationExternalId: true, copilotEnabled: true, returnsEnabled: true },
    });
    snapshot.aiEnabled = (await db.aiSettings.findUnique({ where: { shopId: shop.id } }))?.enabled ?? false;
    entry.pitchesSeenUntil = await loadPitches(db, snapshot, entry.pitchesSeenUntil);
    snapshot.model = await currentModel(db, shop.id, snapshot.model, now);
    entry.snapshot = snapshot;
  }
  entry.refreshedAt = now.getTime();
  if (entry.staleMarks === staleMarks) entry.mustWait = false;
}

/**
 * Runs `fetchPage` page after page, keyed by id, so a large catalog or history never sits in one
 * query result; `fetchPage` gets the Prisma paging arguments for the page after `cursor`.
 */
async function forEachPage<Row extends { id: string }>(
  fetchPage: (paging: {
    orderBy: { id: "asc" };
    take: number;
    skip?: number;
    cursor?: { id: string };
  }) => Promise<Row[]>,
  apply: (row: Row) => void,
) {
  let cursor: string | undefined;
  for (let page = 0; page < 100_000; page++) {
    const rows = await fetchPage({
      orderBy: { id: "asc" },
      take: PAGE_SIZE,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
    });
    rows.forEach(apply);
    if (rows.length < PAGE_SIZE) return;
    cursor = rows[rows.length - 1]!.id;
  }
}

function behind(seenUntil: Date | null): Date | null {
  return seenUntil ? new Date(seenUntil.getTime() - OVERLAP_MS) : null;
}

async function loadProducts(db: Db, snapshot: ShopSnapshot, seenUntil: Date | null): Promise<Date | null> {
  const since = behind(seenUntil);
  let newest = seenUntil;
  await forEachPage(
    (paging) =>
      db.product.findMany({
        where: { shopId: snapshot.shopId, ...(since ? { updatedAt: { gt: since } } : {}) },
        ...paging,
        select: {
          id: true,
          externalId: true,
          title: true,
          tags: true,
          status: true,
          deletedAt: true,
          updatedAt: true,
          variants: { select: { externalId: true, priceMinor: true, inventoryItemId: true } },
        },
      }),
    (row) => {
      const previous = snapshot.products.get(row.externalId);
      for (const variant of previous?.variants ?? []) snapshot.productOfVariant.delete(variant.variantId);
      const product: SnapshotProduct = {
        productId: row.externalId,
        title: row.title,
        forSale: row.status === "active" && row.deletedAt === null,
        tagsLower: (JSON.parse(row.tags) as string[]).map((tag) => tag.toLowerCase()),
        variants: row.variants.map((variant) => ({
          variantId: variant.externalId,
          priceMinor: variant.priceMinor,
          inventoryItemId: variant.inventoryItemId,
        })),
      };
      snapshot.products.set(product.productId, product);
      for (const variant of product.variants) snapshot.productOfVariant.set(variant.variantId, product.productId);
      if (!newest || row.updatedAt > newest) newest = row.updatedAt;
    },
  );
  return newest;
}

async function loadPitches(db: Db, snapshot: ShopSnapshot, seenUntil: Date | null): Promise<Date | null> {
  const since = behind(seenUntil);
  let newest = seenUntil;
  await forEachPage(
    (paging) =>
      db.aiOutput.findMany({
        where: {
          shopId: snapshot.shopId,
          kind: PITCH_KIND,
          promptVersion: PITCH_LINES_PROMPT.version,
          ...(since ? { createdAt: { gt: since } } : {}),
        },
        ...paging,
        select: { id: true, key: true, output: true, createdAt: true },
      }),
    (row) => {
      snapshot.pitches.set(row.key, (JSON.parse(row.output) as { text: string }).text);
      if (!newest || row.createdAt > newest) newest = row.createdAt;
    },
  );
  return newest;
}

async function loadStock(db: Db, snapshot: ShopSnapshot, seenUntil: Date | null): Promise<Date | null> {
  const since = behind(seenUntil);
  let newest = seenUntil;
  await forEachPage(
    (paging) =>
      db.inventoryLevel.findMany({
        where: { shopId: snapshot.shopId, ...(since ? { updatedAt: { gt: since } } : {}) },
        ...paging,
        select: { id: true, inventoryItemId: true, locationExternalId: true, available: true, updatedAt: true },
      }),
    (row) => {
      snapshot.stock.set(stockKey(row.locationExternalId, row.inventoryItemId), row.available);
      if (!newest || row.updatedAt > newest) newest = row.updatedAt;
    },
  );
  return newest;
}

/**
 * The shop's newest model, deserialized once per stored row, kept current without a retrain:
 * orders that arrived since are folded in incrementally (updateModel) at most every
 * CATCH_UP_INTERVAL_MS. The periodic rebuild (recs:train) stores a new row.
 */
async function currentModel(db: Db, shopId: string, cached: CachedModel | null, now: Date) {
  const latest = await db.recommendationModel.findFirst({
    where: { shopId },
    orderBy: { trainedAt: "desc" },
    select: { id: true },
  });
  if (!latest) return null;
  let entry = cached;
  if (entry?.rowId !== latest.id) {
    const row = await db.recommendationModel.findUniqueOrThrow({ where: { id: latest.id } });
    entry = {
      rowId: row.id,
      model: deserializeModel(JSON.parse(row.data)),
      version: `${row.version}@${row.id}`,
      learnedUntil: row.trainedAt,
      caughtUpAt: 0,
    };
  }
  if (now.getTime() - entry.caughtUpAt >= CATCH_UP_INTERVAL_MS) {
    const fresh = await basketsForShop(db, shopId, entry.learnedUntil);
    for (const basket of fresh) {
      updateModel(entry.model, basket);
      if (basket.time && basket.time > entry.learnedUntil.getTime()) entry.learnedUntil = new Date(basket.time);
    }
    entry.caughtUpAt = now.getTime();
  }
  return entry;
}

/** Baskets of product ids from the shop's stored orders (the backfill, the seed, every webhook). */
export async function basketsForShop(db: Db, shopId: string, since?: Date): Promise<Basket[]> {
  const baskets: Basket[] = [];
  await forEachPage(
    (paging) =>
      db.order.findMany({
        where: { shopId, cancelledAt: null, ...(since ? { processedAt: { gt: since } } : {}) },
        ...paging,
        select: {
          id: true,
          processedAt: true,
          locationExternalId: true,
          lineItems: { select: { productExternalId: true } },
        },
      }),
    (order) => {
      const items = order.lineItems.map((line) => line.productExternalId).filter((id): id is string => !!id);
      if (items.length) baskets.push({ items, location: order.locationExternalId, time: order.processedAt.getTime() });
    },
  );
  return baskets;
}
