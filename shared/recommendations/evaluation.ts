/**
 * The recommendation quality protocol (docs/ARCHITECTURE.md, "Recommendation quality protocol"),
 * pure so it can be unit-tested: input parsing (`lines` and `long` CSV), a seeded PRNG, the 80/20
 * split (by time when every basket has one, else a seeded shuffle), the popularity baseline and
 * the leave-one-out hit-rate loop. `scripts/eval-recs.ts` only adds the file system and the clock.
 */
import type { Basket } from "./types";

/** A problem with the input the user can fix; the CLI prints the message and exits non-zero. */
export class RecsInputError extends Error {
  override name = "RecsInputError";
}

export type InputFormat = "lines" | "long";

// ---------- CSV ----------

/**
 * RFC 4180 records: fields separated by commas, optionally double-quoted (a quote inside a quoted
 * field is doubled), quoted fields may hold commas and line breaks, CRLF or LF line ends.
 * Returns each record with the 1-based line number where it starts (for error messages).
 */
export function parseCsvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let quotedField = false;
  let line = 1;
  let recordLine = 1;
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark from spreadsheet exports
  const endRecord = () => {
    fields.push(field);
    // A blank line is no record (one empty unquoted field).
    if (!(fields.length === 1 && fields[0] === "" && !quotedField)) records.push({ line: recordLine, fields });
    fields = [];
    field = "";
    quotedField = false;
  };
  for (; i < n; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === "") {
      // Opening quote (spaces before it are tolerated and dropped).
      field = "";
      inQuotes = true;
      quotedField = true;
    } else if (ch === ",") {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += ch;
  }
  if (inQuotes) throw new RecsInputError(`unterminated quoted field starting on line ${recordLine}`);
  if (field !== "" || fields.length > 0 || quotedField) endRecord();
  return records;
}

// ---------- input formats ----------

/** Distinct, trimmed, non-empty names in first-seen order. */
function distinctItems(names: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const raw of names) {
    const name = raw.trim();
    if (name !== "") seen.add(name);
  }
  return [...seen];
}

/** `lines`: one basket per line, items comma-separated (groceries.csv); names are trimmed. */
export function parseLinesFormat(text: string): Basket[] {
  const baskets: Basket[] = [];
  for (const record of parseCsvRecords(text)) {
    const items = distinctItems(record.fields);
    if (items.length > 0) baskets.push({ items });
  }
  return baskets;
}

/**
 * A timestamp as ISO 8601 or `YYYY-MM-DD HH:MM:SS` (fractions allowed). Without a zone it is read
 * as UTC: only the order of transactions matters to the split. Returns null when unparseable.
 */
export function parseTimestamp(value: string): number | null {
  const text = value.trim();
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      text,
    );
  if (!match) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone] = match;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return null;
  let ms = Date.UTC(Number(y), month - 1, day, hour, minute, second, Number((frac + "000").slice(0, 3)));
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  // Date.UTC rolls 2026-02-31 over to March: reject dates that do not exist.
  const check = new Date(Date.UTC(Number(y), month - 1, day));
  if (check.getUTCDate() !== day) return null;
  return Number.isFinite(ms) ? ms : null;
}

/**
 * `long`: a header row naming `transaction_id` and `item` (any order, case-insensitive), optional
 * `timestamp` and `location`; the rows of one transaction form a basket (in order of first
 * appearance). When a `timestamp` column exists every transaction must have one (its earliest row).
 */
export function parseLongFormat(text: string): Basket[] {
  const records = parseCsvRecords(text);
  const header = records[0];
  if (!header) throw new RecsInputError("the long CSV is empty: expected a header row with transaction_id and item");
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const txCol = names.indexOf("transaction_id");
  const itemCol = names.indexOf("item");
  const timeCol = names.indexOf("timestamp");
  const locationCol = names.indexOf("location");
  const missing = [txCol < 0 ? "transaction_id" : null, itemCol < 0 ? "item" : null].filter(Boolean);
  if (missing.length > 0) {
    throw new RecsInputError(
      `the long CSV header has no ${missing.join(" and ")} column (found: ${header.fields.map((f) => f.trim()).join(", ")})`,
    );
  }
  const byTx = new Map<string, { items: string[]; time: number | null; location: string | null }>();
  for (let r = 1; r < records.length; r++) {
    const { line, fields } = records[r]!;
    const tx = (fields[txCol] ?? "").trim();
    if (tx === "") throw new RecsInputError(`line ${line}: empty transaction_id`);
    let entry = byTx.get(tx);
    if (!entry) {
      entry = { items: [], time: null, location: null };
      byTx.set(tx, entry);
    }
    entry.items.push(fields[itemCol] ?? "");
    if (timeCol >= 0) {
      const raw = fields[timeCol] ?? "";
      if (raw.trim() !== "") {
        const time = parseTimestamp(raw);
        if (time === null)
          throw new RecsInputError(`line ${line}: timestamp "${raw}" is not ISO 8601 or YYYY-MM-DD HH:MM:SS`);
        if (entry.time === null || time < entry.time) entry.time = time;
      }
    }
    if (locationCol >= 0 && entry.location === null) {
      const location = (fields[locationCol] ?? "").trim();
      if (location !== "") entry.location = location;
    }
  }
  const baskets: Basket[] = [];
  for (const [tx, entry] of byTx) {
    if (timeCol >= 0 && entry.time === null) throw new RecsInputError(`transaction ${tx} has no timestamp`);
    const items = distinctItems(entry.items);
    if (items.length === 0) continue;
    const basket: Basket = { items };
    if (entry.time !== null) basket.time = entry.time;
    if (entry.location !== null) basket.location = entry.location;
    baskets.push(basket);
  }
  return baskets;
}

