/**
 * Upsell suggestions for a register's cart: the shop's trained model proposes, the catalog
 * decides what can be sold here (active, not excluded, in stock at the location), and every
 * answer is recorded as "shown" so added/dismissed events and order revenue can be attributed.
 */
import { randomUUID } from "node:crypto";
import { isUniqueViolation, type Db } from "../db.server";
import {
  deserializeModel,
  recommend,
  serializeModel,
  trainModel,
  updateModel,
  type Basket,
  type RecommendationModel,
  type Suggestion,
} from "../../shared/recommendations";
import { externalId } from "../../shared/ids";
import { formatMinorUnits } from "../../shared/money";
import type {
  SuggestionEventRequest,
  SuggestionItem,
  SuggestionsRequest,
  SuggestionsResponse,
} from "../../shared/pos-contract";
import { enqueueJob } from "./jobs.server";

export const RECS_JOB = { train: "recs:train" } as const;
/** A shown suggestion earns an order's revenue when its variant sells there within this window. */
export const ATTRIBUTION_WINDOW_MS = 30 * 60 * 1000;

export class SuggestionNotShownError extends Error {}

// ---------- settings ----------

export interface EffectiveSuggestionSettings {
  enabled: boolean;
  maxSuggestions: number;
  excludedTags: string[];
  excludedProductIds: string[];
}

const DEFAULT_SETTINGS: EffectiveSuggestionSettings = {
  enabled: true,
  maxSuggestions: 3,
  excludedTags: [],
  excludedProductIds: [],
};

/** The shop default ("" row) overridden by the location's row, when either exists. */
export async function suggestionSettingsFor(
  db: Db,
  shopId: string,
  locationExternalId: string | null,
): Promise<EffectiveSuggestionSettings> {
  const rows = await db.suggestionSettings.findMany({
    where: { shopId, locationExternalId: { in: ["", ...(locationExternalId ? [locationExternalId] : [])] } },
  });
  const row =
    rows.find((r) => r.locationExternalId === locationExternalId) ?? rows.find((r) => r.locationExternalId === "");
  if (!row) return DEFAULT_SETTINGS;
  return {
    enabled: row.enabled,
    maxSuggestions: row.maxSuggestions,
    excludedTags: JSON.parse(row.excludedTags) as string[],
    excludedProductIds: JSON.parse(row.excludedProductIds) as string[],
  };
}

// ---------- model storage ----------

interface CachedModel {
  rowId: string;
  model: RecommendationModel;
  version: string;
  /** Orders processed after this time are not in the model yet. */
  learnedUntil: Date;
  caughtUpAt: number;
}
const modelCache = new Map<string, CachedModel>();
/** How often a serving process folds new orders into its copy of the model. */
export const CATCH_UP_INTERVAL_MS = 30_000;

/**
 * The shop's newest model, deserialized once per stored row (per process), kept current without
 * a retrain: orders that arrived since are folded in incrementally (updateModel) at most every
 * CATCH_UP_INTERVAL_MS. The periodic rebuild (recs:train) replaces the row.
 */
