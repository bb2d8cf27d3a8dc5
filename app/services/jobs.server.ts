/**
 * The one durable job queue, in the database. A job is claimed with a lease; a worker that
 * dies (kill -9) leaves a lease that expires, and the job is claimed again. Failures retry with
 * exponential backoff up to maxAttempts, then the job is dead-lettered with its reason.
 *
 * PostgreSQL: claims use FOR UPDATE SKIP LOCKED so several workers never take the same job.
 * SQLite has one writer at a time; a conditional update (status still 'pending') is its
 * equivalent of the row lock.
 */
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import type { Db } from "../db.server";
import { isPostgresUrl } from "../db.server";
import type { Platform } from "../../shared/model";

export type JobStatus = "pending" | "running" | "done" | "dead" | "cancelled";

export interface JobRecord {
  id: string;
  platform: string;
  shopDomain: string;
  type: string;
  payload: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lockedAt: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  createdAt: Date;
}

export interface EnqueueInput {
  /** The shop's platform; "shopify" unless given. Platform jobs ("square:…") name it in their type too. */
  platform?: Platform;
  shopDomain: string;
  type: string;
  payload: unknown;
  runAt?: Date;
  maxAttempts?: number;
}

export const DEFAULT_LEASE_MS = 60_000;

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * The one way a pending job is written: a single INSERT with the id made here, so it runs the
 * same through Prisma (enqueueJob, alone or in a transaction) and through the driver connection
 * next to another write (webhook intake). Every DateTime column is given explicitly so both
 * databases store the format Prisma itself writes.
 */
export function jobInsertSql(id: string, input: EnqueueInput, now: Date): Prisma.Sql {
  const payload = JSON.stringify(input.payload);
  const runAt = input.runAt ?? now;
  const maxAttempts = input.maxAttempts ?? 8;
  return Prisma.sql`
    INSERT INTO "Job" ("id", "platform", "shopDomain", "type", "payload", "status", "attempts", "maxAttempts", "runAt", "createdAt")
    VALUES (${id}, ${input.platform ?? "shopify"}, ${input.shopDomain}, ${input.type}, ${payload}, 'pending', 0, ${maxAttempts}, ${runAt}, ${now})`;
}

export async function enqueueJob(db: Db | Tx, input: EnqueueInput): Promise<string> {
  const id = randomUUID();
  await db.$executeRaw(jobInsertSql(id, input, new Date()));
  return id;
}

/** A shop-wide job with no payload (a rebuild, a sweep): queued unless one is already waiting or running. */
export async function enqueueShopJobOnce(
  db: Db,
  shop: { platform: Platform; domain: string },
  type: string,
  now: Date,
) {
  const pending = await db.job.count({
    where: { platform: shop.platform, shopDomain: shop.domain, type, status: { in: ["pending", "running"] } },
  });
  if (pending === 0) {
    await enqueueJob(db, { platform: shop.platform, shopDomain: shop.domain, type, payload: {}, runAt: now });
  }
}

/** Job kept dead from the start: a payload that will never process, kept for the admin to see. */
export async function enqueueDeadLetter(db: Db | Tx, input: EnqueueInput & { reason: string }): Promise<string> {
  const job = await db.job.create({
    data: {
      platform: input.platform ?? "shopify",
      shopDomain: input.shopDomain,
      type: input.type,
      payload: typeof input.payload === "string" ? input.payload : JSON.stringify(input.payload),
      status: "dead",
      lastError: input.reason,
      finishedAt: new Date(),
    },
    select: { id: true },
  });
  return job.id;
}

export interface ClaimOptions {
  workerId: string;
  now: Date;
  leaseMs?: number;
  databaseUrl: string;
}

