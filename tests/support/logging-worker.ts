/**
 * The worker process of app/worker.ts (same loop, same claim, same webhook handlers) with a
 * handler-level log: every time this process starts a job it appends
 *   start <jobId> <attempt> <workerId>
 * and when the handler throws,
 *   fail <jobId> <attempt> <workerId> <reason>
 * to CLAIM_LOG, synchronously, so the log survives even a kill -9. The concurrency test merges
 * the logs of several processes to prove no job was ever run by two workers.
 *
 * Env: DATABASE_URL (+ the app's env), CLAIM_LOG (file), WORKER_NAME, WORKER_IDLE_MS, JOB_LEASE_MS.
 * Prints "ready <workerId>" once connected; stops cleanly on SIGTERM ("stopped <workerId>").
 */
import fs from "node:fs";
import { getDb } from "../../app/db.server";
import { env } from "../../app/env.server";
import { runWorkerLoop, webhookJobHandlers, type JobHandler } from "../../app/services/worker.server";

const logFile = process.env.CLAIM_LOG;
if (!logFile) {
  console.error("logging-worker: CLAIM_LOG is not set");
  process.exit(2);
}
const config = env();
const workerId = `${process.env.WORKER_NAME ?? "worker"}:${process.pid}`;
const controller = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => controller.abort());
// Safety net: never outlive a test run.
const maxMs = Number(process.env.WORKER_MAX_MS ?? 120_000);
setTimeout(() => controller.abort(), maxMs).unref();

const log = (line: string) => fs.appendFileSync(logFile, `${line.replace(/\n/g, " ")}\n`);

const handlers: Record<string, JobHandler> = {};
for (const [type, handler] of Object.entries(webhookJobHandlers())) {
  handlers[type] = async (context) => {
    log(`start ${context.job.id} ${context.job.attempts} ${workerId}`);
    try {
      await handler(context);
    } catch (error) {
      log(
        `fail ${context.job.id} ${context.job.attempts} ${workerId} ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
  };
}

const db = getDb();
await db.job.count(); // connect (and, on SQLite, settle the PRAGMAs) before saying ready
console.log(`ready ${workerId}`);
await runWorkerLoop({
  db,
  databaseUrl: config.DATABASE_URL,
  workerId,
  handlers,
  leaseMs: process.env.JOB_LEASE_MS ? Number(process.env.JOB_LEASE_MS) : undefined,
  idleMs: process.env.WORKER_IDLE_MS ? Number(process.env.WORKER_IDLE_MS) : 20,
  signal: controller.signal,
});
await db.$disconnect();
console.log(`stopped ${workerId}`);
