#!/usr/bin/env node
// `npm run demo`: migrate the embedded SQLite database, seed the demo store, build, and serve the
// app (admin + register preview) and the queue worker on http://127.0.0.1:3000.
import { spawn, execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadEnv } from "./env.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const envFile = loadEnv(root);
if (!["1", "true"].includes(process.env.DEMO_MODE ?? "")) {
  console.error(
    `npm run demo needs DEMO_MODE=1 (read ${envFile ?? "no env file"}). For a real store use \`shopify app dev\`.`,
  );
  process.exit(1);
}

const run = (command, args) => execFileSync(command, args, { stdio: "inherit", env: process.env });
const bin = (name) => path.join(root, "node_modules", ".bin", name);

console.log("› migrating the database");
run(process.execPath, ["scripts/db.mjs", "migrate"]);
console.log("› seeding the demo store");
run(bin("tsx"), ["prisma/seed.ts"]);
console.log("› building the app and the register extension");
run("npm", ["run", "build", "--silent"]);

const children = [
  spawn(process.execPath, ["server.mjs"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } }),
  spawn(bin("tsx"), ["app/worker.ts"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } }),
];
const url = `http://${process.env.HOST ?? "127.0.0.1"}:${process.env.PORT ?? 3000}`;
console.log(`\nRegister Copilot demo: admin ${url}/app · register preview ${url}/preview (Ctrl+C to stop)\n`);

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 3_000).unref();
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => stop(0));
for (const child of children) child.on("exit", (code) => stop(code ?? 1));
