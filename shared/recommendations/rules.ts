/**
 * Association rules (Agrawal & Srikant), kept as a measured alternative for ADR 0005, not served:
 * rules X → y with |X| ≤ 2 and support(X ∪ y) ≥ minSupport baskets; a cart scores y by the best
 * confidence of a rule whose antecedent it contains (ties: higher support), then best sellers
 * fill what no rule covers. minSupport and the antecedent size are tuned on a validation split
 * of the training baskets, as for the served model.
 */
import { leaveOneOut, popularityRecommender, splitBaskets, type CartRecommender } from "./evaluation";
import type { Basket } from "./types";

export interface RuleModel {
  minSupport: number;
  maxAntecedent: 1 | 2;
  recommend: CartRecommender;
  /** Validation HR@k per tried setting. */
  tried: { minSupport: number; maxAntecedent: number; hitRate: number }[];
}

function mineAndServe(train: readonly Basket[], minSupport: number, maxAntecedent: 1 | 2): CartRecommender {
  const index = new Map<string, number>();
  const ids: string[] = [];
  const baskets = train.map((b) => {
    const out = new Set<number>();
    for (const item of b.items) {
      let i = index.get(item);
      if (i === undefined) {
        i = ids.length;
        ids.push(item);
        index.set(item, i);
      }
      out.add(i);
    }
    return [...out].sort((x, y) => x - y);
  });
  const n = ids.length;
  const single = new Float64Array(n);
  const pairs = new Map<number, number>();
  const triples = new Map<number, Map<number, number>>();
  for (const b of baskets) {
    for (const a of b) single[a]! += 1;
    for (let x = 0; x < b.length; x++) {
      for (let y = 0; y < b.length; y++) {
        if (x === y) continue;
        const key = b[x]! * n + b[y]!;
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
    }
    if (maxAntecedent === 2 && b.length <= 40) {
      for (let x = 0; x < b.length; x++) {
        for (let y = x + 1; y < b.length; y++) {
          const key = b[x]! * n + b[y]!;
          let row = triples.get(key);
          if (!row) {
            row = new Map();
            triples.set(key, row);
          }
          for (let z = 0; z < b.length; z++) {
            if (z === x || z === y) continue;
            row.set(b[z]!, (row.get(b[z]!) ?? 0) + 1);
          }
        }
      }
    }
  }
  // Consequents per antecedent, only rules meeting min support.
  const byAntecedent1 = new Map<number, [number, number][]>();
  for (const [key, count] of pairs) {
    if (count < minSupport) continue;
    const a = Math.floor(key / n);
    const list = byAntecedent1.get(a) ?? [];
    list.push([key % n, count]);
    byAntecedent1.set(a, list);
  }
  const pairCount = (a: number, b: number) => pairs.get(a * n + b) ?? 0;
  const popular = popularityRecommender(train);
  return (cart, k) => {
    const items = [...new Set(cart.map((c) => index.get(c)).filter((i): i is number => i !== undefined))].sort(
      (x, y) => x - y,
    );
    const inCart = new Set(items);
    const best = new Map<number, { confidence: number; support: number }>();
    const offer = (y: number, confidence: number, support: number) => {
      if (inCart.has(y)) return;
      const prev = best.get(y);
      if (!prev || confidence > prev.confidence || (confidence === prev.confidence && support > prev.support)) {
        best.set(y, { confidence, support });
      }
    };
    for (const a of items) for (const [y, count] of byAntecedent1.get(a) ?? []) offer(y, count / single[a]!, count);
    if (maxAntecedent === 2) {
      for (let x = 0; x < items.length; x++) {
        for (let y = x + 1; y < items.length; y++) {
          const a = items[x]!;
          const b = items[y]!;
          const both = pairCount(a, b);
          if (both === 0) continue;
          for (const [z, count] of triples.get(a * n + b) ?? []) if (count >= minSupport) offer(z, count / both, count);
        }
      }
    }
    const ranked = [...best.entries()]
      .sort((p, q) => q[1].confidence - p[1].confidence || q[1].support - p[1].support || p[0] - q[0])
      .slice(0, k)
      .map(([y]) => ids[y]!);
    if (ranked.length < k) {
      for (const item of popular([...cart, ...ranked], k - ranked.length)) ranked.push(item);
    }
    return ranked;
  };
}

/** Tunes minSupport (relative to the basket count) and the antecedent size on validation. */
export function trainRules(train: readonly Basket[], options: { k?: number; seed?: number } = {}): RuleModel {
  const k = options.k ?? 3;
  const split = splitBaskets(train, { seed: ((options.seed ?? 42) ^ 0x5bd1e995) >>> 0, testFraction: 0.2 });
  const tried: RuleModel["tried"] = [];
  let best = { minSupport: 2, maxAntecedent: 1 as 1 | 2, hitRate: -1 };
  for (const maxAntecedent of [1, 2] as const) {
    for (const share of [0.0002, 0.001, 0.003, 0.01]) {
      const minSupport = Math.max(2, Math.round(share * split.train.length));
      if (tried.some((t) => t.minSupport === minSupport && t.maxAntecedent === maxAntecedent)) continue;
      const hitRate = leaveOneOut(split.test, mineAndServe(split.train, minSupport, maxAntecedent), k).hitRate;
      tried.push({ minSupport, maxAntecedent, hitRate });
      if (hitRate > best.hitRate) best = { minSupport, maxAntecedent, hitRate };
    }
  }
  // Same relative support on the full training data.
  const scale = train.length / Math.max(1, split.train.length);
  const minSupport = Math.max(2, Math.round(best.minSupport * scale));
  return {
    minSupport,
    maxAntecedent: best.maxAntecedent,
    recommend: mineAndServe(train, minSupport, best.maxAntecedent),
    tried,
  };
}
