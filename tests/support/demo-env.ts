/**
 * The demo app's settings (.env.example) as the black-box tests run it and sign with, and admin SQL
 * on a PostgreSQL server. No Vitest import: the global setup (tests/setup/demo-database.ts) uses it.
 */
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { ROOT } from "./processes";

/** KEY=VALUE lines of a dotenv file (no expansion: .env.example holds plain demo values). */
export function readDotenv(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const match = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, "$2");
  }
  return values;
}

/** The demo app's settings (.env.example): what the black box runs with, and what tests sign with. */
export const DEMO_ENV = readDotenv(path.join(ROOT, ".env.example"));
export const DEMO_API_KEY = DEMO_ENV.SHOPIFY_API_KEY!;
export const DEMO_API_SECRET = DEMO_ENV.SHOPIFY_API_SECRET!;
export const DEMO_MANAGER_PIN = DEMO_ENV.DEMO_MANAGER_PIN!;

export async function adminSql(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Runs a query written with SQLite's `?` placeholders on PostgreSQL, which numbers them ($1, $2…). */
export async function postgresRows<Row>(client: pg.Client, sql: string, params: unknown[] = []): Promise<Row[]> {
  let index = 0;
  return (
    await client.query(
      sql.replace(/\?/g, () => `$${++index}`),
      params,
    )
  ).rows as Row[];
}
