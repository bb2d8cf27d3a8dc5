/**
 * Install + order-history backfill, end to end through the real pieces: the shop's offline
 * Session row, `unauthenticated.admin` from shopify.server (so the Admin API client, URL and
 * token are the library's own), the job queue, normalization and the database. Only Shopify's
 * HTTP is mocked (msw), with the shapes its docs define for bulkOperationRunQuery, node(id) on a
 * BulkOperation, currentBulkOperation, and the JSONL result (rows with __parentId).
 */
import fs from "node:fs";
import path from "node:path";
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { BackfillLimits } from "~/services/backfill.server";

// The Shopify library keeps a reference to globalThis.fetch when it loads: msw must patch
// fetch before any app module (and so the library) is imported.
const server = setupServer();
server.listen({ onUnhandledRequest: "error" });

const { getDb } = await import("~/db.server");
const { sessionStorage, unauthenticated } = await import("~/shopify.server");
const { onShopInstalled, runShopifyAdminJob } = await import("~/services/install.server");
const backfill = await import("~/services/backfill.server");
const { completeJob, failJob } = await import("~/services/jobs.server");

const db = getDb();
const FIXTURE = fs.readFileSync(path.resolve(__dirname, "../fixtures/bulk-orders.jsonl"));
const FIXTURE_LINES = FIXTURE.toString("utf8").trimEnd().split("\n");
const ACCESS_TOKEN = "shpat_offline_test_token";
const START = new Date("2026-11-25T12:00:00Z");

afterEach(() => server.resetHandlers());
afterAll(() => server.close());

// ---------- Shopify, mocked ----------

interface BulkOperationNode {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string;
  rootObjectCount: string;
  url: string | null;
  partialDataUrl: string | null;
}

interface Scenario {
  /** bulkOperationRunQuery's answer (default: a CREATED operation). */
  runQuery?: (variables: Record<string, unknown>) => unknown;
  /** node(id) answers, in order; the last one repeats. */
  polls?: BulkOperationNode[];
  current?: { id: string; status: string; query: string } | null;
  /** The JSONL result file. */
  file?: Buffer;
  /** Serve the whole file with 200 even when asked for a range, like a server without Range support. */
  ignoreRange?: boolean;
  /** The first download is cut after this many bytes (a dropped connection). */
  breakFirstDownloadAfter?: number;
}

interface Recorded {
  graphql: { operation: string; variables: Record<string, unknown>; token: string | null }[];
  downloads: { range: string | null; status: number }[];
}

let operationSeq = 0;

function fileUrl(shop: string) {
  return `https://storage.googleapis.com/shopify-tiers-assets-prod-us-east1/bulk-operation-outputs/${shop.split(".")[0]}-final?GoogleAccessId=assets-us-prod%40shopify-tiers.iam.gserviceaccount.com&Expires=1765000000&Signature=c2lnbmF0dXJl`;
}

function operation(overrides: Partial<BulkOperationNode>): BulkOperationNode {
  return {
    id: `gid://shopify/BulkOperation/${720000000 + operationSeq}`,
    status: "RUNNING",
    errorCode: null,
    objectCount: "0",
    rootObjectCount: "0",
    url: null,
    partialDataUrl: null,
    ...overrides,
  };
}

