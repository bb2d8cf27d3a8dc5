/**
 * What every /api/pos/* route does first: verify the POS session token through the Shopify
 * library, refuse other methods than the route's, and take the shop from the token's `dest`. Returns the shop
 * and the library's `cors` wrapper, or a ready error Response (already through `cors`).
 */
import { apiError } from "./http.server";
import { shopDomainFromSessionToken } from "./services/pos-status.server";
import { authenticate } from "./shopify.server";

export async function authenticatePos(
  request: Request,
  method: "GET" | "POST",
): Promise<{ shopDomain: string; userId: string | null; cors: (response: Response) => Response } | Response> {
  const { sessionToken, cors } = await authenticate.public.pos(request);
  // HEAD reaches a Remix loader too; only the route's own method is served.
  if (request.method !== method)
    return cors(apiError(405, "method_not_allowed", `Use ${method}`, { Allow: `${method}, OPTIONS` }));
  const shopDomain = shopDomainFromSessionToken(sessionToken);
  if (!shopDomain) return cors(apiError(401, "invalid_token_destination", "The session token does not name a shop"));
  // `sub` is the signed POS user; the staffMemberId a register reports in a body is not signed.
  const userId = typeof sessionToken.sub === "string" && sessionToken.sub ? sessionToken.sub : null;
  return { shopDomain, userId, cors };
}
