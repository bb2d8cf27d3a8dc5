/**
 * Clover's expiring tokens (v2 OAuth): opened for a call, refreshed shortly before the access
 * token expires — lazily, when a call asks for it, and by the periodic `clover:refresh-tokens`
 * job — and stored with the expirations Clover returns (their lengths are Clover's to change).
 *
 * A refresh token works once: /oauth/v2/refresh answers with a new pair and the old refresh
 * token is dead. So two workers must never send the same one. A worker first claims the
 * connection with one conditional update — the `version` it read, the token still due, and no
 * other claim in the last few minutes (`updatedAt`) — and only the claimer calls Clover. The
 * new pair is written in one update conditioned on the claimed version, so a reconnect that
 * landed meanwhile wins. A claimer that dies leaves no lock: its claim just ages out.
 */
import { z } from "zod";
import type { Db } from "../../db.server";
import { enqueueJob } from "../../services/jobs.server";
import { RetryLaterError } from "../../services/store.server";
import { openSecret, sealSecret } from "../../services/secret-box.server";
import { PayloadError } from "../shopify/normalize";
import { CloverApiError, cloverRequest, isTransientCloverError, type FetchLike } from "./client.server";
import type { CloverConfig } from "./config.server";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

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

const REFRESHABLE = ["active", "refresh_failed"];

// ---------- the token endpoints' answer ----------

/** Both /oauth/v2/token and /oauth/v2/refresh answer with a pair and their Unix-second expirations. */
export const TokenPairSchema = z.object({
  access_token: z.string().min(1).max(4_000),
  access_token_expiration: z.number().int().positive(),
  refresh_token: z.string().min(1).max(4_000),
  refresh_token_expiration: z.number().int().positive(),
});
export type TokenPair = z.infer<typeof TokenPairSchema>;

/** The sealed columns for a pair, with Clover's expirations as given. */
export function sealedPair(pair: TokenPair, key: Buffer, now: Date) {
  return {
    accessTokenEnc: sealSecret(pair.access_token, key),
    refreshTokenEnc: sealSecret(pair.refresh_token, key),
    accessTokenExpiresAt: new Date(pair.access_token_expiration * 1_000),
    refreshTokenExpiresAt: new Date(pair.refresh_token_expiration * 1_000),
    tokenIssuedAt: now,
  };
}

// ---------- refreshing ----------

export interface RefreshDeps {
  db: Db;
  config: Pick<CloverConfig, "appId" | "apiUrl" | "tokenKey">;
  fetch: FetchLike;
  now: Date;
}

export type RefreshOutcome = "refreshed" | "failed" | "skipped";

interface SeenConnection {
  id: string;
  merchantId: string;
  version: number;
  refreshTokenEnc: string | null;
}

const dueBefore = (now: Date) => new Date(now.getTime() + REFRESH_MARGIN_MS);

