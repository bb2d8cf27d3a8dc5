/**
 * The register panels' way in (Square/Clover companion panel, Lightspeed extension): a pairing
 * code once, then a device secret traded for short-lived signed tokens (services/pairing.server.ts).
 * Every panel route is `panelRoute(request, handle)`: errors become `{ error: { code, message } }`.
 */
import { getDb, type Db } from "./db.server";
import { env } from "./env.server";
import { apiError } from "./http.server";
import { PayloadError } from "./platforms/shopify/normalize";
import { ApprovalError } from "./services/approvals.server";
import { PairingError, verifyPanelToken, type PanelClaims } from "./services/pairing.server";
import { PanelOrderError } from "./services/panel-orders.server";
import { recordSecurityRefusal } from "./services/security-log.server";
import { RetryLaterError } from "./services/store.server";

export const panelSigningKey = () => env().SHOPIFY_API_SECRET;

/** Wrong pairing codes from one client: at most this many a minute (the code space is ~10^12). */
const PAIR_ATTEMPTS_PER_MINUTE = 10;
const attempts = new Map<string, { windowStart: number; count: number }>();

/** Counts an attempt from the request's client; throws 429 past the limit. */
export function limitPairingAttempts(request: Request, now: Date) {
  const client = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "direct";
  const entry = attempts.get(client);
  if (!entry || now.getTime() - entry.windowStart >= 60_000) {
    attempts.set(client, { windowStart: now.getTime(), count: 1 });
    if (attempts.size > 10_000) attempts.clear(); // bounded memory under a spray of addresses
    return;
  }
  entry.count++;
  if (entry.count > PAIR_ATTEMPTS_PER_MINUTE) {
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
    throw error;
  }
}
