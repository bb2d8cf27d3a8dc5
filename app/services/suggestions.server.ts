/**
 * Upsell suggestions for a register's cart: the shop's trained model proposes, the catalog
 * decides what can be sold here (active, not excluded, in stock at the location), and every
 * answer is recorded as "shown" so added/dismissed events and order revenue can be attributed.
 */
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { createGroupCommit, isUniqueViolation, type Db, type SqlDriver, type SqlRun } from "../db.server";
import { recommend, serializeModel, trainModel, type Suggestion } from "../../shared/recommendations";
import { externalId } from "../../shared/ids";
import type { ShopRef } from "../../shared/model";
import { formatMinorUnits } from "../../shared/money";
import type {
  SuggestionEventRequest,
  SuggestionItem,
  SuggestionsRequest,
  SuggestionsResponse,
} from "../../shared/pos-contract";
import type { Tx } from "./audit.server";
import { enqueuePitchLines, pitchKey } from "./ai-pitches.server";
import { enqueueShopJobOnce } from "./jobs.server";
import {
  basketsForShop,
  DEFAULT_SUGGESTION_SETTINGS,
  markShopSnapshotStale,
  settingsAt,
  settingsFromRow,
  shopSnapshot,
  stockKey,
  type EffectiveSuggestionSettings,
  type ShopSnapshot,
  type SnapshotProduct,
} from "./shop-snapshot.server";

export const RECS_JOB = { train: "recs:train" } as const;
/** A shown suggestion earns an order's revenue when its variant sells there within this window. */
export const ATTRIBUTION_WINDOW_MS = 30 * 60 * 1000;

export class SuggestionNotShownError extends Error {}

// ---------- settings ----------

/** The shop default ("" row) overridden by the location's row, when either exists. */
export async function suggestionSettingsFor(
  db: Db | Tx,
  shopId: string,
  locationExternalId: string | null,
): Promise<EffectiveSuggestionSettings> {
  const rows = await db.suggestionSettings.findMany({
    where: { shopId, locationExternalId: { in: ["", ...(locationExternalId ? [locationExternalId] : [])] } },
  });
  const row =
    rows.find((r) => r.locationExternalId === locationExternalId) ?? rows.find((r) => r.locationExternalId === "");
  return row ? settingsFromRow(row) : DEFAULT_SUGGESTION_SETTINGS;
}

// ---------- model storage ----------

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

export async function enqueueModelTraining(db: Db, shop: ShopRef, now: Date) {
  await enqueueShopJobOnce(db, shop, RECS_JOB.train, now);
}

