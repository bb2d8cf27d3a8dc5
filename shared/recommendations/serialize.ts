/**
 * Model ⇄ JSON-able object. Integer arrays are LEB128 varints (neighbour ids delta-coded within a
 * row, so most take 1–2 bytes), floats are little-endian Float32, both base64. Pending updates
 * are merged first, so the stored rows are what the model serves; a deserialized model gives the
 * same suggestions as the one serialized.
 */
import { IdTable } from "./counting";
import { createModel, flushPending, locationStatsFrom, rowOf, type RecommendationModel } from "./model";
import { MODEL_VERSION, type Hyperparameters, type ModelSettings, type TuningReport } from "./types";

export interface SerializedModel {
  version: string;
  hyper: Hyperparameters;
  settings: ModelSettings;
  tuning: TuningReport | null;
  basketCount: number;
  updatesSinceTrain: number;
  items: string[];
  /** Varints: baskets per item. */
  itemBaskets: string;
  rows: {
    /** Varints: entries per row (one row per item). */
    lengths: string;
    /** Varints: neighbour ids, each row's first as is, then gaps to the previous. */
    items: string;
    /** Varints: baskets together, parallel to items. */
    counts: string;
    /** Varints: of `counts`, the baskets learned incrementally since the last build; null = none. */
    fresh: string | null;
    /** Varints: the rows carrying EASE weights (gaps), and their weights (Float32) in row order. */
    easeRows: string | null;
    ease: string | null;
  };
  /** Varints (gaps) of the items with an EASE intercept, and the intercepts (Float32). */
  easeBias: { items: string; values: string } | null;
  /** Varints: items by count (ties as the model had them, so a reload serves the same). */
  popOrder: string;
  /** Varints: the cart-independent ranking used to find candidates (see RecommendationModel). */
  priorOrder: string | null;
  /** Per location: items in its best-seller order (varints) and their counts. */
  locations: { name: string; baskets: number; items: string; counts: string }[];
}

// ---------- base64 and varints ----------

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 2048; // whole triplets, so only the last chunk pads
  const codes = new Uint16Array((CHUNK / 3) * 4);
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(bytes.length, start + CHUNK);
    let o = 0;
    for (let i = start; i < end; i += 3) {
      const b0 = bytes[i]!;
      const b1 = i + 1 < end ? bytes[i + 1]! : 0;
      const b2 = i + 2 < end ? bytes[i + 2]! : 0;
      codes[o++] = ALPHABET_CODES[b0 >> 2]!;
      codes[o++] = ALPHABET_CODES[((b0 & 3) << 4) | (b1 >> 4)]!;
      codes[o++] = i + 1 < end ? ALPHABET_CODES[((b1 & 15) << 2) | (b2 >> 6)]! : 61; // "="
      codes[o++] = i + 2 < end ? ALPHABET_CODES[b2 & 63]! : 61;
    }
    parts.push(String.fromCharCode.apply(null, codes.subarray(0, o) as unknown as number[]));
  }
  return parts.join("");
}

export function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? DECODE[code]! : -1;
    if (v < 0) throw new Error(`invalid base64 at ${i}`);
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