function mockShopify(shop: string, scenario: Scenario): Recorded {
  const recorded: Recorded = { graphql: [], downloads: [] };
  const opId = `gid://shopify/BulkOperation/${720000000 + ++operationSeq}`;
  const polls = scenario.polls ?? [
    operation({ id: opId, status: "RUNNING", objectCount: "9", rootObjectCount: "3" }),
    operation({ id: opId, status: "COMPLETED", objectCount: "21", rootObjectCount: "7", url: fileUrl(shop) }),
  ];
  let pollIndex = 0;
  let downloads = 0;
  const file = scenario.file ?? FIXTURE;

  server.use(
    http.post(`https://${shop}/admin/api/2026-07/graphql.json`, async ({ request }) => {
      const body = (await request.json()) as { query: string; variables?: Record<string, unknown> };
      const query = body.query;
      const variables = body.variables ?? {};
      const token = request.headers.get("X-Shopify-Access-Token");
      const name = /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "anonymous";
      recorded.graphql.push({ operation: name, variables, token });
      if (query.includes("RegisterCopilotInstall")) {
        const second = variables.after === "cursor-1";
        return HttpResponse.json({
          data: {
            shop: { name: "Harbour Grocers", currencyCode: "CAD", ianaTimezone: "America/Halifax" },
            // A managed-pricing plan in its free trial (ADR 0010), as the Admin API answers it.
            currentAppInstallation: {
              activeSubscriptions: [
                {
                  name: "Growth",
                  status: "ACTIVE",
                  trialDays: 14,
                  createdAt: "2026-03-01T12:00:00Z",
                  lineItems: [
                    { plan: { pricingDetails: { __typename: "AppRecurringPricing", planHandle: "growth" } } },
                  ],
                },
              ],
            },
            locations: second
              ? {
                  nodes: [{ id: "gid://shopify/Location/71234567002", name: "Harbour Mall", isActive: true }],
                  pageInfo: { hasNextPage: false, endCursor: null },
                }
              : {
                  nodes: [{ id: "gid://shopify/Location/71234567001", name: "Main Street", isActive: true }],
                  pageInfo: { hasNextPage: true, endCursor: "cursor-1" },
                },
          },
          extensions: { cost: { requestedQueryCost: 4, actualQueryCost: 4 } },
        });
      }
      if (query.includes("bulkOperationRunQuery")) {
        const answer = scenario.runQuery?.(variables) ?? {
          bulkOperationRunQuery: { bulkOperation: { id: opId, status: "CREATED" }, userErrors: [] },
        };
        return HttpResponse.json({ data: answer });
      }
      if (query.includes("currentBulkOperation")) {
        return HttpResponse.json({ data: { currentBulkOperation: scenario.current ?? null } });
      }
      if (query.includes("node(id:")) {
        const node = polls[Math.min(pollIndex++, polls.length - 1)]!;
        return HttpResponse.json({ data: { node: variables.id === node.id ? node : null } });
      }
      return HttpResponse.json({ errors: [{ message: "unexpected query in test" }] }, { status: 400 });
    }),
    http.get(fileUrl(shop).split("?")[0]!, ({ request }) => {
      const range = request.headers.get("Range");
      downloads += 1;
      const from = range && !scenario.ignoreRange ? Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0) : 0;
      const status = from > 0 ? 206 : 200;
      recorded.downloads.push({ range, status });
      const bytes = file.subarray(from);
      const headers: Record<string, string> = { "Content-Type": "application/jsonl" };
      if (status === 206) headers["Content-Range"] = `bytes ${from}-${file.length - 1}/${file.length}`;
      if (downloads === 1 && scenario.breakFirstDownloadAfter !== undefined) {
        const cut = scenario.breakFirstDownloadAfter;
        let pulls = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            // The bytes before the cut arrive; the next read fails, as on a dropped connection.
            // (After a pause: an error discards chunks the reader has not taken yet.)
            if (pulls++ === 0) controller.enqueue(new Uint8Array(bytes.subarray(0, cut)));
            else
              return new Promise((resolve) => setTimeout(resolve, 300)).then(() =>
                controller.error(new Error("socket hang up")),
              );
          },
        });
        return new HttpResponse(stream, { status, headers });
      }
      // Small chunks, so lines straddle chunk boundaries as they do on a real connection.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < bytes.length; at += 97) controller.enqueue(new Uint8Array(bytes.subarray(at, at + 97)));
          controller.close();
        },
      });
      return new HttpResponse(stream, { status, headers });
    }),
  );
  return recorded;
}

// ---------- factories and a worker loop ----------

