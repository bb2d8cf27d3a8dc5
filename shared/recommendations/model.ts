/**
 * The model and its serving path. State: item and location counts, a popularity order kept sorted
 * as counts change, and per item a sparse list of neighbours (CSR, sorted by item) holding the
 * exact number of baskets shared with it and, for the frequent items, an EASE weight. Scores are
 * computed from the counts at query time, so an incremental update (./update.ts) takes effect at
 * once; only which items are listed as neighbours waits for a lazy row refresh or a rebuild.
 */
import { IdTable } from "./counting";
import type { Explanation, Hyperparameters, ModelSettings, RecommendRequest, Suggestion, TuningReport } from "./types";
import { MODEL_VERSION } from "./types";

export interface NeighbourRows {
  /** Row a spans [start[a], start[a+1]); rows exist for items < start.length - 1. */
  start: Int32Array;
  item: Int32Array;
  /** Baskets holding both the row's item and `item` (exact at build time, then kept current). */
  count: Int32Array;
  /** EASE weight B[row][item], parallel to `item`; null when EASE is not used. */
  ease: Float32Array | null;
  /** Of `count`, the baskets learned incrementally since EASE was solved; null when none. */
  fresh: Int32Array | null;
}

/** A neighbour row rebuilt after incremental updates (overrides the CSR row). */
export interface Row {
  item: Int32Array;
  count: Int32Array;
  ease: Float32Array | null;
  fresh: Int32Array | null;
}

export interface LocationStats {
  name: string;
  baskets: number;
  counts: Map<number, number>;
  /** Items sold here by count, descending (ties in no particular order once updates arrive). */
  order: number[];
  position: Map<number, number>;
  /** count → first position in `order` holding that count (for O(1) reordering on updates). */
  blockStart: Map<number, number>;
}

interface Scratch {
  capacity: number;
  epoch: number;
  /** stamp[j] === epoch: j is a candidate of the current query. */
  stamp: Uint32Array;
  cartStamp: Uint32Array;
  /** Eligibility asked (checkedStamp) and granted (eligibleStamp) during the current query. */
  checkedStamp: Uint32Array;
  eligibleStamp: Uint32Array;
  cooc: Float64Array;
  ease: Float64Array;
  bestConfidence: Float64Array;
  bestAnchor: Int32Array;
  candidates: Int32Array;
  scores: Float64Array;
}

/** Treat as opaque: use the functions of ./index.ts. */
export interface RecommendationModel {
  readonly version: string;
  hyper: Hyperparameters;
  settings: ModelSettings;
  tuning: TuningReport | null;
  basketCount: number;
  items: IdTable;
  /** Baskets holding each item (capacity may exceed items.size). */
  itemBaskets: Float64Array;
  /** baskets(j)^-(1 - alpha), cached for the scoring loop. */
  damp: Float64Array;
  /** EASE intercept per item (0 outside the dense subset); null without EASE. */
  easeBias: Float64Array | null;
  /** Items by count, descending, kept sorted on every update; popPosition is its inverse. */
  popOrder: Int32Array;
  popPosition: Int32Array;
  /** count → first position in popOrder holding that count. */
  popBlockStart: Map<number, number>;
  /** Items by their cart-independent score (γ·bias + β·share) at build time; null without EASE. */
  priorOrder: Int32Array | null;
  locations: Map<string, LocationStats>;
  rows: NeighbourRows;
  refreshed: Map<number, Row>;
  /** Pair counts added since the rows were built, per anchor; merged into its row on first use. */
  pending: Map<number, Map<number, number>>;
  pendingEntries: number;
  updatesSinceTrain: number;
  scratch: Scratch | null;
}

export const DEFAULT_SETTINGS: ModelSettings = {
  coldStartBaskets: 50,
  minBasketsTogether: 3,
  confidencePrior: 10,
  maxPairBasketSize: 100,
  minLocationBaskets: 200,
  maxDenseItems: 1000,
};

// ---------- construction ----------