/** Unsigned integers (< 2^53) as LEB128, base64. */
export function encodeVarints(values: ArrayLike<number>): string {
  let bytes = new Uint8Array(Math.max(16, values.length * 2));
  let o = 0;
  for (let i = 0; i < values.length; i++) {
    let v = values[i]!;
    if (!(v >= 0) || !Number.isInteger(v)) throw new Error(`varint: not an unsigned integer: ${v}`);
    if (o + 8 > bytes.length) {
      const next = new Uint8Array(bytes.length * 2);
      next.set(bytes);
      bytes = next;
    }
    while (v >= 0x80) {
      bytes[o++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    bytes[o++] = v;
  }
  return toBase64(bytes.subarray(0, o));
}

export function decodeVarints(text: string): number[] {
  const bytes = fromBase64(text);
  const out: number[] = [];
  let value = 0;
  let scale = 1;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    value += (b & 0x7f) * scale;
    if (b & 0x80) scale *= 0x80;
    else {
      out.push(value);
      value = 0;
      scale = 1;
    }
  }
  if (scale !== 1) throw new Error("varint: truncated input");
  return out;
}

function encodeFloat32(values: ArrayLike<number>): string {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return toBase64(bytes);
}

function decodeFloat32(text: string): Float32Array {
  const bytes = fromBase64(text);
  if (bytes.length % 4 !== 0) throw new Error("float32 data has a partial value");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Sorted ids as gaps (first as is). */
function gaps(sorted: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) out.push(i === 0 ? sorted[0]! : sorted[i]! - sorted[i - 1]!);
  return out;
}

function ungap(values: readonly number[]): number[] {
  const out: number[] = [];
  let prev = 0;
  values.forEach((v, i) => {
    prev = i === 0 ? v : prev + v;
    out.push(prev);
  });
  return out;
}

// ---------- model ----------

export function serializeModel(model: RecommendationModel): SerializedModel {
  flushPending(model);
  const n = model.items.size;
  const lengths: number[] = [];
  const itemGaps: number[] = [];
  const counts: number[] = [];
  const fresh: number[] = [];
  let anyFresh = false;
  const easeRows: number[] = [];
  const easeValues: number[] = [];
  for (let a = 0; a < n; a++) {
    const row = rowOf(model, a);
    lengths.push(row.item.length);
    for (let t = 0; t < row.item.length; t++) {
      itemGaps.push(t === 0 ? row.item[0]! : row.item[t]! - row.item[t - 1]!);
      counts.push(row.count[t]!);
      const recent = row.fresh ? row.fresh[t]! : 0;
      fresh.push(recent);
      if (recent !== 0) anyFresh = true;
    }
    if (row.ease && row.ease.some((w) => w !== 0)) {
      easeRows.push(a);
      for (const w of row.ease) easeValues.push(w);
    }
  }
  const hasEase = model.rows.ease !== null;
  let easeBias: SerializedModel["easeBias"] = null;
  if (model.easeBias) {
    const ids: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < n; i++) {
      if (model.easeBias[i] !== 0) {
        ids.push(i);
        values.push(model.easeBias[i]!);
      }
    }
    easeBias = { items: encodeVarints(gaps(ids)), values: encodeFloat32(values) };
  }
  return {
    version: model.version,
    hyper: { ...model.hyper },
    settings: { ...model.settings },
    tuning: model.tuning,
    basketCount: model.basketCount,
    updatesSinceTrain: model.updatesSinceTrain,
    items: model.items.ids.slice(),
    itemBaskets: encodeVarints(model.itemBaskets.subarray(0, n)),
    rows: {
      lengths: encodeVarints(lengths),
      items: encodeVarints(itemGaps),
      counts: encodeVarints(counts),
      fresh: anyFresh ? encodeVarints(fresh) : null,
      easeRows: hasEase ? encodeVarints(gaps(easeRows)) : null,
      ease: hasEase ? encodeFloat32(easeValues) : null,
    },
    easeBias,
    popOrder: encodeVarints(model.popOrder.subarray(0, n)),
    priorOrder: model.priorOrder ? encodeVarints(model.priorOrder) : null,
    locations: [...model.locations.values()].map((stats) => ({
      name: stats.name,
      baskets: stats.baskets,
      items: encodeVarints(stats.order),
      counts: encodeVarints(stats.order.map((i) => stats.counts.get(i)!)),
    })),
  };
}