async function installedShop(shop: string) {
  const session = setUpValidSession({ shop, accessToken: ACCESS_TOKEN, scope: process.env.SCOPES });
  session.expires = new Date(Date.now() + 3_600_000); // expiring offline token, still valid
  await sessionStorage.storeSession(session);
  return db.shop.upsert({
    where: { platform_domain: { platform: "shopify", domain: shop } },
    create: { domain: shop, currency: "USD", timezone: "America/Halifax" },
    update: {},
  });
}

/** Runs the shop's due jobs in runAt order, moving the clock to each job's time, as the worker would. */
async function runQueue(
  shop: string,
  clock: { now: Date },
  limits?: BackfillLimits,
  afterJob?: (job: { type: string }, error: Error | null) => Promise<void>,
) {
  const errors: string[] = [];
  for (let i = 0; i < 100; i++) {
    const next = await db.job.findFirst({ where: { shopDomain: shop, status: "pending" }, orderBy: { runAt: "asc" } });
    if (!next) return errors;
    if (next.runAt > clock.now) clock.now = next.runAt;
    const job = await db.job.update({
      where: { id: next.id },
      data: { status: "running", lockedAt: clock.now, lockedBy: "test-worker", attempts: { increment: 1 } },
    });
    try {
      await runShopifyAdminJob(db, job, { now: () => clock.now, limits });
      await completeJob(db, job, clock.now);
      await afterJob?.(job, null);
    } catch (error) {
      errors.push(`${job.type}: ${(error as Error).message}`);
      await failJob(db, job, (error as Error).message, clock.now, { retry: true });
      await afterJob?.(job, error as Error);
    }
  }
  throw new Error("queue did not drain");
}

async function runFor(shop: string) {
  return db.backfillRun.findFirstOrThrow({ where: { shop: { domain: shop } }, orderBy: { startedAt: "desc" } });
}

async function ordersOf(shop: string) {
  return db.order.findMany({
    where: { shop: { domain: shop } },
    include: { lineItems: { orderBy: { externalId: "asc" } } },
    orderBy: { externalId: "asc" },
  });
}

// ---------- tests ----------

describe("install", () => {
  it("records the shop, its currency, timezone and every location page, and queues one backfill", async () => {
    const shop = "install-shop.myshopify.com";
    await installedShop(shop);
    const recorded = mockShopify(shop, {});
    const { admin } = await unauthenticated.admin(shop);

    const first = await onShopInstalled({ db, session: { shop }, admin, now: START });
    const second = await onShopInstalled({ db, session: { shop }, admin, now: START });

    const saved = await db.shop.findFirstOrThrow({
      where: { domain: shop },
      include: { locations: { orderBy: { externalId: "asc" } } },
    });
    expect(saved).toMatchObject({
      name: "Harbour Grocers",
      currency: "CAD",
      timezone: "America/Halifax",
      uninstalledAt: null,
      planHandle: "growth",
      planName: "Growth",
      planStatus: "ACTIVE",
      planTrialEndsAt: new Date("2026-03-15T12:00:00Z"),
    });
    expect(saved.locations.map((l) => [l.externalId, l.name, l.active])).toEqual([
      ["71234567001", "Main Street", true],
      ["71234567002", "Harbour Mall", true],
    ]);
    expect(first.backfillRunId).toBeTruthy();
    expect(second.backfillRunId).toBeNull(); // afterAuth twice: still one backfill
    expect(await db.backfillRun.count({ where: { shopId: saved.id } })).toBe(1);
    expect(await db.job.count({ where: { shopDomain: shop, type: "backfill:start" } })).toBe(1);
    expect(recorded.graphql.every((call) => call.token === ACCESS_TOKEN)).toBe(true);
  });

  it("a re-install clears uninstalledAt and backfills again; a completed backfill is not repeated otherwise", async () => {
    const shop = "reinstall-shop.myshopify.com";
    const row = await installedShop(shop);
    mockShopify(shop, {});
    const { admin } = await unauthenticated.admin(shop);
    await db.backfillRun.create({ data: { shopId: row.id, status: "completed", sinceDate: START, finishedAt: START } });

    expect((await onShopInstalled({ db, session: { shop }, admin, now: START })).backfillRunId).toBeNull();

    await db.shop.update({ where: { id: row.id }, data: { uninstalledAt: START } });
    const again = await onShopInstalled({ db, session: { shop }, admin, now: new Date(START.getTime() + 60_000) });
    expect(again.reinstalled).toBe(true);
    expect(again.backfillRunId).toBeTruthy();
    expect((await db.shop.findUniqueOrThrow({ where: { id: row.id } })).uninstalledAt).toBeNull();
  });

  it("completes the install when the Admin API cannot be read, and queues shop:sync to fetch the details", async () => {
    const shop = "flaky-install.myshopify.com";
    await installedShop(shop);
    const failing = async () => {
      throw new Error("Admin API unreachable");
    };
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const result = await onShopInstalled({ db, session: { shop }, admin: { graphql: failing }, now: START });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("queued shop:sync"));
    warn.mockRestore();
    expect(result.profileSynced).toBe(false);
    expect(await db.job.count({ where: { shopDomain: shop, type: "shop:sync" } })).toBe(1);

    mockShopify(shop, {});
    await db.job.updateMany({
      where: { shopDomain: shop, type: { startsWith: "backfill:" } },
      data: { status: "cancelled" },
    });
    const errors = await runQueue(shop, { now: START });
    expect(errors).toEqual([]);
    expect(await db.shop.findFirstOrThrow({ where: { domain: shop } })).toMatchObject({
      name: "Harbour Grocers",
      currency: "CAD",
    });
    expect(await db.location.count({ where: { shop: { domain: shop } } })).toBe(2);
  });
});

