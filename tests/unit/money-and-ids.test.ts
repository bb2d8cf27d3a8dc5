import { describe, expect, it } from "vitest";
import { externalId, shopifyGid, shopifyId } from "../../shared/ids";
import { formatMinorUnits, formatMoney, MoneyParseError, toMinorUnits } from "../../shared/money";

describe("ids", () => {
  it("normalizes numbers, numeric strings and GIDs to one external id", () => {
    expect(externalId(450789469)).toBe("450789469");
    expect(externalId("450789469")).toBe("450789469");
    expect(externalId("gid://shopify/Order/450789469")).toBe("450789469");
    expect(externalId("gid://shopify/LineItem/1?inline=true")).toBe("1");
    expect(shopifyGid("Order", "450789469")).toBe("gid://shopify/Order/450789469");
  });

  it("keeps other platforms' ids as they come", () => {
    expect(externalId("L8GXZ4FNK6V1Y")).toBe("L8GXZ4FNK6V1Y"); // Square location
    expect(externalId(" CAISENgvlJ6jLWAzERDzjyHVybY ")).toBe("CAISENgvlJ6jLWAzERDzjyHVybY"); // Square order
    expect(externalId("6b6c8f8e-0d24-4b8f-9d3a-2f1c5e7a9b10")).toBe("6b6c8f8e-0d24-4b8f-9d3a-2f1c5e7a9b10"); // Lightspeed
    // The Shopify reading stays strict: a Shopify payload with such an id is malformed.
    expect(shopifyId("L8GXZ4FNK6V1Y")).toBeNull();
  });

  it("rejects what is not an id", () => {
    const bad = [-1, 1.5, "gid://other/Order/1", "", "not an id", "../x", "a/b", "<b>", "-x", "a".repeat(101)];
    for (const value of [...bad, null, undefined, {}, Number.MAX_SAFE_INTEGER + 2]) {
      expect(externalId(value)).toBeNull();
    }
    expect(shopifyId("abc")).toBeNull();
  });
});

describe("money", () => {
  it("parses decimal strings textually into minor units for the currency", () => {
    expect(toMinorUnits("12.3", "USD")).toBe(1230);
    expect(toMinorUnits("0.10", "USD")).toBe(10);
    expect(toMinorUnits("1200", "JPY")).toBe(1200);
    expect(toMinorUnits("1.234", "KWD")).toBe(1234);
    expect(toMinorUnits("-4.50", "EUR")).toBe(-450);
    // 1.005 in binary floating point is 1.00499…; text parsing rounds it the way a person would.
    expect(toMinorUnits("1.005", "USD")).toBe(101);
    expect(toMinorUnits(19.99, "USD")).toBe(1999);
  });

  it("names the value it cannot parse", () => {
    expect(() => toMinorUnits("12,30", "USD")).toThrow(MoneyParseError);
    expect(() => toMinorUnits("abc", "USD")).toThrow(/not a decimal amount: "abc"/);
  });

  it("formats minor units back for machines and for people", () => {
    expect(formatMinorUnits(1230, "USD")).toBe("12.30");
    expect(formatMinorUnits(-5, "USD")).toBe("-0.05");
    expect(formatMinorUnits(1200, "JPY")).toBe("1200");
    expect(formatMoney({ amountMinor: 123456, currency: "USD" })).toBe("$1,234.56");
  });
});
