import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { signedInAdminRequest } from "../support/admin";
import { action, loader } from "../../app/routes/app.suggestions";

const db = getDb();
const SHOP = "admin-suggestions.myshopify.com";
const args = (request: Request) => ({ request, params: {}, context: {} });
let shopId: string;

const signedIn = (path: string, init: RequestInit = {}) => signedInAdminRequest(SHOP, path, init);

const form = (fields: Record<string, string>) => ({ method: "POST", body: new URLSearchParams(fields) });
const valid = {
  locationExternalId: "",
  enabled: "on",
  maxSuggestions: "2",
  excludedTags: "alcohol, Gift Card",
  excludedProductIds: "123, 456",
};

beforeAll(async () => {
  shopId = (
    await db.shop.create({
      data: { domain: SHOP, currency: "USD", locations: { create: { externalId: "77", name: "Pier" } } },
    })
  ).id;
});

describe("admin suggestions settings and report", () => {
  it("saves the shop default and a location override, and reads them back", async () => {
    expect(await action(args(await signedIn("/app/suggestions", form(valid))))).toEqual({ saved: true });
    const saved = await db.suggestionSettings.findUniqueOrThrow({
      where: { shopId_locationExternalId: { shopId, locationExternalId: "" } },
    });
    expect(saved).toMatchObject({ enabled: true, maxSuggestions: 2 });
    expect(JSON.parse(saved.excludedTags)).toEqual(["alcohol", "Gift Card"]);
    expect(JSON.parse(saved.excludedProductIds)).toEqual(["123", "456"]);

    await action(
      args(await signedIn("/app/suggestions", form({ ...valid, locationExternalId: "77", enabled: "off" }))),
    );
    const atPier = await loader(args(await signedIn("/app/suggestions?location=77")));
    expect(atPier.settings.enabled).toBe(false);
    const byDefault = await loader(args(await signedIn("/app/suggestions")));
    expect(byDefault.settings).toMatchObject({ enabled: true, maxSuggestions: 2 });
  });

  it("refuses a bad form with the field named, and writes nothing", async () => {
    const before = await db.suggestionSettings.count();
    const cases: Array<[Record<string, string>, string]> = [
      [{ ...valid, maxSuggestions: "9" }, "maxSuggestions"],
      [{ ...valid, excludedProductIds: "abc" }, "excludedProductIds"],
      [{ ...valid, locationExternalId: "999" }, "locationExternalId"],
      [{ ...valid, enabled: "maybe" }, "enabled"],
    ];
    for (const [fields, field] of cases) {
      const response = (await action(args(await signedIn("/app/suggestions", form(fields))))) as Response;
      expect(response.status).toBe(400);
      const body = (await response.json()) as { fieldErrors: Record<string, string> };
      expect(Object.keys(body.fieldErrors)).toContain(field);
    }
    expect(await db.suggestionSettings.count()).toBe(before);
  });

  it("reports shown → added by day and the attributed revenue from the database", async () => {
    const day = new Date();
    const base = {
      shopId,
      productExternalId: "1",
      locationExternalId: "77",
      priceMinor: 250,
      currency: "USD",
      modelVersion: "v",
      createdAt: day,
    };
    await db.suggestionEvent.createMany({
      data: [
        { ...base, requestId: "r1", variantExternalId: "10", kind: "shown" },
        { ...base, requestId: "r1", variantExternalId: "11", kind: "shown" },
        { ...base, requestId: "r2", variantExternalId: "10", kind: "shown" },
        { ...base, requestId: "r2", variantExternalId: "12", kind: "shown" },
        { ...base, requestId: "r1", variantExternalId: "10", kind: "added" },
      ],
    });
    await db.suggestionAttribution.create({
      data: {
        shopId,
        orderId: "o1",
        lineItemExternalId: "l1",
        suggestionEventId: "e1",
        revenueMinor: 499,
        currency: "USD",
        createdAt: day,
      },
    });
    const { report } = await loader(args(await signedIn("/app/suggestions")));
    expect(report.totals).toEqual({ shown: 4, added: 1, addedRate: 0.25, attributedRevenueMinor: 499 });
    expect(report.days).toEqual([
      { day: day.toISOString().slice(0, 10), shown: 4, added: 1, addedRate: 0.25, attributedRevenueMinor: 499 },
    ]);
  });
});