/** Without `--format`: `long` when the first record names transaction_id and item, else `lines`. */
export function detectFormat(text: string): InputFormat {
  const firstLine = text.replace(/^\ufeff/, "").split(/\r?\n/, 1)[0] ?? "";
  const names = firstLine.split(",").map((f) => f.replace(/"/g, "").trim().toLowerCase());
  return names.includes("transaction_id") && names.includes("item") ? "long" : "lines";
}

export function parseBasketsInput(text: string, format: InputFormat): Basket[] {
  return format === "long" ? parseLongFormat(text) : parseLinesFormat(text);
}

// ---------- seeded randomness and the split ----------

/** mulberry32: a small, fast, well-mixed 32-bit PRNG; same seed, same sequence everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates over a copy. */
export function shuffled<T>(values: readonly T[], random: () => number): T[] {
  const out = values.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = out[i]!;
    out[i] = out[j]!;
    out[j] = tmp;
  }
  return out;
}

export interface Split {
  train: Basket[];
  test: Basket[];
  by: "time" | "shuffle";
}

/**
 * Holds out `testFraction` of the baskets: the latest ones when every basket has a time (ties keep
 * input order), else a seeded shuffle. The same function carves the validation split inside
 * `trainModel`, so tuning imitates the test it will face.
 */
export function splitBaskets(
  baskets: readonly Basket[],
  options: { testFraction?: number; seed?: number } = {},
): Split {
  const testFraction = options.testFraction ?? 0.2;
  const trainCount = Math.floor(baskets.length * (1 - testFraction));
  const timed = baskets.length > 0 && baskets.every((b) => typeof b.time === "number" && Number.isFinite(b.time));
  let ordered: Basket[];
  if (timed) {
    ordered = baskets
      .map((basket, index) => ({ basket, index }))
      .sort((a, b) => a.basket.time! - b.basket.time! || a.index - b.index)
      .map((e) => e.basket);
  } else {
    ordered = shuffled(baskets, seededRandom(options.seed ?? 42));
  }
  return { train: ordered.slice(0, trainCount), test: ordered.slice(trainCount), by: timed ? "time" : "shuffle" };
}

// ---------- baseline and leave-one-out ----------

/** Suggest k items for a cart (distinct, none from the cart). */
export type CartRecommender = (cart: readonly string[], k: number) => readonly string[];

/** The popularity baseline: the most frequent training items not in the cart. */
export function popularityRecommender(train: readonly Basket[]): CartRecommender {
  const counts = new Map<string, number>();
  for (const basket of train) for (const item of new Set(basket.items)) counts.set(item, (counts.get(item) ?? 0) + 1);
  // Ties by name so the baseline does not depend on input order.
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const order = ranked.map(([item]) => item);
  return (cart, k) => {
    const inCart = new Set(cart);
    const out: string[] = [];
    for (const item of order) {
      if (out.length >= k) break;
      if (!inCart.has(item)) out.push(item);
    }
    return out;
  };
}

export interface LeaveOneOutResult {
  queries: number;
  hits: number;
  hitRate: number;
  /** Per-query latency in microseconds (only when a clock was given), in query order. */
  latenciesMicros: number[];
}

/**
 * For every basket with >= 2 distinct items and each item in it: hide the item, ask k
 * suggestions for the rest, count a hit when the hidden item is among them.
 * `now` (milliseconds, e.g. performance.now) times each call; the module itself reads no clock.
 */
export function leaveOneOut(
  baskets: readonly Basket[],
  recommend: CartRecommender,
  k: number,
  now?: () => number,
): LeaveOneOutResult {
  let queries = 0;
  let hits = 0;
  const latenciesMicros: number[] = [];
  for (const basket of baskets) {
    const items = distinctItems(basket.items);
    if (items.length < 2) continue;
    for (let h = 0; h < items.length; h++) {
      const hidden = items[h]!;
      const cart = items.filter((_, i) => i !== h);
      const start = now ? now() : 0;
      const suggestions = recommend(cart, k);
      if (now) latenciesMicros.push((now() - start) * 1000);
      queries++;
      if (suggestions.slice(0, k).includes(hidden)) hits++;
    }
  }
  return { queries, hits, hitRate: queries === 0 ? 0 : hits / queries, latenciesMicros };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** Distinct items across baskets. */
export function countDistinctItems(baskets: readonly Basket[]): number {
  const seen = new Set<string>();
  for (const b of baskets) for (const item of b.items) seen.add(item);
  return seen.size;
}
