/**
 * The Web Register's Client API as the extension reads and speaks it: `sale:update` events in
 * the documented shape (https://x-series-api.lightspeedhq.com/docs/client_api_sale_hooks) become
 * the register API's cart, and the methods it sends are the documented ones
 * (https://x-series-api.lightspeedhq.com/docs/client_api_reference).
 */
import { describe, expect, it, vi } from "vitest";
import {
  addCustomerMessage,
  addProductMessage,
  cartOfSale,
  readClientApiEvent,
  sendToRegister,
  type RegisterSale,
} from "../../extensions/lightspeed-register/src/client-api";

/** The Sale Hooks page's example, as published. */
const DOCUMENTED_SALE_UPDATE = {
  event_name: "sale:update",
  data: {
    sale: {
      id: "a604d16b-a999-8748-11e6-9a4e7ba6e8d3",
      client_id: "web_register",
      client_sale_id: "a604d16b-a999-8748-11e6-9a4e7ba6e8d3",
      totals: { total_tax: "0.39131", total_price: "2.60870", total_paid: "0.00", total_to_pay: "3.00" },
      line_items: [
        {
          id: "875479a5-d96d-a37f-11ef-a7af2ae09344",
          gift_card_number: "",
          tags: ["firstTag", "secondTag"],
          product_id: "b1db66d5-f019-11e3-a0f5-b8ca3a64f8f4",
          quantity: "1",
          unit_price: "2.60870",
          unit_tax: "0.39131",
          tax_id: "b1d192bc-f019-11e3-a0f5-b8ca3a64f8f4",
        },
      ],
      customer_id: "dc85058a-a683-11e4-ef46-e256d3551c9d",
    },
  },
  source: "Vend Client API",
};

type RawLine = (typeof DOCUMENTED_SALE_UPDATE.data.sale.line_items)[number];

/** The documented event with other lines (same shape, as the register sends them). */
function saleUpdate(lines: Array<Partial<RawLine>>, customerId: string | null = null) {
  const template = DOCUMENTED_SALE_UPDATE.data.sale.line_items[0]!;
  return {
    ...DOCUMENTED_SALE_UPDATE,
    data: {
      sale: {
        ...DOCUMENTED_SALE_UPDATE.data.sale,
        customer_id: customerId,
        line_items: lines.map((line, index) => ({ ...template, id: `line-${index}`, ...line })),
      },
    },
  };
}

function saleOf(event: unknown): RegisterSale {
  const parsed = readClientApiEvent(event);
  if (parsed?.name !== "sale:update") throw new Error(`not a sale:update: ${JSON.stringify(parsed)}`);
  return parsed.sale;
}

describe("reading the register's events", () => {
  it("reads the documented sale:update, posted as a JSON string as the hook pages' examples parse it", () => {
    expect(readClientApiEvent(JSON.stringify(DOCUMENTED_SALE_UPDATE))).toEqual({
      name: "sale:update",
      sale: {
        id: "a604d16b-a999-8748-11e6-9a4e7ba6e8d3",
        customerId: "dc85058a-a683-11e4-ef46-e256d3551c9d",
        lines: [
          {
            lineId: "875479a5-d96d-a37f-11ef-a7af2ae09344",
            productId: "b1db66d5-f019-11e3-a0f5-b8ca3a64f8f4",
            quantity: 1,
            unitPrice: "2.60870",
          },
        ],
      },
    });
  });

  it("reads the same event posted as an object (the sale hook page only names its structure)", () => {
    expect(readClientApiEvent(DOCUMENTED_SALE_UPDATE)).toEqual(
      readClientApiEvent(JSON.stringify(DOCUMENTED_SALE_UPDATE)),
    );
  });

  it("reads register:set and outlet:set, which also say the page is a Web Register", () => {
    const register = { event_name: "register:set", data: { register_id: "reg-1" }, source: "Vend Client API" };
    const outlet = { event_name: "outlet:set", data: { outlet_id: "out-1" }, source: "Vend Client API" };
    expect(readClientApiEvent(JSON.stringify(register))).toEqual({ name: "register:set", registerId: "reg-1" });
    expect(readClientApiEvent(JSON.stringify(outlet))).toEqual({ name: "outlet:set", outletId: "out-1" });
  });

  it("ignores everything else posted on the page, its own add-product among it", () => {
    for (const message of [
      "hello",
      "{not json",
      addProductMessage("b1db66d5-f019-11e3-a0f5-b8ca3a64f8f4"),
      JSON.stringify({ event_name: "sale:deleted", data: {} }),
      JSON.stringify({ event_name: "sale:update" }),
      JSON.stringify({ event_name: "sale:update", data: { sale: "nope" } }),
      { type: "webpackOk" },
      null,
      42,
    ]) {
      expect(readClientApiEvent(message), JSON.stringify(message)).toBeNull();
    }
  });

  it("leaves out lines without a usable product id or quantity, and gift cards being sold", () => {
    const sale = saleOf(
      saleUpdate([
        { product_id: "../../etc/passwd" },
        { quantity: "lots" },
        { gift_card_number: "GC-1234" },
        { product_id: "4a1c0bd2-1111-4c4c-9d9d-000000000001", quantity: "2" },
      ]),
    );
    expect(sale.lines.map((line) => [line.productId, line.quantity])).toEqual([
      ["4a1c0bd2-1111-4c4c-9d9d-000000000001", 2],
    ]);
  });
});