/** The problem with a stored model that cannot be loaded (retrain from the history). */
export class ModelFormatError extends Error {
  override name = "ModelFormatError";
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function deserializeModel(input: unknown): RecommendationModel {
  if (!isRecord(input)) throw new ModelFormatError("a serialized model must be an object");
  if (input.version !== MODEL_VERSION) {
    throw new ModelFormatError(`model version ${String(input.version)} is not ${MODEL_VERSION}: retrain`);
  }
  const data = input as unknown as SerializedModel;
  const need = (ok: boolean, what: string) => {
    if (!ok) throw new ModelFormatError(`serialized model: bad ${what}`);
  };
  need(Array.isArray(data.items) && data.items.every((i) => typeof i === "string"), "items");
  need(isRecord(data.hyper) && isRecord(data.settings) && isRecord(data.rows), "hyper/settings/rows");
  need(Number.isInteger(data.basketCount) && data.basketCount >= 0, "basketCount");
  need(Array.isArray(data.locations), "locations");
  try {
    const n = data.items.length;
    const items = new IdTable();
    for (const id of data.items) items.intern(id);
    need(items.size === n, "items (duplicates)");
    const itemBaskets = Float64Array.from(decodeVarints(data.itemBaskets));
    need(itemBaskets.length === n, "itemBaskets length");
    const lengths = decodeVarints(data.rows.lengths);
    need(lengths.length === n, "rows.lengths");
    const start = new Int32Array(n + 1);
    for (let a = 0; a < n; a++) start[a + 1] = start[a]! + lengths[a]!;
    const total = start[n]!;
    const itemGaps = decodeVarints(data.rows.items);
    const counts = decodeVarints(data.rows.counts);
    need(itemGaps.length === total && counts.length === total, "rows.items/counts length");
    const rowItems = new Int32Array(total);
    for (let a = 0; a < n; a++) {
      let prev = 0;
      for (let t = start[a]!; t < start[a + 1]!; t++) {
        prev = t === start[a] ? itemGaps[t]! : prev + itemGaps[t]!;
        need(prev < n, "row item id");
        rowItems[t] = prev;
      }
    }
    let fresh: Int32Array | null = null;
    if (data.rows.fresh) {
      fresh = Int32Array.from(decodeVarints(data.rows.fresh));
      need(fresh.length === total, "rows.fresh length");
    }
    let ease: Float32Array | null = null;
    if (data.rows.easeRows !== null && data.rows.ease !== null) {
      ease = new Float32Array(total);
      const values = decodeFloat32(data.rows.ease);
      let v = 0;
      for (const a of ungap(decodeVarints(data.rows.easeRows))) {
        need(a < n, "easeRows");
        for (let t = start[a]!; t < start[a + 1]!; t++) ease[t] = values[v++]!;
      }
      need(v === values.length, "ease length");
    }
    let easeBias: Float64Array | null = null;
    if (data.easeBias) {
      easeBias = new Float64Array(n);
      const ids = ungap(decodeVarints(data.easeBias.items));
      const values = decodeFloat32(data.easeBias.values);
      need(ids.length === values.length, "easeBias");
      ids.forEach((i, p) => {
        need(i < n, "easeBias item");
        easeBias![i] = values[p]!;
      });
    }
    const locations = new Map(
      data.locations.map((l) => {
        const order = decodeVarints(l.items);
        const locCounts = decodeVarints(l.counts);
        need(order.length === locCounts.length && order.every((i) => i < n), `location ${l.name}`);
        const counts = new Map(order.map((i, p) => [i, locCounts[p]!]));
        return [l.name, locationStatsFrom(l.name, l.baskets, counts, order)] as const;
      }),
    );
    const popOrder = decodeVarints(data.popOrder);
    need(popOrder.length === n && new Set(popOrder).size === n && popOrder.every((i) => i < n), "popOrder");
    const model = createModel({
      popOrder,
      hyper: { ...data.hyper },
      settings: { ...data.settings },
      tuning: data.tuning ?? null,
      items,
      itemBaskets,
      basketCount: data.basketCount,
      rows: { start, item: rowItems, count: Int32Array.from(counts), ease, fresh },
      easeBias,
      locations,
      updatesSinceTrain: data.updatesSinceTrain ?? 0,
    });
    if (data.priorOrder) {
      const order = decodeVarints(data.priorOrder);
      need(
        order.every((i) => i < n),
        "priorOrder",
      );
      model.priorOrder = Int32Array.from(order);
    } else model.priorOrder = null;
    return model;
  } catch (error) {
    if (error instanceof ModelFormatError) throw error;
    throw new ModelFormatError(`serialized model: ${error instanceof Error ? error.message : String(error)}`);
  }
}
