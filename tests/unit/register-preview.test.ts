/**
 * The register preview's building blocks: the demo cart that stands in for POS's cart, the
 * session tokens the demo server signs (checked with the Shopify library's own verifier), and
 * the translator behind the preview's shopify.i18n.translate.
 */
import "@shopify/shopify-api/adapters/node";
import { ApiVersion, LogSeverity, shopifyApi } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { CartError, createDemoCart } from "../../app/preview/demo-cart";
import { createTranslator } from "../../app/preview/translate";
import type { CatalogVariant } from "../../app/preview/types";
import { SESSION_TOKEN_TTL_SECONDS, signSessionToken } from "../../app/services/demo-session-token.server";

function variant(overrides: Partial<CatalogVariant> & Pick<CatalogVariant, "variantId">): CatalogVariant {
  return {
    productId: overrides.variantId + 1000,
    title: `Item ${overrides.variantId}`,
    variantTitle: null,
    sku: `SKU-${overrides.variantId}`,
    vendor: null,
    priceMinor: 100,
    currency: "USD",
    available: 10,
    ...overrides,
  };
}

function cartWith(catalog: CatalogVariant[], currency = "USD") {
  let next = 0;
  const lookups: number[] = [];
  const cart = createDemoCart({
    currency,
    newUuid: () => `line-${++next}`,
    lookupVariant: async (id) => {
      lookups.push(id);
      return catalog.find((entry) => entry.variantId === id) ?? null;
    },
  });
  return { cart, lookups };
}

describe("demo cart", () => {
  it("adds a product as a POS line item and totals it in the shop's currency", async () => {
    const { cart } = cartWith([variant({ variantId: 1, title: "Whole Milk", priceMinor: 129 })]);

    const uuid = await cart.addLineItem(1, 3);

    expect(uuid).toBe("line-1");
    const current = cart.current.value;
    expect(current.lineItems).toEqual([
      expect.objectContaining({
        uuid: "line-1",
        variantId: 1,
        productId: 1001,
        title: "Whole Milk",
        quantity: 3,
        price: 1.29,
      }),
    ]);
    expect(current.subtotal).toBe("3.87");
    expect(current.grandTotal).toBe("3.87");
  });

  it("raises the quantity when the same variant is added again, as the register does", async () => {
    const { cart, lookups } = cartWith([variant({ variantId: 7 })]);

    const first = await cart.addLineItem(7, 1);
    const second = await cart.addLineItem(7, 2);

    expect(second).toBe(first);
    expect(cart.current.value.lineItems).toHaveLength(1);
    expect(cart.current.value.lineItems[0]!.quantity).toBe(3);
    // The variant is fetched once and then remembered.
    expect(lookups).toEqual([7]);
  });

  it("adds sums in minor units, so ten lines of 0.10 make exactly 1.00", async () => {
    const { cart } = cartWith(Array.from({ length: 10 }, (_, i) => variant({ variantId: i + 1, priceMinor: 10 })));
    for (let id = 1; id <= 10; id++) await cart.addLineItem(id, 1);
    expect(cart.current.value.subtotal).toBe("1.00");
  });

  it("refuses unknown variants and impossible quantities without touching the cart", async () => {
    const { cart } = cartWith([variant({ variantId: 1 })]);

    await expect(cart.addLineItem(999, 1)).rejects.toThrow(CartError);
    await expect(cart.addLineItem(1, 0)).rejects.toThrow(/Quantity/);
    await expect(cart.addLineItem(1, 1.5)).rejects.toThrow(/Quantity/);
    await expect(cart.removeLineItem("nope")).rejects.toThrow(/No line item/);
    expect(cart.current.value.lineItems).toEqual([]);
  });

  it("removes a line and tells every subscriber", async () => {
    const { cart } = cartWith([variant({ variantId: 1 }), variant({ variantId: 2 })]);
    const seen: number[] = [];
    const unsubscribe = cart.current.subscribe((value) => seen.push(value.lineItems.length));
    const milk = await cart.addLineItem(1, 1);
    await cart.addLineItem(2, 1);

    await cart.removeLineItem(milk);

    unsubscribe();
    expect(cart.current.value.lineItems.map((line) => line.variantId)).toEqual([2]);
    expect(seen).toEqual([0, 1, 2, 1]);
  });

  it("applies a percentage or fixed cart discount and removes it again", async () => {
    const { cart } = cartWith([variant({ variantId: 1, priceMinor: 999 })]);
    await cart.addLineItem(1, 2);

    await cart.applyCartDiscount("Percentage", "Staff 10%", "10");
    expect(cart.current.value.subtotal).toBe("17.98");
    expect(cart.current.value.cartDiscount).toEqual({
      amount: 2,
      currency: "USD",
      discountDescription: "Staff 10%",
      type: "Percentage",
    });

    await cart.applyCartDiscount("FixedAmount", "Too generous", "50.00");
    expect(cart.current.value.subtotal).toBe("0.00");

    await cart.removeAllDiscounts(true);
    expect(cart.current.value.subtotal).toBe("19.98");
    expect(cart.current.value.cartDiscounts).toEqual([]);

    await expect(cart.applyCartDiscount("Percentage", "Bad", "120")).rejects.toThrow(/100/);
    await expect(cart.applyCartDiscount("FixedAmount", "Bad", "-1")).rejects.toThrow(/Invalid/);
  });

  it("sets and removes the cart's customer", async () => {
    const { cart } = cartWith([]);
    await cart.setCustomer({ id: 42 });
    expect(cart.current.value.customer).toEqual({ id: 42 });
    await cart.removeCustomer();
    expect(cart.current.value.customer).toBeUndefined();
    await expect(cart.setCustomer({ id: -1 })).rejects.toThrow(/numeric ID/);
  });

  it("prices zero-decimal currencies without cents", async () => {
    const { cart } = cartWith([variant({ variantId: 1, priceMinor: 480, currency: "JPY" })], "JPY");
    await cart.addLineItem(1, 2);
    expect(cart.current.value.lineItems[0]!.price).toBe(480);
    expect(cart.current.value.subtotal).toBe("960");
  });
});