export function createModel(args: {
  hyper: Hyperparameters;
  settings: ModelSettings;
  tuning: TuningReport | null;
  items: IdTable;
  itemBaskets: Float64Array;
  basketCount: number;
  rows: NeighbourRows;
  easeBias: Float64Array | null;
  locations: Map<string, LocationStats>;
  updatesSinceTrain?: number;
  /** A stored popularity order (deserializing); by default items by count, ties by index. */
  popOrder?: ArrayLike<number>;
}): RecommendationModel {
  const n = args.items.size;
  const capacity = Math.max(n, 16);
  const itemBaskets = new Float64Array(capacity);
  itemBaskets.set(args.itemBaskets.subarray(0, n));
  let easeBias: Float64Array | null = null;
  if (args.easeBias) {
    easeBias = new Float64Array(capacity);
    easeBias.set(args.easeBias.subarray(0, n));
  }
  const model: RecommendationModel = {
    version: MODEL_VERSION,
    hyper: args.hyper,
    settings: args.settings,
    tuning: args.tuning,
    basketCount: args.basketCount,
    items: args.items,
    itemBaskets,
    damp: new Float64Array(capacity),
    easeBias,
    popOrder: new Int32Array(capacity),
    popPosition: new Int32Array(capacity),
    popBlockStart: new Map(),
    priorOrder: null,
    locations: args.locations,
    rows: args.rows,
    refreshed: new Map(),
    pending: new Map(),
    pendingEntries: 0,
    updatesSinceTrain: args.updatesSinceTrain ?? 0,
    scratch: null,
  };
  for (let i = 0; i < n; i++) model.damp[i] = dampOf(model, i);
  const byCount = args.popOrder ?? sortedItems(n, (i) => itemBaskets[i]!);
  for (let p = 0; p < n; p++) {
    const i = byCount[p]!;
    model.popOrder[p] = i;
    model.popPosition[i] = p;
    if (!model.popBlockStart.has(itemBaskets[i]!)) model.popBlockStart.set(itemBaskets[i]!, p);
  }
  if (easeBias && args.hyper.easeWeight > 0) {
    const { easeWeight: gamma, popularityWeight: beta } = args.hyper;
    const total = Math.max(1, args.basketCount);
    model.priorOrder = sortedItems(n, (i) => gamma * easeBias![i]! + (beta * itemBaskets[i]!) / total);
  }
  return model;
}

/** Item indices by key descending, ties by index. */
function sortedItems(n: number, key: (i: number) => number): Int32Array {
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = key(i);
  return Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[b]! - keys[a]! || a - b);
}

export function dampOf(model: RecommendationModel, item: number): number {
  return Math.pow(Math.max(1, model.itemBaskets[item]!), -(1 - model.hyper.alpha));
}

/** Location statistics; `order` (items by count, descending) is derived unless given. */
export function locationStatsFrom(
  name: string,
  baskets: number,
  counts: Map<number, number>,
  order: number[] = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || a - b),
): LocationStats {
  const position = new Map<number, number>();
  const blockStart = new Map<number, number>();
  order.forEach((item, p) => {
    position.set(item, p);
    const c = counts.get(item)!;
    if (!blockStart.has(c)) blockStart.set(c, p);
  });
  return { name, baskets, counts, order, position, blockStart };
}

/** Grows every per-item array to hold `n` items (doubling). */
export function ensureCapacity(model: RecommendationModel, n: number): void {
  if (n <= model.itemBaskets.length) return;
  const capacity = Math.max(n, model.itemBaskets.length * 2);
  const growF = (old: Float64Array) => {
    const next = new Float64Array(capacity);
    next.set(old);
    return next;
  };
  const growI = (old: Int32Array) => {
    const next = new Int32Array(capacity);
    next.set(old);
    return next;
  };
  model.itemBaskets = growF(model.itemBaskets);
  model.damp = growF(model.damp);
  if (model.easeBias) model.easeBias = growF(model.easeBias);
  model.popOrder = growI(model.popOrder);
  model.popPosition = growI(model.popPosition);
  model.scratch = null;
}

// ---------- neighbour rows ----------

const EMPTY_ROW: Row = { item: new Int32Array(0), count: new Int32Array(0), ease: null, fresh: null };

function builtRow(model: RecommendationModel, a: number): Row {
  const rows = model.rows;
  if (a >= rows.start.length - 1) return EMPTY_ROW;
  const s = rows.start[a]!;
  const e = rows.start[a + 1]!;
  return {
    item: rows.item.subarray(s, e),
    count: rows.count.subarray(s, e),
    ease: rows.ease ? rows.ease.subarray(s, e) : null,
    fresh: rows.fresh ? rows.fresh.subarray(s, e) : null,
  };
}