/** After an order is stored: schedule a rebuild when the model is missing or a day old. */
export async function scheduleRebuildIfStale(db: Db, shopId: string, shop: ShopRef, now: Date) {
  const latest = await db.recommendationModel.findFirst({
    where: { shopId },
    orderBy: { trainedAt: "desc" },
    select: { trainedAt: true },
  });
  if (!latest || now.getTime() - latest.trainedAt.getTime() > REBUILD_AFTER_MS) {
    await enqueueModelTraining(db, shop, now);
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
 * The product as it may be suggested here, with the variant to add, or null: active, not
 * deleted, not excluded by id or tag, and (when the location is known) a variant in stock there —
 * the one with the most units.
 */
function forSaleHere(
  snapshot: ShopSnapshot,
  product: SnapshotProduct | undefined,
  location: string | null,
  excludedProductIds: Set<string>,
  excludedTags: Set<string>,
): ProductForSale | null {
  if (!product?.forSale || excludedProductIds.has(product.productId)) return null;
  if (product.tagsLower.some((tag) => excludedTags.has(tag))) return null;
  let best: { variantId: string; priceMinor: number; available: number } | null = null;
  for (const variant of product.variants) {
    const available =
      location && variant.inventoryItemId ? (snapshot.stock.get(stockKey(location, variant.inventoryItemId)) ?? 0) : 0;
    if (location && available <= 0) continue;
    if (!best || available > best.available) best = { ...variant, available };
  }
  if (!best) return null;
  return {
    productId: product.productId,
    title: product.title,
    variantId: best.variantId,
    priceMinor: best.priceMinor,
    available: location ? best.available : null,
  };
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
  /** The driver connection the shown events are group-committed on. */
  sql: SqlDriver;
  shop: ShopRef;
  request: SuggestionsRequest;
  now: Date;
  newRequestId?: () => string;
  /** How stale the in-memory view of the shop may get before a request refreshes it. */
  refreshMs: number;
}

/**
 * Suggestions for a register's cart, answered from the shop's in-memory view (shop-snapshot);
 * the only database work on the way is recording what was shown.
 */
/** At most one pitch-lines request per shop every few minutes from a serving process. */
const PITCH_ASK_INTERVAL_MS = 5 * 60_000;
const pitchAskedAt = new Map<string, number>();

function askForPitchLines(db: Db, shop: ShopRef, shopId: string, now: Date) {
  const last = pitchAskedAt.get(shopId) ?? -Infinity;
  if (now.getTime() - last < PITCH_ASK_INTERVAL_MS) return;
  pitchAskedAt.set(shopId, now.getTime());
  // Off the request's path: the register has its answer either way.
  enqueuePitchLines(db, shop, now).catch((error: unknown) =>
    console.error(`queueing pitch lines for ${shop.domain} failed:`, error),
  );
}

export async function suggestionsForCart({
  db,
  sql,
  shop,
  request,
  now,
  newRequestId = randomUUID,
  refreshMs,
}: SuggestionsInput): Promise<SuggestionsResponse> {
  const requestId = newRequestId();
  const snapshot = await shopSnapshot(db, shop, now, refreshMs);
  if (!snapshot) return { requestId, modelVersion: null, enabled: true, suggestions: [] };
  const location = request.locationId != null ? externalId(request.locationId) : null;
  const settings = settingsAt(snapshot, location);
  if (!settings.enabled) return { requestId, modelVersion: null, enabled: false, suggestions: [] };
  const entry = snapshot.model;
  if (!entry) {
    await enqueueModelTraining(db, shop, now);
    return { requestId, modelVersion: null, enabled: true, suggestions: [] };
  }

  // The cart in product ids: given ones, else looked up from the variants (unknown ids ignored).
  const cart = [
    ...new Set([
      ...normalizedIds(request.cart.lineItems.map((line) => line.productId)),
      ...normalizedIds(request.cart.lineItems.map((line) => line.variantId)).flatMap((variantId) => {
        const productId = snapshot.productOfVariant.get(variantId);
        return productId ? [productId] : [];
      }),
    ]),
  ];
  const k = Math.min(request.limit ?? settings.maxSuggestions, 5);
  const excludedProductIds = new Set(settings.excludedProductIds);
  const excludedTags = new Set(settings.excludedTags.map((tag) => tag.toLowerCase()));
  const sellable = new Map<string, ProductForSale | null>();
  const sellableHere = (productId: string) => {
    if (!sellable.has(productId)) {
      const product = snapshot.products.get(productId);
      sellable.set(productId, forSaleHere(snapshot, product, location, excludedProductIds, excludedTags));
    }
    return sellable.get(productId)!;
  };
  const chosen = recommend(entry.model, {
    cart,
    k,
    location,
    isEligible: (productId) => sellableHere(productId) !== null,
  }).map((suggestion) => ({ suggestion, product: sellableHere(suggestion.productId)! }));

  const titles = new Map<string, string>();
  for (const { suggestion } of chosen) {
    if (suggestion.explanation.kind !== "bought_together") continue;
    const anchor = snapshot.products.get(suggestion.explanation.anchorProductId);
    if (anchor) titles.set(anchor.productId, anchor.title);
  }
  let pitchMissing = false;
  const suggestions: SuggestionItem[] = chosen.map(({ suggestion, product }) => {
    // A model-written line only when it is already in memory: the answer never waits for one.
    const why = suggestion.explanation;
    const pitch =
      snapshot.aiEnabled && why.kind === "bought_together"
        ? snapshot.pitches.get(pitchKey(why.anchorProductId, product.productId))
        : undefined;
    if (snapshot.aiEnabled && why.kind === "bought_together" && !pitch) pitchMissing = true;
    return {
      productId: product.productId,
      variantId: product.variantId,
      title: product.title,
      price: formatMinorUnits(product.priceMinor, snapshot.currency),
      currency: snapshot.currency,
      reason: reasonFor(suggestion, titles),
      ...(pitch ? { pitch } : {}),
      confidence: Math.round(suggestion.confidence * 1000) / 1000,
      inStock: product.available === null ? true : product.available > 0,
    };
  });
  if (pitchMissing) askForPitchLines(db, shop, snapshot.shopId, now);

  if (chosen.length && request.record !== false) {
    await recordShown(sql, {
      shopId: snapshot.shopId,
      requestId,
      location,
      currency: snapshot.currency,
      modelVersion: entry.version,
      products: chosen.map(({ product }) => product),
      now,
    });
  }
  return { requestId, modelVersion: entry.version, enabled: true, suggestions };
}

interface ShownSuggestions {
  shopId: string;
  requestId: string;
  location: string | null;
  currency: string;
  modelVersion: string;
  products: ProductForSale[];
  now: Date;
}

const shownWriters = new WeakMap<SqlDriver, (shown: ShownSuggestions) => Promise<void>>();

/** "shown" rows for one answer, group-committed with other registers' answers on the way. */
function recordShown(sql: SqlDriver, shown: ShownSuggestions): Promise<void> {
  let write = shownWriters.get(sql);
  if (!write) shownWriters.set(sql, (write = createGroupCommit(sql, writeShownBatch)));
  return write(shown);
}

async function writeShownBatch(run: SqlRun, batch: ShownSuggestions[]): Promise<void[]> {
  for (const shown of batch) {
    for (const product of shown.products) {
      await run(Prisma.sql`
        INSERT INTO "SuggestionEvent" ("id", "shopId", "requestId", "kind", "productExternalId", "variantExternalId",
          "locationExternalId", "priceMinor", "currency", "modelVersion", "createdAt")
        VALUES (${randomUUID()}, ${shown.shopId}, ${shown.requestId}, 'shown', ${product.productId}, ${product.variantId},
          ${shown.location}, ${product.priceMinor}, ${shown.currency}, ${shown.modelVersion}, ${shown.now})
        ON CONFLICT ("shopId", "requestId", "variantExternalId", "kind") DO NOTHING`);
    }
  }
  return batch.map(() => undefined);
}

// ---------- events and attribution ----------

/** Records added/dismissed for a suggestion that was shown in `requestId`; retries are harmless. */
export async function recordSuggestionEvent(db: Db, shop: ShopRef, event: SuggestionEventRequest, now: Date) {
  const variantId = externalId(event.variantId);
  const shown = variantId
    ? await db.suggestionEvent.findFirst({
        where: {
          shop: { platform: shop.platform, domain: shop.domain },
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

export interface SuggestionSettingsWrite {
  locationExternalId: string;
  enabled: boolean;
  maxSuggestions: number;
  excludedTags: string[];
  excludedProductIds: string[];
}

export async function saveSuggestionSettings(db: Db, shopId: string, form: SuggestionSettingsWrite) {
  await writeSuggestionSettings(db, shopId, form);
  // This process's registers see the change on their next request; others within their refresh.
  markShopSnapshotStale(shopId);
}

/** The settings row itself; a caller inside a transaction marks the snapshot stale after it commits. */
export async function writeSuggestionSettings(db: Db | Tx, shopId: string, form: SuggestionSettingsWrite) {
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
