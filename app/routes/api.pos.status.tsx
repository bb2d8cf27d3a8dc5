/**
 * GET /api/pos/status[?locationId=] — the POS extension's health check: is the copilot ready for
 * this shop, and not paused at this location? The session token (Authorization: Bearer) proves
 * shop and user; the shop comes from its `dest`.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { posStatusForShop, shopDomainFromSessionToken } from "../services/pos-status.server";
import { authenticate } from "../shopify.server";
import { externalId } from "../../shared/ids";
import type { PosErrorResponse } from "../../shared/pos-contract";

// Status changes with every order: never let a proxy or the webview cache it.
const NO_STORE = { "Cache-Control": "no-store" };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { sessionToken, cors } = await authenticate.public.pos(request);
  const shopDomain = shopDomainFromSessionToken(sessionToken);
  if (!shopDomain) {
    const body: PosErrorResponse = {
      error: { code: "invalid_token_destination", message: "The session token does not name a shop" },
    };
    return cors(Response.json(body, { status: 401, headers: NO_STORE }));
  }
  const rawLocation = new URL(request.url).searchParams.get("locationId");
  const location = rawLocation === null ? null : externalId(rawLocation);
  if (rawLocation !== null && !location) {
    const body: PosErrorResponse = { error: { code: "invalid_query", message: "locationId: must be a location id" } };
    return cors(Response.json(body, { status: 400, headers: NO_STORE }));
  }
  return cors(Response.json(await posStatusForShop({ db: getDb(), shopDomain, location }), { headers: NO_STORE }));
};

// Remix sends every non-GET request to the action: OPTIONS is the CORS preflight from the POS
// webview, which authenticate.public.pos answers (throws a 204 with CORS headers).
export const action = async ({ request }: ActionFunctionArgs) => {
  const { cors } = await authenticate.public.pos(request);
  const body: PosErrorResponse = { error: { code: "method_not_allowed", message: "Use GET" } };
  return cors(Response.json(body, { status: 405, headers: { ...NO_STORE, Allow: "GET, OPTIONS" } }));
};
