/**
 * What every /api/pos/* route does first: prove which register is asking, refuse other methods
 * than the route's, and name the shop. Two kinds of register use this API:
 *   - the Shopify POS extension, with a POS session token verified through the Shopify library
 *     (the shop is the token's `dest`);
 *   - a paired register panel (Square and Clover stores' companion panel), with a panel token
 *     (ADR 0015): its shop, location and device are the token's, never the body's.
 * Returns the register's auth and a `cors` wrapper, or a ready error Response (already through it).
 */
import { getDb } from "./db.server";
import { env } from "./env.server";
import { apiError, apiFailure } from "./http.server";
import { panelSigningKey, recordPanelTokenRefusal } from "./panel-auth.server";
import { PairingError, verifyPanelToken, type PanelClaims } from "./services/pairing.server";
import { shopDomainFromSessionToken } from "./services/pos-status.server";
import { describeSessionToken, recordSecurityRefusal } from "./services/security-log.server";
import { authenticate } from "./shopify.server";
import { externalId } from "../shared/ids";
import type { Platform, ShopRef } from "../shared/model";
import type { PosId } from "../shared/pos-contract";

export interface RegisterAuth {
  shop: ShopRef;
  /** The signed POS user (`sub`); panels have none. */
  userId: string | null;
  /** A paired panel's claims; null for the Shopify POS extension. */
  panel: PanelClaims | null;
  cors: (response: Response) => Response;
}

// A panel token is "payload.signature"; a session token is a JWT, "header.payload.signature".
const isPanelToken = (token: string) => token.split(".").length === 2;

export async function authenticatePos(request: Request, method: "GET" | "POST"): Promise<RegisterAuth | Response> {
  const bearer = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
  // A panel's token is checked against the database: unavailable, the register gets the 503.
  if (bearer && isPanelToken(bearer)) return authenticatePanel(request, method, bearer).catch(apiFailure);

  let verified: Awaited<ReturnType<typeof authenticate.public.pos>>;
  try {
    verified = await authenticate.public.pos(request);
  } catch (error) {
    // The library answers a missing or unverifiable token with a bare 401 (thrown).
    if (error instanceof Response && error.status === 401) await recordTokenRefusal(bearer ?? null);
    throw error;
  }
  const { sessionToken, cors } = verified;
  // HEAD reaches a Remix loader too; only the route's own method is served.
  if (request.method !== method)
    return cors(apiError(405, "method_not_allowed", `Use ${method}`, { Allow: `${method}, OPTIONS` }));
  // The library skips the audience check for extensions; a token issued to another app is not ours.
  if (sessionToken.aud !== env().SHOPIFY_API_KEY) {
    await recordTokenRefusal(bearer ?? null);
    return cors(apiError(401, "invalid_token_audience", "The session token was issued for another app"));
  }
  const shopDomain = shopDomainFromSessionToken(sessionToken);
  if (!shopDomain) {
    await recordTokenRefusal(bearer ?? null);
    return cors(apiError(401, "invalid_token_destination", "The session token does not name a shop"));
  }
  // `sub` is the signed POS user; the staffMemberId a register reports in a body is not signed.
  const userId = typeof sessionToken.sub === "string" && sessionToken.sub ? sessionToken.sub : null;
  return { shop: { platform: "shopify", domain: shopDomain }, userId, panel: null, cors };
}

async function recordTokenRefusal(token: string | null) {
  const now = new Date();
  const { claimedShop, reason } = describeSessionToken(token, env().SHOPIFY_API_KEY, now);
  await recordSecurityRefusal(getDb(), { kind: "session_token.invalid", source: "api/pos", claimedShop, reason }, now);
}

async function authenticatePanel(
  request: Request,
  method: "GET" | "POST",
  token: string,
): Promise<RegisterAuth | Response> {
  // The panel is served from this app's own origin: no CORS.
  const cors = (response: Response) => response;
  if (request.method !== method) return apiError(405, "method_not_allowed", `Use ${method}`, { Allow: method });
  const db = getDb();
  let claims: PanelClaims;
  try {
    claims = await verifyPanelToken(db, token, panelSigningKey(), new Date());
  } catch (error) {
    if (error instanceof PairingError) {
      if (error.status === 401) await recordPanelTokenRefusal(db, token, error.message, "api/pos");
      return apiError(error.status, error.code, error.message);
    }
    throw error;
  }
  const shop = await db.shop.findUnique({ where: { id: claims.shop }, select: { platform: true, domain: true } });
  if (!shop) return apiError(401, "invalid_token", "this panel's store is gone");
  return { shop: { platform: shop.platform as Platform, domain: shop.domain }, userId: null, panel: claims, cors };
}

/**
 * The register's location. A panel's is the one it was paired with: a body naming another is
 * refused (403), and none means that one. A POS extension's is what its session reports.
 */
export function registerLocation(auth: Pick<RegisterAuth, "panel">, given: PosId | null | undefined): string | null {
  if (auth.panel) {
    if (given != null && externalId(given) !== auth.panel.location) {
      throw apiError(403, "location_mismatch", "locationId: this panel is paired with another location");
    }
    return auth.panel.location;
  }
  return given != null ? externalId(given) : null;
}

/** The device: a panel's is its paired device (so PIN lockouts and approval tokens follow it). */
export function registerDevice(auth: Pick<RegisterAuth, "panel">, given: string | null | undefined): string | null {
  return auth.panel ? `panel:${auth.panel.device}` : (given ?? null);
}
