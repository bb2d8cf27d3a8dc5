#!/usr/bin/env node
// The app as the browser tests see it: the production build (`npm run build` must have run),
// in demo mode with the fake credentials of .env.example, on a fresh SQLite database that is
// migrated and seeded with the demo store, bound to 127.0.0.1. Playwright starts and stops it.
//   node scripts/e2e-server.mjs          (PORT defaults to 3107, away from `npm run demo`'s 3000)
//   E2E_SEED=path/to/seed.ts             seeds with another script than prisma/seed.ts
// While it runs, test-results/e2e-server.json (or E2E_STATE_FILE) names its SQLite file, so a
// browser test can check what a tap stored (read-only: the server owns the database).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

/** KEY=VALUE lines of a dotenv file (no expansion: .env.example holds plain demo values). */
function readDotenv(file) {
  const values = {};
  for (const line of fs.readFileSync(file, "utf8").split(/\r?\n/)) {
    const match = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, "$2");
  }
  return values;
}

function fail(message) {
  console.error(`e2e-server: ${message}`);
  process.exit(1);
}

if (!fs.existsSync(path.join(root, "build/server/index.js"))) {
  fail("build/server/index.js is missing: run `npm run build` (or `npx remix vite:build`) first");
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-e2e-"));
const env = {
  ...process.env,
  // The demo values win over whatever the shell has, so a developer's real .env cannot leak in.
  ...readDotenv(path.join(root, ".env.example")),
  NODE_ENV: "production",
  DEMO_MODE: "1",
  HOST: "127.0.0.1",
  PORT: process.env.PORT ?? "3107",
  DATABASE_URL: `file:${path.join(dataDir, "e2e.db")}`,
};

const stateFile = path.resolve(root, process.env.E2E_STATE_FILE ?? "test-results/e2e-server.json");
const cleanup = () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(stateFile, { force: true });
};

function run(command, args) {
  console.log(`e2e-server: ${command} ${args.join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) {
    cleanup();
    fail(`\`${command} ${args.join(" ")}\` failed (exit ${result.status ?? result.signal})`);
  }
}

run(process.execPath, ["scripts/db.mjs", "migrate"]);
const seed = process.env.E2E_SEED ?? "prisma/seed.ts";
if (fs.existsSync(path.resolve(root, seed))) {
  run(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), seed]);
} else {
  console.warn(`e2e-server: ${seed} not found; the demo store stays empty`);
}

fs.mkdirSync(path.dirname(stateFile), { recursive: true });
fs.writeFileSync(
  stateFile,
  JSON.stringify({ databaseFile: path.join(dataDir, "e2e.db"), port: Number(env.PORT), pid: process.pid }, null, 2),
);

const server = spawn(process.execPath, ["server.mjs"], { cwd: root, env, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.kill(signal));
}
server.on("exit", (code, signal) => {
  cleanup();
  process.exit(code ?? (signal ? 0 : 1));
});
