/**
 * Square access tokens: opened for a call, refreshed before they age out, and an alert when one
 * did not refresh. Square's access tokens last 30 days and should be refreshed at least every 7;
 * we refresh from day 6 and call a token stale from day 8, which leaves three weeks to fix it.
 *
 * The refresh race (two workers, or a job re-run after its lease expired): a worker first claims
 * the connection with one conditional update — same `version` as it read, and no other claim in
 * the last few minutes (`updatedAt`) — and only the claimer calls Square. The new tokens are
 * written with the claimed version as the condition, so a reconnect or a revocation that landed
 * meanwhile wins. A claimer that dies leaves nothing locked: the claim just ages out.
 */
import type { SquareClient } from "square";
import { z } from "zod";
import type { Db } from "../../db.server";
import { enqueueJob } from "../../services/jobs.server";
import { openSecret, sealSecret } from "../../services/secret-box.server";
import { squareErrorMessage, type SquareConfig } from "./client.server";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

const DAY_MS = 24 * 60 * 60 * 1000;
export const REFRESH_AFTER_MS = 6 * DAY_MS;
export const STALE_AFTER_MS = 8 * DAY_MS;
export const REFRESH_EVERY_MS = DAY_MS;
/** Longer than one token call can take (30 s timeout): a younger claim is a refresh in flight. */
export const REFRESH_CLAIM_MS = 5 * 60 * 1000;
/** Connections refreshed per job run; the rest are taken by the next run, a minute later. */
export const REFRESH_BATCH = 50;

export const SQUARE_REFRESH_JOB = "square:refresh-tokens";
/** The refresh job is about every merchant, not one: it is queued under the platform's name. */
export const SQUARE_PLATFORM_DOMAIN = "square";

const REFRESHABLE = ["active", "refresh_failed"];

// ---------- using a token ----------

export interface SquareAccess {
  shopId: string;
  merchantId: string;
  accessToken: string;
}

/** The merchant's working access token; null when not connected or revoked. */
export async function squareAccess(db: Db, merchantId: string, key: Buffer): Promise<SquareAccess | null> {
  const connection = await db.platformConnection.findUnique({
    where: { platform_merchantId: { platform: "square", merchantId } },
    select: { shopId: true, status: true, accessTokenEnc: true },
  });
  if (!connection || connection.status === "revoked") return null;
  return { shopId: connection.shopId, merchantId, accessToken: openSecret(connection.accessTokenEnc, key) };
}

/** oauth.authorization.revoked: the tokens are dead; queued work for the merchant stops. */
export async function revokeSquareConnection(db: Db, merchantId: string, reason: string, now: Date) {
  await db.$transaction(async (tx) => {
    const connection = await tx.platformConnection.findUnique({
      where: { platform_merchantId: { platform: "square", merchantId } },
      select: { shopId: true },
    });
    if (!connection) return;
    // The version moves too, so a refresh in flight cannot store tokens over the revocation.
    await tx.platformConnection.update({
      where: { shopId: connection.shopId },
      data: { status: "revoked", lastError: reason.slice(0, 500), version: { increment: 1 }, updatedAt: now },
    });
    await tx.shop.update({ where: { id: connection.shopId }, data: { uninstalledAt: now } });
    await tx.job.updateMany({
      where: { shopDomain: merchantId, status: "pending" },
      data: { status: "cancelled", finishedAt: now },
    });
  });
}

// ---------- refreshing ----------

const RefreshAnswer = z.object({
  accessToken: z.string().min(1).max(2_000),
  // The code flow answers with the same refresh token; keep ours if it is left out.
  refreshToken: z.string().min(1).max(2_000).nullish(),
  expiresAt: z
    .string()
    .refine((value) => !Number.isNaN(Date.parse(value)))
    .nullish(),
});

export interface RefreshDeps {
  db: Db;
  config: Pick<SquareConfig, "applicationId" | "applicationSecret" | "tokenKey">;
  /** Client for the token endpoint (no token). */
  oauthClient: SquareClient;
  now: Date;
}

export type RefreshOutcome = "refreshed" | "failed" | "skipped";

interface SeenConnection {
  id: string;
  merchantId: string;
  version: number;
  refreshTokenEnc: string | null;
}

