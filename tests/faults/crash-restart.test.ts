/**
 * kill -9 of the server and the worker while Shopify is delivering orders and the worker is
 * processing them, then a restart: the sender delivers again every event it did not get a 200
 * for (same X-Shopify-Event-Id, as Shopify retries) and a few it did; in the end every event is
 * stored and processed exactly once — one WebhookEvent, one job done (none dead), one Order with
 * all its line items, one loyalty earn and one attribution per order — and the crash left nothing
 * half-written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows, startBlackBox, type BlackBoxApp } from "../support/black-box";
import { demoOrderPayload, demoStoreFacts, type DemoStoreFacts } from "../support/demo-orders";
import { waitFor } from "../support/processes";
import { deliverWebhook, registerCall } from "../support/register-http";

const ORDERS = 240;
const CONCURRENCY = 24;
/** Delivered one by one before the flood, so the worker is mid-queue when the crash comes. */
const WARM_UP = 40;
/** The crash comes once this many deliveries of the flood were acknowledged. */
const KILL_AFTER_ACKS = 60;
const FIRST_ORDER_ID = 9_300_000_000;

let app: BlackBoxApp;
let facts: DemoStoreFacts;

beforeAll(async () => {
  // A short lease, so the jobs the crash left running are claimed again soon after the restart.
  app = await startBlackBox({ worker: true, env: { JOB_LEASE_MS: "3000" } });
  facts = await demoStoreFacts(app.database);
});

afterAll(async () => {
  await app?.close();
});

type Outcome = { status: number } | { error: string };

interface Event {
  eventId: string;
  orderId: number;
  payload: ReturnType<typeof demoOrderPayload>;
  first?: Outcome;
}

const deliverWebhookOf = (event: Event) => deliverWebhook(app.url, "orders/create", event.payload, event.eventId);

const acknowledged = (event: Event) => !!event.first && "status" in event.first && event.first.status === 200;

/** Delivers until accepted (200); a 503 or a refused connection is retried, as Shopify does. */
async function deliverUntilAccepted(event: Event): Promise<number> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    try {
      const answer = await deliverWebhookOf(event);
      if (answer.status === 200) return attempt;
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
    } catch {
      // Connection refused or reset: the sender tries again.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`event ${event.eventId} was never accepted`);
}

