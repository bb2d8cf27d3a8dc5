/**
 * The database locked or unavailable for a few seconds, with the running app met from outside:
 * register writes and webhooks answer 503 `database_unavailable` with Retry-After in bounded time,
 * nothing is half-written, and once the database is back the same requests (webhooks with the
 * same event id, as Shopify retries) succeed and everything is stored exactly once.
 * - SQLite: another process holds the write lock (BEGIN EXCLUSIVE) past the busy timeout; a short
 *   lock only delays.
 * - PostgreSQL (TEST_DATABASE_URL): the app's database is closed to connections and its
 *   connections ended, then opened again; the app reconnects on its own.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import Database from "better-sqlite3";
import { adminSql, queryRows, startBlackBox, tableCounts, type BlackBoxApp } from "../support/black-box";
import { demoOrderPayload, demoStoreFacts, type DemoStoreFacts } from "../support/demo-orders";
import { waitFor } from "../support/processes";
import { deliverWebhook, registerCall, type Answer } from "../support/register-http";

const source = inject("demoDatabase");
/** The app waits 5 s for a lock (SQLite busy timeout, the intake's retry budget); then it says 503. */
const OUTAGE_ANSWER_MS = 15_000;

let app: BlackBoxApp;
let facts: DemoStoreFacts;
let orderName: string;
let nextOrderId = 9_400_000_000;

beforeAll(async () => {
  app = await startBlackBox({ worker: true });
  facts = await demoStoreFacts(app.database);
  orderName = facts.latestOrderName;
  await queueIdle();
});

afterAll(async () => {
  await app?.close();
});

