/**
 * Order-history backfill through a Shopify bulk operation, as three job steps on the one queue:
 *
 *   backfill:start  → bulkOperationRunQuery over orders processed in the last N months
 *   backfill:poll   → node(id) until the operation finishes (re-enqueues itself while RUNNING)
 *   backfill:ingest → streams the JSONL result, one order + its LineItem rows at a time, through
 *                     orderFromGraphql → upsertOrder (the same normalization webhooks use)
 *
 * Every step takes its I/O as arguments (db, admin graphql, fetchFile, clock) and records its
 * progress on a BackfillRun row, which the admin reads.
 *
 * Decisions (why):
 * - groupObjects: true. Since 2026-01 Shopify no longer guarantees that a LineItem row directly
 *   follows its Order row unless grouping is requested. Grouping is slower on Shopify's side,
 *   but it is what lets ingest hold one order in memory instead of the whole file.
 * - Ingest runs in chunks of at most `ingestBudgetMs` (default 20 s) and hands over to a
 *   continuation job that carries the byte offset of the next order. A queue lease is 60 s, so a
 *   single long job would be taken by a second worker; chunks keep every job well inside it.
 *   Continuations ask for `Range: bytes=<offset>-` (Shopify's result URLs are cloud-storage URLs
 *   that honour it) and skip the bytes locally when a server answers 200 instead of 206.
 * - Progress counters are a pure function of the position in the (immutable) file, so a retried
 *   chunk restarts its counters from the values in its payload, never counting twice, and an
 *   order already stored with the same or a newer updatedAt is not written again.
 * - A malformed record (a line that is not JSON, an order that does not normalize, a LineItem
 *   whose parent is not the order before it) skips that one order, is counted, and the first few
 *   reasons are kept on the run: one bad row must not cost a merchant a year of history. A file
 *   that is mostly bad (more than 10 records and more than 1 %) fails the run instead, because
 *   then the problem is the file or our query, not a row. Network and database errors throw, so
 *   the queue retries the chunk and it resumes where its payload says.
 */
import { z } from "zod";
import type { Db } from "../db.server";
import { shopifyId } from "../../shared/ids";
import type { NormalizedOrder } from "../../shared/model";
import { env } from "../env.server";
import { orderFromGraphql } from "../platforms/shopify/normalize";
import { enqueueJob } from "./jobs.server";
import { upsertOrder } from "./store.server";

// ---------- I/O contracts ----------

/** Response-like: what `admin.graphql` of shopify-app-remix and `fetch` both return. */
export interface ResponseLike {
  ok?: boolean;
  status?: number;
  json(): Promise<unknown>;
}

/** `admin.graphql` from shopify-app-remix (authenticate.admin / unauthenticated.admin). */
export type AdminGraphql = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<ResponseLike>;

/** Downloads the JSONL result. Real code passes `fetch`; the Shopify token is never sent there. */
export type FetchFile = (url: string, init?: { headers?: Record<string, string> }) => Promise<Response>;

export const BACKFILL_JOB = {
  start: "backfill:start",
  poll: "backfill:poll",
  ingest: "backfill:ingest",
} as const;

export type BackfillStatus = "pending" | "running" | "ingesting" | "completed" | "failed" | "cancelled";
const ACTIVE_STATUSES: BackfillStatus[] = ["pending", "running", "ingesting"];

export interface BackfillLimits {
  /** Wall-clock budget of one ingest job before it hands over to a continuation. */
  ingestBudgetMs?: number;
  /** Orders per ingest job (tests use it to force continuations). */
  ordersPerJob?: number;
  /** Progress is written to the BackfillRun every this many orders. */
  progressEvery?: number;
}

export interface BackfillJobContext {
  db: Db;
  shopDomain: string;
  /** The job's payload, already JSON-parsed. */
  payload: unknown;
  /** Clock for timestamps and scheduling (tests pass a fixed one). */
  now: () => Date;
  graphql: AdminGraphql;
  fetchFile: FetchFile;
  /** Months of history; defaults to env().BACKFILL_MONTHS. */
  backfillMonths?: number;
  /** The job's attempt number and limit: on the last attempt a failure is recorded on the run. */
  attempt?: number;
  maxAttempts?: number;
  limits?: BackfillLimits;
}

export type BackfillJobHandler = (ctx: BackfillJobContext) => Promise<void>;

