/**
 * Clover's expiring tokens (v2 OAuth): opened for a call, refreshed shortly before the access
 * token expires — lazily, when a call asks for it, and by the periodic `clover:refresh-tokens`
 * job — and stored with the expirations Clover returns (their lengths are Clover's to change).
 *
 * A refresh token works once: /oauth/v2/refresh answers with a new pair and the old refresh
 * token is dead. So two workers must never send the same one: token-refresh.server's claim
 * lets only one of them call Clover, and stores the new pair on the claimed version only.
 */
import { z } from "zod";
import type { Db } from "../../db.server";
import { lazyAccess, singleUseTokenFailure, tokenRefresher, type IssuedTokens } from "../token-refresh.server";
import { CloverApiError, cloverRequest, isTransientCloverError, type FetchLike } from "./client.server";
import type { CloverConfig } from "./config.server";

export type { RefreshOutcome, RefreshRun } from "../token-refresh.server";

/** Refresh when the access token has less than this left. */
export const REFRESH_MARGIN_MS = 10 * 60 * 1000;
/** The periodic run comes more often than the margin, so no token outlives it unrefreshed. */
export const REFRESH_EVERY_MS = 5 * 60 * 1000;
/** Longer than one token call can take: a younger claim is a refresh in flight. */
export const REFRESH_CLAIM_MS = 2 * 60 * 1000;
export const REFRESH_BATCH = 50;

export const CLOVER_REFRESH_JOB = "clover:refresh-tokens";
/** Jobs about every merchant are queued under the platform's name. */
export const CLOVER_PLATFORM_DOMAIN = "clover";

// ---------- the token endpoints' answer ----------

/** Both /oauth/v2/token and /oauth/v2/refresh answer with a pair and their Unix-second expirations. */
export const TokenPairSchema = z.object({
  access_token: z.string().min(1).max(4_000),
  access_token_expiration: z.number().int().positive(),
  refresh_token: z.string().min(1).max(4_000),
  refresh_token_expiration: z.number().int().positive(),
});
export type TokenPair = z.infer<typeof TokenPairSchema>;

/** A pair with Clover's expirations as given. */
export function tokensFromPair(pair: TokenPair): IssuedTokens {
  return {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    accessTokenExpiresAt: new Date(pair.access_token_expiration * 1_000),
    refreshTokenExpiresAt: new Date(pair.refresh_token_expiration * 1_000),
  };
}

// ---------- refreshing ----------

export interface RefreshDeps {
  db: Db;
  config: Pick<CloverConfig, "appId" | "apiUrl" | "tokenKey">;
  fetch: FetchLike;
  now: Date;
}

const dueBefore = (now: Date) => new Date(now.getTime() + REFRESH_MARGIN_MS);

const cloverTokens = tokenRefresher<RefreshDeps>({
  platform: "clover",
  due: (now) => ({ accessTokenExpiresAt: { lte: dueBefore(now) } }),
  urgentFirst: { accessTokenExpiresAt: "asc" },
  claimMs: REFRESH_CLAIM_MS,
  batch: REFRESH_BATCH,
  job: { type: CLOVER_REFRESH_JOB, shopDomain: CLOVER_PLATFORM_DOMAIN, everyMs: REFRESH_EVERY_MS, moreAfterMs: 30_000 },
  async exchange(deps, refreshToken) {
    const pair = await cloverRequest(
      { apiUrl: deps.config.apiUrl, fetch: deps.fetch },
      "/oauth/v2/refresh",
      { method: "POST", body: { client_id: deps.config.appId, refresh_token: refreshToken } },
      TokenPairSchema,
    );
    return tokensFromPair(pair);
  },
  // A transient failure may or may not have spent the token (a 401 next time says it did); a
  // 400/401 means the refresh token is dead (used, expired or revoked).
  failure: singleUseTokenFailure({
    isTransient: isTransientCloverError,
    isApiError: (error) => error instanceof CloverApiError,
  }),
});

/** Refreshes one connection if this caller wins the claim; "skipped" when another caller has it. */
export const refreshCloverConnection = cloverTokens.refreshConnection;

/** Every Clover connection whose access token expires within the margin, soonest first. */
export const refreshDueCloverTokens = cloverTokens.refreshDue;

/** Queues the next periodic run unless one is waiting (the claim keeps a duplicate harmless). */
export const scheduleCloverTokenRefresh = cloverTokens.schedule;

/** The periodic job's run: the due tokens, then the next run. */
export const runCloverTokenRefreshJob = cloverTokens.runJob;

// ---------- using a token ----------

export interface CloverAccess {
  shopId: string;
  merchantId: string;
  accessToken: string;
}

const access = lazyAccess<RefreshDeps>({
  platform: "clover",
  refreshConnection: refreshCloverConnection,
  marginMs: REFRESH_MARGIN_MS,
  platformName: "Clover",
  account: "merchant",
  unknownExpiry: "expired",
});

/**
 * The merchant's working access token, refreshed first when it expires within the margin.
 * Null when the merchant is not connected (or revoked). Throws RetryLaterError while another
 * worker's refresh is in flight and the current token has already expired, and PayloadError
 * when the token has expired and Clover refused the refresh (the merchant must reconnect).
 */
export async function cloverAccess(deps: RefreshDeps, merchantId: string): Promise<CloverAccess | null> {
  const working = await access(deps, merchantId);
  return working && { shopId: working.shopId, merchantId, accessToken: working.accessToken };
}
