import { describe, expect, it } from "vitest";
import {
  countDistinctItems,
  detectFormat,
  leaveOneOut,
  parseCsvRecords,
  parseLinesFormat,
  parseLongFormat,
  parseTimestamp,
  percentile,
  popularityRecommender,
  RecsInputError,
  seededRandom,
  shuffled,
  splitBaskets,
} from "../../shared/recommendations/evaluation";
import type { Basket } from "../../shared/recommendations/types";

const basket = (items: string[], time?: number): Basket => (time === undefined ? { items } : { items, time });

describe("CSV records", () => {
  it("reads quoted fields holding commas, doubled quotes and line breaks, with CRLF or LF", () => {
    const text = '\ufeffa,"b, with comma","say ""hi"""\r\n"multi\nline",c\n\nlast';
    expect(parseCsvRecords(text)).toEqual([
      { line: 1, fields: ["a", "b, with comma", 'say "hi"'] },
      { line: 2, fields: ["multi\nline", "c"] },
      { line: 5, fields: ["last"] },
    ]);
  });

  it("names the line of an unterminated quote", () => {
    expect(() => parseCsvRecords('a,b\n"open,c\nd')).toThrow(/unterminated quoted field starting on line 2/);
  });
});

describe("lines format", () => {
  it("trims names, drops empty fields and duplicate items, skips blank lines", () => {
    const baskets = parseLinesFormat("milk ,bread\n\n eggs,eggs, ,milk\n");
    expect(baskets).toEqual([{ items: ["milk", "bread"] }, { items: ["eggs", "milk"] }]);
  });
});

describe("long format", () => {
  it("groups rows by transaction, in order of first appearance, whatever the column order", () => {
    const csv = 'Item,Transaction_ID\n"Pasta, 500g",T2\nsauce,T1\n"Pasta, 500g",T2\nbasil,T2\n';
    expect(parseLongFormat(csv)).toEqual([{ items: ["Pasta, 500g", "basil"] }, { items: ["sauce"] }]);
  });

  it("takes a transaction's time from its earliest row, in ISO 8601 or YYYY-MM-DD HH:MM:SS", () => {
    const csv = [
      "transaction_id,item,timestamp,location",
      "A,milk,2026-03-01 10:00:05,Main",
      "A,bread,2026-03-01T09:59:00Z,Main",
      "B,eggs,2026-03-01T10:00:00+02:00,",
    ].join("\n");
    const [a, b] = parseLongFormat(csv);
    expect(a).toEqual({ items: ["milk", "bread"], time: Date.UTC(2026, 2, 1, 9, 59, 0), location: "Main" });
    expect(b).toEqual({ items: ["eggs"], time: Date.UTC(2026, 2, 1, 8, 0, 0) });
  });

  it("refuses a header without transaction_id or item, naming what is missing and what was found", () => {
    expect(() => parseLongFormat("order,product\n1,milk\n")).toThrow(
      new RecsInputError("the long CSV header has no transaction_id and item column (found: order, product)"),
    );
    expect(() => parseLongFormat("transaction_id,sku\n1,milk\n")).toThrow(/has no item column/);
    expect(() => parseLongFormat("")).toThrow(/empty/);
  });

  it("refuses an unreadable timestamp with its line, and a transaction without any timestamp", () => {
    expect(() => parseLongFormat("transaction_id,item,timestamp\n1,milk,2026-01-01\n2,eggs,yesterday\n")).toThrow(
      /line 3: timestamp "yesterday"/,
    );
    expect(() => parseLongFormat("transaction_id,item,timestamp\n1,milk,2026-01-01\n2,eggs,\n")).toThrow(
      /transaction 2 has no timestamp/,
    );
  });

  it("is detected from the header when --format is not given", () => {
    expect(detectFormat('"transaction_id",item,timestamp\n1,a,2026-01-01\n')).toBe("long");
    expect(detectFormat("citrus fruit,margarine\n")).toBe("lines");
  });
});

describe("timestamps", () => {
  it("parses ISO 8601 with zones and fractions and the SQL-style form as UTC", () => {
    expect(parseTimestamp("2026-11-25T15:30:00Z")).toBe(Date.UTC(2026, 10, 25, 15, 30));
    expect(parseTimestamp("2026-11-25T15:30:00.250-05:00")).toBe(Date.UTC(2026, 10, 25, 20, 30, 0, 250));
    expect(parseTimestamp("2026-11-25 15:30:00")).toBe(Date.UTC(2026, 10, 25, 15, 30));
    expect(parseTimestamp("2026-11-25")).toBe(Date.UTC(2026, 10, 25));
  });

  it("rejects dates that do not exist and free text", () => {
    for (const bad of ["2026-02-30 10:00:00", "2026-13-01", "25/11/2026", "now", ""])
      expect(parseTimestamp(bad)).toBeNull();
  });
});

