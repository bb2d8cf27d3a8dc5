import { describe, expect, it } from "vitest";
import {
  customerRedactRequest,
  inventoryLevelFromRest,
  orderFromGraphql,
  orderFromRest,
  PayloadError,
  productFromRest,
  refundFromRest,
} from "../../app/platforms/shopify/normalize";
import { restOrderPayload } from "../support/webhooks";

describe("Shopify REST payloads", () => {
  it("maps an order webhook to the neutral model with per-line discounts", () => {
    const order = orderFromRest(restOrderPayload({ id: 450789469, name: "#1001" }));
    expect(order).toMatchObject({
      externalId: "450789469",
      name: "#1001",
      subtotalMinor: 798,
      totalMinor: 862,
      discountMinor: 100,
      locationExternalId: "655441491",
      staffMemberId: "79183544",
      customerExternalId: "207119551",
    });
    expect(order.processedAt.toISOString()).toBe("2026-11-20T15:15:00.000Z");
    expect(order.lineItems[0]).toMatchObject({ quantity: 2, priceMinor: 199, discountMinor: 100 });
  });

  it("accepts an order without a customer or location (a web order, a walk-in sale)", () => {
    const order = orderFromRest(restOrderPayload({ customer: null, location_id: null, user_id: null }));
    expect(order.customer).toBeNull();
    expect(order.locationExternalId).toBeNull();
  });

  it("names the field that does not fit", () => {
    expect(() => orderFromRest(restOrderPayload({ currency: "dollars" }))).toThrow(PayloadError);
    expect(() => orderFromRest(restOrderPayload({ total_price: "ten" }))).toThrow(/total_price: not a decimal amount/);
    expect(() => orderFromRest({ id: "x" })).toThrow(/order: id not a Shopify id/);
  });

  it("sums successful refund transactions, else the refunded lines", () => {
    const base = { id: 1, order_id: 2, created_at: "2026-11-21T10:00:00Z" };
    const lines = [{ line_item_id: 3, quantity: 1, subtotal: "4.00" }];
    expect(refundFromRest({ ...base, refund_line_items: lines, transactions: [] }, "USD").amountMinor).toBe(400);
    const transactions = [
      { amount: "3.50", kind: "refund", status: "success" },
      { amount: "9.99", kind: "refund", status: "failure" },
    ];
    expect(refundFromRest({ ...base, refund_line_items: lines, transactions }, "USD").amountMinor).toBe(350);
  });

  it("reads products with comma-separated tags in the shop's currency", () => {
    const product = productFromRest(
      { id: 1, title: "Yen thing", tags: "a, b ,", variants: [{ id: 2, price: "1200", inventory_item_id: 3 }] },
      "JPY",
    );
    expect(product.tags).toEqual(["a", "b"]);
    expect(product.variants[0]).toMatchObject({ externalId: "2", priceMinor: 1200, inventoryItemId: "3" });
  });

  it("treats a null inventory level as zero available", () => {
    expect(inventoryLevelFromRest({ inventory_item_id: 1, location_id: 2, available: null }).available).toBe(0);
  });

  it("reads customers/redact requests", () => {
    expect(
      customerRedactRequest({ shop_domain: "x.myshopify.com", customer: { id: 5 }, orders_to_redact: [6, 7] }),
    ).toEqual({ customerExternalId: "5", orderExternalIds: ["6", "7"] });
  });
});

describe("Admin GraphQL bulk rows", () => {
  it("maps an order row and its line rows (GIDs, MoneyBag amounts)", () => {
    const money = (amount: string) => ({ shopMoney: { amount, currencyCode: "CAD" } });
    const order = orderFromGraphql(
      {
        id: "gid://shopify/Order/10",
        name: "#10",
        currencyCode: "CAD",
        createdAt: "2026-01-02T03:04:05Z",
        displayFinancialStatus: "PAID",
        totalPriceSet: money("5.50"),
        subtotalPriceSet: money("5.00"),
        retailLocation: { id: "gid://shopify/Location/77" },
        customer: { id: "gid://shopify/Customer/88" },
      },
      [
        {
          id: "gid://shopify/LineItem/11",
          title: "coffee",
          quantity: 2,
          product: { id: "gid://shopify/Product/12" },
          variant: { id: "gid://shopify/ProductVariant/13" },
          originalUnitPriceSet: money("2.50"),
          totalDiscountSet: money("0"),
          __parentId: "gid://shopify/Order/10",
        },
      ],
    );
    expect(order).toMatchObject({
      externalId: "10",
      currency: "CAD",
      totalMinor: 550,
      subtotalMinor: 500,
      financialStatus: "paid",
      locationExternalId: "77",
      customerExternalId: "88",
    });
    expect(order.lineItems).toEqual([
      {
        externalId: "11",
        productExternalId: "12",
        variantExternalId: "13",
        title: "coffee",
        sku: null,
        quantity: 2,
        priceMinor: 250,
        discountMinor: 0,
      },
    ]);
  });
});
