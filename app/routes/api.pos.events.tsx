/** POST /api/pos/events — the cashier added or dismissed a suggestion that was shown. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { authenticatePos } from "../pos-auth.server";
import { apiError, apiFailure, parseJsonBody } from "../http.server";
import { recordSuggestionEvent, SuggestionNotShownError } from "../services/suggestions.server";
import { SuggestionEventRequestSchema } from "../../shared/pos-contract.schema";

const MAX_EVENT_BODY_BYTES = 4 * 1024;

export const action = async ({ request }: ActionFunctionArgs) => {
  const auth = await authenticatePos(request, "POST");
  if (auth instanceof Response) return auth;
  const { shop, cors } = auth;
  try {
    const body = await parseJsonBody(request, SuggestionEventRequestSchema, MAX_EVENT_BODY_BYTES);
    return cors(Response.json(await recordSuggestionEvent(getDb(), shop, body, new Date())));
  } catch (error) {
    if (error instanceof SuggestionNotShownError) return cors(apiError(404, "suggestion_not_shown", error.message));
    return cors(apiFailure(error));
  }
};
