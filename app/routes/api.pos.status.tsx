/**
 * GET /api/pos/status[?locationId=] — the register's health check: is the copilot ready for this
 * shop, and not paused at this location? A POS session token or a panel's token proves the shop
 * (authenticatePos); a panel's location is its token's.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { apiError, apiFailure } from "../http.server";
import { authenticatePos, registerLocation } from "../pos-auth.server";
import { posStatusForShop } from "../services/pos-status.server";
import { externalId } from "../../shared/ids";

// Status changes with every order: never let a proxy or the webview cache it.
const NO_STORE = { "Cache-Control": "no-store" };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const auth = await authenticatePos(request, "GET");
  if (auth instanceof Response) return auth;
  const rawLocation = new URL(request.url).searchParams.get("locationId");
  if (rawLocation !== null && !externalId(rawLocation)) {
    return auth.cors(apiError(400, "invalid_query", "locationId: must be a location id", NO_STORE));
  }
  try {
    const location = registerLocation(auth, rawLocation);
    const status = await posStatusForShop({
      db: getDb(),
      shopDomain: auth.shop.domain,
      platform: auth.shop.platform,
      location,
    });
    return auth.cors(Response.json(status, { headers: NO_STORE }));
  } catch (error) {
    return auth.cors(apiFailure(error));
  }
};

// Remix sends every non-GET request to the action: OPTIONS is the CORS preflight from the POS
// webview, which authenticatePos answers (a 204 with CORS headers); anything else is 405.
export const action = async ({ request }: ActionFunctionArgs) => {
  const auth = await authenticatePos(request, "GET");
  if (auth instanceof Response) return auth;
  return auth.cors(apiError(405, "method_not_allowed", "Use GET", { ...NO_STORE, Allow: "GET, OPTIONS" }));
};
