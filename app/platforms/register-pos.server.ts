/**
 * The POS behind a register panel, by the shop's platform: Square's Orders API, Clover's REST
 * API (each with the merchant's stored token), or, for the demo Square seller, the demo register
 * (/preview/square). A Shopify shop's registers run the copilot inside Shopify POS instead.
 */
import type { Db } from "../db.server";
import { PanelOrderError, type RegisterPos } from "../services/panel-orders.server";
import { demoSquareRegister } from "../preview/square-register.server";
import { cloverClient } from "./clover/client.server";
import { configuredClover } from "./clover/config.server";
import { cloverRegister } from "./clover/register.server";
import { cloverAccess } from "./clover/tokens.server";
import { configuredSquare, squareClient } from "./square/client.server";
import { globalFetch } from "./http-client.server";
import { squareRegister } from "./square/register.server";
import { squareAccess } from "./square/tokens.server";

const notConnected = (platform: string) =>
  new PanelOrderError(503, "pos_not_connected", `This store's ${platform} connection is missing; reconnect it`);

export async function registerPosFor(
  db: Db,
  shop: { id: string; platform: string; domain: string; currency: string; isDemo: boolean },
): Promise<RegisterPos> {
  if (shop.platform === "square" && shop.isDemo) return demoSquareRegister(db, shop.id);
  if (shop.platform === "square") {
    const config = configuredSquare();
    if (!config) throw notConnected("Square");
    const access = await squareAccess(db, shop.domain, config.tokenKey);
    if (!access) throw notConnected("Square");
    // One SDK retry at most: a cashier is waiting, and the panel polls again in seconds anyway.
    return squareRegister(squareClient(config, { token: access.accessToken, maxRetries: 1 }));
  }
  if (shop.platform === "clover") {
    const config = configuredClover();
    if (!config) throw notConnected("Clover");
    const deps = { db, config, fetch: globalFetch, now: new Date() };
    if (!(await cloverAccess(deps, shop.domain))) throw notConnected("Clover");
    const client = cloverClient({
      config,
      merchantId: shop.domain,
      fetch: globalFetch,
      accessToken: async () => {
        const access = await cloverAccess({ ...deps, now: new Date() }, shop.domain);
        if (!access) throw notConnected("Clover");
        return access.accessToken;
      },
    });
    return cloverRegister(client, shop.currency);
  }
  throw new PanelOrderError(
    409,
    "not_a_panel_store",
    "This store's registers run the copilot inside its POS; there are no open orders to read here",
  );
}
