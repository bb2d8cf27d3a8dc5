/**
 * POST /api/pos/approvals — a cart discount: applied at once under the limits, else a pending
 * request a manager decides on. GET — the requests waiting for a manager (the tile's count).
 */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { approvalAction } from "../approvals-route.server";
import { getDb } from "../db.server";
import { apiError } from "../http.server";
import { shopDomainFromSessionToken } from "../services/pos-status.server";
import { pendingApprovals, requestDiscount } from "../services/approvals.server";
import { authenticate } from "../shopify.server";
import { externalId } from "../../shared/ids";
import { DiscountRequestSchema } from "../../shared/pos-contract.schema";

export const action = ({ request }: ActionFunctionArgs) =>
  approvalAction(request, DiscountRequestSchema, ({ db, register, body, now }) =>
    requestDiscount(
      db,
      register,
      {
        lines: body.cart.lineItems,
        subtotalMinor: body.cart.subtotalMinor,
        discount: body.discount,
        reasonCode: body.reasonCode,
        note: body.note ?? null,
      },
      now,
    ),
  );

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { sessionToken, cors } = await authenticate.public.pos(request);
  const shopDomain = shopDomainFromSessionToken(sessionToken);
  if (!shopDomain) return cors(apiError(401, "invalid_token_destination", "The session token does not name a shop"));
  const shop = await getDb().shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain: shopDomain } },
    select: { id: true },
  });
  if (!shop) return cors(apiError(404, "shop_not_installed", "The app is not installed here"));
  const raw = new URL(request.url).searchParams.get("locationId");
  const location = raw ? externalId(raw) : null;
  if (raw && !location) return cors(apiError(400, "invalid_query", "locationId: must be a location id"));
  const pending = await pendingApprovals(getDb(), shop.id, location, new Date());
  return cors(Response.json({ pending }, { headers: { "Cache-Control": "no-store" } }));
};
