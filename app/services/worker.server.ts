/**
 * The queue worker: claim a job, run its handler, mark it done, retry it later, or
 * dead-letter it. PayloadError (a payload that will never parse) dead-letters at once;
 * any other failure retries with backoff until maxAttempts.
 */
import { isDatabaseUnavailable, isTransientDatabaseError, isUniqueViolation, type Db } from "../db.server";
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
  for (let busyRetries = 0; ; busyRetries++) {
    try {
      await handler({ db: options.db, job, payload, now: clock() });
      await completeJob(options.db, job, clock());
      return { job, outcome: "done" };
    } catch (error) {
      // The database was busy, or another worker created the same row a moment earlier: not the
      // job's fault, and its transaction rolled back. Run it again now instead of burning an
      // attempt and waiting out the backoff (bounded; then it fails like any other error).
      const retryNow =
        (isTransientDatabaseError(error) && busyRetries < MAX_BUSY_RETRIES) ||
        (isUniqueViolation(error) && busyRetries < MAX_UNIQUE_RACE_RETRIES);
      if (retryNow) {
        await sleep(busyBackoffMs(busyRetries));
        continue;
      }
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const retry = !(error instanceof PayloadError);
      try {
        return { job, outcome: await failJob(options.db, job, reason, clock(), { retry }) };
      } catch (recordError) {
        // The database went away mid-job, so the failure cannot be written either: hand it to
        // the loop, which writes it once the database is back instead of leaving the job to its lease.
        if (isDatabaseUnavailable(recordError)) throw new UnrecordedFailure(job, reason, retry, recordError);
        throw recordError;
      }
    }
  }
}

/** A job's failure that could not be written because the database was unavailable. */
export class UnrecordedFailure extends Error {
  constructor(
    readonly job: JobRecord,
    readonly reason: string,
    readonly retry: boolean,
    cause: unknown,
  ) {
    super(`job ${job.id} failed and the failure could not be recorded: ${reason}`, { cause });
    this.name = "UnrecordedFailure";
  }
}

/** Immediate re-runs of a handler that hit a busy database, before it counts as a failure. */
export const MAX_BUSY_RETRIES = 10;
/** The same for a unique-constraint race; a handler that keeps violating one has a bug. */
export const MAX_UNIQUE_RACE_RETRIES = 2;

function busyBackoffMs(retry: number): number {
  // 5, 10, 20 … 320 ms ceilings with full jitter, so competing workers do not collide again.
  return Math.random() * 5 * 2 ** Math.min(retry, 6);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface LoopOptions extends WorkerOptions {
  signal: AbortSignal;
  idleMs?: number;
  onJob?: (job: JobRecord, outcome: JobOutcome, ms: number) => void;
}

/**
 * Runs until the signal aborts; sleeps idleMs when the queue is empty. Failures the database was
 * not there to record are written first, before anything new is claimed: the job goes back to
 * the queue with its backoff (seconds) instead of waiting out its lease (a minute).
 */
export async function runWorkerLoop(options: LoopOptions): Promise<void> {
  const idleMs = options.idleMs ?? 250;
  const clock = options.clock ?? (() => new Date());
  const unrecorded: UnrecordedFailure[] = [];
  while (!options.signal.aborted) {
    const started = performance.now();
    let result: Awaited<ReturnType<typeof runNextJob>> = null;
    try {
      while (unrecorded.length > 0) {
        const failure = unrecorded[0]!;
        const outcome = await failJob(options.db, failure.job, failure.reason, clock(), { retry: failure.retry });
        unrecorded.shift();
        options.onJob?.(failure.job, outcome, performance.now() - started);
      }
      result = await runNextJob(options);
    } catch (error) {
      if (error instanceof UnrecordedFailure) {
        unrecorded.push(error);
        console.warn(`worker: ${error.message}; recording it when the database is back`);
      } else {
        // Database hiccup (locked, connection reset): back off and carry on; the lease protects the job.
        console.warn("worker: claim failed, retrying", error);
      }
    }
    if (result) {
      options.onJob?.(result.job, result.outcome, performance.now() - started);
      continue;
    }
    await new Promise<void>((resolve) => {
      // The listener goes when the sleep ends: an idle worker would otherwise add one per poll.
      const onAbort = () => (clearTimeout(timer), resolve());
      const timer = setTimeout(() => (options.signal.removeEventListener("abort", onAbort), resolve()), idleMs);
      options.signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}