const DEFAULTS = { ingestBudgetMs: 20_000, ordersPerJob: Number.POSITIVE_INFINITY, progressEvery: 100 };
const MAX_POLL_AGE_MS = 72 * 3_600_000; // Shopify's own limit is shorter; past this something is wrong.
const START_WAIT_MS = 60_000;
const MAX_START_WAITS = 30; // another bulk query of this app may hold the slot for up to ~30 min
const MAX_LINE_BYTES = 8 * 1024 * 1024; // an order row is a few KB; anything this long is corrupt
const MAX_ERROR_SAMPLES = 5;

/** Failures that retrying cannot fix: recorded on the run, the job itself succeeds. */
export class BackfillFatalError extends Error {
  override name = "BackfillFatalError";
}

// ---------- enqueue / read (used by install and the admin) ----------

/** Creates a pending run and its start job together, so the admin sees the run at once. */
export async function enqueueBackfill(db: Db, shopDomain: string, now: Date, months?: number): Promise<string> {
  // Provisional: the start step fixes the window when it actually asks Shopify.
  const sinceDate = new Date(`${backfillSinceDate(now, months ?? env().BACKFILL_MONTHS)}T00:00:00Z`);
  return db.$transaction(async (tx) => {
    const shop = await tx.shop.findUniqueOrThrow({
      where: { platform_domain: { platform: "shopify", domain: shopDomain } },
      select: { id: true },
    });
    const run = await tx.backfillRun.create({
      data: { shopId: shop.id, status: "pending", sinceDate, startedAt: now },
      select: { id: true },
    });
    await enqueueJob(tx, { shopDomain, type: BACKFILL_JOB.start, payload: { runId: run.id }, runAt: now });
    return run.id;
  });
}