/** The worker has nothing left to do, so table counts only move with the requests under test. */
async function queueIdle() {
  await waitFor(
    "the queue to be idle",
    async () => {
      const [row] = await queryRows<{ n: number }>(
        app.database,
        `SELECT count(*) AS n FROM "Job" WHERE "status" IN ('pending', 'running')`,
      );
      return Number(row!.n) === 0 ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

/** The writes a register and Shopify make, each a fresh request (the same one is sent again later). */
function writes() {
  const orderId = nextOrderId++;
  const webhook = {
    eventId: `evt-outage-${randomUUID()}`,
    payload: demoOrderPayload(facts, orderId, [{ variantId: facts.variants[0]!.variantId, quantity: 1 }], new Date()),
  };
  const returnCheck = {
    order: orderName,
    receipt: "receipt",
    reason: { code: "wrong_size" },
    locationId: facts.locationId,
    deviceId: "fault-ipad",
  };
  const suggestions = {
    cart: { lineItems: [{ variantId: facts.variants[1]!.variantId, quantity: 1 }] },
    locationId: facts.locationId,
    record: true,
  };
  return {
    orderId,
    eventId: webhook.eventId,
    send: () =>
      Promise.all([
        deliverWebhook(app.url, "orders/create", webhook.payload, webhook.eventId),
        registerCall(app.url, "/api/pos/returns/check", returnCheck),
        registerCall(app.url, "/api/pos/suggestions", suggestions),
      ]),
  };
}

function expectDatabaseUnavailable(answer: Answer, what: string) {
  expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(503);
  expect(answer.headers.get("retry-after"), what).toMatch(/^\d+$/);
  expect(answer.body.error, what).toMatchObject({ code: "database_unavailable" });
  expect(answer.body.error!.message, what).toMatch(/try again/i);
  expect(answer.ms, what).toBeLessThan(OUTAGE_ANSWER_MS);
}

async function expectStoredOnceAndProcessed(orderId: number, eventId: string) {
  const processed = await waitFor(
    `order ${orderId} to be processed`,
    async () => {
      const rows = await queryRows<{ status: string }>(
        app.database,
        `SELECT j."status" AS "status" FROM "WebhookEvent" e JOIN "Job" j ON j."id" = e."jobId" WHERE e."eventId" = ?`,
        [eventId],
      );
      return rows.length === 1 && rows[0]!.status === "done" ? rows : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
  expect(processed).toHaveLength(1);
  const orders = await queryRows<{ lines: number }>(
    app.database,
    `SELECT (SELECT count(*) FROM "LineItem" l WHERE l."orderId" = o."id") AS "lines" FROM "Order" o
      WHERE o."shopId" = ? AND o."externalId" = ?`,
    [facts.shopId, String(orderId)],
  );
  expect(orders.map((order) => Number(order.lines))).toEqual([1]);
}

/**
 * Runs `outage` (which makes the database unavailable and returns how to end it), checks the
 * writes get the 503 and left nothing, ends it, and checks the same writes then go through once.
 */
async function outageAndRecovery(start: () => Promise<() => Promise<void>>) {
  await queueIdle();
  const before = await tableCounts(app.database);
  const request = writes();

  const end = await start();
  let answers: Answer[];
  try {
    answers = await request.send();
  } finally {
    await end();
  }
  const [webhook, returnCheck, suggestions] = answers;
  expectDatabaseUnavailable(webhook!, "orders/create webhook");
  expectDatabaseUnavailable(returnCheck!, "POST /api/pos/returns/check");
  expectDatabaseUnavailable(suggestions!, "POST /api/pos/suggestions");
  console.info(
    `${source.kind} outage: 503 after ${answers.map((answer) => `${answer.ms.toFixed(0)} ms`).join(", ")} ` +
      "(webhook, return check, suggestions)",
  );
  // Nothing half-written: not one row anywhere.
  expect(await tableCounts(app.database)).toEqual(before);

  // WHEN the register and Shopify try again (same event id) THEN it all goes through, once
  const again = await waitFor(
    "the app to answer again",
    async () => {
      const retried = await request.send();
      return retried.every((answer) => answer.status === 200) ? retried : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  expect(again.map((answer) => answer.status)).toEqual([200, 200, 200]);
  await expectStoredOnceAndProcessed(request.orderId, request.eventId);
  // The first resend that went through was the only one stored, whatever the retries before it.
  const events = await queryRows<{ n: number }>(
    app.database,
    `SELECT count(*) AS n FROM "WebhookEvent" WHERE "eventId" = ?`,
    [request.eventId],
  );
  expect(Number(events[0]!.n)).toBe(1);
}

describe.runIf(source.kind === "sqlite")("SQLite: another process holds the write lock", () => {
  function holdWriteLock(): () => Promise<void> {
    const locker = new Database(app.database.file!, { timeout: 0 });
    locker.exec("BEGIN EXCLUSIVE");
    return async () => {
      locker.exec("COMMIT");
      locker.close();
    };
  }

  it(
    "longer than the busy timeout: register writes and webhooks get 503 database_unavailable, then succeed once it is released",
    { timeout: 120_000 },
    async () => {
      await outageAndRecovery(async () => {
        const release = holdWriteLock();
        // Held well past the 5 s the app waits, and released only after the answers came back.
        return release;
      });
    },
  );

  it("for a moment (under the busy timeout): the requests are only delayed", { timeout: 60_000 }, async () => {
    await queueIdle();
    const request = writes();
    const release = holdWriteLock();
    const released = new Promise<void>((resolve) => setTimeout(() => void release().then(resolve), 1_500));
    const answers = await request.send();
    await released;
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    console.info(`SQLite short lock (1.5 s): answered after ${answers.map((a) => `${a.ms.toFixed(0)} ms`).join(", ")}`);
    await expectStoredOnceAndProcessed(request.orderId, request.eventId);
  });

  it("reads are still answered while another process writes", { timeout: 60_000 }, async () => {
    const release = holdWriteLock();
    try {
      const status = await registerCall(app.url, `/api/pos/status?locationId=${facts.locationId}`);
      expect(status.status, JSON.stringify(status.body)).toBe(200);
      expect(status.ms).toBeLessThan(5_000);
    } finally {
      await release();
    }
  });
});

describe.runIf(source.kind === "postgres")("PostgreSQL: the app's database refuses connections", () => {
  const serverUrl = source.kind === "postgres" ? source.serverUrl : "";
  const name = () => decodeURIComponent(new URL(app.database.url).pathname.slice(1));

  async function closeDatabase(): Promise<() => Promise<void>> {
    await adminSql(serverUrl, `ALTER DATABASE "${name()}" ALLOW_CONNECTIONS false`);
    await adminSql(
      serverUrl,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name()}' AND pid <> pg_backend_pid()`,
    );
    return () => adminSql(serverUrl, `ALTER DATABASE "${name()}" ALLOW_CONNECTIONS true`);
  }

  it(
    "for a few seconds: register calls and webhooks get 503 database_unavailable, and the app reconnects on its own",
    { timeout: 120_000 },
    async () => {
      await outageAndRecovery(closeDatabase);
      // Reads too: the status check is a 503 while closed, and 200 once open again.
      const reopen = await closeDatabase();
      let status: Answer;
      try {
        status = await registerCall(app.url, `/api/pos/status?locationId=${facts.locationId}`);
      } finally {
        await reopen();
      }
      expectDatabaseUnavailable(status, "GET /api/pos/status");
      const back = await waitFor(
        "the status check to answer",
        async () => {
          const answer = await registerCall(app.url, `/api/pos/status?locationId=${facts.locationId}`);
          return answer.status === 200 ? answer : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(back.status).toBe(200);
    },
  );
});
