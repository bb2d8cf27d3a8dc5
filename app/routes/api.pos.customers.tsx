/** GET /api/pos/customers?q= — find a customer to put on the cart by name, email or phone. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError } from "../http.server";
import { registerLoader } from "../register-route.server";
import { searchCustomers } from "../services/loyalty.server";
import type { CustomerSearchResponse } from "../../shared/pos-contract";

export const loader = ({ request }: LoaderFunctionArgs) =>
  registerLoader(request, async ({ db, register, url }): Promise<CustomerSearchResponse> => {
    const query = (url.searchParams.get("q") ?? "").trim();
    if (query.length < 2 || query.length > 100) throw apiError(400, "invalid_query", "q: must be 2 to 100 characters");
    return { customers: await searchCustomers(db, register.shopId, query) };
  });

// OPTIONS (the webview's CORS preflight) and other methods reach the action: same preamble, 405.
export const action = loader;