/** Refreshes one connection if this caller wins the claim; "skipped" when another caller has it. */
export async function refreshCloverConnection(deps: RefreshDeps, seen: SeenConnection): Promise<RefreshOutcome> {
  const { db, config, now } = deps;
  if (!seen.refreshTokenEnc) return "skipped";
  const claimed = await db.platformConnection.updateMany({
    where: {
      id: seen.id,
      version: seen.version,
      status: { in: REFRESHABLE },
      accessTokenExpiresAt: { lte: dueBefore(now) },
      updatedAt: { lte: new Date(now.getTime() - REFRESH_CLAIM_MS) },
    },
    data: { version: { increment: 1 }, updatedAt: now },
  });
  if (claimed.count === 0) return "skipped";
  const ours = seen.version + 1;

  let pair: TokenPair;
  try {
    pair = await cloverRequest(
      { apiUrl: config.apiUrl, fetch: deps.fetch },
      "/oauth/v2/refresh",
      {
        method: "POST",
        body: { client_id: config.appId, refresh_token: openSecret(seen.refreshTokenEnc, config.tokenKey) },
      },
      TokenPairSchema,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (isTransientCloverError(error)) {
      // Clover may or may not have spent the token; the next attempt will tell (a 401 then).
      // The claim is released at once so that attempt need not wait it out.
      await db.platformConnection.updateMany({
        where: { id: seen.id, version: ours },
        data: {
          lastError: `refresh did not complete: ${reason}`.slice(0, 500),
          updatedAt: new Date(now.getTime() - REFRESH_CLAIM_MS),
        },
      });
      return "failed";
    }
    // 400/401: the refresh token is dead (used, expired or revoked); only a reconnect helps.
    const refused = error instanceof CloverApiError || error instanceof PayloadError;
    await db.platformConnection.updateMany({
      where: { id: seen.id, version: ours },
      data: {
        status: refused ? "refresh_failed" : undefined,
        lastError: `refresh failed: ${reason}`.slice(0, 500),
        updatedAt: now,
      },
    });
    if (!refused) throw error;
    return "failed";
  }

  // One update: both new tokens and their expirations, or nothing.
  const stored = await db.platformConnection.updateMany({
    where: { id: seen.id, version: ours },
    data: {
      ...sealedPair(pair, config.tokenKey, now),
      status: "active",
      lastError: null,
      version: { increment: 1 },
      updatedAt: now,
    },
  });
  if (stored.count === 0) {
    console.warn(`[clover] ${seen.merchantId}: connection changed during refresh; the new tokens were not kept`);
    return "skipped";
  }
  return "refreshed";
}

export interface RefreshRun {
  refreshed: number;
  failed: number;
  skipped: number;
  more: boolean;
}

/** Every Clover connection whose access token expires within the margin, soonest first. */
export async function refreshDueCloverTokens(deps: RefreshDeps): Promise<RefreshRun> {
  const due = await deps.db.platformConnection.findMany({
    where: {
      platform: "clover",
      status: { in: REFRESHABLE },
      accessTokenExpiresAt: { lte: dueBefore(deps.now) },
    },
    orderBy: { accessTokenExpiresAt: "asc" },
    take: REFRESH_BATCH + 1,
    select: { id: true, merchantId: true, version: true, refreshTokenEnc: true },
  });
  const run: RefreshRun = { refreshed: 0, failed: 0, skipped: 0, more: due.length > REFRESH_BATCH };
  for (const connection of due.slice(0, REFRESH_BATCH)) {
    run[await refreshCloverConnection(deps, connection)] += 1;
  }
  return run;
}

/** Queues the next periodic run unless one is waiting (the claim keeps a duplicate harmless). */
export async function scheduleCloverTokenRefresh(db: Db | Tx, now: Date, delayMs = REFRESH_EVERY_MS) {
  const waiting = await db.job.count({ where: { type: CLOVER_REFRESH_JOB, status: "pending" } });
  if (waiting > 0) return;
  await enqueueJob(db, {
    shopDomain: CLOVER_PLATFORM_DOMAIN,
    type: CLOVER_REFRESH_JOB,
    payload: {},
    runAt: new Date(now.getTime() + delayMs),
  });
}

// ---------- using a token ----------

export interface CloverAccess {
  shopId: string;
  merchantId: string;
  accessToken: string;
}

/**
 * The merchant's working access token, refreshed first when it expires within the margin.
 * Null when the merchant is not connected (or revoked). Throws RetryLaterError while another
 * worker's refresh is in flight and the current token has already expired, and PayloadError
 * when the token has expired and Clover refused the refresh (the merchant must reconnect).
 */
export async function cloverAccess(deps: RefreshDeps, merchantId: string): Promise<CloverAccess | null> {
  const read = () =>
    deps.db.platformConnection.findUnique({
      where: { platform_merchantId: { platform: "clover", merchantId } },
      select: {
        id: true,
        shopId: true,
        status: true,
        version: true,
        accessTokenEnc: true,
        refreshTokenEnc: true,
        accessTokenExpiresAt: true,
        lastError: true,
      },
    });
  let connection = await read();
  if (!connection || connection.status === "revoked") return null;
  const expiresAt = () => connection!.accessTokenExpiresAt?.getTime() ?? 0;
  if (expiresAt() <= dueBefore(deps.now).getTime() && connection.status === "active") {
    const outcome = await refreshCloverConnection(deps, { ...connection, merchantId });
    if (outcome !== "skipped" || expiresAt() <= deps.now.getTime()) connection = await read();
    if (!connection || connection.status === "revoked") return null;
  }
  if (expiresAt() <= deps.now.getTime()) {
    if (connection.status === "refresh_failed") {
      throw new PayloadError(
        `clover ${merchantId}: the access token expired and Clover refused the refresh (${connection.lastError ?? "no reason"}); reconnect the merchant`,
      );
    }
    throw new RetryLaterError(`clover ${merchantId}: the access token is being refreshed`);
  }
  return {
    shopId: connection.shopId,
    merchantId,
    accessToken: openSecret(connection.accessTokenEnc, deps.config.tokenKey),
  };
}
