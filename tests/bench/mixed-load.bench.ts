/**
 * Mixed load of a busy store (`npm run bench:mixed`, or `npx tsx tests/bench/mixed-load.bench.ts`;
 * needs `npm run build`).
 *
 * For each database asked for (BENCH_DATABASES, default "sqlite,postgres"): a fresh database
 * (a SQLite file; a throwaway PostgreSQL cluster started with scripts/start-postgres.sh), migrated
 * with the committed SQL and seeded with the demo store (prisma/seed.ts: two locations, 169
 * products, 50 customers, 9,835 orders from ../shared/data/groceries.csv); the built server
 * (`node server.mjs`) and the worker (app/worker.ts) as separate processes on 127.0.0.1. Then 50
 * registers ring up the groceries baskets against it, and Shopify delivers the webhooks those
 * sales cause, for a warm-up and BENCH_SECONDS measured. Before the app runs, the same client
 * hits a bare `node:http` server (its own process, a small JSON answer) as the baseline.
 *
 * The mix, per register (each with its own device id, POS user and session token, renewed before
 * its minute runs out; registers alternate between the two locations), is what the extension does:
 *   - a sale rings up one groceries basket (4.4 items on average), item by item; every cart change
 *     asks for suggestions (the tile's count, record=false); in 20% of sales the cashier opens the
 *     copilot's modal (suggestions again, record=true);
 *   - 30% of sales have a customer attached (the demo history's share): a loyalty lookup when the
 *     customer is attached (the customer block asks with a large subtotal) and one at payment with
 *     the cart's subtotal (the offer that applies);
 *   - 3% of visits are a return instead of a sale: a return check on an order from the seeded
 *     history (by name or id, with the receipt), 15% of them without a receipt (an item valued at
 *     today's price), 10% naming an order that does not exist (a mistyped receipt number);
 *   - every completed sale makes Shopify send orders/create and one inventory_levels/update per
 *     line (stock at the register's location went down; restocked when it would reach zero), at
 *     most BENCH_WEBHOOK_CONCURRENCY in flight, and re-send BENCH_DUPLICATE_RATE of recent events
 *     (same X-Shopify-Event-Id, as its retries do).
 * Per 100 sales that is ~460 suggestions, ~60 loyalty lookups, ~3 return checks, ~102
 * orders/create and ~440 inventory_levels/update: webhooks are half the requests, as in a real
 * store where every sale moves the stock of each line. Approvals are left out: rarer than returns,
 * and they wait on a manager's PIN, not on the server.
 * By default a register waits 0.5-1.5 s (BENCH_THINK_MS=1000) between its requests: a scan about
 * every second on each of 50 registers, two to three times a fast cashier's pace, so the headline
 * figures are a very busy store's, with headroom shown by the bare baseline. BENCH_THINK_MS=0 is a
 * closed loop (the next request as soon as the answer arrives): the capacity under this mix, where
 * the worker (one process on SQLite) falls behind the webhooks and their backlog grows.
 *
 * Success: suggestions, loyalty and return checks answer 200; the return checks that name a
 * missing order answer 404 order_not_found (an expected refusal, counted apart); webhooks answer
 * 200 within 5 s (Shopify's timeout: a later answer counts as failed and is retried); the bare
 * server 200. Anything else (another status or code, a 503 "database busy", a reset connection, a
 * 30 s client timeout) is an error, and the target is zero.
 *
 * Memory: the RSS of the server and the worker (/proc/<pid>/status VmRSS) and their V8 heap (a
 * one-line probe, tests/bench/memory-probe.mjs, loaded with --import) every BENCH_SAMPLE_SECONDS.
 * Growth after warm-up: the last third of the measured samples against the first third (RSS: the
 * medians; heap: the lowest sample of each, the live set after a collection, since V8 lets garbage
 * pile up in between); flagged when it is more than BENCH_GROWTH_PERCENT (10) % and more than
 * BENCH_GROWTH_MB (16) MB, for RSS or heap, of the server or the worker. Fewer than 6 samples: not
 * judged. BENCH_MEMORY_GC=1 runs the app's processes with --expose-gc and the probe collects fully
 * every 5 s: the heap figures are then the live set right after a collection (what a leak shows
 * in), at the cost of those pauses in the latencies, so it is a run of its own. The probe also reports the server's longest event-loop stall per sample (a blocked
 * process: synchronous work, or a descheduled one on a busy machine).
 * After the load: the webhook backlog is flushed (bounded), the queue must drain (bounded), and the
 * ledger must be exact: every acknowledged event recorded once, one job each, all done, no dead
 * job, every acknowledged order stored once with all its lines.
 *
 * The load generator shares the machine: its CPU use (and the server's, the worker's, the load
 * average) is printed for each phase. It is kept cheap: keep-alive agents, session tokens signed
 * once a minute per register, small bodies built as the cashier acts, answers of successful
 * requests discarded unread.
 *
 * Exit status: 0 all good; 1 errors, a ledger mismatch, an undrained queue, or a failure to run
 * (e.g. PostgreSQL asked for and its server binaries missing); 2 memory growth after warm-up
 * (BENCH_ENFORCE_MEMORY=0: report only).
 *
 * Knobs (env): BENCH_DATABASES ("sqlite,postgres"), BENCH_SECONDS (60), BENCH_WARMUP_SECONDS
 * (15), BENCH_BARE_SECONDS (15; 0 skips the baseline), BENCH_REGISTERS (50), BENCH_THINK_MS (1000),
 * BENCH_WEBHOOK_CONCURRENCY (32), BENCH_DUPLICATE_RATE (0.02), BENCH_INVENTORY_WEBHOOKS (1; 0: only
 * orders/create), BENCH_SAMPLE_SECONDS (5), BENCH_GROWTH_PERCENT (10), BENCH_GROWTH_MB (16),
 * BENCH_ENFORCE_MEMORY (1), BENCH_MEMORY_GC (0), BENCH_FLUSH_SECONDS (30: webhook backlog after the load),
 * BENCH_DRAIN_SECONDS (300: queue), BENCH_SEED (42), BENCH_JSON (a path: write the results there),
 * BENCH_KEEP (0; 1 keeps the temp dirs with databases and process logs), BENCH_PROFILE (1: V8 CPU
 * profiles of the server and the worker in <temp dir>/<database>/profiles, kept), PG_BIN (see
 * scripts/start-postgres.sh).
 */
import { execFileSync } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseEnv } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { signSessionToken, SESSION_TOKEN_TTL_SECONDS } from "../../app/services/demo-session-token.server";
import { buildDemoStore, DEMO_LOCATIONS, DEMO_STORE } from "../../shared/demo-store";
import {
  BenchFailure,
  cpuSeconds,
  freePort,
  GROCERIES_CSV,
  isRunning,
  numberEnv,
  percentile,
  ROOT,
  round,
  rssBytes,
  sleep,
  startProcess,
  stopAll,
  stopOnSignals,
  stopProcess,
  tail,
  waitForOutput,
  waitUntil,
} from "./support";
import { seededRandom } from "../../shared/recommendations/evaluation";
import { postgresRows } from "../support/demo-env";

const POS_USER_AGENT =
  "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 Shopify POS/10.14.0";
const SHOP = DEMO_STORE.domain;
const DEMO_ENV = parseEnv(fs.readFileSync(path.join(ROOT, ".env.example"), "utf8")) as Record<string, string>;
const API_KEY = DEMO_ENV.SHOPIFY_API_KEY!;
const API_SECRET = DEMO_ENV.SHOPIFY_API_SECRET!;
const SQLITE_CLIENT_URL = "file:./prisma/data/dev.db";
const REQUEST_TIMEOUT_MS = 30_000;
const SHOPIFY_TIMEOUT_MS = 5_000;
const MAX_WEBHOOK_BACKLOG = 20_000;
// Bench orders get ids of their own, far from the seeded history's (5,000,000,000,001…).
const FIRST_ORDER_ID = 5_900_000_000_000;
const ORDER_ID_PREFIX = "59";

type DatabaseKind = "sqlite" | "postgres";

