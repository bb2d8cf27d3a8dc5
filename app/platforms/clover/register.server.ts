/**
 * The Clover register behind a companion panel. A Clover merchant is one location, so the open
 * orders are the merchant's orders in state "open"; a discount is POSTed to the order's
 * discounts. Clover takes no idempotency key, so the write first looks for a discount already
 * carrying this request's name (a retry after a lost answer must not add it twice).
 */
import {
  panelOrderOf,
  PosRefusedError,
  PosUnavailableError,
  type RegisterPos,
} from "../../services/panel-orders.server";
import { CloverApiError, isTransientCloverError, type CloverClient } from "./client.server";
import { openOrderFromClover } from "./normalize";

async function cloverRead<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CloverApiError) throw new PosUnavailableError(error.message);
    throw error;
  }
}

export function cloverRegister(client: CloverClient, currency: string): RegisterPos {
  const context = { merchantId: client.merchantId, currency };
  const cartOf = (raw: unknown) => openOrderFromClover(raw, context);
  return {
    platform: "clover",
    async openOrders(location, limit) {
      if (location !== client.merchantId) return [];
      const orders = await cloverRead(() => client.openOrders(limit));
      return orders.flatMap((raw) => {
        const cart = cartOf(raw);
        return cart ? [panelOrderOf(cart)] : [];
      });
    },
    async openOrder(orderId, location) {
      if (location !== client.merchantId) return null;
      let raw;
      try {
        raw = await client.order(orderId);
      } catch (error) {
        if (error instanceof CloverApiError && error.status === 404) return null;
        return cloverRead(() => Promise.reject(error));
      }
      const cart = cartOf(raw);
      return cart ? panelOrderOf(cart) : null;
    },
    async addDiscount(order, discount) {
      try {
        const current = await client.order(order.id);
        if ((current.discounts?.elements ?? []).some((existing) => existing.name === discount.name)) return;
        await client.addOrderDiscount(order.id, { name: discount.name, amount: -discount.amountMinor });
      } catch (error) {
        if (isTransientCloverError(error)) throw new PosUnavailableError((error as Error).message);
        if (error instanceof CloverApiError) throw new PosRefusedError(error.message);
        throw error;
      }
    },
  };
}