describe("the sale as the register API's cart", () => {
  it("sends the Lightspeed product id as the variant id, with whole quantities and the tax-exclusive subtotal", () => {
    const cart = cartOfSale(
      saleOf(
        saleUpdate(
          [
            { product_id: "4a1c0bd2-1111-4c4c-9d9d-000000000001", quantity: "2", unit_price: "2.60870" },
            { product_id: "4a1c0bd2-1111-4c4c-9d9d-000000000002", quantity: "1", unit_price: "10.00000" },
          ],
          "dc85058a-a683-11e4-ef46-e256d3551c9d",
        ),
      ),
      "USD",
    );
    expect(cart).toEqual({
      saleId: "a604d16b-a999-8748-11e6-9a4e7ba6e8d3",
      customerId: "dc85058a-a683-11e4-ef46-e256d3551c9d",
      lineItems: [
        { variantId: "4a1c0bd2-1111-4c4c-9d9d-000000000001", quantity: 2, unitPrice: 2.61 },
        { variantId: "4a1c0bd2-1111-4c4c-9d9d-000000000002", quantity: 1, unitPrice: 10 },
      ],
      subtotalMinor: 2 * 261 + 1000,
    });
  });

  it("counts a line sold by weight as one unit priced at its total, as the Lightspeed adapter stores it", () => {
    const cart = cartOfSale(saleOf(saleUpdate([{ quantity: "0.345", unit_price: "12.99000" }])), "USD");
    expect(cart.lineItems).toEqual([
      { variantId: "b1db66d5-f019-11e3-a0f5-b8ca3a64f8f4", quantity: 1, unitPrice: 4.48 },
    ]);
    expect(cart.subtotalMinor).toBe(448);
  });

  it("leaves returned lines (negative quantities) out, as synced sales leave them out", () => {
    const cart = cartOfSale(
      saleOf(saleUpdate([{ quantity: "-1" }, { product_id: "4a1c0bd2-1111-4c4c-9d9d-000000000002", quantity: "1" }])),
      "USD",
    );
    expect(cart.lineItems.map((line) => line.variantId)).toEqual(["4a1c0bd2-1111-4c4c-9d9d-000000000002"]);
  });

  it("keeps numeric product ids (the demo store's) as they are, and a sale without a customer has none", () => {
    const cart = cartOfSale(saleOf(saleUpdate([{ product_id: "45000000000017", unit_price: "1.49" }])), "USD");
    expect(cart.customerId).toBeNull();
    expect(cart.lineItems).toEqual([{ variantId: "45000000000017", quantity: 1, unitPrice: 1.49 }]);
  });

  it("prices in the currency's own minor units", () => {
    const cart = cartOfSale(saleOf(saleUpdate([{ quantity: "3", unit_price: "120.40000" }])), "JPY");
    expect(cart.subtotalMinor).toBe(3 * 120);
  });

  it("still sends a line whose price is missing, without counting it in the subtotal", () => {
    const cart = cartOfSale(saleOf(saleUpdate([{ unit_price: undefined }])), "USD");
    expect(cart.lineItems).toEqual([
      { variantId: "b1db66d5-f019-11e3-a0f5-b8ca3a64f8f4", quantity: 1, unitPrice: null },
    ]);
    expect(cart.subtotalMinor).toBe(0);
  });
});

describe("speaking to the register", () => {
  it("adds a product the documented way: JSON with method add-product, product_id and quantity", () => {
    expect(JSON.parse(addProductMessage("b1db66d5-f019-11e3-a0f5-b8ca3a64f8f4"))).toEqual({
      method: "add-product",
      params: { product_id: "b1db66d5-f019-11e3-a0f5-b8ca3a64f8f4", quantity: 1 },
    });
  });

  it("puts a customer on the sale with add-customer", () => {
    expect(JSON.parse(addCustomerMessage("080027ac-bd2c-11e5-ec95-d12579aa90a3"))).toEqual({
      method: "add-customer",
      params: { customer_id: "080027ac-bd2c-11e5-ec95-d12579aa90a3" },
    });
  });

  it("posts only to the register's own origin, never '*'", () => {
    const postMessage = vi.fn();
    sendToRegister({ postMessage, location: { origin: "https://shop.retail.lightspeed.app" } as Location }, "{}");
    expect(postMessage).toHaveBeenCalledWith("{}", "https://shop.retail.lightspeed.app");
  });
});
