/**
 * POST /api/pos/suggestions under load on loopback, against a bare node:http JSON endpoint
 * measured in the same run (same client — autocannon — same machine). Targets: p99 ≤ 25 ms and throughput
 * ≥ 25 % of the bare endpoint's, with 50 concurrent connections for 10 s each.
 *
 *   npm run build && npx tsx tests/bench/suggestions-endpoint.bench.ts
 *
 * Uses a fresh SQLite database seeded with the demo store (its model trained by the seed).
 */
import { execFileSync, spawn } from "node:child_process";
import autocannon from "autocannon";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { signSessionToken } from "../../app/services/demo-session-token.server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const CONNECTIONS = 50;
const DURATION_MS = 10_000;
const APP_PORT = 3211;
const BARE_PORT = 3212;
const POS_USER_AGENT =
  "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 Shopify POS/10.14.0";

if (!fs.existsSync(path.join(root, "build/server/index.js"))) {
  console.error("build/ is missing: run `npm run build` first");
  process.exit(1);
}
process.loadEnvFile(path.join(root, ".env.example"));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-sugg-bench-"));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: `file:${path.join(dir, "bench.db")}`,
  PORT: String(APP_PORT),
  HOST: "127.0.0.1",
  SHOPIFY_APP_URL: `http://127.0.0.1:${APP_PORT}`,
  NODE_ENV: "production" as const,
};

interface Run {
  requests: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** 50 connections for 10 s with autocannon (one request in flight per connection, as a register does). */
async function load(url: string, requests: autocannon.Request[] = [{ method: "GET" }]): Promise<Run> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_MS / 1000, requests });
  return {
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
    perSecond: result.requests.total / (DURATION_MS / 1000),
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

async function waitFor(url: string) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${url} did not come up`);
}

const server = { process: null as ReturnType<typeof spawn> | null };
const bare = http.createServer((_req, res) => {
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(JSON.stringify({ suggestions: [{ productId: "1", title: "Whole Milk", price: "1.99" }] }));
});

try {
  console.log("› migrating and seeding a fresh demo database");
  execFileSync(process.execPath, ["scripts/db.mjs", "migrate"], { cwd: root, env, stdio: "ignore" });
  execFileSync(path.join(root, "node_modules/.bin/tsx"), ["prisma/seed.ts"], { cwd: root, env, stdio: "ignore" });
  // BENCH_PROFILE=1: a V8 CPU profile of the server, kept in <temp dir>/profiles.
  const profile =
    process.env.BENCH_PROFILE === "1" ? ["--cpu-prof", `--cpu-prof-dir=${path.join(dir, "profiles")}`] : [];
  server.process = spawn(process.execPath, [...profile, "server.mjs"], { cwd: root, env, stdio: "ignore" });
  await waitFor(`http://127.0.0.1:${APP_PORT}/api/pos/status`);
  await new Promise<void>((resolve) => bare.listen(BARE_PORT, "127.0.0.1", resolve));

  const token = () =>
    signSessionToken({
      shopDomain: "demo-register.myshopify.com",
      apiKey: env.SHOPIFY_API_KEY!,
      apiSecret: env.SHOPIFY_API_SECRET!,
      userId: 1,
      sessionId: "bench",
    });
  const carts = [["whole milk", "rolls/buns"], ["tropical fruit"], ["yogurt", "coffee", "sausage"]];
  // Variant ids of the demo catalog, looked up once through the API's own inputs.
  const Database = (await import("better-sqlite3")).default;
  const sqlite = new Database(path.join(dir, "bench.db"), { readonly: true });
  const variantOf = sqlite.prepare(
    `SELECT v."externalId" AS id FROM "Variant" v JOIN "Product" p ON p."id" = v."productId" WHERE lower(p."title") = ?`,
  );
  const bodies = carts.map((names) =>
    JSON.stringify({
      cart: {
        lineItems: names.map((name) => ({ variantId: (variantOf.get(name) as { id: string }).id, quantity: 1 })),
      },
      locationId: "70000000001",
    }),
  );
  sqlite.close();

  // Warm up (JIT, the shop's in-memory view), then measure each for 10 s. A session token lives
  // a minute, so one token serves the whole run.
  const headers = {
    Authorization: `Bearer ${token()}`,
    "Content-Type": "application/json",
    "User-Agent": POS_USER_AGENT,
  };
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`http://127.0.0.1:${APP_PORT}/api/pos/suggestions`, {
      method: "POST",
      headers,
      body: bodies[i % bodies.length],
    });
    if (response.status !== 200) throw new Error(`warm-up answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  }
  const bareRun = await load(`http://127.0.0.1:${BARE_PORT}/`);
  const appRun = await load(
    `http://127.0.0.1:${APP_PORT}/api/pos/suggestions`,
    bodies.map((body) => ({ method: "POST", headers, body })),
  );

  const row = (name: string, run: Run) =>
    `${name.padEnd(26)} ${run.perSecond.toFixed(0).padStart(7)} req/s  p50 ${run.p50.toFixed(1).padStart(6)} ms  p99 ${run.p99
      .toFixed(1)
      .padStart(6)} ms  ${run.requests} requests, ${run.errors} errors`;
  console.log(`\n${CONNECTIONS} connections, ${DURATION_MS / 1000} s each, loopback`);
  console.log(row("bare node:http JSON", bareRun));
  console.log(row("POST /api/pos/suggestions", appRun));
  const ratio = appRun.perSecond / bareRun.perSecond;
  const ok = appRun.p99 <= 25 && ratio >= 0.25 && appRun.errors === 0;
  console.log(
    `target: p99 ≤ 25 ms ${appRun.p99 <= 25 ? "met" : "MISSED"} (${appRun.p99.toFixed(1)} ms); throughput ≥ 25 % of bare ${
      ratio >= 0.25 ? "met" : "MISSED"
    } (${(ratio * 100).toFixed(1)} %); errors ${appRun.errors}`,
  );
  console.log(`BENCH_RESULT ${JSON.stringify({ bare: bareRun, suggestions: appRun, ratio })}`);
  process.exitCode = ok ? 0 : 1;
} finally {
  server.process?.kill("SIGTERM");
  bare.close();
  if (process.env.BENCH_PROFILE === "1") {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    console.log(`profiles kept in ${path.join(dir, "profiles")}`);
  } else fs.rmSync(dir, { recursive: true, force: true });
}
