/**
 * The Square register behind a companion panel: OPEN orders at the panel's location through
 * SearchOrders, and an order-wide discount written with UpdateOrder (a sparse order carrying the
 * order's current version and the new discount, with an idempotency key, so a retry never adds
 * it twice); the customer's Square Loyalty balance where the seller runs a program. Square's
 * refusals become PosRefusedError (the cashier keys it in); outages, rate
 * limits and network failures become PosUnavailableError.
 */
import { SquareError, type SquareClient } from "square";
import {
  panelOrderOf,
  PosRefusedError,
  PosUnavailableError,
  type RegisterPos,
} from "../../services/panel-orders.server";
import { isTransientSquareError, squareErrorMessage } from "./client.server";
import { openOrderFromSquare, type SquareCart } from "./normalize";

/** A read: any failure means the panel cannot show Square's state now (a 401 says to reconnect). */
async function squareRead<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SquareError || isTransientSquareError(error)) {
      throw new PosUnavailableError(squareErrorMessage(error));
    }
    throw error;
  }
}

/** Every order's version, as last read: UpdateOrder must name the version it changes. */
type Versions = Map<string, { version: number | null; location: string }>;

export function squareRegister(client: SquareClient): RegisterPos {
  const versions: Versions = new Map();
  const remember = (cart: SquareCart) => {
    versions.set(cart.externalId, { version: cart.version, location: cart.locationExternalId });
    return panelOrderOf(cart);
  };
  return {
    platform: "square",
    async openOrders(location, limit) {
      const answer = await squareRead(() =>
        client.orders.search({
          locationIds: [location],
          limit,
          query: {
            filter: { stateFilter: { states: ["OPEN"] } },
            sort: { sortField: "UPDATED_AT", sortOrder: "DESC" },
          },
        }),
      );
      return (answer.orders ?? []).flatMap((raw) => {
        const cart = openOrderFromSquare(raw);
        return cart && cart.locationExternalId === location ? [remember(cart)] : [];
      });
    },
    async openOrder(orderId, location) {
      let raw;
      try {
        raw = (await client.orders.get({ orderId })).order;
      } catch (error) {
        if (error instanceof SquareError && error.statusCode === 404) return null;
        return squareRead(() => Promise.reject(error));
      }
      const cart = raw ? openOrderFromSquare(raw) : null;
      return cart && cart.locationExternalId === location ? remember(cart) : null;
    },
    async posLoyalty(customerId) {
      let program;
      try {
        // "main" is how Square names a seller's one loyalty program.
        program = (await client.loyalty.programs.get({ programId: "main" })).program;
      } catch (error) {
        if (error instanceof SquareError && error.statusCode === 404) return null; // no program
        return squareRead(() => Promise.reject(error));
      }
      if (!program || program.status !== "ACTIVE") return null;
      const accounts = await squareRead(() =>
        client.loyalty.accounts.search({ query: { customerIds: [customerId] }, limit: 1 }),
      );
      const balance = accounts.loyaltyAccounts?.[0]?.balance ?? 0;
      const tiers = (program.rewardTiers ?? [])
        .map((tier) => ({ name: tier.name ?? "Reward", points: tier.points }))
        .sort((a, b) => a.points - b.points);
      return {
        program: "Square Loyalty",
        unit: { one: program.terminology?.one ?? "Point", other: program.terminology?.other ?? "Points" },
        balance,
        available: tiers.filter((tier) => tier.points <= balance),
        next: tiers.find((tier) => tier.points > balance) ?? null,
      };
    },
    async addDiscount(order, discount) {
      const known = versions.get(order.id);
      if (!known) throw new Error(`square order ${order.id} was not read before the write`);
      try {
        await client.orders.update({
          orderId: order.id,
          idempotencyKey: discount.key,
          order: {
            locationId: known.location,
            ...(known.version !== null ? { version: known.version } : {}),
            discounts: [
              {
                uid: discount.key.slice(0, 60),
                name: discount.name,
                type: "FIXED_AMOUNT",
                amountMoney: { amount: BigInt(discount.amountMinor), currency: order.currency as "USD" },
                scope: "ORDER",
              },
            ],
          },
        });
      } catch (error) {
        if (isTransientSquareError(error)) throw new PosUnavailableError(squareErrorMessage(error));
        if (error instanceof SquareError) throw new PosRefusedError(squareErrorMessage(error));
        throw error;
      }
    },
  };
}
