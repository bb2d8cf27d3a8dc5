/**
 * The queue survives crashes and keeps its promises about retries:
 * - with real processes: a worker killed with SIGKILL (after its claim, or inside the handler's
 *   open transaction) loses nothing; the real worker (app/worker.ts) picks the job up once the
 *   lease expires, stores the order exactly once, and stops cleanly on SIGTERM;
 * - in process, with an injected clock: failures retry with growing backoff and go dead after
 *   maxAttempts with the last error; the admin's retry revives a dead job; a job whose lease
 *   expired more than maxAttempts times is dead-lettered instead of killing workers forever.
 * Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL (see tests/setup/database.ts).
 */
import { hostname } from "node:os";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getDb, type Db } from "../../app/db.server";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { claimNextJob, enqueueJob, retryDeadJob, retryDelayMs, type JobRecord } from "../../app/services/jobs.server";
import { MAX_UNIQUE_RACE_RETRIES, runNextJob, runWorkerLoop, type JobHandler } from "../../app/services/worker.server";
import { killAllChildren, spawnTs, waitFor, type Child } from "../support/processes";
import { restOrderPayload, TEST_SHOP, webhookRequest } from "../support/webhooks";

const db = getDb();
const databaseUrl = process.env.DATABASE_URL!;
const args = (request: Request) => ({ request, params: {}, context: {} });
const LEASE_MS = 500;
const PROCESS_START_MS = 30_000;

afterEach(killAllChildren);
afterAll(killAllChildren);

/** Nothing else may be due while a test drives the queue by hand. */
beforeEach(async () => {
  expect(await db.job.count({ where: { status: { in: ["pending", "running"] } } })).toBe(0);
});

async function deliverOrder(eventId: string) {
  const payload = restOrderPayload();
  const response = await ordersCreate(args(webhookRequest("orders/create", payload, { eventId })));
  expect(response.status).toBe(200);
  const event = await db.webhookEvent.findFirstOrThrow({ where: { eventId } });
  return { payload, jobId: event.jobId! };
}

function parseReport(line: string) {
  return JSON.parse(line) as { state: string; jobId: string | null; attempts: number | null; workerId: string };
}

async function startWorker(): Promise<Child> {
  const worker = spawnTs("worker", "app/worker.ts", { JOB_LEASE_MS: String(LEASE_MS), WORKER_IDLE_MS: "50" });
  await worker.waitForLine(/^worker .* started/, PROCESS_START_MS);
  return worker;
}

