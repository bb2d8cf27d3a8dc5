/**
 * The demo Square register (demo mode only; /preview/square). Not Square: a stand-in for the
 * Square POS app a cashier rings items up on, so the companion panel has open orders to read and
 * write to without Square's servers. Orders are kept as Square's Orders API sends them
 * (snake_case JSON) and read back through the same wire deserializer and normalizer as Square's
 * own answers; a discount the panel writes is spread over the lines as Square does for an
 * order-scoped discount.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../db.server";
import { fromWire, openOrderFromSquare } from "../platforms/square/normalize";
import { storeSquareSale } from "../platforms/square/sync.server";
import { PanelOrderError, panelOrderOf, type RegisterPos } from "../services/panel-orders.server";
import { squareStyleId } from "../../shared/demo-store";
import type { PanelOrder } from "../../shared/panel-contract";

interface WireMoney {
  amount: number;
  currency: string;
}
interface WireLine {
  uid: string;
  name: string;
  quantity: string;
  catalog_object_id: string;
  item_type: "ITEM";
  base_price_money: WireMoney;
  gross_sales_money: WireMoney;
  total_discount_money: WireMoney;
  total_money: WireMoney;
}
interface WireDiscount {
  uid: string;
  name: string;
  type: "FIXED_AMOUNT";
  amount_money: WireMoney;
  applied_money: WireMoney;
  scope: "ORDER";
}
export interface WireOrder {
  id: string;
  location_id: string;
  state: "OPEN" | "COMPLETED";
  version: number;
  customer_id?: string;
  created_at: string;
  updated_at: string;
  closed_at?: string;
  line_items: WireLine[];
  discounts: WireDiscount[];
  total_money: WireMoney;
  total_discount_money: WireMoney;
}

const MAX_LINES = 100;

/** Totals as Square computes them: an order discount is spread over the lines by their share. */
function withTotals(order: WireOrder): WireOrder {
  const currency = order.total_money.currency;
  const money = (amount: number): WireMoney => ({ amount, currency });
  const gross = order.line_items.map((line) => line.base_price_money.amount * Number(line.quantity));
  const grossTotal = gross.reduce((sum, value) => sum + value, 0);
  let left = grossTotal;
  const discounts = order.discounts.map((discount) => {
    const applied = Math.min(discount.amount_money.amount, left);
    left -= applied;
    return { ...discount, applied_money: money(applied) };
  });
  const discountTotal = grossTotal - left;
  let spread = 0;
  const lines = order.line_items.map((line, i) => {
    const share =
      i === order.line_items.length - 1
        ? discountTotal - spread
        : grossTotal === 0
          ? 0
          : Math.floor((discountTotal * gross[i]!) / grossTotal);
    spread += share;
    return {
      ...line,
      gross_sales_money: money(gross[i]!),
      total_discount_money: money(share),
      total_money: money(gross[i]! - share),
    };
  });
  return {
    ...order,
    line_items: lines,
    discounts,
    total_discount_money: money(discountTotal),
    total_money: money(grossTotal - discountTotal),
  };
}

function panelOrder(row: { body: string }): PanelOrder | null {
  const cart = openOrderFromSquare(fromWire.order(JSON.parse(row.body)));
  return cart ? panelOrderOf(cart) : null;
}

/** Changes one open order in a transaction (the version check keeps two taps from racing). */
async function changeOrder(db: Db, shopId: string, orderId: string, change: (order: WireOrder) => WireOrder | null) {
  return db.$transaction(async (tx) => {
    const row = await tx.demoOpenOrder.findFirst({ where: { id: orderId, shopId, state: "OPEN" } });
    if (!row) throw new PanelOrderError(404, "order_not_open", "orderId: no open order with that id");
    const before = JSON.parse(row.body) as WireOrder;
    const changed = change(before);
    if (!changed) return before;
    const after = withTotals({ ...changed, version: before.version + 1, updated_at: new Date().toISOString() });
    const updated = await tx.demoOpenOrder.updateMany({
      where: { id: row.id, version: row.version },
      data: { body: JSON.stringify(after), version: after.version, state: after.state },
    });
    if (updated.count !== 1) throw new PanelOrderError(409, "order_changed", "The order changed meanwhile; try again");
    return after;
  });
}

