/**
 * A deterministic synthetic store for benchmarks and tests (never served): Zipf-like product
 * popularity, per-location taste, basket sizes with a long tail, planted co-purchase structure
 * (each product has a few complements bought with it far more often than chance) and timestamps
 * over a year, so the time-based split and the scale paths have something real to chew on.
 */
import { seededRandom } from "./evaluation";
import type { Basket } from "./types";

export interface SyntheticStoreOptions {
  products: number;
  /** Stop once this many order lines (basket items) were generated. */
  orderLines: number;
  seed?: number;
  /** Zipf exponent of product popularity. Default 1.0. */
  zipf?: number;
  /** Mean basket size (distinct products). Default 5. */
  meanBasketSize?: number;
  /** Chance that the next line is a complement of a product already in the basket. Default 0.35. */
  complementRate?: number;
  locations?: number;
  /** Time of the first order (ms); orders spread over `days`. */
  start?: number;
  days?: number;
}

export function productId(i: number): string {
  // Shaped like Shopify numeric ids, so serialization sizes are realistic.
  return String(8_000_000_000_000 + i);
}

export function syntheticStore(options: SyntheticStoreOptions): Basket[] {
  const random = seededRandom(options.seed ?? 7);
  const n = options.products;
  const zipf = options.zipf ?? 1.0;
  const meanSize = options.meanBasketSize ?? 5;
  const complementRate = options.complementRate ?? 0.35;
  const locationCount = options.locations ?? 3;
  const start = options.start ?? Date.UTC(2025, 0, 1);
  const span = (options.days ?? 365) * 86_400_000;

  // Popularity rank -> product, shuffled so ids carry no popularity.
  const byRank = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = byRank[i]!;
    byRank[i] = byRank[j]!;
    byRank[j] = t;
  }
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) cdf[r] = total += 1 / Math.pow(r + 1, zipf);
  const draw = (): number => {
    const u = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return byRank[lo]!;
  };
  // Three complements per product: two anywhere in the catalog (structure popularity cannot
  // explain), one drawn by popularity.
  const complements = new Int32Array(n * 3);
  for (let i = 0; i < n; i++) {
    complements[i * 3] = Math.floor(random() * n);
    complements[i * 3 + 1] = Math.floor(random() * n);
    complements[i * 3 + 2] = draw();
  }
  // Each location favours its own slice of the catalog.
  const favourite = (location: number, item: number) => item % locationCount === location;

  const baskets: Basket[] = [];
  let lines = 0;
  const expectedBaskets = options.orderLines / meanSize;
  while (lines < options.orderLines) {
    const location = Math.floor(random() * locationCount);
    const size = Math.min(60, 1 + Math.floor(-Math.log(1 - random()) * (meanSize - 1)));
    const items: number[] = [];
    let attempts = 0;
    while (items.length < size && attempts++ < size * 4) {
      let item: number;
      if (items.length > 0 && random() < complementRate) {
        const anchor = items[Math.floor(random() * items.length)]!;
        item = complements[anchor * 3 + Math.floor(random() * 3)]!;
      } else {
        item = draw();
        // Local taste: a draw outside the location's slice is redrawn once in a while.
        if (!favourite(location, item) && random() < 0.3) item = draw();
      }
      if (!items.includes(item)) items.push(item);
    }
    const time = start + Math.floor((baskets.length / expectedBaskets) * span + random() * 60_000);
    baskets.push({ items: items.map(productId), location: `loc-${location + 1}`, time });
    lines += items.length;
  }
  return baskets;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The baskets as the `long` CSV format (one row per line item), optionally with timestamps. */
export function basketsToLongCsv(
  baskets: readonly Basket[],
  options: { timestamps?: "iso" | "sql" | "none"; itemName?: (id: string) => string } = {},
): string {
  const style = options.timestamps ?? "iso";
  const name = options.itemName ?? ((id: string) => id);
  const rows = [style === "none" ? "transaction_id,item" : "transaction_id,item,timestamp"];
  baskets.forEach((basket, b) => {
    const time = typeof basket.time === "number" ? new Date(basket.time).toISOString() : "";
    const stamp = style === "sql" ? time.slice(0, 19).replace("T", " ") : time;
    for (const item of basket.items) {
      rows.push([`T${b + 1}`, csvField(name(item)), ...(style === "none" ? [] : [stamp])].join(","));
    }
  });
  return rows.join("\n") + "\n";
}