/** The latest run for the admin's progress display. */
export async function latestBackfill(db: Db, shopDomain: string) {
  return db.backfillRun.findFirst({
    where: { shop: { platform: "shopify", domain: shopDomain } },
    orderBy: { startedAt: "desc" },
    select: {
      id: true,
      status: true,
      sinceDate: true,
      objectCount: true,
      ordersImported: true,
      linesImported: true,
      error: true,
      startedAt: true,
      finishedAt: true,
    },
  });
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** For app/uninstalled (inside its transaction): its queued jobs are cancelled; the runs say so too. */
export async function cancelActiveBackfills(db: Db | Tx, shopId: string, reason: string, now: Date) {
  await db.backfillRun.updateMany({
    where: { shopId, status: { in: ACTIVE_STATUSES } },
    data: { status: "cancelled", error: reason, finishedAt: now },
  });
}

// ---------- the bulk query ----------

/** First day of the window, as the YYYY-MM-DD Shopify's search syntax takes. */
export function backfillSinceDate(now: Date, months: number): string {
  const since = new Date(now.getTime());
  since.setUTCMonth(since.getUTCMonth() - months);
  return since.toISOString().slice(0, 10);
}

// Fields match orderFromGraphql (app/platforms/shopify/normalize.ts). Not queried on purpose:
// physicalLocation (superseded by retailLocation) and staffMember (needs read_users and a
// Plus/Advanced plan; asking without it fails the whole operation with ACCESS_DENIED).
export function ordersBulkQuery(sinceDate: string): string {
  return `{
  orders(query: "processed_at:>=${sinceDate}") {
    edges {
      node {
        id
        name
        currencyCode
        processedAt
        createdAt
        updatedAt
        cancelledAt
        displayFinancialStatus
        sourceName
        subtotalPriceSet { shopMoney { amount currencyCode } }
        totalPriceSet { shopMoney { amount currencyCode } }
        totalDiscountsSet { shopMoney { amount currencyCode } }
        customer { id }
        retailLocation { id }
        lineItems {
          edges {
            node {
              id
              title
              name
              sku
              quantity
              product { id }
              variant { id }
              originalUnitPriceSet { shopMoney { amount currencyCode } }
              totalDiscountSet { shopMoney { amount currencyCode } }
            }
          }
        }
      }
    }
  }
}`;
}

/** Same query up to its date: how a retried start recognises the operation it already began. */
function isOurBulkQuery(query: string | null | undefined): boolean {
  if (!query) return false;
  const shape = (text: string) => text.replace(/\d{4}-\d{2}-\d{2}/g, "D").replace(/\s+/g, "");
  return shape(query) === shape(ordersBulkQuery("2000-01-01"));
}

const RUN_BULK_QUERY = `#graphql
mutation RegisterCopilotBackfill($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}`;

const CURRENT_BULK_OPERATION = `#graphql
query RegisterCopilotCurrentBulkOperation {
  currentBulkOperation(type: QUERY) { id status query }
}`;

const BULK_OPERATION_STATUS = `#graphql
query RegisterCopilotBulkOperation($id: ID!) {
  node(id: $id) {
    ... on BulkOperation { id status errorCode objectCount rootObjectCount url partialDataUrl }
  }
}`;

// ---------- GraphQL plumbing ----------

interface GraphqlError {
  message?: string;
  extensions?: { code?: string };
}

/** Calls admin graphql and returns `data`, classifying errors as fatal or retryable. */
async function callGraphql<T>(graphql: AdminGraphql, query: string, variables?: Record<string, unknown>): Promise<T> {
  let response: ResponseLike;
  try {
    response = await graphql(query, variables ? { variables } : undefined);
  } catch (error) {
    throw classifyGraphqlFailure(error);
  }
  if (response.ok === false) {
    const status = response.status ?? 0;
    const message = `Admin API answered HTTP ${status}`;
    throw status === 401 || status === 403 || status === 404 ? new BackfillFatalError(message) : new Error(message);
  }
  const body = (await response.json()) as { data?: T; errors?: GraphqlError[] | { message?: string } };
  if (body.errors) throw graphqlErrorsFailure(body.errors);
  if (!body.data) throw new Error("Admin API answered without data");
  return body.data;
}

function graphqlErrorsFailure(errors: GraphqlError[] | { message?: string }): Error {
  const list = Array.isArray(errors) ? errors : [errors];
  const message = list.map((e) => e.message ?? "unknown error").join("; ");
  const codes = list.map((e) => (e as GraphqlError).extensions?.code);
  // THROTTLED and internal errors pass with time; access and query errors do not.
  if (codes.includes("THROTTLED") || codes.includes("INTERNAL_SERVER_ERROR")) return new Error(`Admin API: ${message}`);
  return new BackfillFatalError(`Admin API: ${message}`);
}

/** shopify-app-remix throws GraphqlQueryError / HttpResponseError; read them without importing them. */
function classifyGraphqlFailure(error: unknown): Error {
  if (error instanceof BackfillFatalError) return error;
  const e = error as {
    message?: string;
    response?: { code?: number };
    body?: { errors?: { networkStatusCode?: number; graphQLErrors?: GraphqlError[]; message?: string } };
  };
  const status = e?.response?.code ?? e?.body?.errors?.networkStatusCode;
  if (status === 401 || status === 403 || status === 404) {
    return new BackfillFatalError(`Admin API answered HTTP ${status}: ${e.message ?? ""}`.trim());
  }
  const graphQLErrors = e?.body?.errors?.graphQLErrors;
  if (Array.isArray(graphQLErrors) && graphQLErrors.length) return graphqlErrorsFailure(graphQLErrors);
  return error instanceof Error ? error : new Error(String(error));
}

// ---------- run bookkeeping ----------

const RunPayload = z.object({ runId: z.string().min(1).max(100) });

/** Scoped by shop. Null when the run went with its shop (shop/redact): nothing left to do. */
function loadRun(db: Db, shopDomain: string, runId: string) {
  return db.backfillRun.findFirst({
    where: { id: runId, shop: { platform: "shopify", domain: shopDomain } },
    include: { shop: { select: { id: true, uninstalledAt: true } } },
  });
}

async function failRun(db: Db, runId: string, reason: string, now: Date, status: BackfillStatus = "failed") {
  await db.backfillRun.updateMany({
    where: { id: runId, status: { in: ACTIVE_STATUSES } },
    data: { status, error: reason.slice(0, 2_000), finishedAt: now },
  });
}

function parsePayload<T>(schema: z.ZodType<T>, payload: unknown): T {
  const result = schema.safeParse(payload);
  if (!result.success) throw new BackfillFatalError(`bad backfill job payload: ${result.error.issues[0]?.message}`);
  return result.data;
}

/**
 * Wraps a step: fatal errors end the run (the job succeeds, nothing to retry); other errors are
 * rethrown for the queue to retry, and on the job's last attempt the run records why it stopped.
 */
function step(handler: (ctx: BackfillJobContext, runId: string) => Promise<void>): BackfillJobHandler {
  return async (ctx) => {
    const runId = (ctx.payload as { runId?: unknown } | null)?.runId;
    try {
      await handler(ctx, parsePayload(RunPayload, ctx.payload).runId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (typeof runId !== "string") throw error;
      if (error instanceof BackfillFatalError) {
        await failRun(ctx.db, runId, message, ctx.now());
        return;
      }
      const lastAttempt = ctx.attempt != null && ctx.maxAttempts != null && ctx.attempt >= ctx.maxAttempts;
      if (lastAttempt) await failRun(ctx.db, runId, `gave up after ${ctx.attempt} attempts: ${message}`, ctx.now());
      throw error;
    }
  };
}

// ---------- start ----------

const StartPayload = RunPayload.extend({ waits: z.number().int().min(0).default(0) });

interface RunBulkQueryData {
  bulkOperationRunQuery: {
    bulkOperation: { id: string; status: string } | null;
    userErrors: { field?: string[] | null; message: string; code?: string | null }[];
  } | null;
}

export const startBackfill = step(async (ctx, runId) => {
  const { db } = ctx;
  const payload = parsePayload(StartPayload, ctx.payload);
  const now = ctx.now();
  const run = await loadRun(db, ctx.shopDomain, runId);
  if (!run || run.status !== "pending") return; // duplicate or stale job: the run has moved on
  if (run.shop.uninstalledAt) {
    await failRun(db, runId, "the app was uninstalled", now, "cancelled");
    return;
  }
  const other = await db.backfillRun.findFirst({
    where: { shopId: run.shopId, id: { not: runId }, status: { in: ["running", "ingesting"] } },
    select: { id: true },
  });
  if (other) {
    await failRun(db, runId, `another backfill (${other.id}) is already running for this shop`, now, "cancelled");
    return;
  }

  const months = ctx.backfillMonths ?? env().BACKFILL_MONTHS;
  const sinceDate = backfillSinceDate(now, months);
  const query = ordersBulkQuery(sinceDate);
  const data = await callGraphql<RunBulkQueryData>(ctx.graphql, RUN_BULK_QUERY, { query });
  const result = data.bulkOperationRunQuery;
  if (!result) throw new Error("bulkOperationRunQuery returned nothing");

  let operationId = result.bulkOperation?.id ?? null;
  if (result.userErrors.length) {
    const busy = result.userErrors.find((e) => e.code === "OPERATION_IN_PROGRESS" || e.code === "LIMIT_REACHED");
    if (!busy) {
      throw new BackfillFatalError(
        `Shopify refused the bulk query: ${result.userErrors.map((e) => e.message).join("; ")}`,
      );
    }
    // One bulk query per shop per app at a time. If the running one is ours (a retried start
    // whose first attempt reached Shopify but not our database), adopt it; otherwise wait.
    const current = await callGraphql<{ currentBulkOperation: { id: string; status: string; query: string } | null }>(
      ctx.graphql,
      CURRENT_BULK_OPERATION,
    );
    const running = current.currentBulkOperation;
    const adoptable = running && ["CREATED", "RUNNING"].includes(running.status) && isOurBulkQuery(running.query);
    if (adoptable) {
      operationId = running.id;
    } else if (payload.waits >= MAX_START_WAITS) {
      throw new BackfillFatalError(
        `a bulk operation is already running for this shop (${running?.id ?? "unknown"}) and did not finish in time: ${busy.message}`,
      );
    } else {
      await db.$transaction(async (tx) => {
        await tx.backfillRun.update({
          where: { id: runId },
          data: { error: `waiting: a bulk operation is already running for this shop (${busy.message})` },
        });
        await enqueueJob(tx, {
          shopDomain: ctx.shopDomain,
          type: BACKFILL_JOB.start,
          payload: { runId, waits: payload.waits + 1 },
          runAt: new Date(now.getTime() + START_WAIT_MS),
        });
      });
      return;
    }
  }
  if (!operationId) throw new Error("bulkOperationRunQuery returned no operation");

  await db.$transaction(async (tx) => {
    await tx.backfillRun.update({
      where: { id: runId },
      data: {
        status: "running",
        bulkOperationId: operationId,
        sinceDate: new Date(`${sinceDate}T00:00:00Z`),
        error: null,
      },
    });
    await enqueueJob(tx, {
      shopDomain: ctx.shopDomain,
      type: BACKFILL_JOB.poll,
      payload: { runId, polls: 0 },
      runAt: new Date(now.getTime() + pollDelayMs(0)),
    });
  });
});

// ---------- poll ----------

// BulkOperationErrorCode values, in words a merchant's admin can act on.
const BULK_ERROR_HINTS: Record<string, string> = {
  ACCESS_DENIED: "the app is missing an access scope for a field of the query",
  INTERNAL_SERVER_ERROR: "an error on Shopify's side, not in the query",
  TIMEOUT: "the history is too large for one operation; lower BACKFILL_MONTHS",
};

const PollPayload = RunPayload.extend({ polls: z.number().int().min(0).default(0) });

/** 5 s, 10 s, 20 s, 40 s, then every minute: quick for small shops, cheap for big ones. */
export function pollDelayMs(polls: number): number {
  return Math.min(5_000 * 2 ** Math.min(polls, 4), 60_000);
}

interface BulkOperationNode {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string | number;
  rootObjectCount?: string | number;
  url: string | null;
  partialDataUrl: string | null;
}

export const pollBackfill = step(async (ctx, runId) => {
  const { db } = ctx;
  const payload = parsePayload(PollPayload, ctx.payload);
  const now = ctx.now();
  const run = await loadRun(db, ctx.shopDomain, runId);
  if (!run || run.status !== "running" || !run.bulkOperationId) return;
  if (run.shop.uninstalledAt) {
    await failRun(db, runId, "the app was uninstalled", now, "cancelled");
    return;
  }

  const data = await callGraphql<{ node: BulkOperationNode | null }>(ctx.graphql, BULK_OPERATION_STATUS, {
    id: run.bulkOperationId,
  });
  const operation = data.node;
  if (!operation) throw new BackfillFatalError(`bulk operation ${run.bulkOperationId} not found on Shopify`);
  // UnsignedInt64 arrives as a string; a count past 2^53 is not a real order history.
  const objectCount = Number(operation.objectCount) || 0;

  switch (operation.status) {
    case "CREATED":
    case "RUNNING":
    case "CANCELING": {
      if (now.getTime() - run.startedAt.getTime() > MAX_POLL_AGE_MS) {
        throw new BackfillFatalError(`bulk operation still ${operation.status} after 72 hours`);
      }
      await db.$transaction(async (tx) => {
        await tx.backfillRun.update({ where: { id: runId }, data: { objectCount } });
        await enqueueJob(tx, {
          shopDomain: ctx.shopDomain,
          type: BACKFILL_JOB.poll,
          payload: { runId, polls: payload.polls + 1 },
          runAt: new Date(now.getTime() + pollDelayMs(payload.polls + 1)),
        });
      });
      return;
    }
    case "COMPLETED": {
      if (!operation.url) {
        // No orders in the window: Shopify completes with objectCount 0 and no file.
        await db.backfillRun.update({
          where: { id: runId },
          data: { status: "completed", objectCount, ordersImported: 0, linesImported: 0, error: null, finishedAt: now },
        });
        return;
      }
      const first: IngestState = {
        runId,
        url: operation.url,
        offset: 0,
        line: 0,
        seen: 0,
        ordersImported: 0,
        linesImported: 0,
        skipped: 0,
        samples: [],
      };
      await db.$transaction(async (tx) => {
        await tx.backfillRun.update({ where: { id: runId }, data: { status: "ingesting", objectCount, error: null } });
        await enqueueJob(tx, { shopDomain: ctx.shopDomain, type: BACKFILL_JOB.ingest, payload: first, runAt: now });
      });
      return;
    }
    case "FAILED": {
      const partial = operation.partialDataUrl ? "; partial data was not imported" : "";
      const code = operation.errorCode ?? "no error code";
      const hint = BULK_ERROR_HINTS[code] ? ` (${BULK_ERROR_HINTS[code]})` : "";
      await db.backfillRun.updateMany({
        where: { id: runId, status: "running" },
        data: {
          status: "failed",
          objectCount,
          error: `Shopify bulk operation failed: ${code}${hint}${partial}`,
          finishedAt: now,
        },
      });
      return;
    }
    case "CANCELED":
    case "EXPIRED":
    default:
      await db.backfillRun.updateMany({
        where: { id: runId, status: "running" },
        data: {
          status: "failed",
          objectCount,
          error: `Shopify bulk operation ${operation.status.toLowerCase()}`,
          finishedAt: now,
        },
      });
  }
});

// ---------- ingest ----------

const IngestPayload = RunPayload.extend({
  url: z.url().max(10_000),
  /** Byte offset of the next order row in the file. */
  offset: z.number().int().min(0),
  /** Lines before `offset` (for error messages that point at a line). */
  line: z.number().int().min(0),
  /** Orders met before `offset`, imported or skipped. */
  seen: z.number().int().min(0),
  ordersImported: z.number().int().min(0),
  linesImported: z.number().int().min(0),
  skipped: z.number().int().min(0),
  samples: z.array(z.string().max(500)).max(MAX_ERROR_SAMPLES),
});
type IngestState = z.infer<typeof IngestPayload>;

interface JsonlLine {
  /** Byte offset where the line starts. */
  start: number;
  /** 1-based line number in the file. */
  number: number;
  text: string | null; // null: over MAX_LINE_BYTES, discarded
}

/**
 * Splits a byte stream into lines without holding more than one line: bytes are cut at "\n"
 * (UTF-8 never uses that byte inside a character) and decoded one line at a time.
 */
export async function* jsonlLines(
  body: ReadableStream<Uint8Array>,
  startOffset: number,
  startLine: number,
  skipBytes = 0,
): AsyncGenerator<JsonlLine> {
  const decoder = new TextDecoder("utf-8");
  const reader = body.getReader();
  let toSkip = skipBytes;
  let offset = startOffset; // offset of the first byte of `parts`
  let lineNumber = startLine;
  let parts: Uint8Array[] = [];
  let partsLength = 0;
  let oversized = false;
  const emit = (): JsonlLine => {
    lineNumber += 1;
    let text: string | null = null;
    if (!oversized) {
      const bytes = parts.length === 1 ? parts[0]! : concat(parts, partsLength);
      text = decoder.decode(bytes).replace(/\r$/, "");
    }
    return { start: offset, number: lineNumber, text };
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      let chunk = value;
      if (toSkip > 0) {
        // The server ignored our Range header: drop what we already ingested.
        const dropped = Math.min(toSkip, chunk.length);
        toSkip -= dropped;
        chunk = chunk.subarray(dropped);
      }
      let position = 0;
      while (position < chunk.length) {
        const newline = chunk.indexOf(10, position);
        const end = newline === -1 ? chunk.length : newline;
        if (!oversized) {
          parts.push(chunk.subarray(position, end));
          partsLength += end - position;
          if (partsLength > MAX_LINE_BYTES) {
            oversized = true;
            parts = [];
          }
        } else {
          partsLength += end - position;
        }
        if (newline === -1) break;
        const line = emit();
        offset += partsLength + 1;
        parts = [];
        partsLength = 0;
        oversized = false;
        position = newline + 1;
        if (line.text === null || line.text.trim() !== "") yield line; // blank lines: counted, not yielded
      }
    }
    if (partsLength > 0) {
      const line = emit();
      if (line.text === null || line.text.trim() !== "") yield line;
    }
  } finally {
    // Stopping early (a chunk's budget is spent): close the download instead of draining it.
    // Not awaited: some stream sources only settle the cancel once the other side closes.
    void reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

interface OrderGroup {
  number: number;
  orderId: string; // the GID, as __parentId refers to it
  row: unknown;
  lines: unknown[];
  problem: string | null;
}

type ParsedRow =
  | { kind: "order"; id: string; row: Record<string, unknown> }
  | { kind: "child"; parentId: string; row: Record<string, unknown> }
  | { kind: "broken-child"; problem: string }
  | { kind: "broken"; id: string | null; problem: string };

// Shopify writes ids first and escapes "/" as "\/": enough to tell a truncated row's kind.
const LEADING_GID = /^\s*\{\s*"id"\s*:\s*"(gid:(?:\\?\/){2}shopify\\?\/(\w+)\\?\/\d+)"/;

/** Classifies one JSONL line; unreadable lines are kept as "broken" so the caller can decide. */
export function parseRow(line: { text: string | null }): ParsedRow {
  if (line.text === null) return { kind: "broken", id: null, problem: `line longer than ${MAX_LINE_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (error) {
    const problem = `not JSON (${error instanceof Error ? error.message : String(error)})`.slice(0, 200);
    const leading = LEADING_GID.exec(line.text);
    if (leading?.[2] === "LineItem") return { kind: "broken-child", problem };
    return { kind: "broken", id: leading ? leading[1]!.replace(/\\\//g, "/") : null, problem };
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    return { kind: "broken", id: null, problem: "not a JSON object" };
  const row = value as Record<string, unknown>;
  if (typeof row.__parentId === "string") return { kind: "child", parentId: row.__parentId, row };
  if (typeof row.id !== "string" || shopifyId(row.id) === null) {
    return { kind: "broken", id: null, problem: "order row without a Shopify id" };
  }
  return { kind: "order", id: row.id, row };
}

/** More than 10 bad records and more than 1 % of all: the file or the query is wrong, not a row. */
export function tooManySkipped(skipped: number, seen: number): boolean {
  return skipped > 10 && skipped > seen * 0.01;
}

function skippedSummary(state: Pick<IngestState, "skipped" | "seen" | "samples">): string | null {
  if (!state.skipped) return null;
  return `skipped ${state.skipped} of ${state.seen} orders in the bulk file: ${state.samples.join("; ")}`.slice(
    0,
    2_000,
  );
}

export const ingestBackfill = step(async (ctx, runId) => {
  const { db } = ctx;
  const start = parsePayload(IngestPayload, ctx.payload);
  const limits = { ...DEFAULTS, ...ctx.limits };
  const run = await loadRun(db, ctx.shopDomain, runId);
  // A finished run is never ingested again: re-running this job imports nothing twice.
  if (!run || run.status !== "ingesting") return;
  if (run.shop.uninstalledAt) {
    await failRun(db, runId, "the app was uninstalled", ctx.now(), "cancelled");
    return;
  }
  const shopId = run.shopId;
  const state: IngestState = { ...start, samples: [...start.samples] };
  const startedAt = performance.now();

  const response = await ctx.fetchFile(
    start.url,
    start.offset > 0 ? { headers: { Range: `bytes=${start.offset}-` } } : undefined,
  );
  if (response.status === 403 || response.status === 404 || response.status === 410) {
    throw new BackfillFatalError(
      `the bulk result file is no longer available (HTTP ${response.status}); Shopify keeps it 7 days`,
    );
  }
  if (!response.ok || !response.body) throw new Error(`downloading the bulk result failed: HTTP ${response.status}`);
  // 206: the server honoured Range; 200: it sent the whole file and we skip what we have.
  const skipBytes = response.status === 206 ? 0 : start.offset;

  const recordSkip = (where: string, reason: string) => {
    state.skipped += 1;
    if (state.samples.length < MAX_ERROR_SAMPLES) state.samples.push(`${where}: ${reason}`.slice(0, 500));
  };

  let batch: NormalizedOrder[] = [];
  let batchLines = 0;
  let sinceProgress = 0;
  let ordersThisJob = 0;

  const writeBatch = async () => {
    if (!batch.length) return;
    // Orders already stored with this or a newer version (an earlier attempt of this chunk,
    // or a webhook) are not written again.
    const existing = await db.order.findMany({
      where: { shopId, externalId: { in: batch.map((order) => order.externalId) } },
      select: { externalId: true, sourceUpdatedAt: true },
    });
    const storedAt = new Map(existing.map((row) => [row.externalId, row.sourceUpdatedAt.getTime()]));
    for (const order of batch) {
      const stored = storedAt.get(order.externalId);
      if (stored === undefined || stored < order.sourceUpdatedAt.getTime()) await upsertOrder(db, shopId, order);
    }
    state.ordersImported += batch.length;
    state.linesImported += batchLines;
    batch = [];
    batchLines = 0;
  };

  const saveProgress = async () => {
    await writeBatch();
    if (tooManySkipped(state.skipped, state.seen)) {
      throw new BackfillFatalError(`too many malformed records: ${skippedSummary(state)}`);
    }
    await db.backfillRun.updateMany({
      where: { id: runId, status: "ingesting" },
      data: { ordersImported: state.ordersImported, linesImported: state.linesImported, error: skippedSummary(state) },
    });
    sinceProgress = 0;
  };

  const finishGroup = async (group: OrderGroup) => {
    state.seen += 1;
    ordersThisJob += 1;
    sinceProgress += 1;
    if (group.problem) {
      recordSkip(`order at line ${group.number}`, group.problem);
    } else {
      try {
        const order = orderFromGraphql(group.row, group.lines);
        batch.push(order);
        batchLines += order.lineItems.length;
      } catch (error) {
        recordSkip(`order at line ${group.number}`, error instanceof Error ? error.message : String(error));
      }
    }
    if (sinceProgress >= limits.progressEvery) await saveProgress();
  };

  let group: OrderGroup | null = null;
  let handedOver: { offset: number; line: number } | null = null;
  for await (const line of jsonlLines(response.body, start.offset, start.line, skipBytes)) {
    const parsed = parseRow(line);

    if (parsed.kind === "child") {
      // A LineItem row: it belongs to the order just above it (groupObjects: true).
      if (group && group.orderId === parsed.parentId) group.lines.push(parsed.row);
      else if (group) group.problem ??= `line ${line.number}: LineItem of ${parsed.parentId} outside its order's group`;
      else recordSkip(`line ${line.number}`, `LineItem of ${parsed.parentId} before any order`);
      continue;
    }
    if (parsed.kind === "broken-child") {
      // An unreadable LineItem row: its order would be imported incomplete, so it is skipped.
      if (group) group.problem ??= `line ${line.number}: ${parsed.problem}`;
      else recordSkip(`line ${line.number}`, parsed.problem);
      continue;
    }
    if (parsed.kind === "broken" && parsed.id === null) {
      // Unreadable and of unknown kind: it may have been a row of the current order, so that
      // order is skipped too. Either way it opens a broken group that swallows the LineItem
      // rows of the order it stood for.
      if (group) group.problem ??= `line ${line.number}: ${parsed.problem}`;
    }

    // A new order row (or a broken line standing for one).
    if (group) await finishGroup(group);
    group = null;
    if (ordersThisJob >= limits.ordersPerJob || performance.now() - startedAt >= limits.ingestBudgetMs) {
      handedOver = { offset: line.start, line: line.number - 1 };
      break;
    }
    group =
      parsed.kind === "order"
        ? { number: line.number, orderId: parsed.id, row: parsed.row, lines: [], problem: null }
        : { number: line.number, orderId: parsed.id ?? "", row: null, lines: [], problem: parsed.problem };
  }
  if (group) await finishGroup(group);
  await saveProgress();

  const now = ctx.now();
  if (handedOver) {
    const next: IngestState = { ...state, offset: handedOver.offset, line: handedOver.line };
    await db.$transaction(async (tx) => {
      const still = await tx.backfillRun.count({ where: { id: runId, status: "ingesting" } });
      if (!still) return;
      await enqueueJob(tx, { shopDomain: ctx.shopDomain, type: BACKFILL_JOB.ingest, payload: next, runAt: now });
    });
    return;
  }
  await db.backfillRun.updateMany({
    where: { id: runId, status: "ingesting" },
    data: {
      status: "completed",
      ordersImported: state.ordersImported,
      linesImported: state.linesImported,
      error: skippedSummary(state),
      finishedAt: now,
    },
  });
});

// ---------- the worker's entry points ----------

/** Job type → handler, for the worker's dispatch table. */
export const backfillJobHandlers: Record<string, BackfillJobHandler> = {
  [BACKFILL_JOB.start]: startBackfill,
  [BACKFILL_JOB.poll]: pollBackfill,
  [BACKFILL_JOB.ingest]: ingestBackfill,
};

export function isBackfillJob(type: string): boolean {
  return Object.hasOwn(backfillJobHandlers, type);
}

/** The shop's Admin GraphQL client (offline session) and a plain fetch for the result file. */
export async function shopifyBackfillIo(shopDomain: string): Promise<{ graphql: AdminGraphql; fetchFile: FetchFile }> {
  // Imported lazily: shopify.server builds the app from env at import time.
  const { unauthenticated } = await import("../shopify.server");
  const { admin } = await unauthenticated.admin(shopDomain);
  return {
    graphql: (query, options) => admin.graphql(query, options),
    fetchFile: (url, init) => fetch(url, init),
  };
}

export interface BackfillJobRecord {
  type: string;
  shopDomain: string;
  /** As stored on the Job row (JSON text), or already parsed. */
  payload: string | unknown;
  attempts?: number;
  maxAttempts?: number;
}

export interface AdminJobOptions {
  now?: () => Date;
  /** Tests (and callers that already hold a client) pass the I/O; otherwise the offline session's. */
  io?: { graphql: AdminGraphql; fetchFile: FetchFile };
  limits?: BackfillLimits;
}

/**
 * Runs one job that needs the shop's Admin API: builds the client from the shop's offline
 * session and calls the handler for the job's type. Throws for the queue to retry.
 */
export async function runAdminApiJob(
  db: Db,
  job: BackfillJobRecord,
  handlers: Record<string, BackfillJobHandler>,
  options: AdminJobOptions = {},
): Promise<void> {
  const handler = Object.hasOwn(handlers, job.type) ? handlers[job.type] : undefined;
  if (!handler) throw new Error(`no handler for job type ${job.type}`);
  const now = options.now ?? (() => new Date());
  const payload: unknown = typeof job.payload === "string" ? JSON.parse(job.payload) : job.payload;
  let io = options.io;
  if (!io) {
    try {
      io = await shopifyBackfillIo(job.shopDomain);
    } catch (error) {
      // No offline session: the app was uninstalled (sessions are deleted) or never finished
      // installing. Retrying cannot help; say so on the run.
      if ((error as Error)?.constructor?.name === "SessionNotFoundError") {
        const runId = (payload as { runId?: unknown } | null)?.runId;
        if (typeof runId === "string")
          await failRun(db, runId, "no offline session for the shop (app uninstalled?)", now(), "cancelled");
        return;
      }
      throw error;
    }
  }
  await handler({
    db,
    shopDomain: job.shopDomain,
    payload,
    now,
    graphql: io.graphql,
    fetchFile: io.fetchFile,
    attempt: job.attempts,
    maxAttempts: job.maxAttempts,
    limits: options.limits,
  });
}

/** What the worker calls for a `backfill:*` job. */
export function runBackfillJob(db: Db, job: BackfillJobRecord, options: AdminJobOptions = {}): Promise<void> {
  return runAdminApiJob(db, job, backfillJobHandlers, options);
}
