/**
 * Several worker processes on one queue: every job runs exactly once. Four real processes
 * (tests/support/logging-worker.ts: the loop, claim and handlers of app/worker.ts plus a
 * handler-level log) drain webhook jobs for distinct orders that arrive while they run. The
 * merged logs prove no job was run by two workers at once, and the database shows each order
 * stored once. On PostgreSQL (TEST_DATABASE_URL) this exercises FOR UPDATE SKIP LOCKED; on
 * SQLite the compare-and-set claim.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getDb, getSqlDriver } from "../../app/db.server";
import { recordWebhook } from "../../app/services/webhooks.server";
import { killAllChildren, spawnTs, waitFor, type Child } from "../support/processes";
import { restOrderPayload, TEST_SHOP } from "../support/webhooks";

const db = getDb();
const JOBS = 300;
const WORKERS = 4;
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-queue-logs-"));

afterAll(async () => {
  await killAllChildren();
  fs.rmSync(logDir, { recursive: true, force: true });
});

interface LogEntry {
  kind: "start" | "fail";
  jobId: string;
  attempt: number;
  workerId: string;
  reason: string;
}

function readLog(file: string): LogEntry[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [kind, jobId, attempt, workerId, ...reason] = line.split(" ");
      return {
        kind: kind as LogEntry["kind"],
        jobId: jobId!,
        attempt: Number(attempt),
        workerId: workerId!,
        reason: reason.join(" "),
      };
    });
}

describe("several worker processes on one queue", () => {
  it(
    `run ${JOBS} jobs with ${WORKERS} processes: each job once, each order stored once`,
    { timeout: 240_000 },
    async () => {
      const workers: Child[] = [];
      const logs: string[] = [];
      for (let index = 0; index < WORKERS; index++) {
        const log = path.join(logDir, `worker-${index}.log`);
        logs.push(log);
        workers.push(
          spawnTs(`worker-${index}`, "tests/support/logging-worker.ts", {
            CLAIM_LOG: log,
            WORKER_NAME: `worker-${index}`,
            WORKER_IDLE_MS: "20",
            WORKER_MAX_MS: "200000",
          }),
        );
      }
      // All four are polling before the first job exists, so they really compete for each one.
      const ready = await Promise.all(workers.map((worker) => worker.waitForLine(/^ready /, 60_000)));
      const workerIds = ready.map((line) => line.slice("ready ".length).trim());

      const orderIds: string[] = [];
      const started = new Date();
      for (let index = 0; index < JOBS; index++) {
        const payload = restOrderPayload();
        orderIds.push(String(payload.id));
        const outcome = await recordWebhook(
          db,
          await getSqlDriver(),
          { shopDomain: TEST_SHOP, topic: "orders/create", eventId: `evt-concurrency-${index}` },
          payload,
          new Date(),
        );
        expect(outcome).toBe("accepted");
      }

      try {
        await waitFor(
          "the queue to drain",
          async () => {
            const open = await db.job.count({ where: { status: { in: ["pending", "running"] } } });
            return open === 0 ? true : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 200 },
        );
      } catch (error) {
        const states = await db.job.groupBy({ by: ["status", "attempts"], _count: { _all: true } });
        const lastErrors = await db.job.findMany({
          where: { lastError: { not: null } },
          select: { lastError: true },
          take: 3,
        });
        throw new Error(
          `${(error as Error).message}\njobs by status/attempts: ${JSON.stringify(states)}\n` +
            `last errors: ${JSON.stringify(lastErrors)}\nlog lines: ${logs.map((log) => readLog(log).length).join("/")}\n` +
            workers.map((worker) => worker.output()).join("\n"),
        );
      }

      for (const worker of workers) worker.process.kill("SIGTERM");
      const exits = await Promise.all(workers.map((worker) => worker.waitForExit(15_000)));
      expect(exits).toEqual(Array(WORKERS).fill({ code: 0, signal: null }));

      // Database: every job done, every order stored exactly once with its lines.
      const jobs = await db.job.findMany({
        where: { type: "webhook:orders/create", createdAt: { gte: new Date(started.getTime() - 1_000) } },
        select: { id: true, status: true, attempts: true, lockedBy: true, lastError: true },
      });
      expect(jobs).toHaveLength(JOBS);
      expect(jobs.filter((job) => job.status !== "done")).toEqual([]);
      const orders = await db.order.groupBy({
        by: ["externalId"],
        where: { externalId: { in: orderIds } },
        _count: { _all: true },
      });
      expect(orders).toHaveLength(JOBS);
      expect(orders.filter((order) => order._count._all !== 1)).toEqual([]);
      expect(await db.lineItem.count({ where: { order: { externalId: { in: orderIds } } } })).toBe(JOBS * 2);

      // Logs: each attempt (one claim) was run by exactly one worker; attempts follow each other
      // 1..n; every run but the last ended in a logged failure (a retry always has a reason: a
      // busy database re-runs the handler within the same claim, anything else is a new attempt).
      const entries = logs.flatMap(readLog);
      const byJob = new Map<string, LogEntry[]>();
      for (const entry of entries) byJob.set(entry.jobId, [...(byJob.get(entry.jobId) ?? []), entry]);
      const problems: string[] = [];
      for (const job of jobs) {
        const runs = byJob.get(job.id) ?? [];
        const starts = runs.filter((entry) => entry.kind === "start");
        const fails = runs.filter((entry) => entry.kind === "fail");
        const attempts = [...new Set(starts.map((entry) => entry.attempt))].sort((a, b) => a - b);
        const expected = Array.from({ length: job.attempts }, (_, index) => index + 1);
        if (JSON.stringify(attempts) !== JSON.stringify(expected)) {
          problems.push(`job ${job.id}: ran attempts ${attempts.join(",")} but the row says ${job.attempts}`);
          continue;
        }
        for (const attempt of attempts) {
          const runners = new Set(starts.filter((entry) => entry.attempt === attempt).map((entry) => entry.workerId));
          if (runners.size !== 1)
            problems.push(`job ${job.id}: attempt ${attempt} ran in ${[...runners].join(" and ")}`);
        }
        const last = starts.filter((entry) => entry.attempt === job.attempts);
        if (last[0]?.workerId !== job.lockedBy) {
          problems.push(`job ${job.id}: finished by ${job.lockedBy}, last run by ${last[0]?.workerId}`);
        }
        if (fails.length !== starts.length - 1) {
          problems.push(`job ${job.id}: ${starts.length} runs but ${fails.length} logged failures`);
        }
      }
      expect(problems).toEqual([]);
      expect(new Set(entries.map((entry) => entry.workerId)).size).toBeLessThanOrEqual(WORKERS);
      for (const entry of entries) expect(workerIds).toContain(entry.workerId);

      const perWorker = workerIds.map(
        (id) => entries.filter((entry) => entry.kind === "start" && entry.workerId === id).length,
      );
      const retried = jobs.filter((job) => job.attempts > 1);
      const failures = entries.filter((entry) => entry.kind === "fail");
      const reasons = [...new Set(failures.map((entry) => entry.reason.replace(/\s+/g, " ").slice(-60)))];
      console.log(
        `queue-concurrency: ${JOBS} jobs, runs per worker ${perWorker.join("/")}, ` +
          `${failures.length} failed runs, ${retried.length} jobs needed a second attempt` +
          (reasons.length ? ` (reasons: ${reasons.slice(0, 3).join(" | ")})` : ""),
      );
      // More than one process took part, so the claims really raced.
      expect(perWorker.filter((count) => count > 0).length).toBeGreaterThan(1);
    },
  );
});
