/** GET /api/pos/loyalty/:customerId?locationId=&subtotalMinor= — tier, points, progress and the best offer for this cart. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError } from "../http.server";
import { registerLoader } from "../register-route.server";
import { loyaltyView } from "../services/loyalty.server";
import { externalId } from "../../shared/ids";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  registerLoader(request, async ({ db, register, url, now }) => {
    const customer = externalId(params.customerId ?? "");
    if (!customer) throw apiError(400, "invalid_query", "customerId: must be a customer id");
    const raw = url.searchParams.get("subtotalMinor") ?? "0";
    const subtotal = Number(raw);
    if (!/^\d{1,12}$/.test(raw) || !Number.isSafeInteger(subtotal)) {
      throw apiError(400, "invalid_query", "subtotalMinor: must be a whole number of minor units");
    }
    return loyaltyView(
      db,
      { id: register.shopId, currency: register.currency },
      customer,
      register.locationExternalId,
      subtotal,
      now,
    );
  });

// OPTIONS (the webview's CORS preflight) and other methods reach the action: same preamble, 405.
export const action = loader;