/** The current neighbour row of `a` (merging pending updates first). */
export function rowOf(model: RecommendationModel, a: number): Row {
  if (model.pending.has(a)) refreshRow(model, a);
  return model.refreshed.get(a) ?? builtRow(model, a);
}

/**
 * Merges the pair counts added since the row was built into it. New partners enter the list; when
 * it grows past twice the neighbour count it is cut back to the best `neighbours` by co-occurrence
 * score (entries with an EASE weight stay: those only change on a rebuild). A partner cut here
 * and seen again later restarts from its new baskets: counts can only be under-estimated, and
 * only for partners that were outside the top list.
 */
export function refreshRow(model: RecommendationModel, a: number): void {
  const delta = model.pending.get(a);
  if (!delta) return;
  model.pending.delete(a);
  model.pendingEntries -= delta.size;
  const base = model.refreshed.get(a) ?? builtRow(model, a);
  const added = Int32Array.from(delta.keys()).sort();
  const capacity = base.item.length + added.length;
  let item = new Int32Array(capacity);
  let count = new Int32Array(capacity);
  let ease: Float32Array | null = base.ease ? new Float32Array(capacity) : null;
  let fresh = new Int32Array(capacity);
  let p = 0;
  let q = 0;
  let out = 0;
  while (p < base.item.length || q < added.length) {
    const bi = p < base.item.length ? base.item[p]! : Infinity;
    const di = q < added.length ? added[q]! : Infinity;
    if (bi <= di) {
      const added = bi === di ? delta.get(di)! : 0;
      item[out] = bi;
      count[out] = base.count[p]! + added;
      fresh[out] = (base.fresh ? base.fresh[p]! : 0) + added;
      if (ease) ease[out] = base.ease![p]!;
      p++;
      if (bi === di) q++;
    } else {
      item[out] = di;
      count[out] = delta.get(di)!;
      fresh[out] = delta.get(di)!;
      q++;
    }
    out++;
  }
  const limit = model.hyper.neighbours;
  if (out > 2 * limit) {
    const keep = new Uint8Array(out);
    const scores = new Float64Array(out);
    let free = 0;
    for (let t = 0; t < out; t++) {
      if (ease && ease[t] !== 0) keep[t] = 1;
      else scores[free++] = count[t]! * model.damp[item[t]!]!;
    }
    const threshold = kthLargest(scores.subarray(0, free), limit);
    let kept = 0;
    for (let t = 0; t < out; t++) {
      if (!keep[t] && count[t]! * model.damp[item[t]!]! > threshold) {
        keep[t] = 1;
        kept++;
      }
    }
    for (let t = 0; t < out && kept < limit; t++) {
      if (!keep[t] && count[t]! * model.damp[item[t]!]! === threshold) {
        keep[t] = 1;
        kept++;
      }
    }
    let w = 0;
    for (let t = 0; t < out; t++) {
      if (!keep[t]) continue;
      item[w] = item[t]!;
      count[w] = count[t]!;
      fresh[w] = fresh[t]!;
      if (ease) ease[w] = ease[t]!;
      w++;
    }
    out = w;
  }
  item = item.slice(0, out);
  count = count.slice(0, out);
  fresh = fresh.slice(0, out);
  if (ease) ease = ease.slice(0, out);
  model.refreshed.set(a, { item, count, ease, fresh });
}

let selectBuffer = new Float64Array(1024);

/** The k-th largest value (k >= 1); -Infinity when there are fewer than k. Quickselect on a copy. */
export function kthLargest(values: Float64Array, k: number): number {
  const n = values.length;
  if (n < k || k <= 0) return -Infinity;
  if (selectBuffer.length < n) selectBuffer = new Float64Array(Math.max(n, selectBuffer.length * 2));
  const a = selectBuffer;
  a.set(values);
  // The (n - k)-th smallest, 0-based.
  const target = n - k;
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three as the pivot keeps sorted and reversed rows linear.
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[target]!;
}

/** Merges every pending update into the rows (before serializing, or to bound memory). */
export function flushPending(model: RecommendationModel): void {
  for (const a of [...model.pending.keys()]) refreshRow(model, a);
}

