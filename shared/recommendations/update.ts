/**
 * Incremental learning from each new order, without a retrain: item, location and pair counts
 * move at once (scores are computed from them at query time); the neighbour list of an item the
 * order touched is re-merged lazily, the next time it anchors a query. The EASE weights stay as
 * trained until the next rebuild (`trainModel` on the history), which is also what corrects the
 * small drift of the lists (see refreshRow).
 */
import {
  dampOf,
  ensureCapacity,
  flushPending,
  locationStatsFrom,
  type LocationStats,
  type RecommendationModel,
} from "./model";
import type { Basket } from "./types";

/** Pending pair entries beyond which all rows are merged at once (bounds memory). */
const MAX_PENDING_ENTRIES = 2_000_000;

/** Learns one order. Items never seen before join the catalog of the model. */
export function updateModel(model: RecommendationModel, basket: Basket): void {
  const items: number[] = [];
  for (const raw of basket.items) {
    const id = raw.trim();
    if (id === "") continue;
    const i = internItem(model, id);
    if (!items.includes(i)) items.push(i);
  }
  if (items.length === 0) return;
  model.basketCount++;
  model.updatesSinceTrain++;
  for (const i of items) {
    countInStore(model, i);
    model.damp[i] = dampOf(model, i);
  }
  if (basket.location) {
    let stats = model.locations.get(basket.location);
    if (!stats) {
      stats = locationStatsFrom(basket.location, 0, new Map());
      model.locations.set(basket.location, stats);
    }
    stats.baskets++;
    for (const i of items) countAtLocation(stats, i);
  }
  if (items.length >= 2 && items.length <= model.settings.maxPairBasketSize) {
    for (const a of items) {
      let delta = model.pending.get(a);
      if (!delta) {
        delta = new Map();
        model.pending.set(a, delta);
      }
      for (const b of items) {
        if (a === b) continue;
        const before = delta.get(b);
        if (before === undefined) model.pendingEntries++;
        delta.set(b, (before ?? 0) + 1);
      }
    }
  }
  if (model.pendingEntries > MAX_PENDING_ENTRIES) flushPending(model);
}

function internItem(model: RecommendationModel, id: string): number {
  const known = model.items.index.get(id);
  if (known !== undefined) return known;
  const i = model.items.intern(id);
  ensureCapacity(model, i + 1);
  model.itemBaskets[i] = 0;
  if (model.easeBias) model.easeBias[i] = 0;
  // A new item sorts last, with count 0.
  model.popOrder[i] = i;
  model.popPosition[i] = i;
  if (!model.popBlockStart.has(0)) model.popBlockStart.set(0, i);
  return i;
}

/*
 * Counts go up by one at a time, so an item moves from the block of items with count c to the
 * block with c + 1, which sits right before it: swapping it with the first item of its block
 * keeps the order sorted in O(1), however many items share its count (a long tail shares
 * small counts by the thousand). Ties therefore end up in no particular order, which is why the
 * order itself is serialized.
 */
function countInStore(model: RecommendationModel, i: number): void {
  const c = model.itemBaskets[i]!;
  const first = model.popBlockStart.get(c)!;
  const p = model.popPosition[i]!;
  const other = model.popOrder[first]!;
  model.popOrder[first] = i;
  model.popPosition[i] = first;
  model.popOrder[p] = other;
  model.popPosition[other] = p;
  model.itemBaskets[i] = c + 1;
  if (!model.popBlockStart.has(c + 1)) model.popBlockStart.set(c + 1, first);
  const next = first + 1;
  if (next < model.items.size && model.itemBaskets[model.popOrder[next]!] === c) model.popBlockStart.set(c, next);
  else model.popBlockStart.delete(c);
}

function countAtLocation(stats: LocationStats, i: number): void {
  let c = stats.counts.get(i);
  if (c === undefined) {
    c = 0;
    stats.counts.set(i, 0);
    stats.position.set(i, stats.order.length);
    stats.order.push(i);
    if (!stats.blockStart.has(0)) stats.blockStart.set(0, stats.order.length - 1);
  }
  const first = stats.blockStart.get(c)!;
  const p = stats.position.get(i)!;
  const other = stats.order[first]!;
  stats.order[first] = i;
  stats.position.set(i, first);
  stats.order[p] = other;
  stats.position.set(other, p);
  stats.counts.set(i, c + 1);
  if (!stats.blockStart.has(c + 1)) stats.blockStart.set(c + 1, first);
  const next = first + 1;
  if (next < stats.order.length && stats.counts.get(stats.order[next]!) === c) stats.blockStart.set(c, next);
  else stats.blockStart.delete(c);
}
