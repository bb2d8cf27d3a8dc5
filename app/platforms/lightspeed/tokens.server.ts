/**
 * Lightspeed's expiring tokens: opened for a call, refreshed shortly before the access token
 * expires — lazily, when a call asks for it, and by the periodic `lightspeed:refresh-tokens` job —
 * and stored with the expiry Lightspeed returns.
 *
 * Both the code exchange and the refresh go to the retailer's own token endpoint,
 * `https://{domain_prefix}.retail.lightspeed.app/api/1.0/token`, as a form. Since 2025-03 a refresh
 * "revokes the previously used refresh token once a new one is issued" (changelog: 2025-03 refresh
 * token flow update), so two workers must never send the same one: token-refresh.server's claim
 * lets only one of them call Lightspeed, and stores the new pair on the claimed version only.
 */
import { z } from "zod";
import type { Db } from "../../db.server";
import { lazyAccess, singleUseTokenFailure, tokenRefresher, type IssuedTokens } from "../token-refresh.server";
import { isTransientLightspeedError, LightspeedApiError, lightspeedRequest, type FetchLike } from "./client.server";
import type { LightspeedConfig } from "./config.server";

export type { RefreshOutcome, RefreshRun } from "../token-refresh.server";

/** Refresh when the access token has less than this left (tokens live a day or more). */
export const REFRESH_MARGIN_MS = 30 * 60 * 1000;
/** The periodic run comes more often than the margin, so no token outlives it unrefreshed. */
export const REFRESH_EVERY_MS = 10 * 60 * 1000;
/** Longer than one token call can take: a younger claim is a refresh in flight. */
export const REFRESH_CLAIM_MS = 2 * 60 * 1000;
export const REFRESH_BATCH = 50;

export const LIGHTSPEED_REFRESH_JOB = "lightspeed:refresh-tokens";
/** Jobs about every retailer are queued under the platform's name. */
export const LIGHTSPEED_PLATFORM_DOMAIN = "lightspeed";

// ---------- the token endpoint ----------

/**
 * The token endpoint's answer (changelog 2025-03): `{ access_token, token_type, expires,
 * expires_in, refresh_token, domain_prefix, scope }`; `expires` is a Unix time in seconds.
 */
export const TokenAnswerSchema = z.object({
  access_token: z.string().min(1).max(4_000),
  token_type: z.string().max(50).nullish(),
  expires: z.number().int().positive().nullish(),
  expires_in: z.number().int().positive().nullish(),
  refresh_token: z.string().min(1).max(4_000).nullish(),
  domain_prefix: z.string().max(100).nullish(),
  scope: z.string().max(4_000).nullish(),
});
export type TokenAnswer = z.infer<typeof TokenAnswerSchema>;

/** The answer's tokens with Lightspeed's expiry as given (none is assumed). */
export function tokensFromAnswer(answer: TokenAnswer, now: Date): IssuedTokens {
  const expiresAt = answer.expires
    ? new Date(answer.expires * 1_000)
    : answer.expires_in
      ? new Date(now.getTime() + answer.expires_in * 1_000)
      : null;
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? null,
    accessTokenExpiresAt: expiresAt,
  };
}

/** One POST to the retailer's token endpoint (form-encoded: parameters in the body, never the URL). */
export function requestTokens(
  deps: { fetch: FetchLike },
  domainPrefix: string,
  form: Record<string, string>,
): Promise<TokenAnswer> {
  return lightspeedRequest(
    { domainPrefix, fetch: deps.fetch },
    "/api/1.0/token",
    { method: "POST", form },
    TokenAnswerSchema,
  );
}

// ---------- refreshing ----------

export interface RefreshDeps {
  db: Db;
  config: Pick<LightspeedConfig, "clientId" | "clientSecret" | "tokenKey">;
  fetch: FetchLike;
  now: Date;
}

const dueBefore = (now: Date) => new Date(now.getTime() + REFRESH_MARGIN_MS);

const lightspeedTokens = tokenRefresher<RefreshDeps>({
  platform: "lightspeed",
  due: (now) => ({ accessTokenExpiresAt: { lte: dueBefore(now) } }),
  urgentFirst: { accessTokenExpiresAt: "asc" },
  claimMs: REFRESH_CLAIM_MS,
  batch: REFRESH_BATCH,
  job: {
    type: LIGHTSPEED_REFRESH_JOB,
    shopDomain: LIGHTSPEED_PLATFORM_DOMAIN,
    everyMs: REFRESH_EVERY_MS,
    moreAfterMs: 30_000,
  },
  // The retailer's token endpoint is on its own host: the connection's merchant id is its domain_prefix.
  async exchange(deps, refreshToken, domainPrefix) {
    const answer = await requestTokens(deps, domainPrefix, {
      refresh_token: refreshToken,
      client_id: deps.config.clientId,
      client_secret: deps.config.clientSecret,
      grant_type: "refresh_token",
    });
    return tokensFromAnswer(answer, deps.now);
  },
  // A transient failure may or may not have spent the token (a refusal next time says it did); a
  // 400/401 means the refresh token is dead (used, revoked or the add-on removed).
  failure: singleUseTokenFailure({
    isTransient: isTransientLightspeedError,
    isApiError: (error) => error instanceof LightspeedApiError,
  }),
});

/** Refreshes one connection if this caller wins the claim; "skipped" when another caller has it. */
export const refreshLightspeedConnection = lightspeedTokens.refreshConnection;

/** Queues the next periodic run unless one is waiting (the claim keeps a duplicate harmless). */
export const scheduleLightspeedTokenRefresh = lightspeedTokens.schedule;

/** Every Lightspeed connection whose access token expires within the margin, soonest first. */
export const refreshDueLightspeedTokens = lightspeedTokens.refreshDue;

/** The periodic job's run: the due tokens, then the next run. */
export const runLightspeedTokenRefreshJob = lightspeedTokens.runJob;

// ---------- using a token ----------

export interface LightspeedAccess {
  shopId: string;
  domainPrefix: string;
  accessToken: string;
}

const access = lazyAccess<RefreshDeps>({
  platform: "lightspeed",
  refreshConnection: refreshLightspeedConnection,
  marginMs: REFRESH_MARGIN_MS,
  platformName: "Lightspeed",
  account: "retailer",
  // Lightspeed may leave the expiry out; such a token is used until it is refused.
  unknownExpiry: "lasting",
});

/**
 * The retailer's working access token, refreshed first when it expires within the margin. Null
 * when the retailer is not connected (or revoked). Throws RetryLaterError while another worker's
 * refresh is in flight and the current token has already expired, and PayloadError when the token
 * has expired and Lightspeed refused the refresh (the retailer must reconnect).
 */
export async function lightspeedAccess(deps: RefreshDeps, domainPrefix: string): Promise<LightspeedAccess | null> {
  const working = await access(deps, domainPrefix);
  return working && { shopId: working.shopId, domainPrefix, accessToken: working.accessToken };
}
