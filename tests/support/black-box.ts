/**
 * The app as a black box, the way a register, Shopify or an attacker meets it: the production
 * build served by `node server.mjs` (and, when asked, the queue worker, app/worker.ts) as separate
 * processes on 127.0.0.1, in demo mode with the fake credentials of .env.example, on a copy of the
 * demo database that tests/setup/demo-database.ts seeds once per run. Tests talk to it over HTTP
 * only, and read its database from outside to check what was (not) written.
 *
 * On SQLite each app gets its own copy of the seeded file; with TEST_DATABASE_URL (PostgreSQL)
 * each app gets a database created from the seeded template database.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import Database from "better-sqlite3";
import pg from "pg";
import { adminSql, DEMO_ENV, postgresRows } from "./demo-env";
import { ROOT, spawnNode, spawnTs, type Child } from "./processes";

declare module "vitest" {
  export interface ProvidedContext {
    /** SQLite file or PostgreSQL template database name holding the seeded demo stores. */
    demoDatabase: { kind: "sqlite"; file: string } | { kind: "postgres"; serverUrl: string; template: string };
  }
}

export { adminSql, DEMO_API_KEY, DEMO_API_SECRET, DEMO_ENV, DEMO_MANAGER_PIN } from "./demo-env";

const PROCESS_START_MS = 60_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface DemoDatabase {
  url: string;
  /** The SQLite file (undefined on PostgreSQL). */
  file?: string;
  remove(): Promise<void>;
}

/** A private copy of the seeded demo database. */
export async function copyDemoDatabase(): Promise<DemoDatabase> {
  const source = inject("demoDatabase");
  if (source.kind === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-black-box-"));
    const file = path.join(dir, "app.db");
    fs.copyFileSync(source.file, file);
    return { url: `file:${file}`, file, remove: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `rc_bb_${randomBytes(6).toString("hex")}`;
  await adminSql(source.serverUrl, `CREATE DATABASE "${name}" TEMPLATE "${source.template}"`);
  const url = new URL(source.serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    remove: () => adminSql(source.serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

export interface BlackBoxApp {
  url: string;
  port: number;
  database: DemoDatabase;
  server: Child;
  worker: Child | undefined;
  /** Starts the server (and worker) again on the same port and database, after a stop or a kill. */
  start(): Promise<void>;
  /** Sends `signal` (default SIGKILL) to the server and the worker, and waits for both to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops everything and removes the database. */
  close(): Promise<void>;
}

export interface BlackBoxOptions {
  /** Also run the queue worker (as `npm run demo` does). */
  worker?: boolean;
  /** Extra environment for both processes (e.g. OPENAI_BASE_URL). */
  env?: Record<string, string>;
}

/** Starts the built app on a fresh copy of the demo database. `npm run build` must have run. */
export async function startBlackBox(options: BlackBoxOptions = {}): Promise<BlackBoxApp> {
  const database = await copyDemoDatabase();
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...DEMO_ENV,
    NODE_ENV: "production",
    DEMO_MODE: "1",
    HOST: "127.0.0.1",
    PORT: String(port),
    SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: database.url,
    // Vitest's own variables would tell the app it runs under a test runner; it does not.
    VITEST: undefined,
    VITEST_POOL_ID: undefined,
    VITEST_WORKER_ID: undefined,
    ...options.env,
  };
  const app: BlackBoxApp = {
    url: `http://127.0.0.1:${port}`,
    port,
    database,
    server: undefined as unknown as Child,
    worker: undefined,
    async start() {
      app.server = spawnNode("server", [path.join(ROOT, "server.mjs")], env);
      app.worker = options.worker ? spawnTs("worker", "app/worker.ts", { ...env, WORKER_IDLE_MS: "50" }) : undefined;
      await app.server.waitForLine(/listening on http/, PROCESS_START_MS);
      await app.worker?.waitForLine(/^worker .* started/, PROCESS_START_MS);
    },
    async kill(signal = "SIGKILL") {
      for (const child of [app.server, app.worker]) {
        if (child && child.process.exitCode === null && child.process.signalCode === null) {
          child.process.kill(signal);
          await child.waitForExit(15_000);
        }
      }
    },
    async close() {
      await app.kill("SIGTERM").catch(() => app.kill("SIGKILL"));
      await database.remove();
    },
  };
  if (!fs.existsSync(path.join(ROOT, "build/server/index.js"))) {
    throw new Error("build/server/index.js is missing: run `npm run build` before the black-box tests");
  }
  await app.start();
  return app;
}

/**
 * Reads the app's SQLite database from outside (read-only; WAL lets it read while the server
 * writes). Closed by the caller.
 */
export function openSqlite(file: string): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true });
}

/** Row count of every table: the "nothing was written" check compares two of these. */
export async function tableCounts(database: DemoDatabase): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (database.file) {
    const sqlite = openSqlite(database.file);
    try {
      const tables = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .all() as { name: string }[];
      for (const { name } of tables) {
        counts[name] = (sqlite.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
      }
    } finally {
      sqlite.close();
    }
    return counts;
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    // One statement for every table: a round trip per table made each check take seconds.
    const union = tables.rows
      .map(({ name }) => `SELECT '${name}' AS name, count(*)::int AS n FROM "${name}"`)
      .join(" UNION ALL ");
    for (const row of (await client.query<{ name: string; n: number }>(union)).rows) counts[row.name] = row.n;
  } finally {
    await client.end();
  }
  return counts;
}

/** Runs one query against the app's database from outside (SQLite or PostgreSQL). */
export async function queryRows<Row>(database: DemoDatabase, sql: string, params: unknown[] = []): Promise<Row[]> {
  if (database.file) {
    const sqlite = openSqlite(database.file);
    try {
      return sqlite.prepare(sql).all(...params) as Row[];
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    return await postgresRows<Row>(client, sql, params);
  } finally {
    await client.end();
  }
}
