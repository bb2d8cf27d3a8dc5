import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO_SHOP_DOMAIN } from "~/env.server";
import {
  buildDemoStore,
  DEMO_LOCATIONS,
  DEMO_PRICE_RANGE,
  DEMO_STORE,
  demoPriceMinor,
  demoProductTitle,
  DEPARTMENTS,
  ITEMS_BY_DEPARTMENT,
  localMidnight,
  parseBaskets,
} from "@shared/demo-store";

const CSV = fs.readFileSync(path.resolve(__dirname, "../../../shared/data/groceries.csv"), "utf8");
const NOW = new Date("2026-11-25T15:30:00Z");
const store = buildDemoStore(CSV, NOW);

const wallClock = new Intl.DateTimeFormat("en-CA", {
  timeZone: DEMO_STORE.timezone,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});
/** [local date, local time] in the demo shop's timezone. */
const localParts = (date: Date) => wallClock.format(date).split(", ");

describe("demo store from groceries.csv", () => {
  it("has the 169 distinct items, trimmed, each mapped by hand to a department", () => {
    const { items, baskets } = parseBaskets(CSV);
    expect(items).toHaveLength(169);
    expect(baskets).toHaveLength(9_835);
    expect(items.every((item) => item === item.trim())).toBe(true);
    expect(items).toContain("cream cheese"); // "cream cheese " in the file
    expect(Object.values(ITEMS_BY_DEPARTMENT).flat().sort()).toEqual([...items].sort());
    expect(store.products).toHaveLength(169);
    expect(new Set(store.products.map((p) => p.variants[0]!.sku)).size).toBe(169);
    expect(store.products.find((p) => p.csvName === "red/blush wine")).toMatchObject({
      title: "Red/Blush Wine",
      productType: "Beer & Wine",
    });
  });

  it("prices every item deterministically between $0.49 and $14.99, ending in 9, inside its department's band", () => {
    for (const product of store.products) {
      const price = product.variants[0]!.priceMinor;
      const band = DEPARTMENTS[product.productType as keyof typeof DEPARTMENTS];
      expect(price).toBeGreaterThanOrEqual(DEMO_PRICE_RANGE.minMinor);
      expect(price).toBeLessThanOrEqual(DEMO_PRICE_RANGE.maxMinor);
      expect(price).toBeGreaterThanOrEqual(band.minMinor);
      expect(price).toBeLessThanOrEqual(band.maxMinor);
      expect(price % 10).toBe(9);
      expect(price).toBe(demoPriceMinor(product.csvName));
    }
    expect(new Set(store.products.map((p) => p.variants[0]!.priceMinor)).size).toBeGreaterThan(60);
  });

  it("turns the 9,835 baskets into paid POS orders, one line per distinct item at quantity 1", () => {
    const tokens = CSV.trim()
      .split("\n")
      .reduce((sum, line) => sum + new Set(line.split(",").map((item) => item.trim())).size, 0);
    expect(store.orders).toHaveLength(9_835);
    expect(store.orders.reduce((sum, order) => sum + order.lineItems.length, 0)).toBe(tokens);
    const odd = store.orders.filter(
      (order) =>
        order.currency !== "USD" ||
        order.sourceName !== "pos" ||
        order.financialStatus !== "paid" ||
        order.discountMinor !== 0 ||
        order.lineItems.some((line) => line.quantity !== 1) ||
        order.subtotalMinor !== order.lineItems.reduce((sum, line) => sum + line.priceMinor, 0) ||
        order.totalMinor !== order.subtotalMinor,
    );
    expect(odd).toEqual([]);
    expect(new Set(store.orders.map((o) => o.externalId)).size).toBe(9_835);
    expect(new Set(store.orders.flatMap((o) => o.lineItems.map((l) => l.externalId))).size).toBe(tokens);
    expect(store.orders[0]!.name).toBe("#1001");
    expect(store.orders[0]!.lineItems.map((line) => line.title)).toEqual([
      "Citrus Fruit",
      "Semi-finished Bread",
      "Margarine",
      "Ready Soups",
    ]);
  });

  it("spreads orders over the 30 local days before the clock's day, in shop hours, in file order", () => {
    const firstMidnight = localMidnight(NOW, DEMO_STORE.timezone, -30);
    const todayMidnight = localMidnight(NOW, DEMO_STORE.timezone, 0);
    const days = new Set<string>();
    const problems: string[] = [];
    let previous = 0;
    for (const order of store.orders) {
      const at = order.processedAt.getTime();
      const [day, time] = localParts(order.processedAt);
      days.add(day!);
      if (at < firstMidnight.getTime() || at >= todayMidnight.getTime())
        problems.push(`${order.name} outside the window`);
      if (at < previous - 5 * 60_000) problems.push(`${order.name} out of order`); // jitter only swaps neighbours
      if (time! < "07:58" || time! > "21:02") problems.push(`${order.name} at ${time} local`);
      if (order.sourceUpdatedAt.getTime() !== at) problems.push(`${order.name} updatedAt`);
      previous = at;
    }
    expect(problems).toEqual([]);
    expect(days.size).toBe(30);
    expect(localParts(todayMidnight)).toEqual(["2026-11-25", "00:00"]);
  });

  it("alternates locations and gives about 30 % of baskets to one of 50 obviously fake customers", () => {
    expect(store.orders.slice(0, 4).map((o) => o.locationExternalId)).toEqual([
      DEMO_LOCATIONS[0].externalId,
      DEMO_LOCATIONS[1].externalId,
      DEMO_LOCATIONS[0].externalId,
      DEMO_LOCATIONS[1].externalId,
    ]);
    const withCustomer = store.orders.filter((o) => o.customerExternalId);
    expect(withCustomer.length / store.orders.length).toBeGreaterThan(0.27);
    expect(withCustomer.length / store.orders.length).toBeLessThan(0.33);
    expect(store.customers).toHaveLength(50);
    expect(new Set(withCustomer.map((o) => o.customerExternalId)).size).toBe(50);
    for (const customer of store.customers) {
      expect(customer.email).toMatch(/^[a-z]+\.[a-z]+@example\.com$/);
      expect(customer.phone).toMatch(/^\+1-202-555-01\d\d$/);
    }
    expect(new Set(store.customers.map((c) => c.email)).size).toBe(50);
  });

  it("stocks every item at both locations, a few out of stock at exactly one", () => {
    expect(store.inventoryLevels).toHaveLength(169 * 2);
    const out = store.inventoryLevels.filter((level) => level.available === 0);
    const outAt = (location: string) => out.filter((level) => level.locationExternalId === location).length;
    expect(outAt(DEMO_LOCATIONS[1].externalId)).toBe(6);
    expect(outAt(DEMO_LOCATIONS[0].externalId)).toBe(4);
    expect(new Set(out.map((level) => level.inventoryItemId)).size).toBe(10);
    expect(store.inventoryLevels.every((level) => level.available >= 0 && level.available <= 151)).toBe(true);
    const items = new Set(store.products.map((p) => p.variants[0]!.inventoryItemId));
    expect(store.inventoryLevels.every((level) => items.has(level.inventoryItemId))).toBe(true);
  });

  it("is deterministic: the same CSV and clock give the same store; another clock only moves the dates", () => {
    expect(JSON.stringify(buildDemoStore(CSV, NOW))).toBe(JSON.stringify(store));
    const later = buildDemoStore(CSV, new Date(NOW.getTime() + 7 * 86_400_000));
    expect(later.products).toEqual(store.products);
    expect(later.inventoryLevels).toEqual(store.inventoryLevels);
    expect(later.orders.map((o) => o.lineItems)).toEqual(store.orders.map((o) => o.lineItems));
    // Same local time of day a week later (the UTC gap is 7 days ± an hour across a DST change).
    expect(localParts(later.orders[0]!.processedAt)[1]).toBe(localParts(store.orders[0]!.processedAt)[1]);
    expect(localParts(later.orders[0]!.processedAt)[0]).toBe("2026-11-02");
    expect(localParts(store.orders[0]!.processedAt)[0]).toBe("2026-10-26");
  });

  it("is the demo shop the app's demo mode opens", () => {
    expect(DEMO_STORE.domain).toBe(DEMO_SHOP_DOMAIN);
    expect(demoProductTitle("liquor (appetizer)")).toBe("Liquor (Appetizer)");
    expect(demoProductTitle("UHT-milk")).toBe("UHT-milk");
  });
});
