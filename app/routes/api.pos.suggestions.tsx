/** POST /api/pos/suggestions — add-on suggestions for the register's cart (see shared/pos-contract.ts). */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { getDb, getSqlDriver } from "../db.server";
import { env } from "../env.server";
import { authenticatePos, registerLocation } from "../pos-auth.server";
import { apiError, apiFailure, parseJsonBody } from "../http.server";
import { suggestionsForCart } from "../services/suggestions.server";
import { authenticate } from "../shopify.server";
import { SuggestionsRequestSchema } from "../../shared/pos-contract.schema";

export const MAX_SUGGESTIONS_BODY_BYTES = 64 * 1024;
const NO_STORE = { "Cache-Control": "no-store" };

export const action = async ({ request }: ActionFunctionArgs) => {
  const auth = await authenticatePos(request, "POST");
  if (auth instanceof Response) return auth;
  const { shop, cors } = auth;
  try {
    const body = await parseJsonBody(request, SuggestionsRequestSchema, MAX_SUGGESTIONS_BODY_BYTES);
    const answer = await suggestionsForCart({
      db: getDb(),
      sql: await getSqlDriver(),
      shop,
      request: { ...body, locationId: registerLocation(auth, body.locationId) },
      now: new Date(),
      refreshMs: env().SERVING_REFRESH_MS,
    });
    return cors(Response.json(answer, { headers: NO_STORE }));
  } catch (error) {
    return cors(apiFailure(error));
  }
};

// A GET is not part of the API; answer in the API's error shape (through CORS for the webview).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { cors } = await authenticate.public.pos(request);
  return cors(apiError(405, "method_not_allowed", "Use POST", { Allow: "POST, OPTIONS" }));
};
