/**
 * The queue worker: claim a job, run its handler, mark it done, retry it later, or
 * dead-letter it. PayloadError (a payload that will never parse) dead-letters at once;
 * any other failure retries with backoff until maxAttempts.
 */
import type { Db } from "../db.server";
import { PayloadError } from "../platforms/shopify/normalize";
import { claimNextJob, completeJob, failJob, type JobRecord } from "./jobs.server";
import { processWebhook, WEBHOOK_JOB_PREFIX, WEBHOOK_TOPICS, type WebhookTopic } from "./webhooks.server";

export interface JobContext {
  db: Db;
  job: JobRecord;
  payload: unknown;
  now: Date;
}

export type JobHandler = (context: JobContext) => Promise<void>;

export function webhookJobHandlers(): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {};
  for (const topic of WEBHOOK_TOPICS) {
    handlers[`${WEBHOOK_JOB_PREFIX}${topic}`] = ({ db, job, payload, now }) =>
      processWebhook(db, topic as WebhookTopic, job.shopDomain, payload, now);
  }
  return handlers;
}

export interface WorkerOptions {
  db: Db;
  databaseUrl: string;
  workerId: string;
  handlers: Record<string, JobHandler>;
  clock?: () => Date;
  leaseMs?: number;
}

export type JobOutcome = "done" | "retry" | "dead";

/** Claims and runs one job; null when nothing is due. */
export async function runNextJob(options: WorkerOptions): Promise<{ job: JobRecord; outcome: JobOutcome } | null> {
  const clock = options.clock ?? (() => new Date());
  const job = await claimNextJob(options.db, {
    workerId: options.workerId,
    now: clock(),
    leaseMs: options.leaseMs,
    databaseUrl: options.databaseUrl,
  });
  if (!job) return null;
  const handler = options.handlers[job.type];
  if (!handler) {
    await failJob(options.db, job, `no handler for job type ${job.type}`, clock(), { retry: false });
    return { job, outcome: "dead" };
  }
  if (job.attempts > job.maxAttempts) {
    // Claimed again after its lease expired more times than allowed: it keeps killing workers.
    await failJob(options.db, job, "gave up: the job's worker stopped repeatedly", clock(), { retry: false });
    return { job, outcome: "dead" };
  }
  let payload: unknown;
  try {
    payload = JSON.parse(job.payload);
  } catch {
    await failJob(options.db, job, "stored payload is not JSON", clock(), { retry: false });
    return { job, outcome: "dead" };
  }
  try {
    await handler({ db: options.db, job, payload, now: clock() });
    await completeJob(options.db, job, clock());
    return { job, outcome: "done" };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const outcome = await failJob(options.db, job, reason, clock(), { retry: !(error instanceof PayloadError) });
    return { job, outcome };
  }
}

export interface LoopOptions extends WorkerOptions {
  signal: AbortSignal;
  idleMs?: number;
  onJob?: (job: JobRecord, outcome: JobOutcome, ms: number) => void;
}

/** Runs until the signal aborts; sleeps idleMs when the queue is empty. */
export async function runWorkerLoop(options: LoopOptions): Promise<void> {
  const idleMs = options.idleMs ?? 250;
  while (!options.signal.aborted) {
    const started = performance.now();
    let result: Awaited<ReturnType<typeof runNextJob>>;
    try {
      result = await runNextJob(options);
    } catch (error) {
      // Database hiccup (locked, connection reset): back off and carry on; the lease protects the job.
      console.warn("worker: claim failed, retrying", error);
      result = null;
    }
    if (result) {
      options.onJob?.(result.job, result.outcome, performance.now() - started);
      continue;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, idleMs);
      options.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
