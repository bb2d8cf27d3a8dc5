import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  leaveOneOut,
  parseLinesFormat,
  popularityRecommender,
  splitBaskets,
} from "../../shared/recommendations/evaluation";
import {
  deserializeModel,
  MIN_BASKETS_TO_TUNE,
  MODEL_VERSION,
  ModelFormatError,
  modelInfo,
  recommend,
  serializeModel,
  trainModel,
  updateModel,
  type Basket,
  type RecommendationModel,
  type Suggestion,
} from "../../shared/recommendations/index";

const CSV = fs.readFileSync(path.resolve(__dirname, "../../../shared/data/groceries.csv"), "utf8");
const baskets = parseLinesFormat(CSV);
const split = splitBaskets(baskets, { seed: 42 });
// The demo store's convention: even baskets at Main Street, odd ones at Harbour Mall.
const withLocations: Basket[] = baskets.map((b, i) => ({ items: b.items, location: i % 2 === 0 ? "main" : "harbour" }));

let model: RecommendationModel;
beforeAll(() => {
  model = trainModel(split.train, { seed: 42 });
}, 60_000);

// Tests that train a model take a few seconds each (longer when test files share the 2 cores).
const TRAINS = { timeout: 60_000 };

/** Carts from held-out baskets: each basket minus its first item. */
function testCarts(limit: number): string[][] {
  return split.test
    .filter((b) => b.items.length >= 2)
    .slice(0, limit)
    .map((b) => b.items.slice(1));
}

function basketsWith(data: readonly Basket[], ...items: string[]): number {
  return data.filter((b) => items.every((i) => b.items.includes(i))).length;
}

function expectWellFormed(suggestions: Suggestion[], cart: readonly string[], k: number): void {
  expect(suggestions.length).toBeLessThanOrEqual(k);
  const ids = suggestions.map((s) => s.productId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const s of suggestions) {
    expect(cart).not.toContain(s.productId);
    expect(s.confidence).toBeGreaterThanOrEqual(0);
    expect(s.confidence).toBeLessThanOrEqual(1);
    expect(Number.isFinite(s.score)).toBe(true);
  }
}