export async function currentModel(db: Db, shopId: string, now = new Date()) {
  const latest = await db.recommendationModel.findFirst({
    where: { shopId },
    orderBy: { trainedAt: "desc" },
    select: { id: true },
  });
  if (!latest) return null;
  let entry = modelCache.get(shopId);
  if (entry?.rowId !== latest.id) {
    const row = await db.recommendationModel.findUniqueOrThrow({ where: { id: latest.id } });
    entry = {
      rowId: row.id,
      model: deserializeModel(JSON.parse(row.data)),
      version: `${row.version}@${row.id}`,
      learnedUntil: row.trainedAt,
      caughtUpAt: 0,
    };
    modelCache.set(shopId, entry);
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
  const pageSize = 5_000;
  let cursor: string | undefined;
  // Paged by id so a million-line history never sits in one query result.
  for (let page = 0; page < 100_000; page++) {
    const orders = await db.order.findMany({
      where: { shopId, cancelledAt: null, ...(since ? { processedAt: { gt: since } } : {}) },
      orderBy: { id: "asc" },
      take: pageSize,
      ...(cursor ? { skip: 1, cursor: { id: cursor } } : {}),
      select: {
        id: true,
        processedAt: true,
        locationExternalId: true,
        lineItems: { select: { productExternalId: true } },
      },
    });
    for (const order of orders) {
      const items = order.lineItems.map((line) => line.productExternalId).filter((id): id is string => !!id);
      if (items.length) baskets.push({ items, location: order.locationExternalId, time: order.processedAt.getTime() });
    }
    if (orders.length < pageSize) break;
    cursor = orders[orders.length - 1]!.id;
  }
  return baskets;
}

/** Full rebuild: train on the stored history and store the model as the shop's current one. */
export async function trainShopModel(db: Db, shopId: string, now: Date) {
  const baskets = await basketsForShop(db, shopId);
  const model = trainModel(baskets);
  const serialized = serializeModel(model);
  const row = await db.recommendationModel.create({
    data: {
      shopId,
      version: serialized.version,
      data: JSON.stringify(serialized),
      basketCount: baskets.length,
      productCount: new Set(baskets.flatMap((basket) => basket.items)).size,
      trainedAt: now,
    },
    select: { id: true },
  });
  // Keep the last three so a recent suggestion's modelVersion can still be traced.
  const old = await db.recommendationModel.findMany({
    where: { shopId },
    orderBy: { trainedAt: "desc" },
    skip: 3,
    select: { id: true },
  });
  if (old.length) await db.recommendationModel.deleteMany({ where: { id: { in: old.map((m) => m.id) } } });
  return { modelId: row.id, baskets: baskets.length };
}

/** Rebuild daily; the serving processes learn incrementally in between. */
export const REBUILD_AFTER_MS = 24 * 60 * 60 * 1000;

export async function enqueueModelTraining(db: Db, shopDomain: string, now: Date) {
  const pending = await db.job.count({
    where: { shopDomain, type: RECS_JOB.train, status: { in: ["pending", "running"] } },
  });
  if (pending === 0) await enqueueJob(db, { shopDomain, type: RECS_JOB.train, payload: {}, runAt: now });
}

/** After an order is stored: schedule a rebuild when the model is missing or a day old. */
export async function scheduleRebuildIfStale(db: Db, shopId: string, shopDomain: string, now: Date) {
  const latest = await db.recommendationModel.findFirst({
    where: { shopId },
    orderBy: { trainedAt: "desc" },
    select: { trainedAt: true },
  });
  if (!latest || now.getTime() - latest.trainedAt.getTime() > REBUILD_AFTER_MS) {
    await enqueueModelTraining(db, shopDomain, now);
  }
}

// ---------- serving ----------

interface ProductForSale {
  productId: string;
  title: string;
  variantId: string;
  priceMinor: number;
  available: number | null;
}

function normalizedIds(values: Array<string | number | null | undefined>): string[] {
  return values.map((value) => (value == null ? null : externalId(value))).filter((id): id is string => id !== null);
}

/**
 * Of the proposed products, those that may be suggested here, with the variant to add: active,
 * not deleted, not excluded, and (when the location is known) a variant in stock there.
 */
async function sellableProducts(
  db: Db,
  shopId: string,
  productIds: string[],
  location: string | null,
  settings: EffectiveSuggestionSettings,
): Promise<Map<string, ProductForSale>> {
  const products = await db.product.findMany({
    where: {
      shopId,
      externalId: { in: productIds.filter((id) => !settings.excludedProductIds.includes(id)) },
      status: "active",
      deletedAt: null,
    },
    select: {
      externalId: true,
      title: true,
      tags: true,
      variants: { select: { externalId: true, priceMinor: true, inventoryItemId: true } },
    },
  });
  const inventoryItems = products
    .flatMap((p) => p.variants.map((v) => v.inventoryItemId))
    .filter((id): id is string => !!id);
  const levels = location
    ? await db.inventoryLevel.findMany({
        where: { shopId, locationExternalId: location, inventoryItemId: { in: inventoryItems } },
        select: { inventoryItemId: true, available: true },
      })
    : [];
  const stock = new Map(levels.map((level) => [level.inventoryItemId, level.available]));
  const sellable = new Map<string, ProductForSale>();
  for (const product of products) {
    const tags = JSON.parse(product.tags) as string[];
    if (tags.some((tag) => settings.excludedTags.some((excluded) => excluded.toLowerCase() === tag.toLowerCase())))
      continue;
    const candidates = product.variants
      .map((variant) => ({
        variant,
        available: variant.inventoryItemId ? (stock.get(variant.inventoryItemId) ?? 0) : 0,
      }))
      .filter(({ available }) => !location || available > 0)
      .sort((a, b) => b.available - a.available);
    const chosen = candidates[0];
    if (!chosen) continue;
    sellable.set(product.externalId, {
      productId: product.externalId,
      title: product.title,
      variantId: chosen.variant.externalId,
      priceMinor: chosen.variant.priceMinor,
      available: location ? chosen.available : null,
    });
  }
  return sellable;
}

function reasonFor(suggestion: Suggestion, titles: Map<string, string>): string {
  const explanation = suggestion.explanation;
  if (explanation.kind === "bought_together") {
    const anchor = titles.get(explanation.anchorProductId) ?? "an item in this cart";
    return `Bought together in ${explanation.pctOfAnchorBaskets}% of baskets with ${anchor}`;
  }
  const where = explanation.scope === "location" ? "at this location" : "in this store";
  return explanation.rank <= 10
    ? `A top-${explanation.rank <= 3 ? 3 : 10} seller ${where} (in ${explanation.pctOfBaskets}% of baskets)`
    : `Popular ${where}: in ${explanation.pctOfBaskets}% of baskets`;
}

export interface SuggestionsInput {
  db: Db;
  shopDomain: string;
  request: SuggestionsRequest;
  now: Date;
  newRequestId?: () => string;
}

export async function suggestionsForCart({
  db,
  shopDomain,
  request,
  now,
  newRequestId = randomUUID,
}: SuggestionsInput): Promise<SuggestionsResponse> {
  const requestId = newRequestId();
  const shop = await db.shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain: shopDomain } },
    select: { id: true, currency: true },
  });
  if (!shop) return { requestId, modelVersion: null, enabled: true, suggestions: [] };
  const location = request.locationId != null ? externalId(request.locationId) : null;
  const settings = await suggestionSettingsFor(db, shop.id, location);
  if (!settings.enabled) return { requestId, modelVersion: null, enabled: false, suggestions: [] };
  const entry = await currentModel(db, shop.id, now);
  if (!entry) {
    await enqueueModelTraining(db, shopDomain, now);
    return { requestId, modelVersion: null, enabled: true, suggestions: [] };
  }

  // The cart in product ids: given ones, else looked up from the variants (unknown ids ignored).
  const variantIds = normalizedIds(request.cart.lineItems.map((line) => line.variantId));
  const variants = await db.variant.findMany({
    where: { shopId: shop.id, externalId: { in: variantIds } },
    select: { product: { select: { externalId: true, title: true } } },
  });
  const cart = [
    ...new Set([
      ...normalizedIds(request.cart.lineItems.map((line) => line.productId)),
      ...variants.map((variant) => variant.product.externalId),
    ]),
  ];
  const k = Math.min(request.limit ?? settings.maxSuggestions, 5);

  // Ask for more than k, keep what can be sold here; a few bounded rounds if the filter ate them.
  const rejected = new Set<string>();
  const chosen: Array<{ suggestion: Suggestion; product: ProductForSale }> = [];
  for (let round = 0; round < 3 && chosen.length < k; round++) {
    const proposals = recommend(entry.model, {
      cart,
      k: (k - chosen.length) * 4 + 4,
      location,
      isEligible: (productId) => !rejected.has(productId) && !chosen.some((c) => c.product.productId === productId),
    });
    if (!proposals.length) break;
    const sellable = await sellableProducts(
      db,
      shop.id,
      proposals.map((p) => p.productId),
      location,
      settings,
    );
    for (const suggestion of proposals) {
      const product = sellable.get(suggestion.productId);
      if (!product) rejected.add(suggestion.productId);
      else if (chosen.length < k) chosen.push({ suggestion, product });
    }
  }

  const anchorIds = chosen.flatMap(({ suggestion }) =>
    suggestion.explanation.kind === "bought_together" ? [suggestion.explanation.anchorProductId] : [],
  );
  const anchors = await db.product.findMany({
    where: { shopId: shop.id, externalId: { in: anchorIds } },
    select: { externalId: true, title: true },
  });
  const titles = new Map(anchors.map((anchor) => [anchor.externalId, anchor.title]));
  const suggestions: SuggestionItem[] = chosen.map(({ suggestion, product }) => ({
    productId: product.productId,
    variantId: product.variantId,
    title: product.title,
    price: formatMinorUnits(product.priceMinor, shop.currency),
    currency: shop.currency,
    reason: reasonFor(suggestion, titles),
    confidence: Math.round(suggestion.confidence * 1000) / 1000,
    inStock: product.available === null ? true : product.available > 0,
  }));

  if (chosen.length && request.record !== false) {
    await db.suggestionEvent.createMany({
      data: chosen.map(({ product }) => ({
        shopId: shop.id,
        requestId,
        kind: "shown",
        productExternalId: product.productId,
        variantExternalId: product.variantId,
        locationExternalId: location,
        priceMinor: product.priceMinor,
        currency: shop.currency,
        modelVersion: entry.version,
        createdAt: now,
      })),
    });
  }
  return { requestId, modelVersion: entry.version, enabled: true, suggestions };
}