/** Baskets holding both a and b as the model knows it (listed partners only, else 0). */
export function basketsTogether(model: RecommendationModel, a: number, b: number): number {
  const row = rowOf(model, a);
  let lo = 0;
  let hi = row.item.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = row.item[mid]!;
    if (v === b) return row.count[mid]!;
    if (v < b) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

// ---------- ranking ----------

function scratchOf(model: RecommendationModel): Scratch {
  const capacity = model.itemBaskets.length;
  let s = model.scratch;
  if (!s || s.capacity < capacity) {
    s = {
      capacity,
      epoch: 0,
      stamp: new Uint32Array(capacity),
      cartStamp: new Uint32Array(capacity),
      checkedStamp: new Uint32Array(capacity),
      eligibleStamp: new Uint32Array(capacity),
      cooc: new Float64Array(capacity),
      ease: new Float64Array(capacity),
      bestConfidence: new Float64Array(capacity),
      bestAnchor: new Int32Array(capacity),
      candidates: new Int32Array(capacity),
      scores: new Float64Array(capacity),
    };
    model.scratch = s;
  }
  if (s.epoch >= 0xfffffffe) {
    for (const stamps of [s.stamp, s.cartStamp, s.checkedStamp, s.eligibleStamp]) stamps.fill(0);
    s.epoch = 0;
  }
  s.epoch++;
  return s;
}

/** Share of baskets holding j: at the location, shrunk toward the store's share. */
export function popularShare(model: RecommendationModel, j: number, location: LocationStats | null): number {
  const store = model.basketCount > 0 ? model.itemBaskets[j]! / model.basketCount : 0;
  if (!location) return store;
  // Pseudo-baskets at the store's rates: a young location leans on the store, a busy one on itself.
  const m = model.settings.minLocationBaskets;
  return ((location.counts.get(j) ?? 0) + m * store) / (location.baskets + m);
}

export interface RankedPick {
  item: number;
  score: number;
  /** Cart item for "bought together" (-1: none with enough shared baskets). */
  anchor: number;
  /** Confidence for the anchor (meaningful when anchor >= 0). */
  confidence: number;
}

/**
 * The ranking core, over item indices: up to k picks, none in the cart, none twice, each eligible.
 * With a known cart item and a warm model, over cart items a (n = baskets, m = confidencePrior):
 *   score(j) = Σ_a ((1-γ)·together(a,j) + γ·since(a,j)) / ((n_a + m)^α · n_j^(1-α))   co-occurrence
 *            + γ·(bias_j + Σ_a B[a][j])                                          EASE with intercept
 *            + (β + (1-γ)·Σ_a m / (n_a + m))·share(j)                            popularity
 * where since(a, j) counts the baskets learned incrementally after EASE was solved (EASE cannot
 * know them, so co-occurrence speaks for them in full until the next rebuild). With α = 1, β = 0,
 * γ = 0 the first and last terms are Σ_a P(j | a) smoothed by m pseudo-baskets at the store's
 * rates. Every term is on a probability-like scale, so the blend weights mean the same for any
 * store. Otherwise (empty or unknown cart, cold start): best sellers by share, the location's
 * first.
 */
export function rankIndices(
  model: RecommendationModel,
  cart: ArrayLike<number>,
  k: number,
  eligible: ((item: number) => boolean) | null,
  location: LocationStats | null,
): RankedPick[] {
  if (!(k > 0) || model.items.size === 0) return [];
  k = Math.min(Math.floor(k), model.items.size);
  const s = scratchOf(model);
  const epoch = s.epoch;
  for (let c = 0; c < cart.length; c++) s.cartStamp[cart[c]!] = epoch;
  const n = model.items.size;
  let count = 0;

  if (model.basketCount < model.settings.coldStartBaskets || cart.length === 0) {
    if (location)
      count = addFromOrder(model, s, location.order, location.order.length, k, eligible, location, 0, 1, count);
    count = addFromOrder(model, s, model.popOrder, n, k, eligible, location, 0, 1, count);
    return select(s, count, k, eligible, epoch);
  }

  const { alpha, popularityWeight: beta, easeWeight: gamma } = model.hyper;
  const { confidencePrior: prior, minBasketsTogether } = model.settings;
  const total = model.basketCount;
  const bias = model.easeBias;
  const { stamp, cooc, ease: easeSum, bestConfidence, bestAnchor, candidates, cartStamp } = s;
  const itemBaskets = model.itemBaskets;
  const damp = model.damp;
  // Each anchor carries `prior` pseudo-baskets at the store's rates: its co-occurrence counts are
  // divided by (n_a + prior) and the difference goes to popularity, so a rarely sold anchor
  // (a young store, a new product) leans on best sellers and a well-known one on its partners.
  let shrink = 0;
  for (let c = 0; c < cart.length; c++) {
    const a = cart[c]!;
    const na = itemBaskets[a]!;
    if (na <= 0) continue;
    const anchorFactor = Math.pow(na + prior, -alpha);
    shrink += prior / (na + prior);
    const confidenceScale = 1 / (na + prior);
    const priorPerBasket = prior / total;
    const { item, count: together, ease, fresh } = rowOf(model, a);
    const settled = (1 - gamma) * anchorFactor;
    const recent = gamma * anchorFactor;
    for (let t = 0; t < item.length; t++) {
      const j = item[t]!;
      if (cartStamp[j] === epoch) continue;
      if (stamp[j] !== epoch) {
        stamp[j] = epoch;
        cooc[j] = 0;
        easeSum[j] = 0;
        bestConfidence[j] = -1;
        bestAnchor[j] = -1;
        candidates[count++] = j;
      }
      const both = together[t]!;
      // Baskets since EASE was solved count at full weight: EASE has not seen them.
      cooc[j]! += (settled * both + (fresh ? recent * fresh[t]! : 0)) * damp[j]!;
      if (ease) easeSum[j]! += ease[t]!;
      if (both >= minBasketsTogether) {
        const confidence = (both + priorPerBasket * itemBaskets[j]!) * confidenceScale;
        if (confidence > bestConfidence[j]!) {
          bestConfidence[j] = confidence;
          bestAnchor[j] = a;
        }
      }
    }
  }
  const popularity = beta + (1 - gamma) * shrink;
  for (let t = 0; t < count; t++) {
    const j = candidates[t]!;
    s.scores[j] =
      cooc[j]! + gamma * (easeSum[j]! + (bias ? bias[j]! : 0)) + popularity * popularShare(model, j, location);
  }
  // Items no cart row reaches score γ·bias + β·share: only the first eligible ones of the orders
  // by that score (or by share) can reach the top k.
  if (model.priorOrder) {
    count = addFromOrder(
      model,
      s,
      model.priorOrder,
      model.priorOrder.length,
      k,
      eligible,
      location,
      gamma,
      popularity,
      count,
    );
  }
  count = addFromOrder(model, s, model.popOrder, n, k, eligible, location, gamma, popularity, count);
  if (location)
    count = addFromOrder(
      model,
      s,
      location.order,
      location.order.length,
      k,
      eligible,
      location,
      gamma,
      popularity,
      count,
    );
  return select(s, count, k, eligible, epoch);
}

/**
 * Adds the first `want` eligible items of `order` that are neither in the cart nor candidates
 * yet, scored γ·bias + β·share (their score when no cart row reaches them). Returns the count.
 */
function addFromOrder(
  model: RecommendationModel,
  s: Scratch,
  order: ArrayLike<number>,
  length: number,
  want: number,
  eligible: ((item: number) => boolean) | null,
  location: LocationStats | null,
  gamma: number,
  beta: number,
  count: number,
): number {
  const epoch = s.epoch;
  const bias = model.easeBias;
  let added = 0;
  for (let p = 0; p < length && added < want; p++) {
    const j = order[p]!;
    if (s.cartStamp[j] === epoch || s.stamp[j] === epoch) continue;
    if (!isEligible(s, epoch, eligible, j)) continue;
    s.stamp[j] = epoch;
    s.bestAnchor[j] = -1;
    s.scores[j] = gamma * (bias ? bias[j]! : 0) + beta * popularShare(model, j, location);
    s.candidates[count++] = j;
    added++;
  }
  return count;
}

function isEligible(s: Scratch, epoch: number, eligible: ((item: number) => boolean) | null, j: number): boolean {
  if (!eligible) return true;
  if (s.checkedStamp[j] !== epoch) {
    s.checkedStamp[j] = epoch;
    if (eligible(j)) s.eligibleStamp[j] = epoch;
  }
  return s.eligibleStamp[j] === epoch;
}

/** Top k eligible candidates by score (ties: lower index), asking eligibility lazily in rank order. */
function select(
  s: Scratch,
  count: number,
  k: number,
  eligible: ((item: number) => boolean) | null,
  epoch: number,
): RankedPick[] {
  const scores = s.scores;
  let m = Math.min(count, k);
  const top = new Int32Array(Math.max(1, Math.min(count, 64)));
  for (;;) {
    let ranked: ArrayLike<number>;
    let rankedLength: number;
    if (m > 64) {
      // Heavy filtering: rank everything once.
      const all = Array.from(s.candidates.subarray(0, count));
      all.sort((x, y) => scores[y]! - scores[x]! || x - y);
      ranked = all;
      rankedLength = all.length;
    } else {
      // Partial selection of the best m: insertion into a short sorted list.
      let size = 0;
      for (let t = 0; t < count; t++) {
        const j = s.candidates[t]!;
        const sj = scores[j]!;
        if (size === m) {
          const last = top[m - 1]!;
          if (!(sj > scores[last]! || (sj === scores[last] && j < last))) continue;
          size--;
        }
        let p = size;
        while (p > 0) {
          const prev = top[p - 1]!;
          if (sj > scores[prev]! || (sj === scores[prev] && j < prev)) {
            top[p] = prev;
            p--;
          } else break;
        }
        top[p] = j;
        size++;
      }
      ranked = top;
      rankedLength = size;
    }
    const picks: RankedPick[] = [];
    for (let r = 0; r < rankedLength; r++) {
      const j = ranked[r]!;
      if (!isEligible(s, epoch, eligible, j)) continue;
      picks.push({ item: j, score: scores[j]!, anchor: s.bestAnchor[j]!, confidence: s.bestConfidence[j]! });
      if (picks.length === k) return picks;
    }
    if (m >= count) return picks;
    m = Math.min(count, m * 4);
  }
}

// ---------- the public serving call ----------

/**
 * Up to k suggestions for a cart: never an item of the cart, never the same product twice, only
 * products `isEligible` accepts; each with a score, a confidence in [0, 1] and an explanation.
 * An empty cart (or a store in cold start) gets best sellers, the location's first.
 */
export function recommend(model: RecommendationModel, request: RecommendRequest): Suggestion[] {
  // NaN asks for nothing, Infinity for the whole catalog.
  const k = Math.min(Math.max(0, Math.floor(request.k) || 0), model.items.size);
  if (k === 0) return [];
  const cart: number[] = [];
  for (const id of request.cart) {
    const i = model.items.index.get(id) ?? model.items.index.get(id.trim());
    if (i !== undefined && !cart.includes(i)) cart.push(i);
  }
  const isEligible = request.isEligible;
  const ids = model.items.ids;
  const eligible = isEligible ? (i: number) => isEligible(ids[i]!) : null;
  const location = request.location ? (model.locations.get(request.location) ?? null) : null;
  return rankIndices(model, cart, k, eligible, location).map((pick) => toSuggestion(model, pick, location));
}

function toSuggestion(model: RecommendationModel, pick: RankedPick, location: LocationStats | null): Suggestion {
  const ids = model.items.ids;
  if (pick.anchor >= 0) {
    const anchorBaskets = model.itemBaskets[pick.anchor]!;
    const together = basketsTogether(model, pick.anchor, pick.item);
    return {
      productId: ids[pick.item]!,
      score: pick.score,
      confidence: clamp01(pick.confidence),
      explanation: {
        kind: "bought_together",
        anchorProductId: ids[pick.anchor]!,
        pctOfAnchorBaskets: Math.round((100 * together) / anchorBaskets),
        basketsTogether: together,
        anchorBaskets,
      },
    };
  }
  return {
    productId: ids[pick.item]!,
    score: pick.score,
    confidence: clamp01(popularShare(model, pick.item, location)),
    explanation: popularExplanation(model, pick.item, location),
  };
}

function popularExplanation(model: RecommendationModel, j: number, location: LocationStats | null): Explanation {
  const atLocation = location ? location.counts.get(j) : undefined;
  if (location && atLocation !== undefined && location.baskets >= model.settings.minLocationBaskets) {
    return {
      kind: "popular",
      scope: "location",
      location: location.name,
      rank: location.position.get(j)! + 1,
      pctOfBaskets: Math.round((100 * atLocation) / location.baskets),
      basketsWithItem: atLocation,
    };
  }
  const baskets = model.itemBaskets[j]!;
  return {
    kind: "popular",
    scope: "store",
    location: null,
    rank: model.popPosition[j]! + 1,
    pctOfBaskets: model.basketCount > 0 ? Math.round((100 * baskets) / model.basketCount) : 0,
    basketsWithItem: baskets,
  };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
