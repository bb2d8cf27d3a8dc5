/**
 * Counting, in typed arrays so 1,000,000 order lines over 50,000 products fit in a few hundred MB:
 * baskets as a CSR of item indices, item counts, and the full symmetric co-occurrence matrix as a
 * CSR (row a: the items seen with a, sorted, and how many baskets held both). Pairs are counted by
 * sort-and-count per row, in row chunks whose buffer fits a fixed budget, so peak memory does not
 * grow with the number of pairs.
 */
import type { Basket } from "./types";

/** Baskets as item indices: basket b holds members[offsets[b] .. offsets[b+1]), distinct. */
export interface IndexedBaskets {
  offsets: Int32Array;
  members: Int32Array;
  /** Location id per basket (index into `locationNames`), -1 when unknown. */
  location: Int32Array;
  /** Time per basket, NaN when unknown. */
  time: Float64Array;
}

/** Sparse symmetric matrix, rows sorted by column. */
export interface Csr {
  start: Int32Array;
  col: Int32Array;
  value: Int32Array;
}

/** Maps product ids to dense indices, growing as new ids appear. */
export class IdTable {
  readonly ids: string[] = [];
  readonly index = new Map<string, number>();
  get size(): number {
    return this.ids.length;
  }
  intern(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }
}

/** Interns every item (trimmed, blanks dropped) and location; items in a basket are de-duplicated. */
export function indexBaskets(baskets: readonly Basket[], items: IdTable, locations: IdTable): IndexedBaskets {
  let total = 0;
  for (const b of baskets) total += b.items.length;
  const offsets = new Int32Array(baskets.length + 1);
  const members = new Int32Array(total);
  const location = new Int32Array(baskets.length);
  const time = new Float64Array(baskets.length);
  let cursor = 0;
  const seen = new Set<number>();
  for (let b = 0; b < baskets.length; b++) {
    const basket = baskets[b]!;
    seen.clear();
    for (const raw of basket.items) {
      const id = raw.trim();
      if (id === "") continue;
      const i = items.intern(id);
      if (!seen.has(i)) {
        seen.add(i);
        members[cursor++] = i;
      }
    }
    offsets[b + 1] = cursor;
    location[b] = basket.location ? locations.intern(basket.location) : -1;
    time[b] = typeof basket.time === "number" ? basket.time : NaN;
  }
  return { offsets, members: members.subarray(0, cursor), location, time };
}

/** Baskets `which` (indices into `all`) as their own IndexedBaskets (same item indices). */
export function selectBaskets(all: IndexedBaskets, which: Int32Array): IndexedBaskets {
  let total = 0;
  for (const b of which) total += all.offsets[b + 1]! - all.offsets[b]!;
  const offsets = new Int32Array(which.length + 1);
  const members = new Int32Array(total);
  const location = new Int32Array(which.length);
  const time = new Float64Array(which.length);
  let cursor = 0;
  for (let n = 0; n < which.length; n++) {
    const b = which[n]!;
    members.set(all.members.subarray(all.offsets[b]!, all.offsets[b + 1]!), cursor);
    cursor += all.offsets[b + 1]! - all.offsets[b]!;
    offsets[n + 1] = cursor;
    location[n] = all.location[b]!;
    time[n] = all.time[b]!;
  }
  return { offsets, members, location, time };
}

/** Baskets holding each item. */
export function countItems(baskets: IndexedBaskets, itemCount: number): Float64Array {
  const counts = new Float64Array(itemCount);
  for (const i of baskets.members) counts[i]! += 1;
  return counts;
}

/** An Int32Array that doubles when full. */
class GrowableInt32 {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * The co-occurrence matrix: row a lists every item b != a seen in a basket with a, and in how
 * many baskets. Baskets larger than `maxBasketSize` are left out (a wholesale order pairs
 * everything with everything and would dominate both memory and the statistics).
 */
export function countPairs(
  baskets: IndexedBaskets,
  itemCount: number,
  maxBasketSize: number,
  bufferEntries = 1 << 25,
): Csr {
  const { offsets, members } = baskets;
  const basketCount = offsets.length - 1;
  // Pair instances per row, to cut rows into chunks whose buffer fits the budget.
  const rowLength = new Float64Array(itemCount);
  for (let b = 0; b < basketCount; b++) {
    const s = offsets[b]!;
    const e = offsets[b + 1]!;
    const n = e - s;
    if (n < 2 || n > maxBasketSize) continue;
    for (let p = s; p < e; p++) rowLength[members[p]!]! += n - 1;
  }
  const start = new Int32Array(itemCount + 1);
  const col = new GrowableInt32(1 << 16);
  const value = new GrowableInt32(1 << 16);
  const cursor = new Int32Array(itemCount);
  let lo = 0;
  while (lo < itemCount) {
    // Rows [lo, hi) whose pair instances fit the buffer (a single larger row gets its own chunk).
    let hi = lo;
    let total = 0;
    while (hi < itemCount && (hi === lo || total + rowLength[hi]! <= bufferEntries)) total += rowLength[hi++]!;
    const buffer = new Int32Array(total);
    let pos = 0;
    for (let a = lo; a < hi; a++) {
      cursor[a] = pos;
      pos += rowLength[a]!;
    }
    for (let b = 0; b < basketCount; b++) {
      const s = offsets[b]!;
      const e = offsets[b + 1]!;
      const n = e - s;
      if (n < 2 || n > maxBasketSize) continue;
      for (let p = s; p < e; p++) {
        const a = members[p]!;
        if (a < lo || a >= hi) continue;
        let c = cursor[a]!;
        for (let q = s; q < e; q++) if (q !== p) buffer[c++] = members[q]!;
        cursor[a] = c;
      }
    }
    // Sort each row and count runs.
    let rowStart = 0;
    for (let a = lo; a < hi; a++) {
      const rowEnd = rowStart + rowLength[a]!;
      start[a] = col.length;
      if (rowEnd > rowStart) {
        const row = buffer.subarray(rowStart, rowEnd).sort();
        let prev = row[0]!;
        let run = 0;
        for (let t = 0; t < row.length; t++) {
          const v = row[t]!;
          if (v === prev) run++;
          else {
            col.push(prev);
            value.push(run);
            prev = v;
            run = 1;
          }
        }
        col.push(prev);
        value.push(run);
      }
      rowStart = rowEnd;
    }
    lo = hi;
  }
  start[itemCount] = col.length;
  return { start, col: col.done(), value: value.done() };
}

/** Baskets holding both a and b (binary search in row a). */
export function pairCount(m: Csr, a: number, b: number): number {
  let lo = m.start[a]!;
  let hi = m.start[a + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = m.col[mid]!;
    if (v === b) return m.value[mid]!;
    if (v < b) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}