// ---------- events and attribution ----------

/** Records added/dismissed for a suggestion that was shown in `requestId`; retries are harmless. */
export async function recordSuggestionEvent(db: Db, shopDomain: string, event: SuggestionEventRequest, now: Date) {
  const variantId = externalId(event.variantId);
  const shown = variantId
    ? await db.suggestionEvent.findFirst({
        where: {
          shop: { platform: "shopify", domain: shopDomain },
          requestId: event.requestId,
          variantExternalId: variantId,
          kind: "shown",
        },
      })
    : null;
  if (!shown) throw new SuggestionNotShownError("no suggestion of that variant was shown in that request");
  const existing = await db.suggestionEvent.findUnique({
    where: {
      shopId_requestId_variantExternalId_kind: {
        shopId: shown.shopId,
        requestId: shown.requestId,
        variantExternalId: shown.variantExternalId,
        kind: event.kind,
      },
    },
    select: { id: true },
  });
  if (existing) return { recorded: true, created: false };
  try {
    await db.suggestionEvent.create({
      data: { ...shown, id: undefined, kind: event.kind, createdAt: now },
    });
  } catch (error) {
    // Two copies of the same POST racing each other: the unique key keeps one.
    if (isUniqueViolation(error)) return { recorded: true, created: false };
    throw error;
  }
  return { recorded: true, created: true };
}

