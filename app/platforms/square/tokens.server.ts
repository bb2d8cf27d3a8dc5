/**
 * Square access tokens: opened for a call, refreshed before they age out, and an alert when one
 * did not refresh. Square's access tokens last 30 days and should be refreshed at least every 7;
 * we refresh from day 6 and call a token stale from day 8, which leaves three weeks to fix it.
 * The refresh itself (claim first, then call Square) is token-refresh.server's.
 */
import type { SquareClient } from "square";
import { z } from "zod";
import type { Db } from "../../db.server";
import { openSecret } from "../../services/secret-box.server";
import { tokenRefresher } from "../token-refresh.server";
import { squareErrorMessage, type SquareConfig } from "./client.server";

export type { RefreshOutcome, RefreshRun } from "../token-refresh.server";

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

const squareTokens = tokenRefresher<RefreshDeps>({
  platform: "square",
  due: (now) => ({ tokenIssuedAt: { lte: new Date(now.getTime() - REFRESH_AFTER_MS) } }),
  urgentFirst: { tokenIssuedAt: "asc" },
  claimMs: REFRESH_CLAIM_MS,
  batch: REFRESH_BATCH,
  job: { type: SQUARE_REFRESH_JOB, shopDomain: SQUARE_PLATFORM_DOMAIN, everyMs: REFRESH_EVERY_MS, moreAfterMs: 60_000 },
  async exchange({ config, oauthClient }, refreshToken) {
    const answer = RefreshAnswer.parse(
      await oauthClient.oAuth.obtainToken({
        clientId: config.applicationId,
        clientSecret: config.applicationSecret,
        refreshToken,
        grantType: "refresh_token",
      }),
    );
    return {
      accessToken: answer.accessToken,
      refreshToken: answer.refreshToken,
      accessTokenExpiresAt: answer.expiresAt ? new Date(answer.expiresAt) : null,
    };
  },
  // The old access token stays: it is still good for weeks, and tomorrow's run tries again.
  failure: (error) => ({
    status: "refresh_failed",
    lastError: `refresh failed: ${error instanceof z.ZodError ? "Square's token answer was incomplete" : squareErrorMessage(error)}`,
  }),
});

/** Refreshes one connection if this caller wins the claim; "skipped" when another caller has it. */
export const refreshSquareConnection = squareTokens.refreshConnection;

/** Every Square connection whose token is 6 days old or more, oldest first. */
export const refreshDueSquareTokens = squareTokens.refreshDue;

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

/** Queues the next daily refresh run unless one is already waiting. */
export const scheduleTokenRefresh = squareTokens.schedule;

/** The daily job's run: the due tokens, then the next run (in a minute when more were due). */
export const runSquareTokenRefreshJob = squareTokens.runJob;
