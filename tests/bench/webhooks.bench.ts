/**
 * Webhook intake benchmark (`npm run bench`, or `npx tsx tests/bench/webhooks.bench.ts`).
 *
 * Starts the built server (`node server.mjs`, needs `npm run build`) and the worker
 * (app/worker.ts) on 127.0.0.1 against a fresh SQLite database migrated with the committed SQL,
 * then replays signed `orders/create` deliveries built from the groceries baskets
 * (../shared/data/groceries.csv), ~10% of them re-sending an event already sent (same
 * X-Shopify-Event-Id, as Shopify's retries do; some while the original is still in flight), with
 * at most 32 in flight, while the worker drains the queue:
 *   1. warm-up (not measured);
 *   2. "target": deliveries sent at BENCH_RATE per second (default 300, the target), as Shopify
 *      sends them whatever our latency: the sustained rate and the ack latency at that rate;
 *   3. "saturation": as fast as 32 in flight allow, for the maximum sustained rate.
 * It prints deliveries/s, ack latency p50/p95/p99/max and CPU per delivery for each phase, waits
 * (bounded) for the worker to drain the queue, and checks the ledger: every acknowledged event
 * stored exactly once (orders = distinct events = webhook events recorded = jobs done, no dead
 * jobs, every line item).
 *
 * Exit status: 0 all good; 1 lost/doubled/failed deliveries (or any error); 2 the target
 * (>= 300 deliveries/s with p99 < 100 ms in phase 2) was missed (BENCH_ENFORCE_TARGET=0: report only).
 *
 * Knobs (env): BENCH_DELIVERIES (6000, phase 2), BENCH_RATE (300; 0 = unpaced), BENCH_MAX_SECONDS
 * (30, phase 2), BENCH_SATURATION_SECONDS (10; 0 skips phase 3), BENCH_CONCURRENCY (32),
 * BENCH_DUPLICATE_RATE (0.1), BENCH_WARMUP (300), BENCH_DRAIN_SECONDS (300), BENCH_SEED (42),
 * BENCH_TARGET_RPS (300), BENCH_TARGET_P99_MS (100), BENCH_ENFORCE_TARGET (1), BENCH_KEEP (0:
 * delete the temp dir with the database and process logs), BENCH_PORT (0: a free port),
 * BENCH_PROFILE (1: V8 CPU profiles of the server and worker in <temp dir>/profiles, kept),
 * BENCH_WORKER ("during", the real case; "after": start the worker once the load stopped, to
 * measure intake alone), BENCH_WORKER_NICE (the worker's WORKER_NICE; unset keeps the worker's own
 * default of 10, background work the OS schedules after the web process).
 */