/**
 * Credits an order line to a suggestion shown for the same variant at the same location in the
 * 30 minutes before the sale (the latest such showing). Idempotent per order line.
 */
export async function attributeOrderToSuggestions(db: Db, shopId: string, orderExternalId: string) {
  const order = await db.order.findUnique({
    where: { shopId_externalId: { shopId, externalId: orderExternalId } },
    select: {
      id: true,
      currency: true,
      processedAt: true,
      locationExternalId: true,
      lineItems: {
        select: { externalId: true, variantExternalId: true, quantity: true, priceMinor: true, discountMinor: true },
      },
    },
  });
  if (!order?.locationExternalId) return 0;
  let credited = 0;
  for (const line of order.lineItems) {
    if (!line.variantExternalId) continue;
    const shown = await db.suggestionEvent.findFirst({
      where: {
        shopId,
        kind: "shown",
        variantExternalId: line.variantExternalId,
        locationExternalId: order.locationExternalId,
        createdAt: { gte: new Date(order.processedAt.getTime() - ATTRIBUTION_WINDOW_MS), lte: order.processedAt },
      },
      orderBy: { createdAt: "desc" },
      select: { id: true },
    });
    if (!shown) continue;
    const revenueMinor = line.priceMinor * line.quantity - line.discountMinor;
    await db.suggestionAttribution.upsert({
      where: { orderId_lineItemExternalId: { orderId: order.id, lineItemExternalId: line.externalId } },
      create: {
        shopId,
        orderId: order.id,
        lineItemExternalId: line.externalId,
        suggestionEventId: shown.id,
        revenueMinor,
        currency: order.currency,
        createdAt: order.processedAt,
      },
      update: { suggestionEventId: shown.id, revenueMinor },
    });
    credited++;
  }
  return credited;
}

