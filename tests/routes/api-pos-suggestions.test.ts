import { API_KEY, API_SECRET_KEY, getJwt } from "@shopify/shopify-api/test-helpers";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { action as eventsAction } from "../../app/routes/api.pos.events";
import { action as suggestionsAction } from "../../app/routes/api.pos.suggestions";
import { upsertOrder } from "../../app/services/store.server";
import { attributeOrderToSuggestions, trainShopModel } from "../../app/services/suggestions.server";
import { SuggestionsResponseSchema } from "../../shared/pos-contract.schema";
import type { SuggestionsResponse } from "../../shared/pos-contract";
import { createInventoryLevel, createProduct, createShop } from "../factories";

const db = getDb();
const SHOP = "upsell-shop.myshopify.com";
const STORE = "9001";
const args = (request: Request) => ({ request, params: {}, context: {} });

let shopId: string;
const ids: Record<string, { product: string; variant: string }> = {};

async function token(shop = SHOP) {
  return (await getJwt(shop.replace(".myshopify.com", ""), API_KEY, API_SECRET_KEY)).token;
}

async function post(path: string, body: unknown, options: { token?: string | null; raw?: string } = {}) {
  const headers = new Headers({ "Content-Type": "application/json" });
  const bearer = options.token === undefined ? await token() : options.token;
  if (bearer) headers.set("Authorization", `Bearer ${bearer}`);
  const request = new Request(`https://my-test-app.myshopify.io${path}`, {
    method: "POST",
    headers,
    body: options.raw ?? JSON.stringify(body),
  });
  return path.endsWith("events") ? eventsAction(args(request)) : suggestionsAction(args(request));
}

function cartOf(...names: string[]) {
  return { lineItems: names.map((name) => ({ variantId: Number(ids[name]!.variant), quantity: 1 })) };
}

let orderSeq = 0;
async function sell(names: string[], processedAt: Date, location = STORE) {
  const n = ++orderSeq;
  await upsertOrder(db, shopId, {
    externalId: String(700_000 + n),
    name: `#${n}`,
    currency: "USD",
    subtotalMinor: 0,
    totalMinor: 0,
    discountMinor: 0,
    financialStatus: "paid",
    sourceName: "pos",
    locationExternalId: location,
    customerExternalId: null,
    staffMemberId: null,
    processedAt,
    cancelledAt: null,
    sourceUpdatedAt: processedAt,
    lineItems: names.map((name, index) => ({
      externalId: `${n}${index}`,
      productExternalId: ids[name]!.product,
      variantExternalId: ids[name]!.variant,
      title: name,
      sku: null,
      quantity: 1,
      priceMinor: 250,
      discountMinor: 0,
    })),
    refunds: [],
    customer: null,
    discountTitles: [],
  });
  return String(700_000 + n);
}

beforeAll(async () => {
  shopId = (await createShop(db, { domain: SHOP, currency: "USD" })).id;
  const stock: Record<string, number> = { pasta: 20, sauce: 12, parmesan: 0, bread: 30, wine: 8, milk: 50 };
  for (const [name, available] of Object.entries(stock)) {
    const product = await createProduct(db, shopId, { title: name[0]!.toUpperCase() + name.slice(1), priceMinor: 399 });
    const variant = product.variants[0]!;
    ids[name] = { product: product.externalId, variant: variant.externalId };
    await createInventoryLevel(db, shopId, variant.inventoryItemId!, STORE, available);
  }
  await db.product.update({
    where: { shopId_externalId: { shopId, externalId: ids.wine!.product } },
    data: { tags: '["alcohol"]' },
  });
  // Pasta sells with sauce and parmesan; bread with milk; milk is the best seller.
  const day = new Date("2026-11-01T12:00:00Z").getTime();
  for (let i = 0; i < 200; i++) {
    const basket =
      i % 4 === 0
        ? ["pasta", "sauce", "parmesan"]
        : i % 4 === 1
          ? ["pasta", "sauce", "wine"]
          : i % 4 === 2
            ? ["bread", "milk"]
            : ["milk"];
    await sell(basket, new Date(day + i * 60_000));
  }
  for (let i = 0; i < 20; i++) await sell(["milk"], new Date(day + (200 + i) * 60_000));
  await trainShopModel(db, shopId, new Date("2026-11-02T00:00:00Z"));
});

