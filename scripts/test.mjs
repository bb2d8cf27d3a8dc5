#!/usr/bin/env node
// `npm test`: unit and route tests (Vitest), the build, the black-box security and fault tests
// (Vitest against the built app's processes), then the browser tests (Playwright on Debian's
// Chromium). A missing Chromium fails the run with the install command; it never skips.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  console.error(
    `Chromium not found at ${chromium}. Browser tests need it: run \`sudo apt-get install -y chromium\` ` +
      "(Debian/Ubuntu) or set CHROMIUM_PATH to a Chromium binary. Tests are not skipped.",
  );
  process.exit(1);
}

const bin = (name) => path.join(root, "node_modules", ".bin", name);
function step(label, command, args) {
  console.log(`\n› ${label}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    console.error(`\n✗ ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

step("generate the Prisma client", process.execPath, ["scripts/db.mjs", "generate"]);
step("unit and route tests", bin("vitest"), ["run", "--project", "unit", "--project", "routes"]);
step("build the app and the extension", "npm", ["run", "build", "--silent"]);
step("security battery and fault injection (the built app, over HTTP)", bin("vitest"), [
  "run",
  "--project",
  "black-box",
]);
step("browser tests", bin("playwright"), ["test"]);