describe("server and worker killed with SIGKILL mid-flood", () => {
  it(
    "every acknowledged event is processed exactly once after the restart, and nothing is half-written",
    { timeout: 180_000 },
    async () => {
      // GIVEN the register was shown suggestions for a cart at the demo location
      const anchor = facts.variants[0]!;
      const shown = await registerCall<{ suggestions: { variantId: string }[] }>(app.url, "/api/pos/suggestions", {
        cart: { lineItems: [{ variantId: anchor.variantId, quantity: 1 }] },
        locationId: facts.locationId,
        customerId: facts.customerId,
      });
      expect(shown.status, JSON.stringify(shown.body)).toBe(200);
      const suggested = shown.body.suggestions[0]?.variantId;
      expect(suggested, "the demo store suggests something for its first product").toBeDefined();
      // The shown rows are written by group commit: they are there before any order arrives.
      await waitFor(
        "the shown suggestion to be recorded",
        async () => {
          const [row] = await queryRows<{ n: number }>(
            app.database,
            `SELECT count(*) AS n FROM "SuggestionEvent" WHERE "shopId" = ? AND "kind" = 'shown' AND "variantExternalId" = ?`,
            [facts.shopId, suggested],
          );
          return Number(row!.n) > 0 || undefined;
        },
        { timeoutMs: 10_000 },
      );
      const before = await ledgerCounts();

      // AND orders that bought the anchor and the suggested item, each its own Shopify event
      const placedAt = new Date(Date.now() + 1_000);
      const events: Event[] = Array.from({ length: ORDERS }, (_, index) => {
        const orderId = FIRST_ORDER_ID + index;
        return {
          eventId: `evt-crash-${orderId}`,
          orderId,
          payload: demoOrderPayload(
            facts,
            orderId,
            [
              { variantId: anchor.variantId, quantity: 1 + (index % 3) },
              { variantId: suggested!, quantity: 1 },
            ],
            placedAt,
          ),
        };
      });

      // AND the worker is busy with the first of them
      for (const event of events.slice(0, WARM_UP)) event.first = { status: (await deliverWebhookOf(event)).status };
      await waitFor("the worker to get going", async () => ((await jobStates()).done > 0 ? true : undefined), {
        timeoutMs: 30_000,
      });

      // WHEN Shopify delivers the rest CONCURRENCY at a time, and both processes are killed mid-flood
      let acks = 0;
      let killed: Promise<void> | undefined;
      let next = WARM_UP;
      const sender = async () => {
        while (next < events.length && !killed) {
          const event = events[next++]!;
          try {
            const answer = await deliverWebhookOf(event);
            event.first = { status: answer.status };
            if (answer.status === 200 && ++acks === KILL_AFTER_ACKS) {
              // At once, while the other senders' deliveries are still in flight.
              killed = app.kill("SIGKILL");
            }
          } catch (error) {
            event.first = { error: (error as Error).message };
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, sender));
      await killed;
      // The queue as the crash left it (nothing runs any more).
      const atKill = await jobStates();
      expect(app.server.process.signalCode).toBe("SIGKILL");
      expect(app.worker!.process.signalCode).toBe("SIGKILL");

      const acked = events.filter(acknowledged);
      const inFlight = events.filter((event) => event.first && !acknowledged(event));
      const neverSent = events.filter((event) => !event.first);
      console.info(
        `crash: ${acked.length} acknowledged, ${inFlight.length} in flight, ${neverSent.length} not yet sent; ` +
          `jobs as the crash left them: ${JSON.stringify(atKill)} (running: claimed by the dead worker)`,
      );
      expect(acked.length).toBeGreaterThanOrEqual(WARM_UP + KILL_AFTER_ACKS);
      // The crash really hit deliveries in flight, while the worker was part-way through the queue.
      expect(inFlight.length).toBeGreaterThan(0);
      expect(atKill.done).toBeGreaterThan(0);
      expect(atKill.pending + atKill.running).toBeGreaterThan(0);

      // THEN right after the crash nothing is half-written: every stored event has its job, every
      // stored order its event and all its line items
      await expectNothingHalfWritten(events);
      for (const event of acked) {
        const [row] = await queryRows<{ jobId: string | null }>(
          app.database,
          `SELECT "jobId" FROM "WebhookEvent" WHERE "shopDomain" = 'demo-register.myshopify.com' AND "topic" = 'orders/create' AND "eventId" = ?`,
          [event.eventId],
        );
        expect(row?.jobId, `acknowledged ${event.eventId} was stored with its job`).toBeTruthy();
      }

      // WHEN both come back and Shopify re-delivers what was not acknowledged, plus some that were
      await app.start();
      const resent = [...inFlight, ...neverSent, ...acked.slice(0, 30)];
      let next2 = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next2 < resent.length) await deliverUntilAccepted(resent[next2++]!);
        }),
      );

      // THEN the queue drains
      const ids = events.map((event) => event.eventId);
      await waitFor(
        "every order job to be done",
        async () => {
          const states = await jobStates();
          return states.done === ORDERS ? states : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 250 },
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${app.worker?.output().slice(-4_000)}`);
      });

      // AND every event is stored once, with one job, done once
      const stored = await queryRows<{ eventId: string; rows: number; jobs: number; status: string; attempts: number }>(
        app.database,
        `SELECT e."eventId" AS "eventId", count(*) AS "rows", count(j."id") AS "jobs", max(j."status") AS "status",
              max(j."attempts") AS "attempts"
         FROM "WebhookEvent" e LEFT JOIN "Job" j ON j."id" = e."jobId"
        WHERE e."shopDomain" = 'demo-register.myshopify.com' AND e."topic" = 'orders/create' AND e."eventId" LIKE 'evt-crash-%'
        GROUP BY e."eventId"`,
      );
      expect(stored.map((row) => row.eventId).sort()).toEqual([...ids].sort());
      for (const row of stored) {
        // count() is a bigint on PostgreSQL: compared as numbers.
        expect({ ...row, rows: Number(row.rows), jobs: Number(row.jobs) }, row.eventId).toMatchObject({
          rows: 1,
          jobs: 1,
          status: "done",
        });
      }
      const crashJobs = await queryRows<{ n: number }>(
        app.database,
        `SELECT count(*) AS n FROM "Job" WHERE "type" = 'webhook:orders/create' AND "payload" LIKE '%"#F93000%'`,
      );
      expect(Number(crashJobs[0]!.n), "one job per event, none queued twice").toBe(ORDERS);
      const dead = await queryRows<{ type: string; lastError: string }>(
        app.database,
        `SELECT "type", "lastError" FROM "Job" WHERE "status" = 'dead'`,
      );
      expect(dead).toEqual([]);

      // AND one order per event, each with every line item and its totals
      const orders = await queryRows<{ externalId: string; lines: number; units: number; subtotalMinor: number }>(
        app.database,
        `SELECT o."externalId" AS "externalId", o."subtotalMinor" AS "subtotalMinor",
              (SELECT count(*) FROM "LineItem" l WHERE l."orderId" = o."id") AS "lines",
              (SELECT sum(l."quantity") FROM "LineItem" l WHERE l."orderId" = o."id") AS "units"
         FROM "Order" o WHERE o."shopId" = ? AND o."name" LIKE '#F%'`,
        [facts.shopId],
      );
      expect(orders).toHaveLength(ORDERS);
      const byId = new Map(orders.map((order) => [order.externalId, order]));
      for (const event of events) {
        const order = byId.get(String(event.orderId));
        expect(order, `order ${event.orderId}`).toBeDefined();
        expect(Number(order!.lines)).toBe(2);
        expect(Number(order!.units)).toBe(event.payload.line_items.reduce((sum, line) => sum + line.quantity, 0));
        expect(Number(order!.subtotalMinor)).toBe(Math.round(Number(event.payload.subtotal_price) * 100));
      }

      // AND the worker's side effects happened once per order: one loyalty earn, one attribution
      const after = await ledgerCounts();
      expect(after.earns - before.earns).toBe(ORDERS);
      const earnKeys = await queryRows<{ key: string; n: number }>(
        app.database,
        `SELECT "key", count(*) AS n FROM "LoyaltyLedgerEntry" WHERE "shopId" = ? AND "orderExternalId" LIKE '93000%' GROUP BY "key"`,
        [facts.shopId],
      );
      expect(earnKeys).toHaveLength(ORDERS);
      expect(earnKeys.every((row) => row.key.startsWith("earn:") && Number(row.n) === 1)).toBe(true);
      expect(after.attributions - before.attributions).toBe(ORDERS);
      const attributed = await queryRows<{ orderId: string; n: number }>(
        app.database,
        `SELECT a."orderId" AS "orderId", count(*) AS n FROM "SuggestionAttribution" a
         JOIN "Order" o ON o."id" = a."orderId" WHERE o."shopId" = ? AND o."name" LIKE '#F%' GROUP BY a."orderId"`,
        [facts.shopId],
      );
      expect(attributed).toHaveLength(ORDERS);
      expect(attributed.every((row) => Number(row.n) === 1)).toBe(true);
      // Nothing else was created for these events: exactly ORDERS webhook events were added in all.
      expect(after.events - before.events).toBe(ORDERS);
    },
  );
});

async function jobStates() {
  const rows = await queryRows<{ status: string; n: number }>(
    app.database,
    `SELECT j."status" AS "status", count(*) AS n FROM "WebhookEvent" e JOIN "Job" j ON j."id" = e."jobId"
      WHERE e."eventId" LIKE 'evt-crash-%' GROUP BY j."status"`,
  );
  const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
  return { pending: count("pending"), running: count("running"), done: count("done") };
}

async function ledgerCounts() {
  const [row] = await queryRows<{ earns: number; attributions: number; events: number }>(
    app.database,
    `SELECT (SELECT count(*) FROM "LoyaltyLedgerEntry" WHERE "shopId" = ? AND "kind" = 'earn') AS "earns",
            (SELECT count(*) FROM "SuggestionAttribution" WHERE "shopId" = ?) AS "attributions",
            (SELECT count(*) FROM "WebhookEvent") AS "events"`,
    [facts.shopId, facts.shopId],
  );
  return { earns: Number(row!.earns), attributions: Number(row!.attributions), events: Number(row!.events) };
}

/** Every stored event has its job; every stored order has its event, all its lines and one earn at most. */
async function expectNothingHalfWritten(events: Event[]) {
  const orphanEvents = await queryRows<{ eventId: string }>(
    app.database,
    `SELECT e."eventId" AS "eventId" FROM "WebhookEvent" e LEFT JOIN "Job" j ON j."id" = e."jobId"
      WHERE e."eventId" LIKE 'evt-crash-%' AND j."id" IS NULL`,
  );
  expect(orphanEvents, "events stored without their job").toEqual([]);
  const orders = await queryRows<{ externalId: string; lines: number }>(
    app.database,
    `SELECT o."externalId" AS "externalId", (SELECT count(*) FROM "LineItem" l WHERE l."orderId" = o."id") AS "lines"
       FROM "Order" o WHERE o."shopId" = ? AND o."name" LIKE '#F%'`,
    [facts.shopId],
  );
  const stored = new Set(
    (
      await queryRows<{ eventId: string }>(
        app.database,
        `SELECT "eventId" FROM "WebhookEvent" WHERE "eventId" LIKE 'evt-crash-%'`,
      )
    ).map((row) => row.eventId),
  );
  for (const order of orders) {
    expect(stored.has(`evt-crash-${order.externalId}`), `order ${order.externalId} without its event`).toBe(true);
    expect(Number(order.lines), `order ${order.externalId} has all its lines`).toBe(2);
  }
  expect(events.length).toBe(ORDERS);
}