describe("backfill", () => {
  it("imports a year of orders: start → poll (RUNNING, then COMPLETED) → ingest, through the same normalization", async () => {
    const shop = "backfill-shop.myshopify.com";
    await installedShop(shop);
    const recorded = mockShopify(shop, {});
    const { admin } = await unauthenticated.admin(shop);
    await onShopInstalled({ db, session: { shop }, admin, now: START });

    const clock = { now: START };
    expect(await runQueue(shop, clock)).toEqual([]);

    const mutation = recorded.graphql.find((call) => call.operation === "RegisterCopilotBackfill")!;
    expect(String(mutation.variables.query)).toContain('orders(query: "processed_at:>=2025-11-25")');
    expect(recorded.graphql.filter((call) => call.operation === "RegisterCopilotBulkOperation")).toHaveLength(2);
    expect(recorded.graphql.every((call) => call.token === ACCESS_TOKEN)).toBe(true);
    expect(clock.now.getTime() - START.getTime()).toBe(5_000 + 10_000); // polled at +5 s, then +10 s

    const run = await runFor(shop);
    expect(run).toMatchObject({
      status: "completed",
      objectCount: 21,
      ordersImported: 7,
      linesImported: 14,
      error: null,
    });
    expect(run.sinceDate.toISOString()).toBe("2025-11-25T00:00:00.000Z");
    expect(run.bulkOperationId).toMatch(/^gid:\/\/shopify\/BulkOperation\/\d+$/);

    const orders = await ordersOf(shop);
    expect(orders).toHaveLength(7);
    expect(orders.reduce((sum, order) => sum + order.lineItems.length, 0)).toBe(14);
    const discounted = orders.find((order) => order.name === "#1002")!;
    expect(discounted).toMatchObject({
      externalId: "5610001000002",
      currency: "USD",
      subtotalMinor: 1023,
      totalMinor: 1023,
      discountMinor: 114,
      financialStatus: "paid",
      sourceName: "pos",
      locationExternalId: "71234567002",
      customerExternalId: null,
    });
    expect(
      discounted.lineItems.map((line) => [line.externalId, line.quantity, line.priceMinor, line.discountMinor]),
    ).toEqual([
      ["13900000000003", 3, 129, 39],
      ["13900000000004", 1, 349, 35],
      ["13900000000005", 1, 401, 40],
    ]);
    const cancelled = orders.find((order) => order.name === "#1004")!;
    expect(cancelled.cancelledAt?.toISOString()).toBe("2026-08-09T12:01:00.000Z");
    expect(cancelled.customerExternalId).toBe("7001000000001");
    const custom = orders.find((order) => order.name === "#1005")!.lineItems.find((line) => line.sku === null)!;
    expect(custom).toMatchObject({
      title: "Gift wrap (custom item)",
      productExternalId: null,
      variantExternalId: null,
    });
    expect(orders.find((order) => order.name === "#1003")).toMatchObject({
      sourceName: "web",
      locationExternalId: null,
    });
  });

  it("re-running ingest imports nothing twice, even after its run is reopened", async () => {
    const shop = "rerun-shop.myshopify.com";
    await installedShop(shop);
    mockShopify(shop, {});
    await backfill.enqueueBackfill(db, shop, START, 12);
    const clock = { now: START };
    await runQueue(shop, clock);
    const before = await ordersOf(shop);
    const ingest = await db.job.findFirstOrThrow({ where: { shopDomain: shop, type: "backfill:ingest" } });

    // The same job delivered again (a duplicate, or a retry after a lost acknowledgement).
    await db.job.update({ where: { id: ingest.id }, data: { status: "pending" } });
    await runQueue(shop, clock);
    // And a run reopened mid-way, as after a crash: progress rewinds, orders are already there.
    const run = await runFor(shop);
    await db.backfillRun.update({
      where: { id: run.id },
      data: { status: "ingesting", ordersImported: 2, linesImported: 3 },
    });
    await db.job.update({ where: { id: ingest.id }, data: { status: "pending" } });
    expect(await runQueue(shop, clock)).toEqual([]);

    const after = await ordersOf(shop);
    expect(after).toHaveLength(7);
    // Same rows, same line-item rows: nothing was deleted and written again.
    expect(after.flatMap((order) => [order.id, ...order.lineItems.map((line) => line.id)])).toEqual(
      before.flatMap((order) => [order.id, ...order.lineItems.map((line) => line.id)]),
    );
    expect(await runFor(shop)).toMatchObject({ status: "completed", ordersImported: 7, linesImported: 14 });
  });

  it("ingests in chunks that resume at the next order's byte offset with a Range request", async () => {
    const shop = "chunked-shop.myshopify.com";
    await installedShop(shop);
    const recorded = mockShopify(shop, {});
    await backfill.enqueueBackfill(db, shop, START, 12);
    // The progress the admin would see between chunks.
    const progress: number[] = [];
    const errors = await runQueue(shop, { now: START }, { ordersPerJob: 3, progressEvery: 2 }, async (job) => {
      if (job.type === "backfill:ingest") progress.push((await runFor(shop)).ordersImported);
    });
    expect(errors).toEqual([]);

    expect(await db.job.count({ where: { shopDomain: shop, type: "backfill:ingest" } })).toBe(3);
    expect(recorded.downloads.map((d) => d.status)).toEqual([200, 206, 206]);
    const offsetOf = (orderName: string) => {
      const index = FIXTURE_LINES.findIndex((line) => line.includes(`"name":"${orderName}"`));
      return FIXTURE_LINES.slice(0, index).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
    };
    expect(recorded.downloads.map((d) => d.range)).toEqual([
      null,
      `bytes=${offsetOf("#1004")}-`,
      `bytes=${offsetOf("#1007")}-`,
    ]);
    expect(progress).toEqual([3, 6, 7]);
    expect(await runFor(shop)).toMatchObject({ status: "completed", ordersImported: 7, linesImported: 14 });
    expect(await db.lineItem.count({ where: { shop: { domain: shop } } })).toBe(14);
  });

  it("still resumes correctly when the file server ignores Range and sends the whole file", async () => {
    const shop = "norange-shop.myshopify.com";
    await installedShop(shop);
    const recorded = mockShopify(shop, { ignoreRange: true });
    await backfill.enqueueBackfill(db, shop, START, 12);
    expect(await runQueue(shop, { now: START }, { ordersPerJob: 2 })).toEqual([]);
    expect(recorded.downloads.map((d) => d.status)).toEqual([200, 200, 200, 200]);
    expect(await runFor(shop)).toMatchObject({ status: "completed", ordersImported: 7, linesImported: 14 });
    expect(await db.order.count({ where: { shop: { domain: shop } } })).toBe(7);
  });

  it("a download cut mid-file keeps the progress it saved, is retried, and ends with exact counts", async () => {
    const shop = "dropped-shop.myshopify.com";
    await installedShop(shop);
    const cutAfter = FIXTURE_LINES.slice(0, 9).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0) + 40;
    mockShopify(shop, { breakFirstDownloadAfter: cutAfter });
    await backfill.enqueueBackfill(db, shop, START, 12);
    const savedAtFailure: number[] = [];
    const errors = await runQueue(shop, { now: START }, { progressEvery: 2 }, async (job, error) => {
      if (error) savedAtFailure.push((await runFor(shop)).ordersImported);
    });

    expect(errors).toHaveLength(1);
    expect(savedAtFailure).toEqual([2]); // #1001 and #1002 were saved before the connection dropped
    expect(errors[0]).toMatch(/^backfill:ingest: .*socket hang up/);
    const ingest = await db.job.findFirstOrThrow({ where: { shopDomain: shop, type: "backfill:ingest" } });
    expect(ingest).toMatchObject({ status: "done", attempts: 2 });
    expect(await runFor(shop)).toMatchObject({
      status: "completed",
      ordersImported: 7,
      linesImported: 14,
      error: null,
    });
    expect(await db.order.count({ where: { shop: { domain: shop } } })).toBe(7);
    expect(await db.lineItem.count({ where: { shop: { domain: shop } } })).toBe(14);
  });

  it("a FAILED bulk operation records Shopify's error code on the run and imports nothing", async () => {
    const shop = "failed-shop.myshopify.com";
    await installedShop(shop);
    mockShopify(shop, {
      polls: [
        operation({
          id: `gid://shopify/BulkOperation/${720000000 + operationSeq + 1}`,
          status: "FAILED",
          errorCode: "ACCESS_DENIED",
          objectCount: "0",
        }),
      ],
    });
    await backfill.enqueueBackfill(db, shop, START, 12);
    expect(await runQueue(shop, { now: START })).toEqual([]);
    const run = await runFor(shop);
    expect(run.status).toBe("failed");
    expect(run.error).toContain("ACCESS_DENIED");
    expect(run.finishedAt).not.toBeNull();
    expect(await db.job.count({ where: { shopDomain: shop, type: "backfill:ingest" } })).toBe(0);
  });

  it("an empty window (COMPLETED, no url, objectCount 0) completes with nothing imported", async () => {
    const shop = "empty-shop.myshopify.com";
    await installedShop(shop);
    mockShopify(shop, {
      polls: [
        operation({
          id: `gid://shopify/BulkOperation/${720000000 + operationSeq + 1}`,
          status: "COMPLETED",
          objectCount: "0",
          url: null,
        }),
      ],
    });
    await backfill.enqueueBackfill(db, shop, START, 12);
    expect(await runQueue(shop, { now: START })).toEqual([]);
    expect(await runFor(shop)).toMatchObject({
      status: "completed",
      objectCount: 0,
      ordersImported: 0,
      linesImported: 0,
    });
  });

  it("waits while another bulk query holds the shop's slot, and adopts the one it started itself", async () => {
    const shop = "busy-shop.myshopify.com";
    await installedShop(shop);
    const busy = {
      bulkOperationRunQuery: {
        bulkOperation: null,
        userErrors: [
          {
            field: null,
            message:
              "A bulk query operation for this app and shop is already in progress: gid://shopify/BulkOperation/1.",
            code: "OPERATION_IN_PROGRESS",
          },
        ],
      },
    };
    mockShopify(shop, {
      runQuery: () => busy,
      current: {
        id: "gid://shopify/BulkOperation/1",
        status: "RUNNING",
        query: "{ products { edges { node { id } } } }",
      },
    });
    await backfill.enqueueBackfill(db, shop, START, 12);
    const clock = { now: START };
    // One step only: the start job reschedules itself a minute later.
    const start = await db.job.findFirstOrThrow({ where: { shopDomain: shop, status: "pending" } });
    await db.job.update({
      where: { id: start.id },
      data: { status: "running", lockedBy: "w", lockedAt: START, attempts: 1 },
    });
    await runShopifyAdminJob(db, { ...start, attempts: 1 }, { now: () => clock.now });
    const waiting = await runFor(shop);
    expect(waiting.status).toBe("pending");
    expect(waiting.error).toMatch(/waiting: a bulk operation is already running/);
    const retry = await db.job.findFirstOrThrow({
      where: { shopDomain: shop, status: "pending", type: "backfill:start" },
    });
    expect(retry.runAt.getTime()).toBe(START.getTime() + 60_000);
    await db.job.update({ where: { id: start.id }, data: { status: "done" } });

    // Now the running operation is our own backfill (its first attempt reached Shopify only).
    server.resetHandlers();
    const ours = `gid://shopify/BulkOperation/${720000000 + operationSeq + 1}`;
    mockShopify(shop, {
      runQuery: () => busy,
      current: { id: ours, status: "RUNNING", query: backfill.ordersBulkQuery("2025-11-25") },
    });
    expect(await runQueue(shop, clock)).toEqual([]);
    expect(await runFor(shop)).toMatchObject({ status: "completed", bulkOperationId: ours, ordersImported: 7 });
  });

  it("a bulk query Shopify refuses (INVALID) fails the run with Shopify's message", async () => {
    const shop = "invalid-shop.myshopify.com";
    await installedShop(shop);
    mockShopify(shop, {
      runQuery: () => ({
        bulkOperationRunQuery: {
          bulkOperation: null,
          userErrors: [
            {
              field: ["query"],
              message: "Invalid bulk query: Field 'foo' doesn't exist on type 'Order'",
              code: "INVALID",
            },
          ],
        },
      }),
    });
    await backfill.enqueueBackfill(db, shop, START, 12);
    expect(await runQueue(shop, { now: START })).toEqual([]);
    expect(await runFor(shop)).toMatchObject({
      status: "failed",
      error: expect.stringContaining("Field 'foo' doesn't exist"),
    });
  });

  it("a malformed JSONL line skips its order, is counted and reported, and the rest is imported", async () => {
    const shop = "malformed-shop.myshopify.com";
    await installedShop(shop);
    const lines = [...FIXTURE_LINES];
    const broken = lines.findIndex((line) => line.includes('"name":"#1003"'));
    lines[broken] = lines[broken]!.slice(0, 120); // a truncated order row
    mockShopify(shop, { file: Buffer.from(`${lines.join("\n")}\n`) });
    await backfill.enqueueBackfill(db, shop, START, 12);
    expect(await runQueue(shop, { now: START })).toEqual([]);

    const run = await runFor(shop);
    expect(run).toMatchObject({ status: "completed", ordersImported: 6, linesImported: 13 });
    expect(run.error).toMatch(
      new RegExp(`^skipped 1 of 7 orders in the bulk file: order at line ${broken + 1}: not JSON`),
    );
    const names = (await ordersOf(shop)).map((order) => order.name);
    expect(names).not.toContain("#1003");
    expect(names).toHaveLength(6);
    expect(await db.lineItem.count({ where: { shop: { domain: shop } } })).toBe(13);
  });

  it("a truncated LineItem row skips its whole order rather than importing it incomplete", async () => {
    const shop = "brokenline-shop.myshopify.com";
    await installedShop(shop);
    const lines = [...FIXTURE_LINES];
    const broken = lines.findIndex((line) => line.includes("LineItem\\/13900000000004"));
    lines[broken] = lines[broken]!.slice(0, 80);
    mockShopify(shop, { file: Buffer.from(`${lines.join("\n")}\n`) });
    await backfill.enqueueBackfill(db, shop, START, 12);
    await runQueue(shop, { now: START });
    const run = await runFor(shop);
    expect(run).toMatchObject({ status: "completed", ordersImported: 6, linesImported: 11 });
    expect(run.error).toContain(`line ${broken + 1}: not JSON`);
    expect((await ordersOf(shop)).map((order) => order.name)).not.toContain("#1002");
  });

  it("a file that is mostly garbage fails the run instead of importing a fraction", async () => {
    const shop = "garbage-shop.myshopify.com";
    await installedShop(shop);
    const garbage = Array.from({ length: 12 }, (_, i) => `<html>proxy error ${i}</html>`).join("\n");
    mockShopify(shop, { file: Buffer.from(`${FIXTURE_LINES.slice(0, 3).join("\n")}\n${garbage}\n`) });
    await backfill.enqueueBackfill(db, shop, START, 12);
    await runQueue(shop, { now: START });
    const run = await runFor(shop);
    expect(run.status).toBe("failed");
    // The order before the garbage goes too: an unreadable line might have been one of its rows.
    expect(run.error).toMatch(
      /^too many malformed records: skipped 13 of 13 orders in the bulk file: order at line 1: line 4: not JSON/,
    );
    expect(await db.order.count({ where: { shop: { domain: shop } } })).toBe(0);
  });
});

