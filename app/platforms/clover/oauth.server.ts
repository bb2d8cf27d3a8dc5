/**
 * Connecting a Clover merchant (v2 OAuth, expiring tokens): the authorize URL with a single-use
 * state bound to the browser, then the callback that consumes the state once, exchanges the
 * code at /oauth/v2/token, checks the token against the merchant Clover named, and records the
 * merchant as a Shop with its one Location. Nothing is written for the merchant unless Clover
 * answered every call.
 */
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
import { oauthStateFlow } from "../oauth-state.server";
import { CloverApiError, cloverClient, cloverRequest, isTransientCloverError, type FetchLike } from "./client.server";
import type { CloverConfig } from "./config.server";
import { merchantFromClover, type MerchantDetails } from "./normalize";
import { enqueueCloverBackfillIfNeeded, scheduleCloverReconcile } from "./sync.server";
import { scheduleCloverTokenRefresh, TokenPairSchema, tokensFromPair, type TokenPair } from "./tokens.server";

export const CLOVER_CONNECT_PATH = "/connect/clover";
const stateFlow = oauthStateFlow("clover", CLOVER_CONNECT_PATH);
export const CLOVER_CALLBACK_PATH = "/connect/clover/callback";

export { ConnectError };

// ---------- step 1: send the merchant to Clover ----------

export async function beginCloverConnect(
  db: Db,
  config: Pick<CloverConfig, "appId" | "webUrl" | "appUrl">,
  now: Date,
): Promise<ConnectStart> {
  const url = new URL("/oauth/v2/authorize", config.webUrl);
  url.searchParams.set("client_id", config.appId);
  url.searchParams.set("redirect_uri", `${config.appUrl}${CLOVER_CALLBACK_PATH}`);
  url.searchParams.set("response_type", "code");
  return startConnect(url, { db, stateFlow, appUrl: config.appUrl, now });
}

export function clearStateCookie(config: Pick<CloverConfig, "appUrl">): string {
  return stateFlow.clearCookie(config.appUrl);
}

// ---------- step 2: Clover sends the merchant back ----------

const merchantId = z.string().regex(/^[A-Za-z0-9]{1,64}$/, "not a Clover merchant id");

export const CallbackQuery = callbackQuery({ merchant_id: merchantId });
export type CallbackQuery = z.infer<typeof CallbackQuery>;

export interface Connected {
  merchantId: string;
  shopId: string;
  merchantName: string | null;
  backfillRunId: string | null;
}

export interface CallbackDeps {
  db: Db;
  config: CloverConfig;
  fetch: FetchLike;
  now: Date;
}

function cloverReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The whole callback. Throws ConnectError for anything the merchant must start over from: an
 * unknown, expired or used state (400), a refused code (400), a token that is not the named
 * merchant's (400), Clover not answering (502).
 */
export async function completeCloverConnect(
  deps: CallbackDeps,
  query: CallbackQuery,
  cookieHeader: string | null,
): Promise<Connected> {
  const { db, config, now } = deps;
  const granted = await acceptCallbackState(query, cookieHeader, { db, stateFlow, platformName: "Clover", now });

  let pair: TokenPair;
  try {
    pair = await cloverRequest(
      { apiUrl: config.apiUrl, fetch: deps.fetch },
      "/oauth/v2/token",
      { method: "POST", body: { client_id: config.appId, client_secret: config.appSecret, code: granted.code } },
      TokenPairSchema,
    );
  } catch (error) {
    if (!(error instanceof CloverApiError)) {
      throw codeExchangeFailed("Clover", { transient: true, reason: "its token answer was incomplete" });
    }
    throw codeExchangeFailed("Clover", { transient: isTransientCloverError(error), reason: cloverReason(error) });
  }

  // The merchant id comes from the redirect; reading the merchant with the new token proves it is theirs.
  let details: MerchantDetails;
  try {
    const client = cloverClient({
      config,
      merchantId: granted.merchant_id,
      accessToken: async () => pair.access_token,
      fetch: deps.fetch,
    });
    details = merchantFromClover(await client.merchant());
  } catch (error) {
    if (error instanceof CloverApiError && (error.status === 401 || error.status === 403 || error.status === 404)) {
      throw new ConnectError(400, `Clover did not let this authorization read merchant ${granted.merchant_id}.`);
    }
    throw new ConnectError(502, `Clover did not return the merchant (${cloverReason(error)}). Try connecting again.`);
  }

  const mId = granted.merchant_id;
  // One Clover merchant is one store: its location is the merchant itself.
  const location = { externalId: mId, name: details.name ?? mId, active: true };
  return db.$transaction(async (tx) => {
    const { shopId, reconnected } = await saveConnectedMerchant(
      tx,
      { platform: "clover", merchantId: mId, details, tokens: tokensFromPair(pair), scopes: "", locations: [location] },
      config.tokenKey,
      now,
    );
    const backfillRunId = await enqueueCloverBackfillIfNeeded(tx, { merchantId: mId, shopId, reconnected, now });
    await scheduleCloverReconcile(tx, mId, now);
    await scheduleCloverTokenRefresh(tx, now);
    return { merchantId: mId, shopId, merchantName: details.name, backfillRunId };
  });
}