// ---------- admin ----------

export async function saveSuggestionSettings(
  db: Db,
  shopId: string,
  form: {
    locationExternalId: string;
    enabled: boolean;
    maxSuggestions: number;
    excludedTags: string[];
    excludedProductIds: string[];
  },
) {
  const data = {
    enabled: form.enabled,
    maxSuggestions: form.maxSuggestions,
    excludedTags: JSON.stringify(form.excludedTags),
    excludedProductIds: JSON.stringify(form.excludedProductIds),
  };
  await db.suggestionSettings.upsert({
    where: { shopId_locationExternalId: { shopId, locationExternalId: form.locationExternalId } },
    create: { shopId, locationExternalId: form.locationExternalId, ...data },
    update: data,
  });
}

export interface SuggestionReportDay {
  day: string;
  shown: number;
  added: number;
  addedRate: number;
  attributedRevenueMinor: number;
}

/** Shown → added by day (UTC) and the revenue attributed to suggestions, over the last `days`. */
export async function suggestionReport(db: Db, shopId: string, now: Date, days = 14) {
  const since = new Date(now.getTime() - days * 24 * 60 * 60 * 1000);
  const [events, attributions] = await Promise.all([
    db.suggestionEvent.findMany({
      where: { shopId, createdAt: { gte: since }, kind: { in: ["shown", "added"] } },
      select: { kind: true, createdAt: true },
    }),
    db.suggestionAttribution.findMany({
      where: { shopId, createdAt: { gte: since } },
      select: { revenueMinor: true, createdAt: true },
    }),
  ]);
  const byDay = new Map<string, SuggestionReportDay>();
  const dayOf = (date: Date) => {
    const day = date.toISOString().slice(0, 10);
    let row = byDay.get(day);
    if (!row) byDay.set(day, (row = { day, shown: 0, added: 0, addedRate: 0, attributedRevenueMinor: 0 }));
    return row;
  };
  for (const event of events) dayOf(event.createdAt)[event.kind === "shown" ? "shown" : "added"]++;
  for (const attribution of attributions)
    dayOf(attribution.createdAt).attributedRevenueMinor += attribution.revenueMinor;
  const rows = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  for (const row of rows) row.addedRate = row.shown ? row.added / row.shown : 0;
  const totals = rows.reduce(
    (sum, row) => ({
      shown: sum.shown + row.shown,
      added: sum.added + row.added,
      attributedRevenueMinor: sum.attributedRevenueMinor + row.attributedRevenueMinor,
    }),
    { shown: 0, added: 0, attributedRevenueMinor: 0 },
  );
  return { days: rows, totals: { ...totals, addedRate: totals.shown ? totals.added / totals.shown : 0 } };
}