/** Refreshes one connection if this caller wins the claim; "skipped" when another caller has it. */
export async function refreshSquareConnection(deps: RefreshDeps, seen: SeenConnection): Promise<RefreshOutcome> {
  const { db, config, now } = deps;
  if (!seen.refreshTokenEnc) return "skipped";
  const claimed = await db.platformConnection.updateMany({
    where: {
      id: seen.id,
      version: seen.version,
      status: { in: REFRESHABLE },
      tokenIssuedAt: { lte: new Date(now.getTime() - REFRESH_AFTER_MS) },
      updatedAt: { lte: new Date(now.getTime() - REFRESH_CLAIM_MS) },
    },
    data: { version: { increment: 1 }, updatedAt: now },
  });
  if (claimed.count === 0) return "skipped";
  const ours = seen.version + 1;

  let answer: z.infer<typeof RefreshAnswer>;
  try {
    answer = RefreshAnswer.parse(
      await deps.oauthClient.oAuth.obtainToken({
        clientId: config.applicationId,
        clientSecret: config.applicationSecret,
        refreshToken: openSecret(seen.refreshTokenEnc, config.tokenKey),
        grantType: "refresh_token",
      }),
    );
  } catch (error) {
    // The old access token stays: it is still good for weeks, and tomorrow's run tries again.
    const reason = error instanceof z.ZodError ? "Square's token answer was incomplete" : squareErrorMessage(error);
    await db.platformConnection.updateMany({
      where: { id: seen.id, version: ours },
      data: { status: "refresh_failed", lastError: `refresh failed: ${reason}`.slice(0, 500), updatedAt: now },
    });
    return "failed";
  }

  const stored = await db.platformConnection.updateMany({
    where: { id: seen.id, version: ours },
    data: {
      accessTokenEnc: sealSecret(answer.accessToken, config.tokenKey),
      ...(answer.refreshToken ? { refreshTokenEnc: sealSecret(answer.refreshToken, config.tokenKey) } : {}),
      accessTokenExpiresAt: answer.expiresAt ? new Date(answer.expiresAt) : null,
      tokenIssuedAt: now,
      status: "active",
      lastError: null,
      version: { increment: 1 },
      updatedAt: now,
    },
  });
  if (stored.count === 0) {
    console.warn(`[square] ${seen.merchantId}: connection changed during refresh; the new token was not kept`);
    return "skipped";
  }
  return "refreshed";
}

export interface RefreshRun {
  refreshed: number;
  failed: number;
  skipped: number;
  /** More connections were due than one run takes. */
  more: boolean;
}

/** Every Square connection whose token is 6 days old or more, oldest first. */
export async function refreshDueSquareTokens(deps: RefreshDeps): Promise<RefreshRun> {
  const due = await deps.db.platformConnection.findMany({
    where: {
      platform: "square",
      status: { in: REFRESHABLE },
      tokenIssuedAt: { lte: new Date(deps.now.getTime() - REFRESH_AFTER_MS) },
    },
    orderBy: { tokenIssuedAt: "asc" },
    take: REFRESH_BATCH + 1,
    select: { id: true, merchantId: true, version: true, refreshTokenEnc: true },
  });
  const run: RefreshRun = { refreshed: 0, failed: 0, skipped: 0, more: due.length > REFRESH_BATCH };
  for (const connection of due.slice(0, REFRESH_BATCH)) {
    run[await refreshSquareConnection(deps, connection)] += 1;
  }
  return run;
}

/** Connections whose token is over 8 days old: the refresh has been failing (the alert). */
export async function staleSquareConnections(db: Db, now: Date) {
  return db.platformConnection.findMany({
    where: {
      platform: "square",
      status: { not: "revoked" },
      tokenIssuedAt: { lt: new Date(now.getTime() - STALE_AFTER_MS) },
    },
    orderBy: { tokenIssuedAt: "asc" },
    select: { id: true, shopId: true, merchantId: true, status: true, tokenIssuedAt: true, lastError: true },
  });
}

/**
 * Queues the next refresh run unless one is already waiting: at most one pending at a time.
 * (Two callers racing could both queue one; the claim above keeps even that harmless.)
 */
export async function scheduleTokenRefresh(db: Db | Tx, now: Date, delayMs = REFRESH_EVERY_MS) {
  const waiting = await db.job.count({ where: { type: SQUARE_REFRESH_JOB, status: "pending" } });
  if (waiting > 0) return;
  await enqueueJob(db, {
    shopDomain: SQUARE_PLATFORM_DOMAIN,
    type: SQUARE_REFRESH_JOB,
    payload: {},
    runAt: new Date(now.getTime() + delayMs),
  });
}