export async function claimNextJob(db: Db, options: ClaimOptions): Promise<JobRecord | null> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const leaseExpiredBefore = new Date(options.now.getTime() - leaseMs);
  if (isPostgresUrl(options.databaseUrl)) {
    const rows = await db.$queryRaw<JobRecord[]>`
      UPDATE "Job" SET "status" = 'running', "lockedAt" = ${options.now}, "lockedBy" = ${options.workerId},
        "attempts" = "attempts" + 1
      WHERE "id" = (
        SELECT "id" FROM "Job"
        WHERE ("status" = 'pending' AND "runAt" <= ${options.now})
           OR ("status" = 'running' AND "lockedAt" < ${leaseExpiredBefore})
        ORDER BY "runAt" ASC
        LIMIT 1
        FOR UPDATE SKIP LOCKED
      )
      RETURNING *`;
    return rows[0] ?? null;
  }
  // Bounded: each failed compare-and-set means another worker won that job; try the next.
  for (let tries = 0; tries < 5; tries++) {
    const candidate = await db.job.findFirst({
      where: {
        OR: [
          { status: "pending", runAt: { lte: options.now } },
          { status: "running", lockedAt: { lt: leaseExpiredBefore } },
        ],
      },
      orderBy: { runAt: "asc" },
      select: { id: true, status: true, lockedAt: true },
    });
    if (!candidate) return null;
    const claimed = await db.job.updateMany({
      where: { id: candidate.id, status: candidate.status, lockedAt: candidate.lockedAt },
      data: {
        status: "running",
        lockedAt: options.now,
        lockedBy: options.workerId,
        attempts: { increment: 1 },
      },
    });
    if (claimed.count === 1) return db.job.findUniqueOrThrow({ where: { id: candidate.id } });
  }
  return null;
}

export async function completeJob(db: Db, job: JobRecord, now: Date) {
  await db.job.updateMany({
    where: { id: job.id, lockedBy: job.lockedBy, status: "running" },
    data: { status: "done", finishedAt: now, lockedAt: null, lastError: null },
  });
}

/** Backoff: 2s, 4s, 8s … capped at one hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(2 ** attempts * 1_000, 3_600_000);
}

export async function failJob(db: Db, job: JobRecord, reason: string, now: Date, options: { retry: boolean }) {
  const exhausted = job.attempts >= job.maxAttempts;
  const dead = !options.retry || exhausted;
  await db.job.updateMany({
    where: { id: job.id, lockedBy: job.lockedBy, status: "running" },
    data: dead
      ? { status: "dead", lastError: reason.slice(0, 2_000), finishedAt: now, lockedAt: null }
      : {
          status: "pending",
          lastError: reason.slice(0, 2_000),
          runAt: new Date(now.getTime() + retryDelayMs(job.attempts)),
          lockedAt: null,
          lockedBy: null,
        },
  });
  return dead ? "dead" : "retry";
}

/** The admin's retry button: a dead job goes back to the queue with fresh attempts. */
export async function retryDeadJob(db: Db, shopDomain: string, jobId: string, now: Date): Promise<boolean> {
  const result = await db.job.updateMany({
    where: { id: jobId, shopDomain, status: "dead" },
    data: { status: "pending", attempts: 0, runAt: now, lockedAt: null, lockedBy: null, finishedAt: null },
  });
  return result.count === 1;
}

/** Every dead letter of the shop back in the queue; returns how many. */
export async function retryAllDeadJobs(db: Db, shopDomain: string, now: Date): Promise<number> {
  const result = await db.job.updateMany({
    where: { shopDomain, status: "dead" },
    data: { status: "pending", attempts: 0, runAt: now, lockedAt: null, lockedBy: null, finishedAt: null },
  });
  return result.count;
}

export async function cancelShopJobs(db: Db | Tx, shopDomain: string, now: Date) {
  await db.job.updateMany({
    where: { shopDomain, status: { in: ["pending", "running"] } },
    data: { status: "cancelled", finishedAt: now, lockedAt: null },
  });
}

export async function listDeadLetters(db: Db, shopDomain: string, take = 50) {
  return db.job.findMany({
    where: { shopDomain, status: "dead" },
    orderBy: { finishedAt: "desc" },
    take,
    select: { id: true, type: true, lastError: true, attempts: true, createdAt: true, finishedAt: true, payload: true },
  });
}