import { createHmac, randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import {
  BenchFailure,
  cpuSeconds,
  freePort,
  loadBaskets,
  numberEnv,
  percentile,
  ROOT,
  round,
  sleep,
  stableHash,
  startProcess,
  stopAll,
  stopOnSignals,
  tail,
  waitForOutput,
  waitUntil,
} from "./support";
import { seededRandom } from "../../shared/recommendations/evaluation";

const TOPIC = "orders/create";
const SHOP = "bench-store.myshopify.com";
// The demo app's credentials (.env.example): clearly fake, never a real app.
const API_KEY = "demo-register-copilot-api-key";
const API_SECRET = "demo-register-copilot-secret-not-real";

const config = {
  deliveries: Math.floor(numberEnv("BENCH_DELIVERIES", 6_000)),
  rate: numberEnv("BENCH_RATE", 300),
  maxSeconds: numberEnv("BENCH_MAX_SECONDS", 30),
  saturationSeconds: numberEnv("BENCH_SATURATION_SECONDS", 10),
  concurrency: Math.max(1, Math.floor(numberEnv("BENCH_CONCURRENCY", 32))),
  duplicateRate: Math.min(0.9, numberEnv("BENCH_DUPLICATE_RATE", 0.1)),
  warmup: Math.floor(numberEnv("BENCH_WARMUP", 300)),
  drainSeconds: numberEnv("BENCH_DRAIN_SECONDS", 300),
  seed: Math.floor(numberEnv("BENCH_SEED", 42)),
  targetRps: numberEnv("BENCH_TARGET_RPS", 300),
  targetP99Ms: numberEnv("BENCH_TARGET_P99_MS", 100),
  enforceTarget: process.env.BENCH_ENFORCE_TARGET !== "0",
  keep: process.env.BENCH_KEEP === "1" || process.env.BENCH_PROFILE === "1",
  profile: process.env.BENCH_PROFILE === "1",
  workerDuringLoad: process.env.BENCH_WORKER !== "after",
  workerNice: process.env.BENCH_WORKER_NICE,
  port: Math.floor(numberEnv("BENCH_PORT", 0)),
};

// ---------------------------------------------------------------------------------------------
// Payloads: REST orders/create JSON as Shopify sends it, one per groceries basket.

interface Delivery {
  eventId: string;
  orderId: number;
  body: string;
  hmac: string;
  lines: number;
}

function money(minor: number): string {
  return (minor / 100).toFixed(2);
}

function buildOrder(index: number, basket: string[], catalog: Map<string, number>) {
  const id = 5_100_000_000 + index;
  const at = new Date(Date.UTC(2026, 10, 1) + index * 61_000).toISOString();
  let subtotal = 0;
  const lineItems = basket.map((title, line) => {
    const product = catalog.get(title)!;
    const priceMinor = 49 + (stableHash(title) % 950);
    const quantity = 1 + (stableHash(`${index}:${title}`) % 3 === 0 ? 1 : 0);
    subtotal += priceMinor * quantity;
    return {
      id: id * 100 + line + 1,
      product_id: 7_000_000 + product,
      variant_id: 8_000_000 + product,
      title,
      sku: `GRO-${title.toUpperCase().replace(/[^A-Z0-9]+/g, "-")}`,
      quantity,
      price: money(priceMinor),
      total_discount: "0.00",
      discount_allocations: [],
    };
  });
  const tax = Math.round(subtotal * 0.08);
  const customerId = index % 3 === 0 ? 300_000 + (index % 997) : null;
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#B${100_000 + index}`,
    currency: "USD",
    subtotal_price: money(subtotal),
    total_price: money(subtotal + tax),
    total_discounts: "0.00",
    financial_status: "paid",
    source_name: "pos",
    location_id: index % 2 === 0 ? 655_441_491 : 655_441_492,
    user_id: 79_183_544 + (index % 5),
    created_at: at,
    processed_at: at,
    updated_at: at,
    cancelled_at: null,
    customer: customerId
      ? {
          id: customerId,
          first_name: `Bench${customerId}`,
          last_name: "Customer",
          email: `bench${customerId}@example.com`,
          phone: null,
          tags: "bench",
        }
      : null,
    line_items: lineItems,
    refunds: [],
  };
}

function sign(body: string): string {
  return createHmac("sha256", API_SECRET).update(body, "utf8").digest("base64");
}

/** Originals, plus re-sends of recent originals (so some overlap the original in flight). */
function buildSchedule(total: number, rng: () => number): { schedule: Delivery[]; originals: number } {
  const baskets = loadBaskets();
  const catalog = new Map<string, number>();
  for (const basket of baskets) for (const item of basket) if (!catalog.has(item)) catalog.set(item, catalog.size + 1);
  const schedule: Delivery[] = [];
  const sent: Delivery[] = [];
  for (let index = 0; index < total; index++) {
    if (sent.length >= 10 && rng() < config.duplicateRate) {
      const back = Math.floor(rng() * Math.min(sent.length, 200));
      schedule.push(sent[sent.length - 1 - back]!);
      continue;
    }
    const order = buildOrder(sent.length, baskets[sent.length % baskets.length]!, catalog);
    const body = JSON.stringify(order);
    const delivery = {
      eventId: randomUUID(),
      orderId: order.id,
      body,
      hmac: sign(body),
      lines: order.line_items.length,
    };
    sent.push(delivery);
    schedule.push(delivery);
  }
  return { schedule, originals: sent.length };
}

// ---------------------------------------------------------------------------------------------
// Load.

interface Sample {
  ms: number;
  status: number;
}

function post(agent: http.Agent, port: number, delivery: Delivery, hmac = delivery.hmac): Promise<Sample> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        path: `/webhooks/${TOPIC}`,
        method: "POST",
        agent,
        headers: {
          "Content-Type": "application/json",
          "Content-Length": Buffer.byteLength(delivery.body),
          "X-Shopify-Topic": TOPIC,
          "X-Shopify-Hmac-Sha256": hmac,
          "X-Shopify-Shop-Domain": SHOP,
          "X-Shopify-API-Version": "2026-07",
          "X-Shopify-Webhook-Id": randomUUID(),
          "X-Shopify-Event-Id": delivery.eventId,
          "X-Shopify-Triggered-At": new Date().toISOString(),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve({ ms: performance.now() - started, status: response.statusCode ?? 0 }));
        response.on("error", reject);
      },
    );
    request.setTimeout(30_000, () => request.destroy(new Error("request timed out after 30 s")));
    request.on("error", reject);
    request.end(delivery.body);
  });
}