describe("demo session token", () => {
  const apiKey = "demo-register-copilot-api-key";
  const apiSecret = "demo-register-copilot-secret-not-real";
  const shopify = shopifyApi({
    apiKey,
    apiSecretKey: apiSecret,
    hostName: "127.0.0.1:3000",
    hostScheme: "http",
    isEmbeddedApp: true,
    apiVersion: ApiVersion.July26,
    logger: { level: LogSeverity.Error, log: async () => undefined },
  });

  it("is accepted by the Shopify library, with the claims POS puts in a token", async () => {
    const now = new Date();
    const token = signSessionToken({
      shopDomain: "demo-register.myshopify.com",
      apiKey,
      apiSecret,
      userId: 110_000_000_001,
      sessionId: "preview-session-1",
      now,
    });

    const payload = await shopify.session.decodeSessionToken(token);

    const issuedAt = Math.floor(now.getTime() / 1000);
    expect(payload).toEqual({
      iss: "https://demo-register.myshopify.com/admin",
      dest: "https://demo-register.myshopify.com",
      aud: apiKey,
      sub: "110000000001",
      exp: issuedAt + SESSION_TOKEN_TTL_SECONDS,
      nbf: issuedAt,
      iat: issuedAt,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sid: "preview-session-1",
    });
  });

  it("is refused when signed with another secret or expired", async () => {
    const base = { shopDomain: "demo-register.myshopify.com", apiKey, userId: 1, sessionId: "preview-session-1" };
    const forged = signSessionToken({ ...base, apiSecret: "some-other-secret" });
    const stale = signSessionToken({ ...base, apiSecret, now: new Date(Date.now() - 5 * 60_000) });

    await expect(shopify.session.decodeSessionToken(forged)).rejects.toThrow();
    await expect(shopify.session.decodeSessionToken(stale)).rejects.toThrow();
  });

  it("gets a fresh jti every time, as Shopify's tokens do", () => {
    const input = { shopDomain: "demo-register.myshopify.com", apiKey, apiSecret, userId: 1, sessionId: "s-12345678" };
    const jti = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).jti;
    expect(jti(signSessionToken(input))).not.toBe(jti(signSessionToken(input)));
  });
});

describe("preview translator", () => {
  const translate = createTranslator(
    { tile: { ready: "Ready", items: { one: "{{count}} item", other: "{{count}} items" }, hello: "Hi {{name}}" } },
    "en-US",
  );

  it("looks up dotted keys, interpolates and pluralizes by count", () => {
    expect(translate("tile.ready")).toBe("Ready");
    expect(translate("tile.hello", { name: "Sam" })).toBe("Hi Sam");
    expect(translate("tile.items", { count: 1 })).toBe("1 item");
    expect(translate("tile.items", { count: 3 })).toBe("3 items");
  });

  it("shows the key of a missing translation instead of failing", () => {
    expect(translate("tile.nothing")).toBe("tile.nothing");
  });
});