describe("suggestions learned from groceries", TRAINS, () => {
  it("beat best sellers on a held-out split (HR@3 >= 0.21 and >= 1.15 x popularity)", () => {
    const ours = leaveOneOut(split.test, (cart, k) => recommend(model, { cart, k }).map((s) => s.productId), 3);
    const popular = leaveOneOut(split.test, popularityRecommender(split.train), 3);
    expect(ours.queries).toBe(popular.queries);
    expect(ours.hitRate).toBeGreaterThanOrEqual(0.21);
    expect(ours.hitRate).toBeGreaterThanOrEqual(1.15 * popular.hitRate);
  });

  it("were tuned on a validation split of the training baskets, never the test split", () => {
    const tuning = modelInfo(model).tuning!;
    expect(tuning.fitBaskets + tuning.validationBaskets).toBe(split.train.length);
    expect(tuning.tried.length).toBeGreaterThan(10);
    expect(tuning.tried.length).toBeLessThanOrEqual(40);
    expect(tuning.chosenHitRate).toBe(Math.max(...tuning.tried.map((t) => t.hitRate)));
    expect(modelInfo(model).baskets).toBe(split.train.length);
  });

  it("never suggest an item of the cart or the same product twice", () => {
    for (const cart of testCarts(1500)) {
      const cartWithDuplicates = [...cart, cart[0]!, "not a product"];
      expectWellFormed(recommend(model, { cart: cartWithDuplicates, k: 5 }), cart, 5);
    }
  });

  it("answer any k: nothing for 0 or NaN, the whole catalog but the cart for Infinity", () => {
    expect(recommend(model, { cart: ["pasta"], k: 0 })).toEqual([]);
    expect(recommend(model, { cart: ["pasta"], k: Number.NaN })).toEqual([]);
    const all = recommend(model, { cart: ["pasta"], k: Number.POSITIVE_INFINITY });
    expect(all).toHaveLength(modelInfo(model).items - 1);
    expectWellFormed(all, ["pasta"], all.length);
    expect(recommend(model, { cart: ["pasta"], k: 2.7 })).toHaveLength(2);
  });

  it("only suggest what the caller's filter allows, still filling k when it can", () => {
    const cart = ["whole milk", "pasta"];
    const unfiltered = recommend(model, { cart, k: 3 }).map((s) => s.productId);
    const excluded = new Set(unfiltered);
    const asked: string[] = [];
    const filtered = recommend(model, {
      cart,
      k: 3,
      isEligible: (id) => (asked.push(id), !excluded.has(id)),
    });
    expect(filtered).toHaveLength(3);
    for (const s of filtered) expect(excluded.has(s.productId)).toBe(false);
    expect(asked.every((id) => !cart.includes(id))).toBe(true);
    expect(recommend(model, { cart, k: 3, isEligible: () => false })).toEqual([]);
    // Everything filtered but the store's rarest product: that one, even if unrelated to the cart.
    const counts = new Map<string, number>();
    for (const b of split.train) for (const i of b.items) counts.set(i, (counts.get(i) ?? 0) + 1);
    const rarest = [...counts.entries()].sort((a, b) => a[1] - b[1])[0]![0];
    expect(recommend(model, { cart, k: 3, isEligible: (id) => id === rarest }).map((s) => s.productId)).toEqual([
      rarest,
    ]);
  });

  it("explain 'bought together' with the counts found directly in the data", () => {
    let checked = 0;
    for (const cart of testCarts(300)) {
      for (const s of recommend(model, { cart, k: 3 })) {
        if (s.explanation.kind !== "bought_together") continue;
        const { anchorProductId, basketsTogether, anchorBaskets, pctOfAnchorBaskets } = s.explanation;
        expect(cart).toContain(anchorProductId);
        expect(basketsTogether).toBe(basketsWith(split.train, anchorProductId, s.productId));
        expect(anchorBaskets).toBe(basketsWith(split.train, anchorProductId));
        expect(pctOfAnchorBaskets).toBe(Math.round((100 * basketsTogether) / anchorBaskets));
        expect(basketsTogether).toBeGreaterThanOrEqual(3);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it("explain 'popular' with the store's counts and rank", () => {
    const [top] = recommend(model, { cart: [], k: 1 });
    expect(top!.productId).toBe("whole milk");
    expect(top!.explanation).toEqual({
      kind: "popular",
      scope: "store",
      location: null,
      rank: 1,
      basketsWithItem: basketsWith(split.train, "whole milk"),
      pctOfBaskets: Math.round((100 * basketsWith(split.train, "whole milk")) / split.train.length),
    });
    expect(top!.confidence).toBeCloseTo(basketsWith(split.train, "whole milk") / split.train.length, 10);
  });

  it("give a confidence that matches how often the item is bought with its anchor on unseen baskets", () => {
    // Confidence = smoothed P(item | anchor) from training; check it against held-out baskets.
    const pairs = new Map<string, { confidence: number; anchor: string; item: string }>();
    for (const cart of testCarts(2000)) {
      for (const s of recommend(model, { cart, k: 3 })) {
        if (s.explanation.kind !== "bought_together") continue;
        const key = `${s.explanation.anchorProductId}→${s.productId}`;
        pairs.set(key, { confidence: s.confidence, anchor: s.explanation.anchorProductId, item: s.productId });
      }
    }
    let weightedError = 0;
    let weight = 0;
    // Reliability bins of width 0.1: mean confidence vs observed frequency.
    const bins = new Map<number, { confidence: number; observed: number; weight: number }>();
    for (const { confidence, anchor, item } of pairs.values()) {
      const anchorBaskets = basketsWith(split.test, anchor);
      if (anchorBaskets < 30) continue;
      const observed = basketsWith(split.test, anchor, item) / anchorBaskets;
      weightedError += anchorBaskets * Math.abs(observed - confidence);
      weight += anchorBaskets;
      const bin = bins.get(Math.floor(confidence * 10)) ?? { confidence: 0, observed: 0, weight: 0 };
      bin.confidence += anchorBaskets * confidence;
      bin.observed += anchorBaskets * observed;
      bin.weight += anchorBaskets;
      bins.set(Math.floor(confidence * 10), bin);
    }
    expect(weight).toBeGreaterThan(10_000);
    expect(weightedError / weight).toBeLessThan(0.04);
    for (const bin of bins.values()) {
      if (bin.weight < 1000) continue;
      expect(Math.abs(bin.confidence - bin.observed) / bin.weight).toBeLessThan(0.03);
    }
  });

  it("are deterministic: the same baskets train the same model", () => {
    const again = trainModel(split.train, { seed: 42 });
    expect(again.hyper).toEqual(model.hyper);
    for (const cart of testCarts(200))
      expect(recommend(again, { cart, k: 3 })).toEqual(recommend(model, { cart, k: 3 }));
  });
});

describe("locations", TRAINS, () => {
  it("an empty cart gets the location's best sellers, explained at that location", () => {
    const located = trainModel(withLocations, { tune: false });
    const harbour = withLocations.filter((b) => b.location === "harbour");
    const counts = new Map<string, number>();
    for (const b of harbour) for (const i of b.items) counts.set(i, (counts.get(i) ?? 0) + 1);
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    const [first] = recommend(located, { cart: [], k: 3, location: "harbour" });
    expect(first!.productId).toBe(ranked[0]![0]);
    expect(first!.explanation).toMatchObject({
      kind: "popular",
      scope: "location",
      location: "harbour",
      rank: 1,
      basketsWithItem: ranked[0]![1],
    });
    // An unknown location falls back to the store.
    expect(recommend(located, { cart: [], k: 1, location: "nowhere" })[0]!.explanation).toMatchObject({
      scope: "store",
    });
  });
});

describe("cold start", TRAINS, () => {
  it("no history: no suggestions (nothing is known yet)", () => {
    const empty = trainModel([]);
    expect(recommend(empty, { cart: ["whole milk"], k: 3 })).toEqual([]);
    expect(modelInfo(empty)).toMatchObject({ baskets: 0, items: 0, coldStart: true, tuning: null });
  });

  it.each([1, 5, 20])("%i baskets: best sellers, never the cart, explained as popular", (n) => {
    const few = baskets.slice(0, n);
    const cold = trainModel(few);
    expect(modelInfo(cold).coldStart).toBe(true);
    const counts = new Map<string, number>();
    for (const b of few) for (const i of b.items) counts.set(i, (counts.get(i) ?? 0) + 1);
    const cart = [few[0]!.items[0]!];
    const expected = [...counts.entries()]
      .filter(([id]) => !cart.includes(id))
      .sort((a, b) => b[1] - a[1])
      .map(([id, c]) => ({ id, c }));
    const suggestions = recommend(cold, { cart, k: 3 });
    expect(suggestions).toHaveLength(Math.min(3, expected.length));
    suggestions.forEach((s, r) => {
      // Same count as the r-th best seller (ties may come in any order).
      expect(counts.get(s.productId)).toBe(expected[r]!.c);
      expect(s.explanation.kind).toBe("popular");
    });
    expectWellFormed(suggestions, cart, 3);
  });

  it("a growing store moves from best sellers to bought-together as orders arrive", () => {
    const grown = trainModel(baskets.slice(0, 10));
    const cart = ["whole milk"];
    expect(recommend(grown, { cart, k: 3 }).every((s) => s.explanation.kind === "popular")).toBe(true);
    for (const b of baskets.slice(10, 300)) updateModel(grown, b);
    expect(modelInfo(grown)).toMatchObject({ coldStart: false, baskets: 300 });
    expect(recommend(grown, { cart, k: 3 }).some((s) => s.explanation.kind === "bought_together")).toBe(true);
    // A model trained on those 300 directly serves the same.
    const trained = trainModel(baskets.slice(0, 300));
    expect(300).toBeLessThan(MIN_BASKETS_TO_TUNE);
    expect(recommend(grown, { cart, k: 3 }).map((s) => s.productId)).toEqual(
      recommend(trained, { cart, k: 3 }).map((s) => s.productId),
    );
  });
});

describe("incremental updates", TRAINS, () => {
  it("new orders move counts at once and bring a new partner into the anchor's list", () => {
    const live = trainModel(split.train, { seed: 42 });
    const anchor = "pasta";
    const partner = "baby cosmetics";
    const before = basketsWith(split.train, anchor, partner);
    const anchorBefore = basketsWith(split.train, anchor);
    expect(recommend(live, { cart: [anchor], k: 3 }).map((s) => s.productId)).not.toContain(partner);
    for (let i = 0; i < 150; i++) updateModel(live, { items: [anchor, partner] });
    const suggestions = recommend(live, { cart: [anchor], k: 3 });
    const found = suggestions.find((s) => s.productId === partner);
    expect(found?.explanation).toEqual({
      kind: "bought_together",
      anchorProductId: anchor,
      basketsTogether: before + 150,
      anchorBaskets: anchorBefore + 150,
      pctOfAnchorBaskets: Math.round((100 * (before + 150)) / (anchorBefore + 150)),
    });
    expect(modelInfo(live)).toMatchObject({ updatesSinceTrain: 150, baskets: split.train.length + 150 });
  });

  it("a product never seen before is learned, suggested with its partner and ranked as a best seller", () => {
    const live = trainModel(split.train, { seed: 42 });
    for (let i = 0; i < 400; i++) updateModel(live, { items: ["pasta", "new fresh pesto"], location: "main" });
    for (let i = 0; i < 50; i++) updateModel(live, { items: ["new fresh pesto"], location: "main" });
    const forPasta = recommend(live, { cart: ["pasta"], k: 3 });
    const pesto = forPasta.find((s) => s.productId === "new fresh pesto");
    expect(pesto?.explanation).toMatchObject({
      kind: "bought_together",
      basketsTogether: 400,
      anchorBaskets: 400 + basketsWith(split.train, "pasta"),
    });
    // Store-wide it ranks where its 450 baskets put it.
    const storeCounts = [...new Set(split.train.flatMap((b) => b.items))].map(
      (id) => basketsWith(split.train, id) + (id === "pasta" ? 400 : 0),
    );
    const ahead = storeCounts.filter((c) => c > 450).length;
    const bestSellers = recommend(live, { cart: [], k: 200 });
    const asBestSeller = bestSellers.find((s) => s.productId === "new fresh pesto")!;
    expect(asBestSeller.explanation).toMatchObject({
      kind: "popular",
      scope: "store",
      rank: ahead + 1,
      basketsWithItem: 450,
    });
    expect(bestSellers.indexOf(asBestSeller)).toBe(ahead);
    // At the one location where it sold, it is the best seller.
    expect(recommend(live, { cart: [], k: 1, location: "main" })[0]).toMatchObject({
      productId: "new fresh pesto",
      explanation: {
        kind: "popular",
        scope: "location",
        location: "main",
        rank: 1,
        basketsWithItem: 450,
        pctOfBaskets: 100,
      },
    });
  });
});

describe("serialization", TRAINS, () => {
  const sameAnswers = (a: RecommendationModel, b: RecommendationModel) => {
    for (const cart of [[], ...testCarts(500)]) {
      for (const location of [undefined, "main"]) {
        expect(recommend(b, { cart, k: 3, location })).toEqual(recommend(a, { cart, k: 3, location }));
      }
    }
  };

  it("a round trip through JSON gives identical suggestions, and stays compact", () => {
    const json = JSON.stringify(serializeModel(model));
    expect(json.length).toBeLessThan(150_000);
    const restored = deserializeModel(JSON.parse(json) as unknown);
    expect(modelInfo(restored).version).toBe(MODEL_VERSION);
    sameAnswers(model, restored);
  });

  it("so does a model that learned incrementally (pending updates are merged first)", () => {
    const live = trainModel(withLocations.slice(0, 8000), { seed: 1 });
    for (const b of withLocations.slice(8000, 8600)) updateModel(live, b);
    for (let i = 0; i < 30; i++) updateModel(live, { items: ["pasta", "brand new item"], location: "main" });
    const restored = deserializeModel(JSON.parse(JSON.stringify(serializeModel(live))) as unknown);
    sameAnswers(live, restored);
    // And both keep learning the same way.
    for (const b of withLocations.slice(8600, 8800)) {
      updateModel(live, b);
      updateModel(restored, b);
    }
    sameAnswers(live, restored);
  });

  it("refuses another version or a damaged model with a clear error", () => {
    const data = serializeModel(model);
    expect(() => deserializeModel({ ...data, version: "recs-v0" })).toThrow(ModelFormatError);
    expect(() => deserializeModel({ ...data, version: "recs-v0" })).toThrow(/retrain/);
    expect(() => deserializeModel({ ...data, itemBaskets: "AAAA" })).toThrow(/itemBaskets/);
    expect(() => deserializeModel({ ...data, rows: { ...data.rows, counts: "!!" } })).toThrow(ModelFormatError);
    expect(() => deserializeModel("nope")).toThrow(ModelFormatError);
  });
});
