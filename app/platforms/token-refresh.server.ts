/**
 * Refreshing a platform's OAuth tokens (Square, Clover, Lightspeed) without two workers (or a job
 * re-run after its lease expired) refreshing the same connection: a worker first claims the
 * connection with one conditional update — the `version` it read, the token still due, and no
 * other claim younger than `claimMs` (`updatedAt`) — and only the claimer calls the platform. The
 * new tokens are written on the claimed version, so a reconnect or a revocation that landed
 * meanwhile wins. A claimer that dies leaves no lock: its claim just ages out.
 *
 * What differs by platform — when a token is due, the refresh call, what a failure means, the
 * lifetimes it states — is the platform's policy, passed in. Where tokens expire within hours
 * (Clover, Lightspeed), `lazyAccess` also refreshes one before the call that needs it.
 */
import type { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import { enqueueJob } from "../services/jobs.server";
import { openSecret, sealSecret } from "../services/secret-box.server";
import { RetryLaterError } from "../services/store.server";
import type { Platform } from "../../shared/model";
import { PayloadError } from "./normalize";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const REFRESHABLE = ["active", "refresh_failed"];

/** Tokens as a platform issues them, with the lifetimes it states. */
export interface IssuedTokens {
  accessToken: string;
  /** Left out when the platform keeps the refresh token it issued before. */
  refreshToken?: string | null;
  accessTokenExpiresAt: Date | null;
  /** Only where the platform states it; otherwise the column is left as it is. */
  refreshTokenExpiresAt?: Date;
}

/** The sealed PlatformConnection columns for newly issued tokens. */
export function sealedTokens(tokens: IssuedTokens, key: Buffer, now: Date) {
  return {
    accessTokenEnc: sealSecret(tokens.accessToken, key),
    ...(tokens.refreshToken ? { refreshTokenEnc: sealSecret(tokens.refreshToken, key) } : {}),
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    ...(tokens.refreshTokenExpiresAt ? { refreshTokenExpiresAt: tokens.refreshTokenExpiresAt } : {}),
    tokenIssuedAt: now,
  };
}

export type RefreshOutcome = "refreshed" | "failed" | "skipped";

export interface RefreshRun {
  refreshed: number;
  failed: number;
  skipped: number;
  /** More connections were due than one run takes. */
  more: boolean;
}

/** The connection as the caller read it, before claiming it. */
export interface SeenConnection {
  id: string;
  merchantId: string;
  version: number;
  refreshTokenEnc: string | null;
}

/** What a refresh call that threw leaves on the connection. */
export interface RefreshFailure {
  lastError: string;
  /** "refresh_failed" when only a reconnect or a later run can help; left out, the status stays. */
  status?: "refresh_failed";
  /** Frees the claim at once, so the next attempt need not wait it out. */
  releaseClaim?: boolean;
  /** Recorded, then thrown on: a failure the platform's policy does not account for. */
  rethrow?: boolean;
}

export interface RefreshDepsBase {
  db: Db;
  config: { tokenKey: Buffer };
  now: Date;
}

export interface TokenRefreshPolicy<Deps extends RefreshDepsBase> {
  platform: Platform;
  /** When a token is due, as a condition on its connection: it picks the batch and guards the claim. */
  due(now: Date): Prisma.PlatformConnectionWhereInput;
  /** The most urgent first. */
  urgentFirst: Prisma.PlatformConnectionOrderByWithRelationInput;
  /** Longer than one refresh call can take: a younger claim is a refresh in flight. */
  claimMs: number;
  /** Connections refreshed per job run; the rest are taken by the next run. */
  batch: number;
  /**
   * The periodic refresh job, queued under the platform's name since it is about every merchant:
   * every `everyMs`, or after `moreAfterMs` when more connections were due than one run takes.
   */
  job: { type: string; shopDomain: string; everyMs: number; moreAfterMs: number };
  /** The platform's refresh call for the merchant's connection; throws when it gave no new tokens. */
  exchange(deps: Deps, refreshToken: string, merchantId: string): Promise<IssuedTokens>;
  failure(error: unknown): RefreshFailure;
}

/**
 * What a failed refresh means where a refresh token works once (Clover, Lightspeed): after a
 * transient failure the platform may or may not have spent the token, so the claim is freed and
 * the next attempt will tell; a refusal (the platform's error, or an answer that does not fit)
 * means the token is dead (used, expired or revoked) and only a reconnect helps; anything else is
 * recorded and thrown.
 */
export function singleUseTokenFailure(api: {
  isTransient(error: unknown): boolean;
  isApiError(error: unknown): boolean;
}): (error: unknown) => RefreshFailure {
  return (error) => {
    const reason = error instanceof Error ? error.message : String(error);
    if (api.isTransient(error)) return { lastError: `refresh did not complete: ${reason}`, releaseClaim: true };
    const refused = api.isApiError(error) || error instanceof PayloadError;
    return refused
      ? { status: "refresh_failed", lastError: `refresh failed: ${reason}` }
      : { lastError: `refresh failed: ${reason}`, rethrow: true };
  };
}

export function tokenRefresher<Deps extends RefreshDepsBase>(policy: TokenRefreshPolicy<Deps>) {
  /** Refreshes one connection if this caller wins the claim; "skipped" when another caller has it. */
  async function refreshConnection(deps: Deps, seen: SeenConnection): Promise<RefreshOutcome> {
    const { db, config, now } = deps;
    if (!seen.refreshTokenEnc) return "skipped";
    const claimed = await db.platformConnection.updateMany({
      where: {
        id: seen.id,
        version: seen.version,
        status: { in: REFRESHABLE },
        ...policy.due(now),
        updatedAt: { lte: new Date(now.getTime() - policy.claimMs) },
      },
      data: { version: { increment: 1 }, updatedAt: now },
    });
    if (claimed.count === 0) return "skipped";
    const ours = { id: seen.id, version: seen.version + 1 };

    let tokens: IssuedTokens;
    try {
      tokens = await policy.exchange(deps, openSecret(seen.refreshTokenEnc, config.tokenKey), seen.merchantId);
    } catch (error) {
      const failure = policy.failure(error);
      await db.platformConnection.updateMany({
        where: ours,
        data: {
          status: failure.status,
          lastError: failure.lastError.slice(0, 500),
          updatedAt: failure.releaseClaim ? new Date(now.getTime() - policy.claimMs) : now,
        },
      });
      if (failure.rethrow) throw error;
      return "failed";
    }

    // One update: the new tokens and their lifetimes, or nothing.
    const stored = await db.platformConnection.updateMany({
      where: ours,
      data: {
        ...sealedTokens(tokens, config.tokenKey, now),
        status: "active",
        lastError: null,
        version: { increment: 1 },
        updatedAt: now,
      },
    });
    if (stored.count === 0) {
      console.warn(
        `[${policy.platform}] ${seen.merchantId}: connection changed during refresh; the new tokens were not kept`,
      );
      return "skipped";
    }
    return "refreshed";
  }

  /** One batch of the platform's due connections, the most urgent first. */
  async function refreshDue(deps: Deps): Promise<RefreshRun> {
    const due = await deps.db.platformConnection.findMany({
      where: { platform: policy.platform, status: { in: REFRESHABLE }, ...policy.due(deps.now) },
      orderBy: policy.urgentFirst,
      take: policy.batch + 1,
      select: { id: true, merchantId: true, version: true, refreshTokenEnc: true },
    });
    const run: RefreshRun = { refreshed: 0, failed: 0, skipped: 0, more: due.length > policy.batch };
    for (const connection of due.slice(0, policy.batch)) {
      run[await refreshConnection(deps, connection)] += 1;
    }
    return run;
  }

  /**
   * Queues the next refresh run unless one is already waiting: at most one pending at a time.
   * (Two callers racing could both queue one; the claim keeps even that harmless.)
   */
  async function schedule(db: Db | Tx, now: Date, delayMs = policy.job.everyMs) {
    const waiting = await db.job.count({ where: { type: policy.job.type, status: "pending" } });
    if (waiting > 0) return;
    await enqueueJob(db, {
      platform: policy.platform,
      shopDomain: policy.job.shopDomain,
      type: policy.job.type,
      payload: {},
      runAt: new Date(now.getTime() + delayMs),
    });
  }

  /**
   * One run of the periodic job: the due batch, a line in the log when anything changed, and the
   * next run (sooner when more were due).
   */
  async function runJob(deps: Deps): Promise<RefreshRun> {
    const run = await refreshDue(deps);
    if (run.refreshed || run.failed) {
      console.info(
        `[${policy.platform}] tokens: ${run.refreshed} refreshed, ${run.failed} failed, ${run.skipped} skipped`,
      );
    }
    await schedule(deps.db, deps.now, run.more ? policy.job.moreAfterMs : policy.job.everyMs);
    return run;
  }

  return { refreshConnection, refreshDue, schedule, runJob };
}

export interface LazyRefresh<Deps extends RefreshDepsBase> {
  platform: Platform;
  /** The refresher's refreshConnection. */
  refreshConnection(deps: Deps, seen: SeenConnection): Promise<RefreshOutcome>;
  /** Refreshed before a call when the access token has less than this left. */
  marginMs: number;
  /** "Clover": how a refusal names the platform. */
  platformName: string;
  /** Who must reconnect: "merchant", "retailer". */
  account: string;
  /**
   * A token stored without an expiry: "expired" where the platform always states one (Clover),
   * "lasting" where it may leave it out (Lightspeed).
   */
  unknownExpiry: "expired" | "lasting";
}

/**
 * The merchant's working access token, refreshed first (lazily, by the caller that needs it)
 * when it expires within the margin. Null when the merchant is not connected (or revoked).
 * Throws RetryLaterError while another worker's refresh is in flight and the current token has
 * already expired, and PayloadError when the token has expired and the platform refused the
 * refresh (the merchant must reconnect).
 */
export function lazyAccess<Deps extends RefreshDepsBase>(lazy: LazyRefresh<Deps>) {
  const { platform } = lazy;
  return async (deps: Deps, merchantId: string): Promise<{ shopId: string; accessToken: string } | null> => {
    const read = () =>
      deps.db.platformConnection.findUnique({
        where: { platform_merchantId: { platform, merchantId } },
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
    const unknown = lazy.unknownExpiry === "expired" ? 0 : Number.POSITIVE_INFINITY;
    const expiresAt = () => connection!.accessTokenExpiresAt?.getTime() ?? unknown;
    if (expiresAt() <= deps.now.getTime() + lazy.marginMs && connection.status === "active") {
      const outcome = await lazy.refreshConnection(deps, { ...connection, merchantId });
      if (outcome !== "skipped" || expiresAt() <= deps.now.getTime()) connection = await read();
      if (!connection || connection.status === "revoked") return null;
    }
    if (expiresAt() <= deps.now.getTime()) {
      if (connection.status === "refresh_failed") {
        throw new PayloadError(
          `${platform} ${merchantId}: the access token expired and ${lazy.platformName} refused the refresh (${connection.lastError ?? "no reason"}); reconnect the ${lazy.account}`,
        );
      }
      throw new RetryLaterError(`${platform} ${merchantId}: the access token is being refreshed`);
    }
    return { shopId: connection.shopId, accessToken: openSecret(connection.accessTokenEnc, deps.config.tokenKey) };
  };
}
