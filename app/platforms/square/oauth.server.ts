/**
 * Connecting a Square seller (OAuth code flow): the authorize URL with a single-use state, then
 * the callback that consumes the state once, exchanges the code (it lives 5 minutes), seals the
 * tokens and records the merchant as a Shop with its locations. Nothing is written for the
 * merchant unless Square answered every call.
 */
import type { SquareClient } from "square";
import { z } from "zod";
import type { Db } from "../../db.server";
import {
  acceptCallbackState,
  callbackQuery,
  codeExchangeFailed,
  ConnectError,
  saveConnectedMerchant,
  startConnect,
  type ConnectStart,
} from "../connect.server";
import { validTimezone } from "../normalize";
import { oauthStateFlow } from "../oauth-state.server";
import { isTransientSquareError, squareBaseUrl, squareErrorMessage, type SquareConfig } from "./client.server";
import { locationFromSquare, type SquareLocation } from "./normalize";
import { enqueueSquareBackfillIfNeeded } from "./sync.server";
import { scheduleTokenRefresh } from "./tokens.server";

/**
 * Read everything the copilot learns from; ORDERS_WRITE is for the register panel's carts and
 * LOYALTY_READ for the seller's own Square Loyalty balance on the panel.
 */
export const SQUARE_SCOPES = [
  "MERCHANT_PROFILE_READ",
  "ORDERS_READ",
  "ORDERS_WRITE",
  "ITEMS_READ",
  "INVENTORY_READ",
  "CUSTOMERS_READ",
  "LOYALTY_READ",
] as const;

export const SQUARE_CONNECT_PATH = "/connect/square";
const stateFlow = oauthStateFlow("square", SQUARE_CONNECT_PATH);
export const SQUARE_CALLBACK_PATH = "/connect/square/callback";

export { ConnectError };

// ---------- step 1: send the seller to Square ----------

export async function beginSquareConnect(
  db: Db,
  config: Pick<SquareConfig, "applicationId" | "environment" | "appUrl">,
  now: Date,
): Promise<ConnectStart> {
  const url = new URL("/oauth2/authorize", squareBaseUrl(config));
  url.searchParams.set("client_id", config.applicationId);
  url.searchParams.set("scope", SQUARE_SCOPES.join(" "));
  // Always ask the seller to sign in: the account being connected is the one they choose now.
  url.searchParams.set("session", "false");
  return startConnect(url, { db, stateFlow, appUrl: config.appUrl, now });
}

/** Clears the state cookie once the callback has used it. */
export function clearStateCookie(config: Pick<SquareConfig, "appUrl">): string {
  return stateFlow.clearCookie(config.appUrl);
}

// ---------- step 2: Square sends the seller back ----------

export const CallbackQuery = callbackQuery({ code: z.string().min(1).max(1_000) });
export type CallbackQuery = z.infer<typeof CallbackQuery>;

const TokenResponse = z.object({
  accessToken: z.string().min(1).max(2_000),
  refreshToken: z.string().min(1).max(2_000),
  merchantId: z.string().regex(/^[A-Za-z0-9_-]{1,192}$/),
  expiresAt: z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)))
    .nullish(),
});

export interface Connected {
  merchantId: string;
  shopId: string;
  businessName: string | null;
  locations: number;
  backfillRunId: string | null;
}

export interface CallbackDeps {
  db: Db;
  config: SquareConfig;
  /** Client for the token endpoint (no token). */
  oauthClient: SquareClient;
  /** Client acting for the merchant, once its token is known. */
  clientFor: (accessToken: string) => SquareClient;
  now: Date;
}

/**
 * The whole callback. Throws ConnectError for anything the seller must start over from: an
 * unknown, expired or already used state (400), a refused code (400), Square not answering (502).
 */
export async function completeSquareConnect(
  deps: CallbackDeps,
  query: CallbackQuery,
  cookieHeader: string | null,
): Promise<Connected> {
  const { db, config, now } = deps;
  const granted = await acceptCallbackState(query, cookieHeader, { db, stateFlow, platformName: "Square", now });

  let token: z.infer<typeof TokenResponse>;
  try {
    const answer = await deps.oauthClient.oAuth.obtainToken({
      clientId: config.applicationId,
      clientSecret: config.applicationSecret,
      code: granted.code,
      grantType: "authorization_code",
    });
    token = TokenResponse.parse(answer);
  } catch (error) {
    if (error instanceof z.ZodError) throw new ConnectError(502, "Square's token answer was incomplete. Try again.");
    throw codeExchangeFailed("Square", { transient: isTransientSquareError(error), reason: squareErrorMessage(error) });
  }

  let locations: SquareLocation[];
  try {
    const answer = await deps.clientFor(token.accessToken).locations.list();
    locations = (answer.locations ?? []).map(locationFromSquare);
  } catch (error) {
    throw new ConnectError(
      502,
      `Square did not list the locations (${squareErrorMessage(error)}). Try connecting again.`,
    );
  }

  const main = locations.find((location) => location.active) ?? locations[0];
  const details = {
    name: main?.businessName ?? null,
    currency: main?.currency ?? "USD",
    timezone: validTimezone(main?.timezone),
  };
  const merchantId = token.merchantId;
  const tokens = {
    accessToken: token.accessToken,
    refreshToken: token.refreshToken,
    accessTokenExpiresAt: token.expiresAt ? new Date(token.expiresAt) : null,
  };

  return db.$transaction(async (tx) => {
    const { shopId, reconnected } = await saveConnectedMerchant(
      tx,
      { platform: "square", merchantId, details, tokens, scopes: SQUARE_SCOPES.join(" "), locations },
      config.tokenKey,
      now,
    );
    const backfillRunId = await enqueueSquareBackfillIfNeeded(tx, { merchantId, shopId, reconnected, now });
    await scheduleTokenRefresh(tx, now);
    return { merchantId, shopId, businessName: details.name, locations: locations.length, backfillRunId };
  });
}