interface PhaseResult {
  samples: Sample[];
  seconds: number;
  acked: Delivery[];
  failures: Map<string, number>;
  sent: number;
  /** Paced phases: sends that left more than 10 ms behind schedule (32 already in flight). */
  late: number;
}

/**
 * Sends `deliveries` in order, at most `concurrency` in flight, stopping after maxSeconds. With
 * a rate, delivery i leaves at start + i/rate (open loop, as Shopify sends): a slow server shows
 * as latency, and as late sends once 32 are waiting. Without one, as fast as the cap allows.
 */
async function replay(
  agent: http.Agent,
  port: number,
  deliveries: Delivery[],
  options: { rate: number; maxSeconds: number },
): Promise<PhaseResult> {
  const samples: Sample[] = [];
  const acked: Delivery[] = [];
  const failures = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let late = 0;
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1_000;
  for (const delivery of deliveries) {
    const due = options.rate > 0 ? started + (sent * 1_000) / options.rate : 0;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (performance.now() >= deadline) break;
    while (inFlight.size >= config.concurrency) await Promise.race(inFlight);
    if (options.rate > 0 && performance.now() - due > 10) late++;
    sent++;
    const request: Promise<void> = post(agent, port, delivery)
      .then((sample) => {
        samples.push(sample);
        if (sample.status === 200) acked.push(delivery);
        else failures.set(`HTTP ${sample.status}`, (failures.get(`HTTP ${sample.status}`) ?? 0) + 1);
      })
      .catch((error: unknown) => {
        const key = error instanceof Error ? error.message : String(error);
        failures.set(key, (failures.get(key) ?? 0) + 1);
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  return { samples, seconds: (performance.now() - started) / 1_000, acked, failures, sent, late };
}

// ---------------------------------------------------------------------------------------------
// The database, read directly (read-only) to check the ledger.

interface JobCounts {
  pending: number;
  running: number;
  done: number;
  dead: number;
  other: number;
}

/** The jobs the deliveries created; the worker may enqueue others (model training, …). */
const WEBHOOK_JOB = `webhook:${TOPIC}`;

function jobCounts(db: Database.Database): JobCounts {
  const counts: JobCounts = { pending: 0, running: 0, done: 0, dead: 0, other: 0 };
  const rows = db
    .prepare(`SELECT status, COUNT(*) AS n FROM "Job" WHERE type = ? GROUP BY status`)
    .all(WEBHOOK_JOB) as {
    status: string;
    n: number;
  }[];
  for (const row of rows) {
    if (row.status in counts) counts[row.status as keyof JobCounts] += Number(row.n);
    else counts.other += Number(row.n);
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const serverBuild = path.join(ROOT, "build/server/index.js");
  if (!fs.existsSync(serverBuild)) {
    throw new BenchFailure(
      `build/ is missing (${path.relative(process.cwd(), serverBuild)}): run \`npm run build\` first`,
    );
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-bench-"));
  const cleanupDir = () => {
    if (config.keep) console.log(`kept ${dir} (database and process logs)`);
    else fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    return await run(dir);
  } finally {
    console.log("stopping processes:");
    await stopAll();
    cleanupDir();
  }
}

async function run(dir: string): Promise<number> {
  const dbFile = path.join(dir, "bench.db");
  const databaseUrl = `file:${dbFile}`;
  // tests/setup/migrate.ts locates the migrations with __dirname, which ESM under tsx lacks.
  (globalThis as { __dirname?: string }).__dirname ??= path.join(ROOT, "tests/setup");
  const { applyMigrations } = await import("../setup/migrate");
  await applyMigrations(databaseUrl);

  const port = config.port || (await freePort());
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: API_SECRET,
    SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
    DEMO_MODE: "0",
    MANAGER_PIN_PEPPER: "demo-pepper-not-for-production-0000",
    DATABASE_URL: databaseUrl,
    WORKER_IDLE_MS: "50",
    ...(config.workerNice !== undefined ? { WORKER_NICE: config.workerNice } : {}),
  };

  console.log(
    `Register Copilot webhook benchmark — SQLite, 127.0.0.1:${port}, ${os.cpus().length} CPUs, Node ${process.version}`,
  );
  const saturationMax = config.saturationSeconds > 0 ? config.deliveries : 0;
  const rng = seededRandom(config.seed);
  const { schedule, originals } = buildSchedule(config.warmup + config.deliveries + saturationMax, rng);
  const phases = {
    warmup: schedule.slice(0, config.warmup),
    target: schedule.slice(config.warmup, config.warmup + config.deliveries),
    saturation: schedule.slice(config.warmup + config.deliveries),
  };
  console.log(
    `  ${Math.round(config.duplicateRate * 100)}% of deliveries re-send an event; at most ${config.concurrency} in flight; ` +
      `warm-up ${phases.warmup.length}; target phase ${phases.target.length} at ` +
      `${config.rate > 0 ? `${config.rate}/s` : "full speed"} (<= ${config.maxSeconds} s); ` +
      `saturation ${config.saturationSeconds > 0 ? `<= ${config.saturationSeconds} s` : "skipped"}` +
      (config.workerNice !== undefined ? `; WORKER_NICE=${config.workerNice}` : ""),
  );

  const profile = config.profile ? ["--cpu-prof", `--cpu-prof-dir=${path.join(dir, "profiles")}`] : [];
  const server = startProcess("server", [...profile, "server.mjs"], env, dir);
  await waitForOutput(server, /listening on/, 30_000);
  const startWorker = async () => {
    const started = startProcess("worker", [...profile, "--import", "tsx", "app/worker.ts"], env, dir);
    await waitForOutput(started, /worker .* started/, 30_000);
    return started;
  };
  let worker = config.workerDuringLoad ? await startWorker() : undefined;

  const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });
  // Readiness: a delivery with a wrong signature must be refused (proves route + auth are up).
  const probe: Delivery = { eventId: randomUUID(), orderId: 0, body: "{}", hmac: sign("{}"), lines: 0 };
  const ready = await waitUntil(
    async () => (await post(agent, port, probe, sign("tampered")).catch(() => null))?.status === 401,
    30_000,
  );
  if (!ready)
    throw new BenchFailure(`the server never refused a bad signature with 401; log:\n${tail(server.logFile)}`);

  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const results: PhaseResult[] = [];
    if (phases.warmup.length) {
      const warm = await replay(agent, port, phases.warmup, { rate: 0, maxSeconds: 60 });
      results.push(warm);
      console.log(
        `\nwarm-up: ${warm.samples.filter((sample) => sample.status === 200).length}/${warm.sent} acknowledged in ${warm.seconds.toFixed(1)} s`,
      );
    }

    const measure = async (name: string, deliveries: Delivery[], options: { rate: number; maxSeconds: number }) => {
      const doneBefore = jobCounts(db).done;
      const before = {
        server: cpuSeconds(server),
        worker: cpuSeconds(worker),
        client: process.cpuUsage(),
        load: os.loadavg()[0]!,
      };
      const result = await replay(agent, port, deliveries, options);
      const after = {
        server: cpuSeconds(server),
        worker: cpuSeconds(worker),
        client: process.cpuUsage(before.client),
        load: os.loadavg()[0]!,
      };
      const queue = jobCounts(db);
      results.push(result);
      const latencies = result.samples.map((sample) => sample.ms).sort((a, b) => a - b);
      const stats = {
        rate: result.samples.length / result.seconds,
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies.at(-1) ?? Number.NaN,
        serverMsPerDelivery: ((after.server - before.server) * 1_000) / Math.max(1, result.samples.length),
      };
      const jobs = queue.done - doneBefore;
      const workerCpu = after.worker - before.worker;
      const clientCpu = (after.client.user + after.client.system) / 1e6;
      console.log(`\n${name}`);
      console.log(
        `  deliveries             ${result.samples.length} answered of ${result.sent} sent in ${result.seconds.toFixed(2)} s` +
          (options.rate > 0 ? ` (${result.late} sent late: ${config.concurrency} already in flight)` : ""),
      );
      console.log(`  sustained rate         ${stats.rate.toFixed(0)} deliveries/s`);
      console.log(
        `  ack latency            p50 ${stats.p50.toFixed(1)} ms   p95 ${stats.p95.toFixed(1)} ms   ` +
          `p99 ${stats.p99.toFixed(1)} ms   max ${stats.max.toFixed(1)} ms`,
      );
      console.log(
        `  worker meanwhile       ${jobs} jobs done (${(jobs / result.seconds).toFixed(0)}/s), ` +
          `${queue.pending + queue.running} queued at the end`,
      );
      console.log(
        `  CPU                    server ${(((after.server - before.server) / result.seconds) * 100).toFixed(0)}% of a core ` +
          `(${stats.serverMsPerDelivery.toFixed(2)} ms/delivery), ` +
          (worker && jobs
            ? `worker ${((workerCpu / result.seconds) * 100).toFixed(0)}% (${((workerCpu * 1_000) / jobs).toFixed(1)} ms/job), `
            : "") +
          `load generator ${((clientCpu / result.seconds) * 100).toFixed(0)}%; ` +
          `load average ${before.load.toFixed(1)} → ${after.load.toFixed(1)} on ${os.cpus().length} CPUs`,
      );
      if (result.failures.size)
        console.log(`  FAILED deliveries      ${JSON.stringify(Object.fromEntries(result.failures))}`);
      return stats;
    };

    const target = await measure(
      `target phase (${config.rate > 0 ? `${config.rate}/s offered` : "unpaced"}, worker ${worker ? "busy" : "stopped"})`,
      phases.target,
      {
        rate: config.rate,
        maxSeconds: config.maxSeconds,
      },
    );
    const saturation = phases.saturation.length
      ? await measure(
          `saturation phase (${config.concurrency} in flight, worker ${worker ? "busy" : "stopped"})`,
          phases.saturation,
          {
            rate: 0,
            maxSeconds: config.saturationSeconds,
          },
        )
      : undefined;
    agent.destroy();
    worker ??= await startWorker();

    // Drain (bounded), then the ledger.
    const drainStarted = performance.now();
    let counts = jobCounts(db);
    let lastPrint = performance.now();
    while (counts.pending + counts.running > 0 && performance.now() - drainStarted < config.drainSeconds * 1_000) {
      await sleep(250);
      counts = jobCounts(db);
      if (performance.now() - lastPrint > 5_000) {
        lastPrint = performance.now();
        console.log(
          `  draining: ${counts.pending} pending, ${counts.running} running, ${counts.done} done, ${counts.dead} dead`,
        );
      }
      if (worker.child.exitCode !== null)
        throw new BenchFailure(`the worker exited while draining:\n${tail(worker.logFile)}`);
    }
    const drainSeconds = (performance.now() - drainStarted) / 1_000;

    const sentCount = results.reduce((sum, result) => sum + result.sent, 0);
    const failures = results.reduce((sum, result) => sum + [...result.failures.values()].reduce((a, b) => a + b, 0), 0);
    const allAcked = new Set(results.flatMap((result) => result.acked));
    // Deliveries are sent in schedule order, phase after phase: the first `sent` of each phase.
    const sentDeliveries = [
      ...phases.warmup.slice(0, results[0]?.sent ?? 0),
      ...phases.target.slice(0, results[1]?.sent ?? 0),
      ...phases.saturation.slice(0, results[2]?.sent ?? 0),
    ];
    const duplicatesSent = sentDeliveries.length - new Set(sentDeliveries).size;
    const expectedIds = new Set([...allAcked].map((delivery) => String(delivery.orderId)));
    const expectedLines = [...allAcked].reduce((sum, delivery) => sum + delivery.lines, 0);

    const storedRows = db
      .prepare(`SELECT o."externalId" AS id FROM "Order" o JOIN "Shop" s ON s.id = o."shopId" WHERE s.domain = ?`)
      .all(SHOP) as { id: string }[];
    const stored = new Set(storedRows.map((row) => row.id));
    const doubled = storedRows.length - stored.size;
    const lost = [...expectedIds].filter((id) => !stored.has(id));
    const unexpected = [...stored].filter((id) => !expectedIds.has(id));
    const count = (sql: string, ...params: unknown[]) =>
      Number((db.prepare(sql).get(...params) as { n: number | bigint }).n);
    const lineItems = count(`SELECT COUNT(*) AS n FROM "LineItem"`);
    const events = count(`SELECT COUNT(*) AS n FROM "WebhookEvent" WHERE "shopDomain" = ? AND topic = ?`, SHOP, TOPIC);
    const jobsTotal = count(`SELECT COUNT(*) AS n FROM "Job" WHERE type = ?`, WEBHOOK_JOB);
    const retried = count(`SELECT COUNT(*) AS n FROM "Job" WHERE type = ? AND attempts > 1`, WEBHOOK_JOB);
    const otherJobs = db
      .prepare(`SELECT type, status, COUNT(*) AS n FROM "Job" WHERE type <> ? GROUP BY type, status`)
      .all(WEBHOOK_JOB) as { type: string; status: string; n: number }[];
    const deadReasons = db
      .prepare(`SELECT "lastError" AS reason FROM "Job" WHERE type = ? AND status = 'dead' LIMIT 3`)
      .all(WEBHOOK_JOB) as {
      reason: string | null;
    }[];

    console.log(`\nledger (queue drained ${drainSeconds.toFixed(1)} s after the load stopped)`);
    console.log(
      `  deliveries sent        ${sentCount} (${duplicatesSent} re-sent events; ${originals} distinct prepared)`,
    );
    console.log(`  not acknowledged       ${failures}`);
    console.log(`  distinct events acked  ${expectedIds.size}`);
    console.log(`  webhook events stored  ${events}`);
    console.log(
      `  orders stored          ${stored.size} (${doubled} doubled, ${lost.length} lost, ${unexpected.length} never acknowledged)`,
    );
    console.log(`  line items stored      ${lineItems} of ${expectedLines}`);
    console.log(
      `  webhook jobs           ${jobsTotal}: ${counts.done} done, ${counts.dead} dead, ` +
        `${counts.pending + counts.running} unfinished, ${retried} needed more than one attempt`,
    );
    if (otherJobs.length) {
      const described = otherJobs.map((row) => `${row.type} ${row.status} ${row.n}`).join(", ");
      console.log(`  other jobs (enqueued by the worker, not part of the ledger): ${described}`);
    }

    const problems: string[] = [];
    if (failures) problems.push(`${failures} deliveries were not acknowledged with 200`);
    if (lost.length) problems.push(`${lost.length} acknowledged orders lost (e.g. ${lost.slice(0, 3).join(", ")})`);
    if (doubled) problems.push(`${doubled} orders stored twice`);
    if (unexpected.length) problems.push(`${unexpected.length} orders stored that were never acknowledged`);
    if (events !== expectedIds.size)
      problems.push(`${events} webhook events recorded for ${expectedIds.size} distinct events`);
    if (jobsTotal !== expectedIds.size) problems.push(`${jobsTotal} jobs for ${expectedIds.size} distinct events`);
    if (counts.done !== expectedIds.size) problems.push(`${counts.done} jobs done of ${expectedIds.size}`);
    if (counts.dead) problems.push(`${counts.dead} dead jobs: ${deadReasons.map((row) => row.reason).join(" | ")}`);
    if (counts.pending + counts.running) problems.push(`queue not drained after ${config.drainSeconds} s`);
    if (lineItems !== expectedLines) problems.push(`${lineItems} line items stored, expected ${expectedLines}`);

    const met = { rate: target.rate >= config.targetRps * 0.99, p99: target.p99 < config.targetP99Ms };
    console.log(
      `\ntarget (SQLite, worker busy): >= ${config.targetRps} deliveries/s ${met.rate ? "MET" : "MISSED"} ` +
        `(${target.rate.toFixed(0)}), p99 < ${config.targetP99Ms} ms ${met.p99 ? "MET" : "MISSED"} (${target.p99.toFixed(1)} ms)`,
    );
    console.log(
      `BENCH_RESULT ${JSON.stringify({
        target: summary(target),
        saturation: saturation ? summary(saturation) : null,
        delivered: sentCount,
        duplicatesSent,
        notAcknowledged: failures,
        distinctEvents: expectedIds.size,
        webhookEventsStored: events,
        ordersStored: stored.size,
        jobsDone: counts.done,
        jobsDead: counts.dead,
        jobsRetried: retried,
        lost: lost.length,
        doubled,
        drainSeconds: round(drainSeconds),
      })}`,
    );
    if (problems.length) {
      console.log(`\nFAIL:\n  - ${problems.join("\n  - ")}`);
      return 1;
    }
    console.log("\nOK: zero lost, zero doubled");
    if (!(met.rate && met.p99)) return config.enforceTarget ? 2 : 0;
    return 0;
  } finally {
    db.close();
  }
}

function summary(stats: {
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  serverMsPerDelivery: number;
}) {
  return {
    deliveriesPerSecond: Math.round(stats.rate),
    p50Ms: round(stats.p50),
    p95Ms: round(stats.p95),
    p99Ms: round(stats.p99),
    maxMs: round(stats.max),
    serverCpuMsPerDelivery: round(stats.serverMsPerDelivery),
  };
}

stopOnSignals();

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    console.error(error instanceof BenchFailure ? `bench: ${error.message}` : error);
    process.exit(1);
  });
