/**
 * Training: count, tune on a validation split carved out of the training baskets, then build the
 * model on all of them with the chosen hyperparameters. The grid is small and fixed (bounded
 * train time), and relative (λ scaled by item counts, weights on probability-like scores), so the same
 * code tunes itself on any store's sales rather than carrying constants fitted to one data set.
 */
import {
  countItems,
  countPairs,
  IdTable,
  indexBaskets,
  selectBaskets,
  type Csr,
  type IndexedBaskets,
} from "./counting";
import { solveEase, type DenseEase } from "./ease";
import { seededRandom, shuffled } from "./evaluation";
import {
  createModel,
  DEFAULT_SETTINGS,
  kthLargest,
  locationStatsFrom,
  rankIndices,
  type LocationStats,
  type NeighbourRows,
  type RecommendationModel,
} from "./model";
import type { Basket, Hyperparameters, ModelSettings, TrainOptions, TuningCandidate, TuningReport } from "./types";

/**
 * Below the tuning threshold. Leaning on popularity: on groceries subsets of 60–400 baskets these
 * stay at or above best sellers, where raw co-occurrence fell below them (ADR 0005).
 */
export const DEFAULT_HYPERPARAMETERS: Hyperparameters = {
  alpha: 0.8,
  popularityWeight: 0.3,
  easeWeight: 0,
  easeLambda: 0,
  neighbours: 50,
};

/** Fewer baskets than this: defaults (a validation split would be too small to choose with). */
export const MIN_BASKETS_TO_TUNE = 400;

// Scores are on probability-like scales (see rankIndices), so these grids are store-independent.
const ALPHA_GRID = [0.5, 0.7, 0.85, 1];
const POPULARITY_GRID = [0, 0.1, 0.3, 1];
const LAMBDA_GRID = [0.1, 0.3, 1, 3];
const EASE_WEIGHT_GRID = [0.25, 0.5, 0.75];

/**
 * Neighbour lists: per item, the `neighbours` best partners by co-occurrence score (count damped
 * by the partner's popularity, see Hyperparameters.alpha) plus, for items in the dense EASE
 * subset, the `neighbours` largest EASE weights by magnitude (negative ones demote substitutes).
 * Each entry keeps the exact pair count.
 */
export function buildNeighbourRows(
  pairs: Csr,
  itemBaskets: Float64Array,
  itemCount: number,
  alpha: number,
  neighbours: number,
  ease: DenseEase | null,
): NeighbourRows {
  const damp = new Float64Array(itemCount);
  for (let j = 0; j < itemCount; j++) damp[j] = Math.pow(Math.max(1, itemBaskets[j]!), -(1 - alpha));
  const easeN = ease ? ease.subset.length : 0;
  let bound = 0;
  for (let a = 0; a < itemCount; a++) {
    bound += Math.min(pairs.start[a + 1]! - pairs.start[a]!, neighbours);
    if (ease && ease.position[a]! >= 0) bound += Math.min(neighbours, easeN);
  }
  const start = new Int32Array(itemCount + 1);
  const item = new Int32Array(bound);
  const count = new Int32Array(bound);
  const weights = ease ? new Float32Array(bound) : null;
  let maxLen = 0;
  for (let a = 0; a < itemCount; a++) maxLen = Math.max(maxLen, pairs.start[a + 1]! - pairs.start[a]!);
  const scores = new Float64Array(Math.max(maxLen, easeN));
  const keep = new Uint8Array(maxLen);
  const easePicks: number[] = [];
  let out = 0;
  for (let a = 0; a < itemCount; a++) {
    start[a] = out;
    const s = pairs.start[a]!;
    const len = pairs.start[a + 1]! - s;
    keep.fill(0, 0, len);
    if (len <= neighbours) keep.fill(1, 0, len);
    else {
      for (let t = 0; t < len; t++) scores[t] = pairs.value[s + t]! * damp[pairs.col[s + t]!]!;
      const threshold = kthLargest(scores.subarray(0, len), neighbours);
      let kept = 0;
      for (let t = 0; t < len; t++) {
        if (scores[t]! > threshold) {
          keep[t] = 1;
          kept++;
        }
      }
      // Ties at the threshold: the lowest ids, so the lists do not depend on anything else.
      for (let t = 0; t < len && kept < neighbours; t++) {
        if (scores[t] === threshold) {
          keep[t] = 1;
          kept++;
        }
      }
    }
    easePicks.length = 0;
    const pa = ease ? ease.position[a]! : -1;
    if (ease && pa >= 0) {
      const row = ease.weights.subarray(pa * easeN, (pa + 1) * easeN);
      let nonzero = 0;
      for (let t = 0; t < easeN; t++) scores[t] = t !== pa && row[t] !== 0 ? Math.abs(row[t]!) : -Infinity;
      for (let t = 0; t < easeN; t++) if (t !== pa && row[t] !== 0) nonzero++;
      const want = Math.min(neighbours, nonzero);
      if (want > 0) {
        const threshold = kthLargest(scores.subarray(0, easeN), want);
        for (let t = 0; t < easeN && easePicks.length < want; t++)
          if (scores[t]! >= threshold) easePicks.push(ease.subset[t]!);
        easePicks.sort((x, y) => x - y);
      }
    }
    // Merge the kept co-occurrence partners (sorted) with the EASE picks (sorted).
    let p = 0;
    let q = 0;
    while (p < len || q < easePicks.length) {
      while (p < len && !keep[p]) p++;
      const ci = p < len ? pairs.col[s + p]! : Infinity;
      const ei = q < easePicks.length ? easePicks[q]! : Infinity;
      if (ci === Infinity && ei === Infinity) break;
      let j: number;
      let together: number;
      if (ci <= ei) {
        j = ci;
        together = pairs.value[s + p]!;
        p++;
        if (ci === ei) q++;
      } else {
        j = ei;
        together = pairCountInRow(pairs, s, s + len, ei);
        q++;
      }
      item[out] = j;
      count[out] = together;
      if (weights && ease && pa >= 0) {
        const pj = ease.position[j]!;
        weights[out] = pj >= 0 ? ease.weights[pa * easeN + pj]! : 0;
      }
      out++;
    }
  }
  start[itemCount] = out;
  return {
    start,
    item: item.slice(0, out),
    count: count.slice(0, out),
    ease: weights ? weights.slice(0, out) : null,
    fresh: null,
  };
}