function databasesEnv(): DatabaseKind[] {
  const raw = process.env.BENCH_DATABASES ?? "sqlite,postgres";
  const kinds = new Set<DatabaseKind>();
  for (const name of raw.split(",").map((part) => part.trim().toLowerCase())) {
    if (name === "sqlite") kinds.add("sqlite");
    else if (name === "postgres" || name === "postgresql" || name === "pg") kinds.add("postgres");
    else if (name) throw new Error(`BENCH_DATABASES: unknown database "${name}" (sqlite, postgres)`);
  }
  if (!kinds.size) throw new Error("BENCH_DATABASES names no database");
  return [...kinds];
}

const config = {
  databases: databasesEnv(),
  seconds: numberEnv("BENCH_SECONDS", 60),
  warmupSeconds: numberEnv("BENCH_WARMUP_SECONDS", 15),
  bareSeconds: numberEnv("BENCH_BARE_SECONDS", 15),
  registers: Math.max(1, Math.floor(numberEnv("BENCH_REGISTERS", 50))),
  thinkMs: numberEnv("BENCH_THINK_MS", 1_000),
  webhookConcurrency: Math.max(1, Math.floor(numberEnv("BENCH_WEBHOOK_CONCURRENCY", 32))),
  duplicateRate: Math.min(0.5, numberEnv("BENCH_DUPLICATE_RATE", 0.02)),
  inventoryWebhooks: process.env.BENCH_INVENTORY_WEBHOOKS !== "0",
  sampleSeconds: Math.max(1, numberEnv("BENCH_SAMPLE_SECONDS", 5)),
  growthPercent: numberEnv("BENCH_GROWTH_PERCENT", 10),
  growthMb: numberEnv("BENCH_GROWTH_MB", 16),
  enforceMemory: process.env.BENCH_ENFORCE_MEMORY !== "0",
  flushSeconds: numberEnv("BENCH_FLUSH_SECONDS", 30),
  drainSeconds: numberEnv("BENCH_DRAIN_SECONDS", 300),
  seed: Math.floor(numberEnv("BENCH_SEED", 42)),
  json: process.env.BENCH_JSON || null,
  keep: process.env.BENCH_KEEP === "1" || process.env.BENCH_PROFILE === "1",
  profile: process.env.BENCH_PROFILE === "1",
  memoryGc: process.env.BENCH_MEMORY_GC === "1",
};

// The mix (see the header).
const MIX = {
  returnShare: 0.03,
  customerShare: 0.3,
  modalShare: 0.2,
  returnWithoutReceipt: 0.15,
  returnMistypedOrder: 0.1,
};

// ---------------------------------------------------------------------------------------------
// The demo store as the registers see it: products by groceries name, customers, past orders.

interface CatalogItem {
  productId: number;
  variantId: number;
  inventoryItemId: number;
  title: string;
  sku: string | null;
  priceMinor: number;
}

interface Store {
  baskets: CatalogItem[][];
  customers: Array<{ id: number; firstName: string | null; lastName: string | null; email: string | null }>;
  pastOrders: Array<{ id: string; name: string }>;
  /** Stock by `${inventoryItemId}@${locationId}`, as seeded; the sales move it. */
  stock: Map<string, number>;
}

/** The same mapping the seed uses (shared/demo-store.ts), so every id exists in the database. */
function loadStore(): Store {
  if (!fs.existsSync(GROCERIES_CSV)) throw new BenchFailure(`${GROCERIES_CSV} is missing: the demo store needs it`);
  const demo = buildDemoStore(fs.readFileSync(GROCERIES_CSV, "utf8"), new Date());
  const byName = new Map<string, CatalogItem>();
  for (const product of demo.products) {
    const variant = product.variants[0]!;
    byName.set(product.csvName, {
      productId: Number(product.externalId),
      variantId: Number(variant.externalId),
      inventoryItemId: Number(variant.inventoryItemId),
      title: product.title,
      sku: variant.sku ?? null,
      priceMinor: variant.priceMinor,
    });
  }
  // Order history lines are the baskets, in file order, with the seed's product for each name.
  const byVariant = new Map([...byName.values()].map((item) => [String(item.variantId), item]));
  const baskets = demo.orders.map((order) => order.lineItems.map((line) => byVariant.get(line.variantExternalId!)!));
  return {
    baskets,
    customers: demo.customers.map((customer) => ({
      id: Number(customer.externalId),
      firstName: customer.firstName,
      lastName: customer.lastName,
      email: customer.email,
    })),
    pastOrders: demo.orders.map((order) => ({ id: order.externalId, name: order.name })),
    stock: new Map(
      demo.inventoryLevels.map((level) => [`${level.inventoryItemId}@${level.locationExternalId}`, level.available]),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// The client: one request at a time per register, keep-alive, answers of successes discarded.

type Endpoint = "suggestions" | "loyalty" | "return check" | "orders/create" | "inventory_levels/update" | "bare";
const APP_ENDPOINTS: Endpoint[] = [
  "suggestions",
  "loyalty",
  "return check",
  "orders/create",
  "inventory_levels/update",
];

interface Call {
  endpoint: Endpoint;
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
  /**
   * The answer that counts as success; `refusal` also counts, apart (an expected business
   * refusal); `withinMs`: a success slower than that is an error (Shopify's webhook timeout).
   */
  expect: { status: number; refusal?: { status: number; code: string }; withinMs?: number };
}

interface Outcome {
  status: number;
  code: string | null;
  ms: number;
}

function send(agent: http.Agent, port: number, call: Call): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...call.headers };
    if (call.body !== undefined) headers["Content-Length"] = Buffer.byteLength(call.body);
    const request = http.request(
      { host: "127.0.0.1", port, path: call.path, method: call.method, agent, headers },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          response.resume();
          response.on("end", () => resolve({ status, code: null, ms: performance.now() - started }));
        } else {
          // An error answer: read (a little of) it for the API's error code.
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => {
            if (text.length < 4_096) text += chunk;
          });
          response.on("end", () => resolve({ status, code: errorCode(text), ms: performance.now() - started }));
        }
        response.on("error", reject);
      },
    );
    request.setTimeout(REQUEST_TIMEOUT_MS, () =>
      request.destroy(new Error(`timed out after ${REQUEST_TIMEOUT_MS} ms`)),
    );
    request.on("error", reject);
    request.end(call.body);
  });
}

function errorCode(text: string): string | null {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown } | string };
    if (typeof body.error === "string") return body.error.slice(0, 60);
    return typeof body.error?.code === "string" ? body.error.code : null;
  } catch {
    return null;
  }
}

type Phase = "warmup" | "measure" | "after";

class EndpointStats {
  latencies: number[] = [];
  answered = 0;
  refusals = 0;
  errors = new Map<string, number>();
  errorCount(): number {
    return [...this.errors.values()].reduce((sum, count) => sum + count, 0);
  }
}

/** Latencies of the measured phase; errors of every phase (an error during warm-up is one too). */
class Recorder {
  phase: Phase = "warmup";
  measured = new Map<Endpoint, EndpointStats>();
  errors = new Map<Endpoint, Map<string, number>>();
  firstErrors: string[] = [];

  stats(endpoint: Endpoint): EndpointStats {
    let stats = this.measured.get(endpoint);
    if (!stats) this.measured.set(endpoint, (stats = new EndpointStats()));
    return stats;
  }

  record(call: Call, outcome: Outcome): "ok" | "refused" | "error" {
    const refusal = call.expect.refusal;
    const kind =
      outcome.status === call.expect.status
        ? "ok"
        : refusal && outcome.status === refusal.status && outcome.code === refusal.code
          ? "refused"
          : "error";
    if (this.phase === "measure") {
      const stats = this.stats(call.endpoint);
      stats.answered++;
      stats.latencies.push(outcome.ms);
      if (kind === "refused") stats.refusals++;
    }
    if (kind === "error") this.error(call, `HTTP ${outcome.status}${outcome.code ? ` ${outcome.code}` : ""}`);
    else if (call.expect.withinMs !== undefined && outcome.ms > call.expect.withinMs) {
      this.error(call, `answered after ${call.expect.withinMs / 1_000} s (Shopify gives up and retries)`);
    }
    return kind;
  }