describe("worker wiring", () => {
  it("the worker's own loop runs install's and the backfill's jobs from shopifyAdminWorkerHandlers", async () => {
    const { runNextJob } = await import("~/services/worker.server");
    const { shopifyAdminWorkerHandlers } = await import("~/services/install.server");
    const shop = "worker-shop.myshopify.com";
    await installedShop(shop);
    mockShopify(shop, {});
    // Only this shop's jobs are due: earlier tests may have left others scheduled.
    await db.job.updateMany({ where: { shopDomain: { not: shop }, status: "pending" }, data: { status: "cancelled" } });
    await backfill.enqueueBackfill(db, shop, START, 12);

    const clock = { now: START };
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const next = await db.job.findFirst({ where: { status: "pending" }, orderBy: { runAt: "asc" } });
      if (!next) break;
      if (next.runAt > clock.now) clock.now = next.runAt;
      const result = await runNextJob({
        db,
        databaseUrl: process.env.DATABASE_URL!,
        workerId: "test-worker",
        handlers: shopifyAdminWorkerHandlers(),
        clock: () => clock.now,
      });
      outcomes.push(`${result?.job.type} ${result?.outcome}`);
    }
    expect(outcomes).toEqual([
      "backfill:start done",
      "backfill:poll done",
      "backfill:poll done",
      "backfill:ingest done",
    ]);
    expect(await runFor(shop)).toMatchObject({ status: "completed", ordersImported: 7, linesImported: 14 });
  });
});

describe("jsonlLines", () => {
  it("splits on newlines across chunk boundaries, keeps multi-byte characters whole, and reports byte offsets", async () => {
    const text = '{"a":"café"}\r\n\n{"b":"naïve — ok"}\n{"c":1}';
    const bytes = new TextEncoder().encode(text);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 3) controller.enqueue(bytes.subarray(at, at + 3));
        controller.close();
      },
    });
    const lines = [];
    for await (const line of backfill.jsonlLines(stream, 0, 0)) lines.push(line);
    expect(lines.map((l) => [l.number, l.text])).toEqual([
      [1, '{"a":"café"}'],
      [3, '{"b":"naïve — ok"}'],
      [4, '{"c":1}'],
    ]);
    const third = new TextEncoder().encode('{"a":"café"}\r\n\n{"b":"naïve — ok"}\n').length;
    expect(lines[2]!.start).toBe(third);
  });
});

beforeAll(() => {
  expect(FIXTURE_LINES).toHaveLength(21);
});