describe("POST /api/pos/suggestions", () => {
  it("suggests what sells with the cart, in stock here, with a reason a cashier can say", async () => {
    const response = await post("/api/pos/suggestions", {
      cart: cartOf("pasta"),
      locationId: `gid://shopify/Location/${STORE}`,
    });
    expect(response.status).toBe(200);
    const body = SuggestionsResponseSchema.parse(await response.json());
    expect(body.enabled).toBe(true);
    expect(body.modelVersion).toMatch(/^recs-v1@/);
    const titles = body.suggestions.map((s) => s.title);
    expect(titles[0]).toBe("Sauce");
    expect(titles).not.toContain("Pasta"); // already in the cart
    expect(titles).not.toContain("Parmesan"); // out of stock at this location
    expect(new Set(body.suggestions.map((s) => s.productId)).size).toBe(body.suggestions.length);
    expect(body.suggestions[0]).toMatchObject({
      variantId: ids.sauce!.variant,
      price: "3.99",
      currency: "USD",
      inStock: true,
    });
    expect(body.suggestions[0]!.reason).toBe("Bought together in 100% of baskets with Pasta");
    const shown = await db.suggestionEvent.findMany({ where: { requestId: body.requestId } });
    expect(shown.map((event) => [event.kind, event.variantExternalId])).toEqual(
      body.suggestions.map((s) => ["shown", s.variantId]),
    );
  });

  it("does not log as shown what the cashier is not shown (the tile's count)", async () => {
    const response = await post("/api/pos/suggestions", { cart: cartOf("pasta"), locationId: STORE, record: false });
    const body = (await response.json()) as SuggestionsResponse;
    expect(body.suggestions.length).toBeGreaterThan(0);
    expect(await db.suggestionEvent.count({ where: { requestId: body.requestId } })).toBe(0);
  });

  it("honours the merchant's exclusions and switch per location", async () => {
    await db.suggestionSettings.create({ data: { shopId, locationExternalId: "", excludedTags: '["Alcohol"]' } });
    const excluded = (await (
      await post("/api/pos/suggestions", { cart: cartOf("pasta", "sauce"), locationId: STORE })
    ).json()) as SuggestionsResponse;
    expect(excluded.suggestions.map((s) => s.title)).not.toContain("Wine");

    await db.suggestionSettings.create({ data: { shopId, locationExternalId: STORE, enabled: false } });
    const off = (await (
      await post("/api/pos/suggestions", { cart: cartOf("pasta"), locationId: STORE })
    ).json()) as SuggestionsResponse;
    expect(off).toMatchObject({ enabled: false, suggestions: [] });
    await db.suggestionSettings.deleteMany({ where: { shopId } });
  });

  it("answers an empty cart with the location's best sellers, and ignores unknown products", async () => {
    const response = await post("/api/pos/suggestions", {
      cart: { lineItems: [{ variantId: "gid://shopify/ProductVariant/123456789", quantity: 1 }] },
      locationId: STORE,
      limit: 2,
    });
    const body = (await response.json()) as SuggestionsResponse;
    expect(body.suggestions).toHaveLength(2);
    expect(body.suggestions[0]!.title).toBe("Milk");
    expect(body.suggestions[0]!.reason).toMatch(/seller/);
  });

  it("names the field of a malformed body, and refuses oversized ones", async () => {
    const tooMany = { cart: { lineItems: Array.from({ length: 251 }, () => ({ variantId: 1, quantity: 1 })) } };
    const cases: Array<[unknown, RegExp]> = [
      [{ cart: { lineItems: [{ variantId: 1, quantity: 0 }] } }, /^cart\.lineItems\.0\.quantity:/],
      [{ cart: { lineItems: [{ variantId: "x".repeat(101), quantity: 1 }] } }, /^cart\.lineItems\.0\.variantId:/],
      [{ cart: { lineItems: [] }, limit: 9 }, /^limit:/],
      [tooMany, /^cart\.lineItems: at most 250 line items/],
      [{ cart: {} }, /^cart\.lineItems:/],
    ];
    for (const [body, message] of cases) {
      const response = await post("/api/pos/suggestions", body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    const notJson = await post("/api/pos/suggestions", null, { raw: "{cart" });
    expect(notJson.status).toBe(400);
    const huge = await post("/api/pos/suggestions", null, { raw: JSON.stringify({ pad: "x".repeat(70_000) }) });
    expect(huge.status).toBe(413);
  });

  it("requires a valid session token", async () => {
    await expect(post("/api/pos/suggestions", { cart: cartOf("pasta") }, { token: null })).rejects.toMatchObject({
      status: 401,
    });
    const forged = (await getJwt("upsell-shop", API_KEY, "not-the-secret")).token;
    await expect(post("/api/pos/suggestions", { cart: cartOf("pasta") }, { token: forged })).rejects.toMatchObject({
      status: 401,
    });
  });
});

describe("POST /api/pos/events and attribution", () => {
  it("records added once per suggestion shown, refuses what was never shown, and credits the sale", async () => {
    const shownAt = new Date();
    const shown = (await (
      await post("/api/pos/suggestions", { cart: cartOf("bread"), locationId: STORE })
    ).json()) as SuggestionsResponse;
    const milk = shown.suggestions.find((s) => s.title === "Milk")!;
    expect(milk).toBeDefined();

    const added = await post("/api/pos/events", {
      requestId: shown.requestId,
      variantId: milk.variantId,
      kind: "added",
    });
    expect(await added.json()).toEqual({ recorded: true, created: true });
    const again = await post("/api/pos/events", {
      requestId: shown.requestId,
      variantId: milk.variantId,
      kind: "added",
    });
    expect(await again.json()).toEqual({ recorded: true, created: false });
    expect(await db.suggestionEvent.count({ where: { requestId: shown.requestId, kind: "added" } })).toBe(1);

    const never = await post("/api/pos/events", {
      requestId: shown.requestId,
      variantId: ids.wine!.variant,
      kind: "added",
    });
    expect(never.status).toBe(404);
    const bad = await post("/api/pos/events", { requestId: "nope", variantId: 1, kind: "added" });
    expect(bad.status).toBe(400);

    // The milk sells 10 minutes later at the same location: its revenue is credited once.
    const orderId = await sell(["milk"], new Date(shownAt.getTime() + 10 * 60_000));
    expect(await attributeOrderToSuggestions(db, shopId, orderId)).toBe(1);
    expect(await attributeOrderToSuggestions(db, shopId, orderId)).toBe(1);
    const credited = await db.suggestionAttribution.findMany({ where: { shopId } });
    expect(credited).toHaveLength(1);
    expect(credited[0]).toMatchObject({ revenueMinor: 250, currency: "USD" });

    // Outside the 30-minute window, or at another location, nothing is credited.
    const late = await sell(["milk"], new Date(shownAt.getTime() + 45 * 60_000));
    const elsewhere = await sell(["milk"], new Date(shownAt.getTime() + 5 * 60_000), "9002");
    expect(await attributeOrderToSuggestions(db, shopId, late)).toBe(0);
    expect(await attributeOrderToSuggestions(db, shopId, elsewhere)).toBe(0);
  });
});
