/**
 * The register panels' way in (Square/Clover companion panel, Lightspeed extension): a pairing
 * code once, then a device secret traded for short-lived signed tokens (services/pairing.server.ts).
 * Every panel route is `panelRoute(request, handle)`: errors become `{ error: { code, message } }`.
 */
import { getDb, type Db } from "./db.server";
import { env } from "./env.server";
import { apiError, apiFailure } from "./http.server";
import { PayloadError } from "./platforms/shopify/normalize";
import { ApprovalError } from "./services/approvals.server";
import { PairingError, verifyPanelToken, type PanelClaims } from "./services/pairing.server";
import { PanelOrderError } from "./services/panel-orders.server";
import { recordSecurityRefusal } from "./services/security-log.server";
import { RetryLaterError } from "./services/store.server";

export const panelSigningKey = () => env().SHOPIFY_API_SECRET;

/** Wrong pairing codes from one client: at most this many a minute (the code space is ~10^12). */
const PAIR_ATTEMPTS_PER_MINUTE = 10;
/**
 * And from everyone together: the client is told apart by X-Forwarded-For, which a client
 * without a proxy in front writes itself, so a fresh value per request would escape the first
 * limit. Pairing is rare (an admin sets up a register), so a shared ceiling costs nothing.
 */
const PAIR_ATTEMPTS_PER_MINUTE_ALL = 60;
type Window = { windowStart: number; count: number };
const attempts = new Map<string, Window>();
const everyone: Window = { windowStart: 0, count: 0 };

/** Counts one attempt in `window` (a fresh one after a minute); false past `limit`. */
function counted(window: Window, now: number, limit: number) {
  if (now - window.windowStart >= 60_000) Object.assign(window, { windowStart: now, count: 0 });
  window.count++;
  return window.count <= limit;
}

/** Counts an attempt from the request's client; throws 429 past either limit. */
export function limitPairingAttempts(request: Request, now: Date) {
  // The last hop is the one the nearest proxy added; earlier ones are whatever the client sent.
  const client = request.headers.get("x-forwarded-for")?.split(",").pop()?.trim() || "direct";
  if (attempts.size > 10_000) attempts.clear(); // bounded memory under a spray of addresses
  let window = attempts.get(client);
  if (!window) attempts.set(client, (window = { windowStart: now.getTime(), count: 0 }));
  const byClient = counted(window, now.getTime(), PAIR_ATTEMPTS_PER_MINUTE);
  if (!counted(everyone, now.getTime(), PAIR_ATTEMPTS_PER_MINUTE_ALL) || !byClient) {
    throw new PairingError(429, "too_many_attempts", "Too many pairing attempts; wait a minute");
  }
}

/** A refused panel token, counted under the shop its (unverified) claims name. */
export async function recordPanelTokenRefusal(db: Db, token: string, reason: string, source: string) {
  let shopId: unknown = null;
  try {
    shopId = (JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString("utf8")) as { shop?: unknown })
      ?.shop;
  } catch {
    shopId = null;
  }
  const claimedShop = typeof shopId === "string" ? { id: shopId } : null;
  await recordSecurityRefusal(db, { kind: "panel_token.invalid", source, claimedShop, reason }, new Date());
}

export async function panelRoute(
  request: Request,
  handle: (input: { db: Db; now: Date; claims: PanelClaims | null }) => Promise<unknown>,
  options: { authenticated: boolean },
): Promise<Response> {
  const db = getDb();
  const now = new Date();
  try {
    let claims: PanelClaims | null = null;
    if (options.authenticated) {
      const header = request.headers.get("authorization") ?? "";
      const token = /^Bearer (.+)$/.exec(header)?.[1];
      if (!token) throw new PairingError(401, "missing_token", "Authorization: Bearer <panel token> is required");
      try {
        claims = await verifyPanelToken(db, token, panelSigningKey(), now);
      } catch (error) {
        if (error instanceof PairingError) await recordPanelTokenRefusal(db, token, error.message, "api/panel");
        throw error;
      }
    }
    return Response.json(await handle({ db, now, claims }), { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    if (error instanceof Response) return error;
    if (error instanceof PairingError || error instanceof PanelOrderError || error instanceof ApprovalError) {
      return apiError(error.status, error.code, error.message);
    }
    // The POS's token is being refreshed by another worker, or its refresh failed.
    if (error instanceof RetryLaterError || error instanceof PayloadError) {
      return apiError(503, "pos_unavailable", error.message);
    }
    return apiFailure(error);
  }
}
