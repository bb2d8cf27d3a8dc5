/**
 * The worker process: `npm run worker`. Runs beside the web server (npm run demo starts both);
 * on PostgreSQL several may run at once. Stops cleanly on SIGTERM/SIGINT; a kill -9 leaves the
 * current job's lease to expire, and the job is claimed again.
 */
import { hostname, setPriority } from "node:os";
import { getDb } from "./db.server";
import { env } from "./env.server";
import { allJobHandlers } from "./services/job-handlers.server";
import { runWorkerLoop } from "./services/worker.server";

const config = env();
const controller = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => controller.abort());

// Background work yields the CPU to the web process, whose requests (webhook acks, the register)
// are the ones someone waits for. WORKER_NICE=0 keeps normal priority.
const nice = Math.min(19, Math.max(0, Number(process.env.WORKER_NICE ?? 10) || 0));
try {
  setPriority(nice);
} catch {
  // Not permitted in some containers: the worker still runs, at normal priority.
}

const workerId = `${hostname()}:${process.pid}`;
const leaseMs = process.env.JOB_LEASE_MS ? Number(process.env.JOB_LEASE_MS) : undefined;
console.log(`worker ${workerId} started (nice ${nice})`);
await runWorkerLoop({
  db: getDb(),
  databaseUrl: config.DATABASE_URL,
  workerId,
  leaseMs,
  handlers: await allJobHandlers(),
  signal: controller.signal,
  idleMs: process.env.WORKER_IDLE_MS ? Number(process.env.WORKER_IDLE_MS) : undefined,
  onJob: (job, outcome, ms) => {
    if (outcome !== "done") console.log(`job ${job.id} ${job.type} → ${outcome} (${ms.toFixed(0)} ms)`);
  },
});
await getDb().$disconnect();
console.log(`worker ${workerId} stopped`);