describe("seeded split", () => {
  const baskets = Array.from({ length: 101 }, (_, i) => basket([`item${i}`]));

  it("gives the same sequence for the same seed and another for another seed", () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    const c = seededRandom(43);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("holds out 20% by a seeded shuffle: deterministic, a partition, different across seeds", () => {
    const one = splitBaskets(baskets, { seed: 7 });
    const again = splitBaskets(baskets, { seed: 7 });
    expect(one.by).toBe("shuffle");
    expect(one.train).toHaveLength(80);
    expect(one.test).toHaveLength(21);
    expect(again.test).toEqual(one.test);
    const all = [...one.train, ...one.test].map((b) => b.items[0]).sort();
    expect(all).toEqual(baskets.map((b) => b.items[0]).sort());
    expect(splitBaskets(baskets, { seed: 8 }).test).not.toEqual(one.test);
    // A shuffle, not the input order.
    expect(one.test).not.toEqual(baskets.slice(80));
    expect(shuffled([1, 2, 3], seededRandom(1))).toHaveLength(3);
  });

  it("holds out the latest 20% when every basket has a time (ties keep input order)", () => {
    const timed = [
      basket(["e"], 500),
      basket(["a"], 100),
      basket(["d"], 400),
      basket(["b"], 200),
      basket(["c1"], 300),
      basket(["c2"], 300),
      basket(["f"], 600),
      basket(["g"], 700),
      basket(["h"], 800),
      basket(["i"], 900),
    ];
    const split = splitBaskets(timed, { seed: 1 });
    expect(split.by).toBe("time");
    expect(split.train.map((b) => b.items[0])).toEqual(["a", "b", "c1", "c2", "d", "e", "f", "g"]);
    expect(split.test.map((b) => b.items[0])).toEqual(["h", "i"]);
    // Same split whatever the seed: time decides.
    expect(splitBaskets(timed, { seed: 99 }).test).toEqual(split.test);
    // One basket without a time: falls back to the shuffle.
    expect(splitBaskets([...timed, basket(["x"])], { seed: 1 }).by).toBe("shuffle");
  });
});

describe("leave-one-out", () => {
  // Popularity on train: a (3 baskets), b (2), c (1); d is never seen.
  const train = [basket(["a", "b"]), basket(["a", "c"]), basket(["a"]), basket(["b"])];
  const test = [basket(["a", "b"]), basket(["b", "c", "d"]), basket(["d"]), basket(["e", "e"])];
  const popular = popularityRecommender(train);

  it("asks once per item of each basket with >= 2 distinct items, hiding that item", () => {
    const asked: string[][] = [];
    const result = leaveOneOut(test, (cart) => (asked.push([...cart]), []), 3);
    expect(result.queries).toBe(5);
    expect(asked).toEqual([["b"], ["a"], ["c", "d"], ["b", "d"], ["b", "c"]]);
  });

  it("counts hits by hand: k = 1 → 2 of 5, k = 2 → 4 of 5", () => {
    // k=1: [a,b]: a|b ✓, b|a ✓; [b,c,d]: every cart gets "a" ✗ ✗ ✗.
    expect(leaveOneOut(test, popular, 1)).toMatchObject({ queries: 5, hits: 2, hitRate: 0.4 });
    // k=2: b|c,d gets a,b ✓; c|b,d gets a,c ✓; d|b,c gets a only (d unknown) ✗.
    expect(leaveOneOut(test, popular, 2)).toMatchObject({ queries: 5, hits: 4, hitRate: 0.8 });
  });

  it("counts only the first k suggestions and times each query when given a clock", () => {
    let clock = 0;
    const tooMany = () => ["x", "y", "b"];
    const result = leaveOneOut([basket(["a", "b"])], tooMany, 2, () => (clock += 0.5));
    expect(result.hits).toBe(0);
    expect(result.latenciesMicros).toEqual([500, 500]);
  });

  it("popularity never suggests what is in the cart", () => {
    expect(popular(["a"], 2)).toEqual(["b", "c"]);
    expect(popular(["a", "b", "c"], 2)).toEqual([]);
  });
});

describe("helpers", () => {
  it("percentile is nearest-rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 99)).toBe(0);
    expect(countDistinctItems([basket(["a", "b"]), basket(["b", "c"])])).toBe(3);
  });
});