async function waitUntilDone(jobId: string, worker: Child) {
  try {
    return await waitFor(
      `job ${jobId} to be done`,
      async () => {
        const job = await db.job.findUniqueOrThrow({ where: { id: jobId } });
        return job.status === "done" ? job : undefined;
      },
      { timeoutMs: 30_000 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${worker.output()}`);
  }
}

async function stopCleanly(worker: Child) {
  worker.process.kill("SIGTERM");
  const exit = await worker.waitForExit(15_000);
  expect(exit, worker.output()).toEqual({ code: 0, signal: null });
  expect(worker.output()).toMatch(/worker .* stopped/);
}

describe("a worker killed with SIGKILL", () => {
  it(
    "right after its claim: the job is claimed again after the lease and stored exactly once",
    { timeout: 90_000 },
    async () => {
      const { payload, jobId } = await deliverOrder("evt-crash-after-claim");

      const doomed = spawnTs("claim-and-hang", "tests/support/claim-and-hang.ts", { JOB_LEASE_MS: String(LEASE_MS) });
      const claim = parseReport(await doomed.waitForLine(/"state":"claimed"/, PROCESS_START_MS));
      expect(claim.jobId).toBe(jobId);
      expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({
        status: "running",
        attempts: 1,
        lockedBy: claim.workerId,
      });

      doomed.process.kill("SIGKILL");
      expect(await doomed.waitForExit(10_000)).toEqual({ code: null, signal: "SIGKILL" });
      // The crash leaves the job running under a dead worker's lease, and nothing stored.
      expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({
        status: "running",
        attempts: 1,
      });
      expect(await db.order.count({ where: { externalId: String(payload.id) } })).toBe(0);

      const worker = await startWorker();
      const job = await waitUntilDone(jobId, worker);
      expect(job).toMatchObject({ attempts: 2, lockedBy: `${hostname()}:${worker.process.pid}`, lastError: null });
      const orders = await db.order.findMany({
        where: { externalId: String(payload.id) },
        include: { lineItems: true },
      });
      expect(orders).toHaveLength(1);
      expect(orders[0]!.lineItems).toHaveLength(payload.line_items.length);
      expect(orders[0]!.totalMinor).toBe(862);

      await stopCleanly(worker);
      // Stopping did not disturb the finished work.
      expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ status: "done", attempts: 2 });
    },
  );

  it(
    "inside the handler's open transaction: the partial write is rolled back, then the job completes",
    { timeout: 90_000 },
    async () => {
      const { payload, jobId } = await deliverOrder("evt-crash-mid-write");

      const doomed = spawnTs("claim-and-hang", "tests/support/claim-and-hang.ts", {
        JOB_LEASE_MS: String(LEASE_MS),
        HANG_MODE: "mid-write",
      });
      const report = parseReport(await doomed.waitForLine(/"state":"writing"/, PROCESS_START_MS));
      expect(report.jobId).toBe(jobId);
      doomed.process.kill("SIGKILL");
      expect(await doomed.waitForExit(10_000)).toEqual({ code: null, signal: "SIGKILL" });
      expect(await db.order.count({ where: { externalId: String(payload.id) } })).toBe(0);

      const worker = await startWorker();
      const job = await waitUntilDone(jobId, worker);
      expect(job.attempts).toBe(2);
      const orders = await db.order.findMany({
        where: { externalId: String(payload.id) },
        include: { lineItems: true },
      });
      expect(orders).toHaveLength(1);
      expect(orders[0]).toMatchObject({ name: payload.name, totalMinor: 862, subtotalMinor: 798 });
      expect(orders[0]!.lineItems).toHaveLength(payload.line_items.length);
      await stopCleanly(worker);
    },
  );
});

describe("retries, backoff and dead letters", () => {
  const shopDomain = TEST_SHOP;

  function failingHandler(state: { failing: boolean; calls: number }): JobHandler {
    return async () => {
      state.calls++;
      if (state.failing) throw new Error(`downstream unavailable (call ${state.calls})`);
    };
  }

  async function runAt(type: string, handler: JobHandler, now: Date, leaseMs?: number) {
    return runNextJob({
      db,
      databaseUrl,
      workerId: "in-process",
      handlers: { [type]: handler },
      clock: () => now,
      leaseMs,
    });
  }

  it("a job that keeps failing goes dead after maxAttempts, keeping its last error", async () => {
    const type = "test:always-fails";
    const state = { failing: true, calls: 0 };
    const id = await enqueueJob(db, { shopDomain, type, payload: { n: 1 }, maxAttempts: 3 });
    let now = new Date();
    const outcomes: string[] = [];
    for (let round = 0; round < 10; round++) {
      const result = await runAt(type, failingHandler(state), now);
      if (!result) break;
      outcomes.push(result.outcome);
      const job = await db.job.findUniqueOrThrow({ where: { id } });
      if (job.status !== "pending") break;
      now = job.runAt;
    }
    expect(outcomes).toEqual(["retry", "retry", "dead"]);
    expect(state.calls).toBe(3);
    const dead = await db.job.findUniqueOrThrow({ where: { id } });
    expect(dead).toMatchObject({
      status: "dead",
      attempts: 3,
      lastError: "Error: downstream unavailable (call 3)",
      lockedAt: null,
    });
    expect(dead.finishedAt).toBeInstanceOf(Date);
    // Dead is final: no later clock claims it again.
    expect(await runAt(type, failingHandler(state), new Date(now.getTime() + 86_400_000))).toBeNull();
  });

  it("backoff delays grow exponentially and a job is not claimed before its time", async () => {
    const type = "test:backoff";
    const state = { failing: true, calls: 0 };
    const id = await enqueueJob(db, { shopDomain, type, payload: {}, maxAttempts: 5 });
    let now = new Date();
    const delays: number[] = [];
    for (let round = 0; round < 4; round++) {
      const result = await runAt(type, failingHandler(state), now);
      expect(result?.outcome).toBe("retry");
      const job = await db.job.findUniqueOrThrow({ where: { id } });
      expect(job).toMatchObject({ status: "pending", attempts: round + 1, lockedBy: null });
      delays.push(job.runAt.getTime() - now.getTime());
      // One millisecond early: nothing to claim. At runAt: claimable.
      expect(await runAt(type, failingHandler(state), new Date(job.runAt.getTime() - 1))).toBeNull();
      now = job.runAt;
    }
    expect(delays).toEqual([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt)));
    expect(delays).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(retryDelayMs(30)).toBe(3_600_000);
    // The fifth attempt is the last.
    expect((await runAt(type, failingHandler(state), now))?.outcome).toBe("dead");
    expect(await db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "dead", attempts: 5 });
  });

  it("retryDeadJob puts a dead job back with fresh attempts, and it can then succeed", async () => {
    const type = "test:revived";
    const state = { failing: true, calls: 0 };
    const id = await enqueueJob(db, { shopDomain, type, payload: {}, maxAttempts: 2 });
    let now = new Date();
    expect((await runAt(type, failingHandler(state), now))?.outcome).toBe("retry");
    now = (await db.job.findUniqueOrThrow({ where: { id } })).runAt;
    expect((await runAt(type, failingHandler(state), now))?.outcome).toBe("dead");

    // Scoped by shop, and only dead jobs.
    expect(await retryDeadJob(db, "someone-else.myshopify.com", id, now)).toBe(false);
    const later = new Date(now.getTime() + 60_000);
    expect(await retryDeadJob(db, shopDomain, id, later)).toBe(true);
    expect(await retryDeadJob(db, shopDomain, id, later)).toBe(false);
    const revived = await db.job.findUniqueOrThrow({ where: { id } });
    expect(revived).toMatchObject({ status: "pending", attempts: 0, lockedAt: null, lockedBy: null, finishedAt: null });
    expect(revived.runAt.getTime()).toBe(later.getTime());

    state.failing = false;
    expect((await runAt(type, failingHandler(state), later))?.outcome).toBe("done");
    expect(await db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "done",
      attempts: 1,
      lastError: null,
    });
  });

  it("a unique-constraint race re-runs the handler at once without using an attempt; a persistent one fails normally", async () => {
    const domain = "race-shop.myshopify.com";
    await db.shop.create({ data: { domain } });
    // A real P2002 from Prisma: what the loser of two concurrent upserts of one new row gets.
    const collide = () => db.shop.create({ data: { domain } });

    const type = "test:unique-race";
    let calls = 0;
    const raceOnce: JobHandler = async () => {
      if (calls++ === 0) await collide();
    };
    const id = await enqueueJob(db, { shopDomain, type, payload: {} });
    const now = new Date();
    expect((await runAt(type, raceOnce, now))?.outcome).toBe("done");
    expect(calls).toBe(2);
    expect(await db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "done", attempts: 1 });

    const always = "test:always-collides";
    let tries = 0;
    const alwaysCollides: JobHandler = async () => {
      tries++;
      await collide();
    };
    const stuck = await enqueueJob(db, { shopDomain, type: always, payload: {} });
    expect((await runAt(always, alwaysCollides, new Date(Date.now() + 1_000)))?.outcome).toBe("retry");
    expect(tries).toBe(MAX_UNIQUE_RACE_RETRIES + 1);
    const retried = await db.job.findUniqueOrThrow({ where: { id: stuck } });
    expect(retried).toMatchObject({ status: "pending", attempts: 1 });
    expect(retried.lastError).toMatch(/Unique constraint/i);
    // Leave the queue clean for the next test.
    await db.job.update({ where: { id: stuck }, data: { status: "cancelled" } });
  });

  it("a job whose lease expired more than maxAttempts times is dead-lettered without running again", async () => {
    const type = "test:kills-workers";
    const state = { failing: false, calls: 0 };
    const id = await enqueueJob(db, { shopDomain, type, payload: {}, maxAttempts: 2 });
    const leaseMs = 1_000;
    const t0 = Date.now();
    const claimAt = (offset: number, workerId: string): Promise<JobRecord | null> =>
      claimNextJob(db, { workerId, now: new Date(t0 + offset), leaseMs, databaseUrl });

    // Two workers claim it and die (their leases are never renewed or released).
    expect((await claimAt(0, "doomed-1"))?.id).toBe(id);
    expect(await claimAt(leaseMs - 1, "too-early")).toBeNull();
    expect(await claimAt(leaseMs + 1, "doomed-2")).toMatchObject({ id, attempts: 2, lockedBy: "doomed-2" });
    expect(await db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "running", attempts: 2 });

    // The third claim finds it has outlived maxAttempts: dead, handler not called.
    const result = await runAt(type, failingHandler(state), new Date(t0 + 2 * leaseMs + 2), leaseMs);
    expect(result?.outcome).toBe("dead");
    expect(state.calls).toBe(0);
    const dead = await db.job.findUniqueOrThrow({ where: { id } });
    expect(dead).toMatchObject({ status: "dead", attempts: 3, lockedAt: null });
    expect(dead.lastError).toMatch(/worker stopped repeatedly/);
  });
});

describe("the database going away in the middle of a job", () => {
  /** What Prisma throws when the server cannot be reached. */
  const unreachable = () =>
    Object.assign(new Error("Can't reach database server at 127.0.0.1:5432"), { code: "P1001" });

  /** The worker's view of the database: while `outage.down`, the queue's reads and writes fail as an unreachable server's do. */
  function flakyDb(outage: { down: boolean }): Db {
    const failWhileDown =
      <T extends object>(target: T, fn: (...args: unknown[]) => unknown) =>
      (...args: unknown[]) =>
        outage.down ? Promise.reject(unreachable()) : fn.apply(target, args);
    return new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (prop === "job") {
          return new Proxy(value as object, {
            get(jobs, method) {
              const fn = Reflect.get(jobs, method) as unknown;
              return typeof fn === "function" ? failWhileDown(jobs, fn as (...args: unknown[]) => unknown) : fn;
            },
          });
        }
        if (typeof value !== "function") return value;
        const bound = (value as (...args: unknown[]) => unknown).bind(target);
        return typeof prop === "string" && prop.startsWith("$") && prop !== "$on"
          ? failWhileDown(target, bound)
          : bound;
      },
    });
  }

  it(
    "the failure is written once the database is back, and the job runs again after its backoff, not its lease",
    { timeout: 30_000 },
    async () => {
      const type = "test:outage";
      const outage = { down: false };
      let calls = 0;
      const handler: JobHandler = async () => {
        calls++;
        if (calls === 1) {
          // The handler's write is the first to find the server gone.
          outage.down = true;
          throw unreachable();
        }
      };
      const id = await enqueueJob(db, { shopDomain: TEST_SHOP, type, payload: {} });
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      const stop = new AbortController();
      const loop = runWorkerLoop({
        db: flakyDb(outage),
        databaseUrl,
        workerId: "outage-worker",
        handlers: { [type]: handler },
        leaseMs: 60_000,
        idleMs: 50,
        signal: stop.signal,
      });
      try {
        await waitFor("the handler to meet the outage", async () => (calls === 1 ? true : undefined), {
          timeoutMs: 10_000,
        });
        await new Promise((resolve) => setTimeout(resolve, 500));
        // Down: the job is still the dead-looking claim the failure could not overwrite.
        expect(await db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({
          status: "running",
          lockedBy: "outage-worker",
          attempts: 1,
        });
        expect(calls).toBe(1);

        outage.down = false;
        const back = Date.now();
        const requeued = await waitFor(
          "the failure to be recorded",
          async () => {
            const job = await db.job.findUniqueOrThrow({ where: { id } });
            return job.status === "running" && job.lockedBy === "outage-worker" ? undefined : job;
          },
          { timeoutMs: 5_000 },
        );
        expect(requeued).toMatchObject({ status: "pending", attempts: 1, lockedBy: null });
        expect(requeued.lastError).toContain("Can't reach database server");
        expect(requeued.runAt.getTime() - back).toBeLessThanOrEqual(retryDelayMs(1) + 1_000);

        const done = await waitFor(
          "the job to run again",
          async () => {
            const job = await db.job.findUniqueOrThrow({ where: { id } });
            return job.status === "done" ? job : undefined;
          },
          { timeoutMs: 15_000 },
        );
        expect(done).toMatchObject({ attempts: 2, lastError: null });
        expect(calls).toBe(2);
        // Its backoff (2 s), not its 60 s lease.
        expect(Date.now() - back).toBeLessThan(15_000);
        expect(warn.mock.calls.flat().join("\n")).toContain("recording it when the database is back");
      } finally {
        stop.abort();
        await loop;
        warn.mockRestore();
      }
    },
  );
});
