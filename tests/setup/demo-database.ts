/**
 * Global setup of the black-box tests (tests/security, tests/faults): checks the build is there,
 * then migrates and seeds the demo stores once (prisma/seed.ts, ~25 s) into a SQLite file, or,
 * with TEST_DATABASE_URL (PostgreSQL), into a template database on that server. Each test file
 * then starts the app on its own copy (tests/support/black-box.ts).
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { adminSql, DEMO_ENV } from "../support/demo-env";
import { ROOT } from "../support/processes";
import { applyMigrations, createPostgresDatabase } from "./migrate";

export default async function setup(project: TestProject) {
  if (!fs.existsSync(path.join(ROOT, "build/server/index.js"))) {
    throw new Error("build/server/index.js is missing: run `npm run build` before the black-box tests");
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  let url: string;
  let teardown: () => Promise<void>;
  if (serverUrl && /^postgres(ql)?:\/\//.test(serverUrl)) {
    const template = `rc_bb_template_${randomBytes(6).toString("hex")}`;
    url = await createPostgresDatabase(serverUrl, template);
    project.provide("demoDatabase", { kind: "postgres", serverUrl, template });
    teardown = () => adminSql(serverUrl, `DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-demo-template-"));
    const file = path.join(dir, "demo.db");
    url = `file:${file}`;
    project.provide("demoDatabase", { kind: "sqlite", file });
    teardown = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  await applyMigrations(url);
  const started = Date.now();
  execFileSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "prisma/seed.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...DEMO_ENV, DATABASE_URL: url, NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  console.log(`black-box tests: demo database seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return teardown;
}