  error(call: Call, key: string): void {
    let byKey = this.errors.get(call.endpoint);
    if (!byKey) this.errors.set(call.endpoint, (byKey = new Map()));
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
    if (this.phase === "measure") {
      const stats = this.stats(call.endpoint);
      stats.errors.set(key, (stats.errors.get(key) ?? 0) + 1);
    }
    if (this.firstErrors.length < 5) this.firstErrors.push(`${call.endpoint} ${call.method} ${call.path}: ${key}`);
  }

  totalErrors(): number {
    let total = 0;
    for (const byKey of this.errors.values()) for (const count of byKey.values()) total += count;
    return total;
  }
}

async function perform(agent: http.Agent, port: number, recorder: Recorder, call: Call): Promise<Outcome | null> {
  try {
    const outcome = await send(agent, port, call);
    recorder.record(call, outcome);
    return outcome;
  } catch (error) {
    recorder.error(call, error instanceof Error ? error.message : String(error));
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Shopify: signed webhook deliveries for the sales, at most N in flight, some re-sent.

interface Delivery {
  topic: "orders/create" | "inventory_levels/update";
  eventId: string;
  body: string;
  hmac: string;
  /** orders/create: the order's id and line count, for the ledger. */
  order?: { id: string; lines: number };
}

function sign(body: string): string {
  return createHmac("sha256", API_SECRET).update(body, "utf8").digest("base64");
}

function delivery(topic: Delivery["topic"], payload: object, order?: Delivery["order"]): Delivery {
  const body = JSON.stringify(payload);
  return { topic, eventId: randomUUID(), body, hmac: sign(body), order };
}

function webhookCall(item: Delivery): Call {
  return {
    endpoint: item.topic,
    method: "POST",
    path: `/webhooks/${item.topic}`,
    headers: {
      "Content-Type": "application/json",
      "User-Agent": "Shopify-Captain-Hook",
      "X-Shopify-Topic": item.topic,
      "X-Shopify-Hmac-Sha256": item.hmac,
      "X-Shopify-Shop-Domain": SHOP,
      "X-Shopify-API-Version": "2026-07",
      "X-Shopify-Webhook-Id": randomUUID(),
      "X-Shopify-Event-Id": item.eventId,
      "X-Shopify-Triggered-At": new Date().toISOString(),
    },
    body: item.body,
    // Shopify waits 5 s for the answer; a later one counts as failed and the delivery is retried.
    expect: { status: 200, withinMs: SHOPIFY_TIMEOUT_MS },
  };
}

class Shopify {
  private backlog: Delivery[] = [];
  private head = 0;
  private recent: Delivery[] = [];
  /** Deliveries answered 200, by event (a re-send adds nothing). */
  acked = new Map<string, Delivery>();
  sent = 0;
  resent = 0;
  dropped = 0;
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly agent: http.Agent,
    private readonly port: number,
    private readonly recorder: Recorder,
    private readonly rng: () => number,
  ) {}

  pending(): number {
    return this.backlog.length - this.head;
  }

  enqueue(item: Delivery): void {
    if (this.pending() >= MAX_WEBHOOK_BACKLOG) {
      this.dropped++;
      return;
    }
    this.backlog.push(item);
  }

  start(): void {
    for (let index = 0; index < config.webhookConcurrency; index++) this.loops.push(this.loop());
  }

  /** Sends what is still waiting (until `deadline`), then stops; what is left is never sent. */
  async stop(deadline: number): Promise<number> {
    while (this.pending() > 0 && performance.now() < deadline) await sleep(50);
    this.stopped = true;
    await Promise.all(this.loops);
    return this.pending();
  }

  private next(): { item: Delivery; resend: boolean } | null {
    if (this.pending() === 0) return null;
    if (this.recent.length >= 10 && this.rng() < config.duplicateRate) {
      return { item: this.recent[Math.floor(this.rng() * this.recent.length)]!, resend: true };
    }
    const item = this.backlog[this.head++]!;
    if (this.head > 4_096 && this.head * 2 > this.backlog.length) {
      this.backlog = this.backlog.slice(this.head);
      this.head = 0;
    }
    return { item, resend: false };
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const next = this.next();
      if (!next) {
        await sleep(5);
        continue;
      }
      this.sent++;
      if (next.resend) this.resent++;
      const call = webhookCall(next.item);
      const outcome = await perform(this.agent, this.port, this.recorder, call);
      if (outcome?.status === 200) {
        this.acked.set(next.item.eventId, next.item);
        if (!next.resend) {
          this.recent.push(next.item);
          if (this.recent.length > 200) this.recent.shift();
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Registers.

interface Register {
  index: number;
  deviceId: string;
  locationId: string;
  userId: number;
  token: string;
  tokenExpiresAt: number;
  rng: () => number;
}

function money(minor: number): string {
  return (minor / 100).toFixed(2);
}

class BusyStore {
  private basketCursor = 0;
  private orderSeq = 0;

  constructor(
    private readonly store: Store,
    private readonly agent: http.Agent,
    private readonly port: number,
    private readonly recorder: Recorder,
    private readonly shopify: Shopify,
  ) {}

  registers(): Register[] {
    return Array.from({ length: config.registers }, (_, index) => ({
      index,
      deviceId: `bench-register-${String(index + 1).padStart(2, "0")}`,
      locationId: DEMO_LOCATIONS[index % DEMO_LOCATIONS.length]!.externalId,
      userId: 90_001 + index,
      token: "",
      tokenExpiresAt: 0,
      rng: seededRandom(config.seed * 1_000 + index),
    }));
  }

  /** A register's session token, renewed 15 s before its minute runs out (POS asks for a fresh one). */
  private bearer(register: Register): string {
    const now = Date.now() / 1_000;
    if (now > register.tokenExpiresAt - 15) {
      register.token = signSessionToken({
        shopDomain: SHOP,
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        userId: register.userId,
        sessionId: register.deviceId,
      });
      register.tokenExpiresAt = Math.floor(now) + SESSION_TOKEN_TTL_SECONDS;
    }
    return register.token;
  }

  private headers(register: Register, json: boolean): Record<string, string> {
    return {
      Authorization: `Bearer ${this.bearer(register)}`,
      "User-Agent": POS_USER_AGENT,
      Accept: "application/json",
      ...(json ? { "Content-Type": "application/json" } : {}),
    };
  }

  private async call(register: Register, call: Call): Promise<void> {
    await perform(this.agent, this.port, this.recorder, call);
    if (config.thinkMs > 0) await sleep(config.thinkMs * (0.5 + register.rng()));
  }

  private suggestions(register: Register, cart: CatalogItem[], customerId: number | null, record: boolean) {
    const body = {
      cart: { lineItems: cart.map((item) => ({ variantId: item.variantId, productId: item.productId, quantity: 1 })) },
      customerId,
      locationId: register.locationId,
      ...(record ? { limit: 3, record: true } : { record: false }),
    };
    return this.call(register, {
      endpoint: "suggestions",
      method: "POST",
      path: "/api/pos/suggestions",
      headers: this.headers(register, true),
      body: JSON.stringify(body),
      expect: { status: 200 },
    });
  }

  private loyalty(register: Register, customerId: number, subtotalMinor: number) {
    const query = `locationId=${register.locationId}&deviceId=${register.deviceId}&subtotalMinor=${subtotalMinor}`;
    return this.call(register, {
      endpoint: "loyalty",
      method: "GET",
      path: `/api/pos/loyalty/${customerId}?${query}`,
      headers: this.headers(register, false),
      expect: { status: 200 },
    });
  }

  async sale(register: Register): Promise<void> {
    const basket = this.store.baskets[this.basketCursor++ % this.store.baskets.length]!;
    const customer =
      register.rng() < MIX.customerShare
        ? this.store.customers[Math.floor(register.rng() * this.store.customers.length)]!
        : null;
    const attachAt = customer ? Math.floor(register.rng() * basket.length) : -1;
    for (let index = 0; index < basket.length; index++) {
      await this.suggestions(
        register,
        basket.slice(0, index + 1),
        index >= attachAt ? (customer?.id ?? null) : null,
        false,
      );
      if (customer && index === attachAt) await this.loyalty(register, customer.id, 1_000_000);
    }
    if (register.rng() < MIX.modalShare) await this.suggestions(register, basket, customer?.id ?? null, true);
    const subtotal = basket.reduce((sum, item) => sum + item.priceMinor, 0);
    if (customer) await this.loyalty(register, customer.id, subtotal);
    this.completed(register, basket, customer, subtotal);
  }

  /** The sale is paid: Shopify sends orders/create and the stock changes at this location. */
  private completed(
    register: Register,
    basket: CatalogItem[],
    customer: Store["customers"][number] | null,
    subtotal: number,
  ) {
    const sequence = this.orderSeq++;
    const id = FIRST_ORDER_ID + sequence;
    const at = new Date().toISOString();
    const order = {
      id,
      admin_graphql_api_id: `gid://shopify/Order/${id}`,
      name: `#B${100_000 + sequence}`,
      currency: DEMO_STORE.currency,
      subtotal_price: money(subtotal),
      total_price: money(subtotal),
      total_discounts: "0.00",
      financial_status: "paid",
      source_name: "pos",
      location_id: Number(register.locationId),
      user_id: register.userId,
      created_at: at,
      processed_at: at,
      updated_at: at,
      cancelled_at: null,
      customer: customer
        ? {
            id: customer.id,
            first_name: customer.firstName,
            last_name: customer.lastName,
            email: customer.email,
            phone: null,
            tags: "demo",
          }
        : null,
      line_items: basket.map((item, line) => ({
        id: id * 100 + line + 1,
        product_id: item.productId,
        variant_id: item.variantId,
        title: item.title,
        sku: item.sku,
        quantity: 1,
        price: money(item.priceMinor),
        total_discount: "0.00",
        discount_allocations: [],
      })),
      refunds: [],
    };
    this.shopify.enqueue(delivery("orders/create", order, { id: String(id), lines: basket.length }));
    if (!config.inventoryWebhooks) return;
    for (const item of basket) {
      const key = `${item.inventoryItemId}@${register.locationId}`;
      const left = (this.store.stock.get(key) ?? 0) - 1;
      const available = left > 0 ? left : 100; // restocked from the back room
      this.store.stock.set(key, available);
      this.shopify.enqueue(
        delivery("inventory_levels/update", {
          inventory_item_id: item.inventoryItemId,
          location_id: Number(register.locationId),
          available,
          updated_at: at,
          admin_graphql_api_id: `gid://shopify/InventoryLevel/${register.locationId}?inventory_item_id=${item.inventoryItemId}`,
        }),
      );
    }
  }

  async returnVisit(register: Register): Promise<void> {
    const roll = register.rng();
    const origin = { locationId: register.locationId, deviceId: register.deviceId };
    let body: object;
    let refusal: Call["expect"]["refusal"];
    if (roll < MIX.returnMistypedOrder) {
      body = {
        ...origin,
        order: `#${90_000_000 + Math.floor(register.rng() * 1_000_000)}`,
        receipt: "receipt",
        reason: { code: "wrong_item" },
      };
      refusal = { status: 404, code: "order_not_found" };
    } else if (roll < MIX.returnMistypedOrder + MIX.returnWithoutReceipt) {
      const basket = this.store.baskets[Math.floor(register.rng() * this.store.baskets.length)]!;
      body = {
        ...origin,
        order: null,
        receipt: "none",
        items: [{ variantId: basket[0]!.variantId, quantity: 1 }],
        reason: { text: "changed my mind, never opened" },
      };
    } else {
      const past = this.store.pastOrders[Math.floor(register.rng() * this.store.pastOrders.length)]!;
      body = {
        ...origin,
        order: register.rng() < 0.5 ? past.name : past.id,
        receipt: "receipt",
        condition: register.rng() < 0.8 ? "unopened" : "defective",
        reason: register.rng() < 0.5 ? { code: "defective" } : { text: "it was past its date when I opened it" },
      };
    }
    await this.call(register, {
      endpoint: "return check",
      method: "POST",
      path: "/api/pos/returns/check",
      headers: this.headers(register, true),
      body: JSON.stringify(body),
      expect: { status: 200, refusal },
    });
  }

  async run(register: Register, stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      if (register.rng() < MIX.returnShare) await this.returnVisit(register);
      else await this.sale(register);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Figures.

interface EndpointFigures {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  refusals: number;
  errors: Record<string, number>;
}

function figures(stats: EndpointStats | undefined, seconds: number): EndpointFigures {
  const sorted = Float64Array.from(stats?.latencies ?? []).sort();
  const list = Array.from(sorted);
  return {
    requests: stats?.answered ?? 0,
    perSecond: round((stats?.answered ?? 0) / seconds),
    p50Ms: round(percentile(list, 50)),
    p95Ms: round(percentile(list, 95)),
    p99Ms: round(percentile(list, 99)),
    maxMs: round(list.at(-1) ?? Number.NaN),
    refusals: stats?.refusals ?? 0,
    errors: Object.fromEntries(stats?.errors ?? []),
  };
}

function allFigures(recorder: Recorder, endpoints: Endpoint[], seconds: number): EndpointFigures {
  const merged = new EndpointStats();
  for (const endpoint of endpoints) {
    const stats = recorder.measured.get(endpoint);
    if (!stats) continue;
    for (const ms of stats.latencies) merged.latencies.push(ms);
    merged.answered += stats.answered;
    merged.refusals += stats.refusals;
    for (const [key, count] of stats.errors) merged.errors.set(key, (merged.errors.get(key) ?? 0) + count);
  }
  return figures(merged, seconds);
}

interface CpuFigures {
  /** Percent of one core over the measured phase. */
  serverPercent: number;
  workerPercent: number;
  clientPercent: number;
  loadAverage: [number, number];
}

interface MemorySample {
  t: number;
  phase: Phase;
  serverRssMb: number;
  serverHeapMb: number;
  workerRssMb: number;
  workerHeapMb: number;
  /** The server's longest event-loop stall since the previous sample (ms): a blocked process. */
  serverStallMs: number;
}

interface GrowthVerdict {
  series: string;
  firstMb: number;
  lastMb: number;
  growthMb: number;
  growthPercent: number;
  grew: boolean;
}

const MB = 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Last third against first third of the measured samples; null when there are too few. */
function growthVerdicts(samples: MemorySample[]): GrowthVerdict[] | null {
  const measured = samples.filter((sample) => sample.phase === "measure");
  if (measured.length < 6) return null;
  const third = Math.floor(measured.length / 3);
  const series = ["serverRssMb", "serverHeapMb", "workerRssMb", "workerHeapMb"] as const;
  return series.flatMap((name) => {
    const values = measured.map((sample) => sample[name]);
    if (values.some((value) => !Number.isFinite(value))) return [];
    // V8 lets garbage pile up between collections: a heap's lowest sample is its live set.
    const level = name.endsWith("HeapMb") ? (part: number[]) => Math.min(...part) : median;
    const firstMb = level(values.slice(0, third));
    const lastMb = level(values.slice(-third));
    const growthMb = lastMb - firstMb;
    const growthPercent = firstMb > 0 ? (growthMb / firstMb) * 100 : 0;
    return [
      {
        series: name.replace(/Mb$/, ""),
        firstMb: round(firstMb),
        lastMb: round(lastMb),
        growthMb: round(growthMb),
        growthPercent: round(growthPercent),
        grew: growthPercent > config.growthPercent && growthMb > config.growthMb,
      },
    ];
  });
}

/** What tests/bench/memory-probe.mjs last wrote: the heap, and the longest stall since `since`. */
function readProbe(file: string, since: number): { heapMb: number; stallMs: number } {
  try {
    const written = JSON.parse(fs.readFileSync(file, "utf8")) as {
      heapUsed: number;
      liveHeapUsed: number | null;
      stalls: [number, number][];
    };
    const stalls = written.stalls.filter(([at]) => at > since).map(([, ms]) => ms);
    // BENCH_MEMORY_GC=1: the heap after the probe's last full collection (the live set).
    const heap = config.memoryGc ? (written.liveHeapUsed ?? Number.NaN) : written.heapUsed;
    return { heapMb: heap / MB, stallMs: stalls.length ? Math.max(...stalls) : Number.NaN };
  } catch {
    return { heapMb: Number.NaN, stallMs: Number.NaN };
  }
}

// ---------------------------------------------------------------------------------------------
// Databases: the app's, read from outside for the queue and the ledger.

interface Reader {
  rows<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

function sqliteReader(file: string): Reader {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  return {
    rows: async <Row>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as Row[],
    close: async () => {
      db.close();
    },
  };
}

async function postgresReader(url: string): Promise<Reader> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    rows: <Row>(sql: string, params: unknown[] = []) => postgresRows<Row>(client, sql, params),
    close: () => client.end(),
  };
}

const WEBHOOK_JOB_TYPES = ["webhook:orders/create", "webhook:inventory_levels/update"];

async function webhookJobs(reader: Reader): Promise<Record<string, number>> {
  const counts: Record<string, number> = { pending: 0, running: 0, done: 0, dead: 0 };
  const rows = await reader.rows<{ status: string; n: number | string }>(
    `SELECT status, COUNT(*) AS n FROM "Job" WHERE type IN (?, ?) GROUP BY status`,
    WEBHOOK_JOB_TYPES,
  );
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + Number(row.n);
  return counts;
}

interface Ledger {
  distinctEventsAcked: number;
  webhookEventsStored: number;
  webhookJobs: Record<string, number>;
  ordersAcked: number;
  ordersStored: number;
  ordersDoubled: number;
  ordersLost: number;
  ordersNeverAcked: number;
  lineItemsStored: number;
  lineItemsExpected: number;
  otherJobs: string;
  deadReasons: string[];
  problems: string[];
}

async function checkLedger(reader: Reader, shopify: Shopify): Promise<Ledger> {
  const acked = [...shopify.acked.values()];
  const orders = new Map(acked.filter((item) => item.order).map((item) => [item.order!.id, item.order!.lines]));
  const count = async (sql: string, params: unknown[]) =>
    Number((await reader.rows<{ n: number | string }>(sql, params))[0]?.n ?? 0);
  const storedRows = await reader.rows<{ id: string }>(
    `SELECT o."externalId" AS id FROM "Order" o JOIN "Shop" s ON s.id = o."shopId" WHERE s.domain = ? AND o."externalId" LIKE ?`,
    [SHOP, `${ORDER_ID_PREFIX}%`],
  );
  const stored = new Set(storedRows.map((row) => row.id));
  const lineItemsStored = await count(
    `SELECT COUNT(*) AS n FROM "LineItem" l JOIN "Order" o ON o.id = l."orderId" JOIN "Shop" s ON s.id = o."shopId"
     WHERE s.domain = ? AND o."externalId" LIKE ?`,
    [SHOP, `${ORDER_ID_PREFIX}%`],
  );
  const events = await count(`SELECT COUNT(*) AS n FROM "WebhookEvent" WHERE "shopDomain" = ? AND topic IN (?, ?)`, [
    SHOP,
    "orders/create",
    "inventory_levels/update",
  ]);
  const jobs = await webhookJobs(reader);
  const jobsTotal = Object.values(jobs).reduce((sum, value) => sum + value, 0);
  const other = await reader.rows<{ type: string; status: string; n: number | string }>(
    `SELECT type, status, COUNT(*) AS n FROM "Job" WHERE type NOT IN (?, ?) GROUP BY type, status ORDER BY type, status`,
    WEBHOOK_JOB_TYPES,
  );
  const dead = await reader.rows<{ reason: string | null }>(
    `SELECT "lastError" AS reason FROM "Job" WHERE type IN (?, ?) AND status = 'dead' LIMIT 3`,
    WEBHOOK_JOB_TYPES,
  );
  const lost = [...orders.keys()].filter((id) => !stored.has(id));
  const neverAcked = [...stored].filter((id) => !orders.has(id));
  const lineItemsExpected = [...orders.values()].reduce((sum, lines) => sum + lines, 0);
  const ledger: Ledger = {
    distinctEventsAcked: shopify.acked.size,
    webhookEventsStored: events,
    webhookJobs: jobs,
    ordersAcked: orders.size,
    ordersStored: stored.size,
    ordersDoubled: storedRows.length - stored.size,
    ordersLost: lost.length,
    ordersNeverAcked: neverAcked.length,
    lineItemsStored,
    lineItemsExpected,
    otherJobs: other.map((row) => `${row.type} ${row.status} ${Number(row.n)}`).join(", "),
    deadReasons: dead.map((row) => row.reason ?? "?"),
    problems: [],
  };
  const problems = ledger.problems;
  if (events !== shopify.acked.size)
    problems.push(`${events} webhook events recorded for ${shopify.acked.size} acknowledged`);
  if (jobsTotal !== shopify.acked.size)
    problems.push(`${jobsTotal} webhook jobs for ${shopify.acked.size} acknowledged events`);
  if (jobs.done !== shopify.acked.size) problems.push(`${jobs.done} webhook jobs done of ${shopify.acked.size}`);
  if (jobs.dead) problems.push(`${jobs.dead} dead webhook jobs: ${ledger.deadReasons.join(" | ")}`);
  if (lost.length) problems.push(`${lost.length} acknowledged orders lost (e.g. ${lost.slice(0, 3).join(", ")})`);
  if (ledger.ordersDoubled) problems.push(`${ledger.ordersDoubled} orders stored twice`);
  if (neverAcked.length) problems.push(`${neverAcked.length} orders stored that were never acknowledged`);
  if (lineItemsStored !== lineItemsExpected)
    problems.push(`${lineItemsStored} line items stored for the bench orders, expected ${lineItemsExpected}`);
  return ledger;
}

// ---------------------------------------------------------------------------------------------
// The Prisma client is generated for one provider at a time (node_modules): PostgreSQL's for its
// run, and SQLite's again afterwards, whatever happens, as scripts/ci-postgres.sh does.

/** What must be undone even when the run is interrupted (a PostgreSQL cluster, the temp dir). */
const cleanups = new Set<() => Promise<void>>();

const GENERATED_SCHEMA = path.join(ROOT, "node_modules/.prisma/client/schema.prisma");

function generatedProvider(): string | null {
  try {
    return /provider\s*=\s*"(sqlite|postgresql)"/.exec(fs.readFileSync(GENERATED_SCHEMA, "utf8"))?.[1] ?? null;
  } catch {
    return null;
  }
}

function generateClient(databaseUrl: string, logFile: string): void {
  const log = fs.openSync(logFile, "a");
  try {
    execFileSync(process.execPath, ["scripts/db.mjs", "generate"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "production",
        DATABASE_URL: databaseUrl,
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
        CHECKPOINT_DISABLE: "1",
      },
      stdio: ["ignore", log, log],
      timeout: 180_000,
    });
  } finally {
    fs.closeSync(log);
  }
}

function restoreSqliteClient(logDir: string): void {
  if (generatedProvider() === "sqlite") return;
  console.log("regenerating the SQLite Prisma client");
  try {
    generateClient(SQLITE_CLIENT_URL, path.join(logDir, "prisma-generate.log"));
  } catch (error) {
    console.error(
      `FAILED to regenerate the SQLite client (${(error as Error).message}): run ` +
        `DATABASE_URL=${SQLITE_CLIENT_URL} node scripts/db.mjs generate`,
    );
    process.exitCode = 1;
  }
}

/** scripts/start-postgres.sh's search, to fail before anything starts when the server is missing. */
function postgresBinaries(): string | null {
  const candidates = [
    process.env.PG_BIN,
    ...(fs.existsSync("/usr/lib/postgresql")
      ? fs
          .readdirSync("/usr/lib/postgresql")
          .sort((a, b) => Number(b) - Number(a))
          .map((version) => `/usr/lib/postgresql/${version}/bin`)
      : []),
    ...(process.env.PATH ?? "").split(":"),
  ];
  for (const dir of candidates) {
    if (dir && fs.existsSync(path.join(dir, "pg_ctl")) && fs.existsSync(path.join(dir, "initdb"))) return dir;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// One database's run.

interface DatabaseResult {
  database: DatabaseKind;
  seconds: number;
  endpoints: Record<string, EndpointFigures>;
  all: EndpointFigures;
  registerRequests: EndpointFigures;
  webhooks: {
    sent: number;
    resent: number;
    /** Deliveries created but not yet sent when the measured phase ended: intake behind the sales. */
    backlogAtEnd: number;
    notSent: number;
    dropped: number;
    flushSeconds: number;
  };
  cpu: CpuFigures;
  memory: { samples: MemorySample[]; verdicts: GrowthVerdict[] | null };
  drainSeconds: number;
  drained: boolean;
  ledger: Ledger;
  errors: number;
  firstErrors: string[];
}

interface Prepared {
  url: string;
  sqliteFile?: string;
  cleanup: () => Promise<void>;
}

async function prepareSqlite(dir: string): Promise<Prepared> {
  const file = path.join(dir, "app.db");
  return { url: `file:${file}`, sqliteFile: file, cleanup: async () => undefined };
}

async function preparePostgres(logDir: string): Promise<Prepared> {
  // Its own dir outside the bench's (the script hands it to the server's user when run as root).
  const clusterDir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-mixed-pg-"));
  const script = path.join(ROOT, "scripts/start-postgres.sh");
  const stopCluster = async () => {
    cleanups.delete(stopCluster);
    try {
      execFileSync("bash", [script, "--stop", clusterDir], { stdio: "ignore", timeout: 60_000 });
    } catch (error) {
      console.error(`could not stop the PostgreSQL cluster in ${clusterDir}: ${(error as Error).message}`);
    }
    if (config.keep) console.log(`kept ${clusterDir} (PostgreSQL cluster, stopped)`);
    else fs.rmSync(clusterDir, { recursive: true, force: true });
  };
  cleanups.add(stopCluster);
  let serverUrl: string;
  try {
    const output = execFileSync("bash", [script, clusterDir, String(await freePort())], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", fs.openSync(path.join(logDir, "start-postgres.log"), "a")],
      timeout: 120_000,
    });
    serverUrl = output.trim().split("\n").at(-1)!;
  } catch (error) {
    await stopCluster();
    throw new BenchFailure(
      `could not start PostgreSQL (${(error as Error).message}); log:\n${tail(path.join(logDir, "start-postgres.log"))}`,
    );
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "rc_mixed_load"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = "/rc_mixed_load";
  return { url: url.toString(), cleanup: stopCluster };
}

async function runOnDatabase(kind: DatabaseKind, baseDir: string, store: Store): Promise<DatabaseResult> {
  const dir = path.join(baseDir, kind);
  fs.mkdirSync(dir, { recursive: true });
  console.log(`\n=== ${kind === "sqlite" ? "SQLite" : "PostgreSQL"} ===`);
  const prepared = kind === "sqlite" ? await prepareSqlite(dir) : await preparePostgres(dir);
  try {
    const wantProvider = kind === "sqlite" ? "sqlite" : "postgresql";
    if (generatedProvider() !== wantProvider) {
      console.log(`  generating the ${kind === "sqlite" ? "SQLite" : "PostgreSQL"} Prisma client`);
      generateClient(kind === "sqlite" ? SQLITE_CLIENT_URL : prepared.url, path.join(dir, "prisma-generate.log"));
    }
    // tests/setup/migrate.ts locates the migrations with __dirname, which ESM under tsx lacks.
    (globalThis as { __dirname?: string }).__dirname ??= path.join(ROOT, "tests/setup");
    const { applyMigrations } = await import("../setup/migrate");
    await applyMigrations(prepared.url);
    const started = performance.now();
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: process.env.TMPDIR,
      ...DEMO_ENV,
      NODE_ENV: "production",
      DATABASE_URL: prepared.url,
    };
    const seed = startProcess(
      `seed-${kind}`,
      [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "prisma/seed.ts"],
      baseEnv,
      dir,
    );
    const seeded = await Promise.race([seed.exited, sleep(300_000).then(() => null)]);
    if (seeded?.code !== 0) {
      await stopProcess(seed);
      throw new BenchFailure(
        `the seed failed (${seeded ? `exit ${seeded.code}` : "timed out"}):\n${tail(seed.logFile)}`,
      );
    }
    console.log(`  demo store migrated and seeded in ${((performance.now() - started) / 1_000).toFixed(1)} s`);
    return await loadDatabase(kind, dir, store, prepared, baseEnv);
  } finally {
    await stopAll();
    await prepared.cleanup();
  }
}

async function loadDatabase(
  kind: DatabaseKind,
  dir: string,
  store: Store,
  prepared: Prepared,
  baseEnv: NodeJS.ProcessEnv,
): Promise<DatabaseResult> {
  const port = await freePort();
  const appEnv: NodeJS.ProcessEnv = {
    ...baseEnv,
    HOST: "127.0.0.1",
    PORT: String(port),
    SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
    // Production behaviour: no demo-only routes; the registers' tokens are signed as POS signs them.
    DEMO_MODE: "0",
    WORKER_IDLE_MS: "50",
  };
  const probe = [
    ...(config.memoryGc ? ["--expose-gc"] : []),
    "--import",
    path.join(ROOT, "tests/bench/memory-probe.mjs"),
    ...(config.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.join(dir, "profiles")}`] : []),
  ];
  const heapFiles = { server: path.join(dir, "server.heap.json"), worker: path.join(dir, "worker.heap.json") };
  const server = startProcess(
    "server",
    [...probe, "server.mjs"],
    { ...appEnv, BENCH_MEMORY_FILE: heapFiles.server },
    dir,
  );
  await waitForOutput(server, /listening on/, 60_000);
  const worker = startProcess(
    "worker",
    ["--import", "tsx", ...probe, "app/worker.ts"],
    { ...appEnv, BENCH_MEMORY_FILE: heapFiles.worker },
    dir,
  );
  await waitForOutput(worker, /worker .* started/, 60_000);

  const registerAgent = new http.Agent({ keepAlive: true, maxSockets: config.registers });
  const shopifyAgent = new http.Agent({ keepAlive: true, maxSockets: config.webhookConcurrency });
  const reader = prepared.sqliteFile ? sqliteReader(prepared.sqliteFile) : await postgresReader(prepared.url);
  try {
    const recorder = new Recorder();
    const rng = seededRandom(config.seed);
    const shopify = new Shopify(shopifyAgent, port, recorder, rng);
    const busyStore = new BusyStore(store, registerAgent, port, recorder, shopify);
    const registers = busyStore.registers();

    // Ready: a register's suggestions answer 200 (routes, token check and database are up).
    const readiness = new Recorder();
    readiness.phase = "after";
    const probeStore = new BusyStore(store, registerAgent, port, readiness, shopify);
    const ready = await waitUntil(async () => {
      const before = readiness.totalErrors();
      await probeStore.returnVisit({ ...registers[0]!, rng: () => 0.99 });
      return readiness.totalErrors() === before;
    }, 60_000);
    if (!ready) {
      throw new BenchFailure(
        `the app never answered a register (${readiness.firstErrors.join("; ")}):\n${tail(server.logFile)}`,
      );
    }

    const samples: MemorySample[] = [];
    const startedAt = performance.now();
    let sampling = true;
    const sampler = (async () => {
      let since = Date.now();
      while (sampling) {
        const serverProbe = readProbe(heapFiles.server, since);
        since = Date.now();
        samples.push({
          t: round((performance.now() - startedAt) / 1_000),
          phase: recorder.phase,
          serverRssMb: round(rssBytes(server) / MB),
          serverHeapMb: round(serverProbe.heapMb),
          workerRssMb: round(rssBytes(worker) / MB),
          workerHeapMb: round(readProbe(heapFiles.worker, 0).heapMb),
          serverStallMs: serverProbe.stallMs,
        });
        const next = startedAt + samples.length * config.sampleSeconds * 1_000;
        while (sampling && performance.now() < next) await sleep(Math.min(250, next - performance.now()));
      }
    })();

    let stopRegisters = false;
    shopify.start();
    const loops = registers.map((register) => busyStore.run(register, () => stopRegisters));
    const watchdog = setInterval(() => {
      if (!isRunning(server) || !isRunning(worker)) stopRegisters = true;
    }, 500);
    console.log(
      `  ${config.registers} registers and Shopify's webhooks: warm-up ${config.warmupSeconds} s, then ${config.seconds} s measured`,
    );
    await sleep(config.warmupSeconds * 1_000);
    const before = {
      server: cpuSeconds(server),
      worker: cpuSeconds(worker),
      client: process.cpuUsage(),
      load: os.loadavg()[0]!,
      at: performance.now(),
    };
    recorder.phase = "measure";
    await sleep(config.seconds * 1_000);
    recorder.phase = "after";
    const backlogAtEnd = shopify.pending();
    const seconds = (performance.now() - before.at) / 1_000;
    const client = process.cpuUsage(before.client);
    const cpu: CpuFigures = {
      serverPercent: round(((cpuSeconds(server) - before.server) / seconds) * 100),
      workerPercent: round(((cpuSeconds(worker) - before.worker) / seconds) * 100),
      clientPercent: round(((client.user + client.system) / 1e6 / seconds) * 100),
      loadAverage: [round(before.load), round(os.loadavg()[0]!)],
    };
    sampling = false;
    stopRegisters = true;
    await Promise.all(loops);
    await sampler;
    clearInterval(watchdog);
    if (!isRunning(server) || !isRunning(worker)) {
      const gone = !isRunning(server) ? server : worker;
      throw new BenchFailure(`the ${gone.name} exited during the load:\n${tail(gone.logFile)}`);
    }

    // The sales' last webhooks, then the queue.
    const flushStarted = performance.now();
    const notSent = await shopify.stop(flushStarted + config.flushSeconds * 1_000);
    const flushSeconds = (performance.now() - flushStarted) / 1_000;
    registerAgent.destroy();
    shopifyAgent.destroy();
    const drainStarted = performance.now();
    let jobs = await webhookJobs(reader);
    let lastPrint = drainStarted;
    while (jobs.pending! + jobs.running! > 0 && performance.now() - drainStarted < config.drainSeconds * 1_000) {
      if (!isRunning(worker)) throw new BenchFailure(`the worker exited while draining:\n${tail(worker.logFile)}`);
      await sleep(250);
      jobs = await webhookJobs(reader);
      if (performance.now() - lastPrint > 5_000) {
        lastPrint = performance.now();
        console.log(
          `  draining: ${jobs.pending} pending, ${jobs.running} running, ${jobs.done} done, ${jobs.dead} dead`,
        );
      }
    }
    const drainSeconds = (performance.now() - drainStarted) / 1_000;
    const drained = jobs.pending! + jobs.running! === 0;
    const ledger = await checkLedger(reader, shopify);
    if (!drained) ledger.problems.push(`queue not drained ${config.drainSeconds} s after the load`);

    const endpoints: Record<string, EndpointFigures> = {};
    for (const endpoint of APP_ENDPOINTS) endpoints[endpoint] = figures(recorder.measured.get(endpoint), seconds);
    return {
      database: kind,
      seconds: round(seconds),
      endpoints,
      all: allFigures(recorder, APP_ENDPOINTS, seconds),
      registerRequests: allFigures(recorder, ["suggestions", "loyalty", "return check"], seconds),
      webhooks: {
        sent: shopify.sent,
        resent: shopify.resent,
        backlogAtEnd,
        notSent,
        dropped: shopify.dropped,
        flushSeconds: round(flushSeconds),
      },
      cpu,
      memory: { samples, verdicts: growthVerdicts(samples) },
      drainSeconds: round(drainSeconds),
      drained,
      ledger,
      errors: recorder.totalErrors(),
      firstErrors: recorder.firstErrors,
    };
  } finally {
    await reader.close();
    registerAgent.destroy();
    shopifyAgent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// The baseline: a bare node:http server in its own process, hit by the same client.

const BARE_SERVER = `
const http = require("node:http");
const answer = JSON.stringify({ suggestions: [{ productId: "1", variantId: "2", title: "Whole milk", price: "1.99" }] });
const server = http.createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(answer) });
    response.end(answer);
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("bare listening on " + process.env.PORT));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

interface BareResult {
  seconds: number;
  figures: EndpointFigures;
  cpu: { serverPercent: number; clientPercent: number };
  errors: number;
}

async function runBare(dir: string): Promise<BareResult> {
  const port = await freePort();
  const bare = startProcess(
    "bare",
    ["-e", BARE_SERVER],
    { PATH: process.env.PATH, NODE_ENV: "production", PORT: String(port) },
    dir,
  );
  try {
    await waitForOutput(bare, /bare listening/, 30_000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: config.registers });
    const recorder = new Recorder();
    const call = (index: number): Call => ({
      endpoint: "bare",
      method: "POST",
      path: "/suggestions",
      headers: {
        Authorization: `Bearer bench-register-${index}`,
        "User-Agent": POS_USER_AGENT,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ cart: { lineItems: [{ variantId: 45_000_000_000_001, quantity: 1 }] }, record: false }),
      expect: { status: 200 },
    });
    let stopped = false;
    const loops = Array.from({ length: config.registers }, async (_, index) => {
      while (!stopped) {
        await perform(agent, port, recorder, call(index));
        if (config.thinkMs > 0) await sleep(config.thinkMs);
      }
    });
    const warmup = Math.min(3, config.bareSeconds / 4);
    await sleep(warmup * 1_000);
    const before = { server: cpuSeconds(bare), client: process.cpuUsage(), at: performance.now() };
    recorder.phase = "measure";
    await sleep((config.bareSeconds - warmup) * 1_000);
    recorder.phase = "after";
    const seconds = (performance.now() - before.at) / 1_000;
    const client = process.cpuUsage(before.client);
    const serverCpu = cpuSeconds(bare) - before.server;
    stopped = true;
    await Promise.all(loops);
    agent.destroy();
    return {
      seconds: round(seconds),
      figures: figures(recorder.measured.get("bare"), seconds),
      cpu: {
        serverPercent: round((serverCpu / seconds) * 100),
        clientPercent: round(((client.user + client.system) / 1e6 / seconds) * 100),
      },
      errors: recorder.totalErrors(),
    };
  } finally {
    await stopProcess(bare);
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

const NAMES: Record<DatabaseKind, string> = { sqlite: "SQLite", postgres: "PostgreSQL" };

const LABEL = 32;

function cell(value: EndpointFigures | undefined): string {
  if (!value) return "".padEnd(44);
  const errors = Object.values(value.errors).reduce((sum, count) => sum + count, 0);
  const number = (n: number, width: number, digits = 1) =>
    (Number.isFinite(n) ? n.toFixed(digits) : "-").padStart(width);
  return (
    `${number(value.perSecond, 7)} ${number(value.p50Ms, 6)} ${number(value.p95Ms, 6)} ${number(value.p99Ms, 6)}` +
    ` ${number(value.maxMs, 7)} ${number(errors, 5, 0)}`
  );
}

function printReport(results: DatabaseResult[], bare: BareResult | null): void {
  const header = ` ${"req/s".padStart(7)} ${"p50".padStart(6)} ${"p95".padStart(6)} ${"p99".padStart(6)} ${"max".padStart(7)} ${"err".padStart(5)}`;
  console.log(
    `\nMixed load: ${config.registers} registers${config.thinkMs ? ` (think ${config.thinkMs} ms)` : ", closed loop"}, ` +
      `${config.seconds} s measured after ${config.warmupSeconds} s warm-up, loopback, ${os.cpus().length} CPUs, Node ${process.version}` +
      " (latencies in ms)",
  );
  console.log(
    `${"".padEnd(LABEL)}${results.map((result) => `| ${NAMES[result.database].padEnd(header.length - 1)}`).join("")}`,
  );
  console.log(`${"endpoint".padEnd(LABEL)}${results.map(() => `|${header}`).join("")}`);
  const rows: Array<[string, (result: DatabaseResult) => EndpointFigures | undefined]> = [
    ...APP_ENDPOINTS.map(
      (endpoint) =>
        [
          endpoint === "orders/create" || endpoint === "inventory_levels/update" ? `webhook ${endpoint}` : endpoint,
          (result: DatabaseResult) => result.endpoints[endpoint],
        ] as [string, (result: DatabaseResult) => EndpointFigures | undefined],
    ),
    ["register requests", (result) => result.registerRequests],
    ["all", (result) => result.all],
  ];
  for (const [name, pick] of rows)
    console.log(`${name.padEnd(LABEL)}${results.map((result) => `|${cell(pick(result))}`).join("")}`);
  if (bare) {
    console.log(
      `${"bare node:http (baseline)".padEnd(LABEL)}|${cell(bare.figures)}   ` +
        `(${bare.seconds} s, server ${bare.cpu.serverPercent}% of a core, client ${bare.cpu.clientPercent}%)`,
    );
  }
  for (const result of results) {
    const name = NAMES[result.database];
    console.log(`\n${name}`);
    const share = (endpoint: Endpoint) =>
      result.all.requests
        ? `${Math.round(((result.endpoints[endpoint]?.requests ?? 0) / result.all.requests) * 1000) / 10}%`
        : "-";
    console.log(
      `  mix                    ${APP_ENDPOINTS.map((endpoint) => `${endpoint} ${result.endpoints[endpoint]?.requests ?? 0} (${share(endpoint)})`).join(", ")}`,
    );
    const returns = result.endpoints["return check"];
    if (returns?.refusals)
      console.log(
        `  expected refusals      ${returns.refusals} return checks of a mistyped order (404 order_not_found)`,
      );
    console.log(
      `  CPU (% of a core)      server ${result.cpu.serverPercent}, worker ${result.cpu.workerPercent}, ` +
        `load generator ${result.cpu.clientPercent}; load average ${result.cpu.loadAverage[0]} → ${result.cpu.loadAverage[1]}`,
    );
    const series = (key: keyof MemorySample) =>
      result.memory.samples
        .map((sample) => (sample.phase === "warmup" ? `(${sample[key]})` : String(sample[key])))
        .join(" ");
    console.log(`  memory every ${config.sampleSeconds} s (MB; warm-up in brackets)`);
    console.log(`    server RSS           ${series("serverRssMb")}`);
    console.log(`    server heap          ${series("serverHeapMb")}`);
    console.log(`    worker RSS           ${series("workerRssMb")}`);
    console.log(`    worker heap          ${series("workerHeapMb")}`);
    console.log(`    server loop stall    ${series("serverStallMs")} (longest event-loop delay in each interval, ms)`);
    const verdicts = result.memory.verdicts;
    if (!verdicts) console.log("  growth after warm-up   not judged: fewer than 6 samples in the measured phase");
    else {
      const grew = verdicts.filter((verdict) => verdict.grew);
      console.log(
        `  growth after warm-up   ${grew.length ? "GROWTH" : "none"} (last third vs first third: RSS median, heap lowest; flagged above ` +
          `${config.growthPercent}% and ${config.growthMb} MB): ` +
          verdicts
            .map((v) => `${v.series} ${v.firstMb} → ${v.lastMb} (${v.growthMb >= 0 ? "+" : ""}${v.growthMb})`)
            .join(", "),
      );
    }
    const w = result.webhooks;
    console.log(
      `  webhooks               ${w.sent} sent (${w.resent} re-sent events); ${w.backlogAtEnd} waiting when the measured phase ended` +
        ` (intake behind the sales); ${w.notSent} left unsent after a ${w.flushSeconds} s flush` +
        (w.dropped ? `, ${w.dropped} dropped (backlog full: intake fell behind)` : ""),
    );
    const l = result.ledger;
    console.log(
      `  ledger                 queue ${result.drained ? "drained" : "NOT drained"} ${result.drainSeconds} s after the load; ` +
        `${l.distinctEventsAcked} events acked, ${l.webhookEventsStored} recorded; jobs ${JSON.stringify(l.webhookJobs)}; ` +
        `orders ${l.ordersStored} stored of ${l.ordersAcked} acked (${l.ordersDoubled} doubled, ${l.ordersLost} lost, ` +
        `${l.ordersNeverAcked} never acked); lines ${l.lineItemsStored}/${l.lineItemsExpected}`,
    );
    if (l.otherJobs) console.log(`  other jobs             ${l.otherJobs}`);
    if (result.errors)
      console.log(`  ERRORS                 ${result.errors} in all phases; first: ${result.firstErrors.join(" | ")}`);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  if (!fs.existsSync(path.join(ROOT, "build/server/index.js"))) {
    throw new BenchFailure("build/ is missing (build/server/index.js): run `npm run build` first");
  }
  if (config.databases.includes("postgres") && !postgresBinaries()) {
    throw new BenchFailure(
      "PostgreSQL server binaries (initdb, pg_ctl) not found (Debian: apt-get install postgresql; or set PG_BIN). " +
        "BENCH_DATABASES=sqlite runs the SQLite half alone.",
    );
  }
  const store = loadStore();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-mixed-load-"));
  const removeDir = async () => {
    cleanups.delete(removeDir);
    if (config.keep) console.log(`kept ${dir} (databases and process logs)`);
    else fs.rmSync(dir, { recursive: true, force: true });
  };
  cleanups.add(removeDir);
  const results: DatabaseResult[] = [];
  let bare: BareResult | null = null;
  try {
    console.log(
      `Register Copilot mixed load — ${config.databases.map((kind) => NAMES[kind]).join(" and ")}, 127.0.0.1, ` +
        `${os.cpus().length} CPUs, Node ${process.version}; logs in ${dir}`,
    );
    if (config.bareSeconds > 0) {
      console.log(`\n=== bare node:http baseline (${config.bareSeconds} s, ${config.registers} clients) ===`);
      bare = await runBare(dir);
      console.log(`  ${bare.figures.perSecond} req/s, p99 ${bare.figures.p99Ms} ms, ${bare.errors} errors`);
    }
    for (const kind of config.databases) results.push(await runOnDatabase(kind, dir, store));
  } finally {
    console.log("\nstopping processes:");
    await stopAll();
    restoreSqliteClient(dir);
    await removeDir();
  }

  printReport(results, bare);
  const problems: string[] = [];
  if (bare?.errors) problems.push(`the bare baseline had ${bare.errors} errors`);
  for (const result of results) {
    const name = NAMES[result.database];
    if (result.errors) problems.push(`${name}: ${result.errors} errors`);
    for (const problem of result.ledger.problems) problems.push(`${name}: ${problem}`);
  }
  const growth = results.flatMap((result) =>
    (result.memory.verdicts ?? [])
      .filter((verdict) => verdict.grew)
      .map((verdict) => `${NAMES[result.database]} ${verdict.series}`),
  );
  const summary = {
    config: { ...config, mix: MIX },
    cpus: os.cpus().length,
    node: process.version,
    bare,
    results,
    problems,
    memoryGrowth: growth,
  };
  if (config.json) {
    fs.writeFileSync(config.json, `${JSON.stringify(summary, null, 2)}\n`);
    console.log(`\nresults written to ${config.json}`);
  }
  if (problems.length) {
    console.log(`\nFAIL:\n  - ${problems.join("\n  - ")}`);
    return 1;
  }
  if (growth.length) {
    console.log(`\nMEMORY GROWTH after warm-up: ${growth.join(", ")}`);
    return config.enforceMemory ? 2 : 0;
  }
  console.log("\nOK: no errors, every acknowledged webhook stored exactly once, queue drained");
  return 0;
}

stopOnSignals(async () => {
  for (const cleanup of [...cleanups]) await cleanup();
  restoreSqliteClient(os.tmpdir());
});

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error instanceof BenchFailure ? `bench: ${error.message}` : error);
    process.exit(1);
  });