export function demoSquareRegister(db: Db, shopId: string): RegisterPos {
  return {
    platform: "demo",
    async openOrders(location, limit) {
      const rows = await db.demoOpenOrder.findMany({
        where: { shopId, locationExternalId: location, state: "OPEN" },
        orderBy: { updatedAt: "desc" },
        take: limit,
      });
      return rows.flatMap((row) => panelOrder(row) ?? []);
    },
    async openOrder(orderId, location) {
      const row = await db.demoOpenOrder.findFirst({
        where: { id: orderId, shopId, locationExternalId: location, state: "OPEN" },
      });
      return row ? panelOrder(row) : null;
    },
    async addDiscount(order, discount) {
      await changeOrder(db, shopId, order.id, (wire) => {
        // The same key twice is one discount, as Square's idempotency key makes it.
        if (wire.discounts.some((existing) => existing.uid === discount.key)) return null;
        const money = { amount: discount.amountMinor, currency: wire.total_money.currency };
        return {
          ...wire,
          discounts: [
            ...wire.discounts,
            {
              uid: discount.key,
              name: discount.name,
              type: "FIXED_AMOUNT",
              amount_money: money,
              applied_money: money,
              scope: "ORDER",
            },
          ],
        };
      });
    },
  };
}

// ---------- the simulator's own actions (the cashier on the "Square" side) ----------

/** Adds one unit of a variant to the location's current open order (a new order if none). */
export async function ringUp(
  db: Db,
  shop: { id: string; currency: string },
  location: string,
  variantExternalId: string,
  now: Date,
) {
  const variant = await db.variant.findFirst({
    where: { shopId: shop.id, externalId: variantExternalId },
    select: { externalId: true, priceMinor: true, title: true, product: { select: { title: true } } },
  });
  if (!variant) throw new PanelOrderError(404, "unknown_variant", "variantId: not in this store's catalog");
  let current = await db.demoOpenOrder.findFirst({
    where: { shopId: shop.id, locationExternalId: location, state: "OPEN" },
    orderBy: { updatedAt: "desc" },
  });
  if (!current) {
    const id = squareStyleId("demo-open-order", randomUUID(), 27);
    const money = { amount: 0, currency: shop.currency };
    const empty: WireOrder = {
      id,
      location_id: location,
      state: "OPEN",
      version: 1,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      line_items: [],
      discounts: [],
      total_money: money,
      total_discount_money: money,
    };
    current = await db.demoOpenOrder.create({
      data: { id, shopId: shop.id, locationExternalId: location, body: JSON.stringify(empty), version: 1 },
    });
  }
  return changeOrder(db, shop.id, current.id, (order) => {
    const existing = order.line_items.find((line) => line.catalog_object_id === variant.externalId);
    if (!existing && order.line_items.length >= MAX_LINES) {
      throw new PanelOrderError(409, "order_full", `An order here holds at most ${MAX_LINES} lines`);
    }
    const price = { amount: variant.priceMinor, currency: shop.currency };
    const zero = { amount: 0, currency: shop.currency };
    const lines = existing
      ? order.line_items.map((line) =>
          line === existing ? { ...line, quantity: String(Number(line.quantity) + 1) } : line,
        )
      : [
          ...order.line_items,
          {
            uid: squareStyleId("demo-line", randomUUID(), 22),
            name: variant.product.title,
            quantity: "1",
            catalog_object_id: variant.externalId,
            item_type: "ITEM" as const,
            base_price_money: price,
            gross_sales_money: price,
            total_discount_money: zero,
            total_money: price,
          },
        ];
    return { ...order, line_items: lines };
  });
}

/** Attaches a customer of this store to the order (null: none). */
export async function setOrderCustomer(db: Db, shopId: string, orderId: string, customerExternalId: string | null) {
  if (customerExternalId) {
    const known = await db.customer.count({ where: { shopId, externalId: customerExternalId } });
    if (!known) throw new PanelOrderError(404, "unknown_customer", "customerId: not a customer of this store");
  }
  return changeOrder(db, shopId, orderId, (order) => {
    const { customer_id: _dropped, ...rest } = order;
    return customerExternalId ? { ...rest, customer_id: customerExternalId } : rest;
  });
}

/**
 * Takes payment: the order is no longer open (the next ring-up starts a new one), and it is
 * stored as a sale the way a Square order.updated event stores one.
 */
export async function completeSale(db: Db, shopId: string, orderId: string, now: Date) {
  const sold = await changeOrder(db, shopId, orderId, (order) => {
    if (!order.line_items.length) throw new PanelOrderError(409, "order_empty", "Ring something up first");
    return { ...order, state: "COMPLETED", closed_at: now.toISOString() };
  });
  await storeSquareSale(db, shopId, fromWire.order(sold), now);
  return sold;
}

/** The simulator's view: the location's open order (or null) as Square sends it. */
export async function currentOpenOrder(db: Db, shopId: string, location: string): Promise<WireOrder | null> {
  const row = await db.demoOpenOrder.findFirst({
    where: { shopId, locationExternalId: location, state: "OPEN" },
    orderBy: { updatedAt: "desc" },
  });
  return row ? (JSON.parse(row.body) as WireOrder) : null;
}
