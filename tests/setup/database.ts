/**
 * Route tests run the real app modules against a real, freshly migrated database:
 * a new SQLite file per test file, or — with TEST_DATABASE_URL=postgresql://… — a new
 * PostgreSQL database per test file on that server. The environment is set before any app
 * module loads, with the Shopify test-helper credentials so tokens and HMACs can be signed.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { API_KEY, API_SECRET_KEY, APP_URL } from "@shopify/shopify-api/test-helpers";
import { afterAll } from "vitest";
import { applyMigrations, createPostgresDatabase, dropPostgresDatabase } from "./migrate";

process.env.NODE_ENV = "test";
process.env.SHOPIFY_API_KEY = API_KEY;
process.env.SHOPIFY_API_SECRET = API_SECRET_KEY;
process.env.SHOPIFY_APP_URL = APP_URL;
process.env.DEMO_MODE = "0";
// Every register request re-reads what changed, so a test sees a write at once.
process.env.SERVING_REFRESH_MS = "0";
process.env.MANAGER_PIN_PEPPER = "test-pepper-0123456789abcdef";
process.env.SCOPES = "read_orders,read_all_orders,read_products,read_inventory,read_customers,read_locations";

const serverUrl = process.env.TEST_DATABASE_URL;
let cleanup: () => Promise<void>;

if (serverUrl && /^postgres(ql)?:\/\//.test(serverUrl)) {
  const name = `rc_test_${randomBytes(6).toString("hex")}`;
  const url = await createPostgresDatabase(serverUrl, name);
  await applyMigrations(url);
  process.env.DATABASE_URL = url;
  cleanup = () => dropPostgresDatabase(serverUrl, name);
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-routes-"));
  const url = `file:${path.join(dir, "test.db")}`;
  await applyMigrations(url);
  process.env.DATABASE_URL = url;
  cleanup = async () => fs.rmSync(dir, { recursive: true, force: true });
}

afterAll(async () => {
  const client = globalThis.__registerCopilotDb;
  const sqlDriver = globalThis.__registerCopilotSqlDriver;
  globalThis.__registerCopilotDb = undefined;
  globalThis.__registerCopilotSqlDriver = undefined;
  await client?.$disconnect();
  await (await sqlDriver)?.dispose();
  await cleanup();
});
