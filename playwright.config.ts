/**
 * Browser tests: Debian's Chromium (never a downloaded browser) against the production build,
 * served by scripts/e2e-server.mjs in demo mode on a fresh, seeded SQLite database.
 * `npm run build` must have run first.
 */
import fs from "node:fs";
import { defineConfig } from "@playwright/test";

const CHROMIUM = "/usr/bin/chromium";
if (!fs.existsSync(CHROMIUM)) {
  // Never skip: a missing browser must fail the run and say how to fix it.
  throw new Error(`Chromium is not installed at ${CHROMIUM}. Install it with: apt-get install -y chromium`);
}

const PORT = Number(process.env.E2E_PORT ?? 3107);
const baseURL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "test-results/e2e",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: process.env.CI ? 1 : undefined,
  reporter: [["list"]],
  use: {
    baseURL,
    browserName: "chromium",
    headless: true,
    viewport: { width: 1440, height: 900 },
    // The register's webview identifies as Shopify POS. Headless Chromium's own user agent says
    // "HeadlessChrome", which the Shopify library treats as a bot and answers 410.
    userAgent:
      "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 Shopify POS/10.14.0",
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  webServer: {
    command: "node scripts/e2e-server.mjs",
    url: `${baseURL}/preview`,
    env: { PORT: String(PORT) },
    // Migrating and seeding the demo store (9,835 orders) comes before the first request.
    timeout: 240_000,
    reuseExistingServer: false,
    // SIGTERM (not the default SIGKILL) so the server script removes its temporary database.
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    stdout: "pipe",
    stderr: "pipe",
  },
});
