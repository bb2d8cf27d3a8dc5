#!/usr/bin/env node
// `npm run dev`: the Remix dev server (hot reload) plus the worker, on the local env.
// With a Partner account, prefer `shopify app dev`, which tunnels and sets the Shopify env.
import { spawn, execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadEnv } from "./env.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
loadEnv(root);
execFileSync(process.execPath, ["scripts/db.mjs", "migrate"], { stdio: "inherit" });
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const children = [
  spawn(bin("remix"), ["vite:dev", "--host", process.env.HOST ?? "127.0.0.1", "--port", process.env.PORT ?? "3000"], {
    stdio: "inherit",
  }),
  spawn(bin("tsx"), ["app/worker.ts"], { stdio: "inherit" }),
];
const stop = () => children.forEach((child) => child.kill("SIGTERM"));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
for (const child of children) child.on("exit", stop);