function pairCountInRow(pairs: Csr, lo: number, end: number, b: number): number {
  let hi = end - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = pairs.col[mid]!;
    if (v === b) return pairs.value[mid]!;
    if (v < b) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** The `limit` most frequent items (ties: lower index), as the dense EASE subset. */
export function denseSubset(itemBaskets: Float64Array, itemCount: number, limit: number): Int32Array {
  const order = Array.from({ length: itemCount }, (_, i) => i).filter((i) => itemBaskets[i]! > 0);
  order.sort((a, b) => itemBaskets[b]! - itemBaskets[a]! || a - b);
  return Int32Array.from(order.slice(0, limit));
}

/** The EASE intercept as a per-item array (0 outside the dense subset). */
export function easeBiasByItem(ease: DenseEase, itemCount: number): Float64Array {
  const bias = new Float64Array(itemCount);
  for (let p = 0; p < ease.subset.length; p++) bias[ease.subset[p]!] = ease.bias[p]!;
  return bias;
}

function locationStats(indexed: IndexedBaskets, locationNames: IdTable): Map<string, LocationStats> {
  const perLocation = locationNames.ids.map(() => ({ baskets: 0, counts: new Map<number, number>() }));
  const basketCount = indexed.offsets.length - 1;
  for (let b = 0; b < basketCount; b++) {
    const l = indexed.location[b]!;
    if (l < 0) continue;
    const stats = perLocation[l]!;
    stats.baskets++;
    for (let p = indexed.offsets[b]!; p < indexed.offsets[b + 1]!; p++) {
      const i = indexed.members[p]!;
      stats.counts.set(i, (stats.counts.get(i) ?? 0) + 1);
    }
  }
  const out = new Map<string, LocationStats>();
  perLocation.forEach((stats, l) => {
    const name = locationNames.ids[l]!;
    out.set(name, locationStatsFrom(name, stats.baskets, stats.counts));
  });
  return out;
}

// ---------- tuning ----------

interface ValidationSet {
  baskets: IndexedBaskets;
  queries: number;
}

/** Validation baskets (>= 2 items), thinned evenly when they hold more than `maxQueries` queries. */
function validationSet(val: IndexedBaskets, maxQueries: number): ValidationSet {
  const eligible: number[] = [];
  let total = 0;
  for (let b = 0; b < val.offsets.length - 1; b++) {
    const n = val.offsets[b + 1]! - val.offsets[b]!;
    if (n >= 2) {
      eligible.push(b);
      total += n;
    }
  }
  let chosen = eligible;
  if (total > maxQueries) {
    const keepShare = maxQueries / total;
    chosen = eligible.filter((_, t) => Math.floor((t + 1) * keepShare) > Math.floor(t * keepShare));
  }
  const baskets = selectBaskets(val, Int32Array.from(chosen));
  return { baskets, queries: baskets.members.length };
}

/** Leave-one-out HR@k of a model over the validation baskets (index space, no filters). */
export function validationHitRate(model: RecommendationModel, set: ValidationSet, k: number): number {
  const { offsets, members } = set.baskets;
  let hits = 0;
  let queries = 0;
  const cart: number[] = [];
  for (let b = 0; b < offsets.length - 1; b++) {
    const s = offsets[b]!;
    const e = offsets[b + 1]!;
    for (let h = s; h < e; h++) {
      cart.length = 0;
      for (let p = s; p < e; p++) if (p !== h) cart.push(members[p]!);
      const picks = rankIndices(model, cart, k, null, null);
      queries++;
      for (const pick of picks) if (pick.item === members[h]) hits++;
    }
  }
  return queries === 0 ? 0 : hits / queries;
}

/** Splits basket indices into fit / validation: the latest 20% by time, else a seeded shuffle. */
function carveValidation(
  indexed: IndexedBaskets,
  seed: number,
): { fit: Int32Array; validation: Int32Array; by: "time" | "shuffle" } {
  const count = indexed.offsets.length - 1;
  const timed = count > 0 && indexed.time.every((t) => Number.isFinite(t));
  let order = Array.from({ length: count }, (_, b) => b);
  if (timed) order.sort((a, b) => indexed.time[a]! - indexed.time[b]! || a - b);
  // A different stream from the caller's test split when they share a seed.
  else order = shuffled(order, seededRandom((seed ^ 0x5bd1e995) >>> 0));
  const fitCount = Math.floor(count * 0.8);
  return {
    fit: Int32Array.from(order.slice(0, fitCount)),
    validation: Int32Array.from(order.slice(fitCount)),
    by: timed ? "time" : "shuffle",
  };
}

function tune(
  indexed: IndexedBaskets,
  items: IdTable,
  settings: ModelSettings,
  options: TrainOptions,
): { hyper: Hyperparameters; report: TuningReport } {
  const k = options.k ?? 3;
  const fixed = options.fixed ?? {};
  const split = carveValidation(indexed, options.seed ?? 42);
  const fit = selectBaskets(indexed, split.fit);
  const fitBaskets = fit.offsets.length - 1;
  const val = validationSet(selectBaskets(indexed, split.validation), options.maxValidationQueries ?? 20_000);
  const n = items.size;
  const fitCounts = countItems(fit, n);
  const fitPairs = countPairs(fit, n, settings.maxPairBasketSize, options.pairBufferEntries);
  const subset = denseSubset(fitCounts, n, settings.maxDenseItems);
  const easeCache = new Map<number, DenseEase>();
  const easeFor = (lambda: number) => {
    let e = easeCache.get(lambda);
    if (!e) {
      e = solveEase(fitPairs, fitCounts, fitBaskets, subset, n, lambda);
      easeCache.set(lambda, e);
    }
    return e;
  };
  const rowsCache = new Map<string, NeighbourRows>();
  const tried: TuningCandidate[] = [];
  const seen = new Map<string, number>();
  const evaluate = (hyper: Hyperparameters): number => {
    const key = JSON.stringify(hyper);
    const known = seen.get(key);
    if (known !== undefined) return known;
    const rowsKey = `${hyper.alpha}|${hyper.neighbours}|${hyper.easeWeight > 0 ? hyper.easeLambda : 0}`;
    const ease = hyper.easeWeight > 0 ? easeFor(hyper.easeLambda) : null;
    let rows = rowsCache.get(rowsKey);
    if (!rows) {
      rows = buildNeighbourRows(fitPairs, fitCounts, n, hyper.alpha, hyper.neighbours, ease);
      rowsCache.set(rowsKey, rows);
    }
    const model = createModel({
      hyper,
      settings,
      tuning: null,
      items,
      itemBaskets: fitCounts,
      basketCount: fitBaskets,
      rows,
      easeBias: ease ? easeBiasByItem(ease, n) : null,
      locations: new Map(),
    });
    const hitRate = validationHitRate(model, val, k);
    seen.set(key, hitRate);
    tried.push({ hyper, hitRate });
    return hitRate;
  };
  const grid = (values: number[], name: keyof Hyperparameters) => (fixed[name] !== undefined ? [fixed[name]!] : values);

  // Stage 1: co-occurrence damping × popularity weight (16 candidates).
  let best: Hyperparameters = { ...DEFAULT_HYPERPARAMETERS, easeWeight: 0, easeLambda: 0, ...fixed };
  if (fixed.easeWeight !== undefined && fixed.easeWeight > 0 && fixed.easeLambda === undefined)
    best.easeLambda = LAMBDA_GRID[1]!;
  let bestRate = -1;
  const consider = (hyper: Hyperparameters) => {
    const rate = evaluate(hyper);
    // Ties keep the earlier (simpler) candidate.
    if (rate > bestRate) {
      bestRate = rate;
      best = hyper;
    }
  };
  for (const alpha of grid(ALPHA_GRID, "alpha")) {
    for (const popularityWeight of grid(POPULARITY_GRID, "popularityWeight"))
      consider({ ...best, alpha, popularityWeight });
  }
  // Stage 2: EASE over the dense subset — λ judged with EASE alone, then its share in the blend,
  // then popularity again (EASE is less popularity-biased, so the best β moves).
  const easeAllowed = subset.length >= 2 && (fixed.easeWeight === undefined || fixed.easeWeight > 0);
  if (easeAllowed) {
    const base = best;
    let bestLambda = fixed.easeLambda ?? LAMBDA_GRID[1]!;
    let bestLambdaRate = -1;
    for (const easeLambda of grid(LAMBDA_GRID, "easeLambda")) {
      const rate = evaluate({ ...base, easeWeight: 1, easeLambda, popularityWeight: fixed.popularityWeight ?? 0 });
      if (rate > bestLambdaRate) {
        bestLambdaRate = rate;
        bestLambda = easeLambda;
      }
      if (fixed.easeWeight === undefined || fixed.easeWeight === 1) {
        consider({ ...base, easeWeight: 1, easeLambda, popularityWeight: fixed.popularityWeight ?? 0 });
      }
    }
    const easeBeta = fixed.popularityWeight ?? 0;
    for (const easeWeight of grid(EASE_WEIGHT_GRID, "easeWeight")) {
      consider({ ...base, easeWeight, easeLambda: bestLambda, popularityWeight: easeBeta });
    }
    if (best.easeWeight > 0) {
      const blended = best;
      for (const popularityWeight of grid(POPULARITY_GRID, "popularityWeight"))
        consider({ ...blended, popularityWeight });
    }
  }
  const popularityModel = createModel({
    hyper: { ...best, popularityWeight: 1 },
    settings: { ...settings, coldStartBaskets: Number.POSITIVE_INFINITY },
    tuning: null,
    items,
    itemBaskets: fitCounts,
    basketCount: fitBaskets,
    rows: { start: new Int32Array(1), item: new Int32Array(0), count: new Int32Array(0), ease: null, fresh: null },
    easeBias: null,
    locations: new Map(),
  });
  return {
    hyper: best,
    report: {
      by: split.by,
      k,
      fitBaskets,
      validationBaskets: split.validation.length,
      validationQueries: val.queries,
      popularityHitRate: validationHitRate(popularityModel, val, k),
      chosenHitRate: bestRate,
      tried,
      denseItems: easeAllowed ? subset.length : 0,
    },
  };
}

// ---------- the public entry ----------

/**
 * Learns a model from baskets (oldest first is not required). Tunes on a validation split of
 * these baskets when there are at least MIN_BASKETS_TO_TUNE, then rebuilds on all of them.
 * A periodic full rebuild is simply calling this again on the history.
 */
export function trainModel(baskets: readonly Basket[], options: TrainOptions = {}): RecommendationModel {
  const settings: ModelSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const items = new IdTable();
  const locationNames = new IdTable();
  const indexed = indexBaskets(baskets, items, locationNames);
  const n = items.size;
  const basketCount = indexed.offsets.length - 1;
  let hyper: Hyperparameters = { ...DEFAULT_HYPERPARAMETERS, ...options.fixed };
  let report: TuningReport | null = null;
  if (options.tune !== false && basketCount >= MIN_BASKETS_TO_TUNE) {
    const tuned = tune(indexed, items, settings, options);
    hyper = tuned.hyper;
    report = tuned.report;
  }
  const itemBaskets = countItems(indexed, n);
  const pairs = countPairs(indexed, n, settings.maxPairBasketSize, options.pairBufferEntries);
  const ease =
    hyper.easeWeight > 0 && hyper.easeLambda > 0
      ? solveEase(
          pairs,
          itemBaskets,
          basketCount,
          denseSubset(itemBaskets, n, settings.maxDenseItems),
          n,
          hyper.easeLambda,
        )
      : null;
  const rows = buildNeighbourRows(pairs, itemBaskets, n, hyper.alpha, hyper.neighbours, ease);
  return createModel({
    hyper,
    settings,
    tuning: report,
    items,
    itemBaskets,
    basketCount,
    rows,
    easeBias: ease ? easeBiasByItem(ease, n) : null,
    locations: locationStats(indexed, locationNames),
  });
}
