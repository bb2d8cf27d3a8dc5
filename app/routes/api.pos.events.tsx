/** POST /api/pos/events — the cashier added or dismissed a suggestion that was shown. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { apiError, parseJsonBody } from "../http.server";
import { shopDomainFromSessionToken } from "../services/pos-status.server";
import { recordSuggestionEvent, SuggestionNotShownError } from "../services/suggestions.server";
import { authenticate } from "../shopify.server";
import { SuggestionEventRequestSchema } from "../../shared/pos-contract.schema";

const MAX_EVENT_BODY_BYTES = 4 * 1024;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { sessionToken, cors } = await authenticate.public.pos(request);
  if (request.method !== "POST")
    return cors(apiError(405, "method_not_allowed", "Use POST", { Allow: "POST, OPTIONS" }));
  const shopDomain = shopDomainFromSessionToken(sessionToken);
  if (!shopDomain) return cors(apiError(401, "invalid_token_destination", "The session token does not name a shop"));
  try {
    const body = await parseJsonBody(request, SuggestionEventRequestSchema, MAX_EVENT_BODY_BYTES);
    return cors(Response.json(await recordSuggestionEvent(getDb(), shopDomain, body, new Date())));
  } catch (error) {
    if (error instanceof Response) return cors(error);
    if (error instanceof SuggestionNotShownError) return cors(apiError(404, "suggestion_not_shown", error.message));
    throw error;
  }
};
