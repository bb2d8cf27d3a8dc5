/**
 * The analytics page in demo mode: charts render, filters reload the numbers, and the numbers are
 * the seeded store's own, recounted here straight from the server's database.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";
import { DEMO_STORE } from "../../shared/demo-store";

const SCREENSHOT = fileURLToPath(new URL("./screenshots/analytics.png", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SERVER_STATE = path.resolve(ROOT, process.env.E2E_STATE_FILE ?? "test-results/e2e-server.json");
const FROM = "2026-01-01";
const DAY = 86_400_000;

/** The figures the page should show for FROM..today (UTC days), counted from the tables. */
function countedFromDatabase(location: string | null) {
  const { databaseFile } = JSON.parse(fs.readFileSync(SERVER_STATE, "utf8")) as { databaseFile: string };
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  const from = new Date(`${FROM}T00:00:00Z`).getTime();
  const to = new Date(new Date().toISOString().slice(0, 10)).getTime() + DAY;
  // Dates are compared in JS: whatever form the driver stored them in, Date reads it.
  const inRange = (value: string | number) => {
    const at = new Date(value).getTime();
    return at >= from && at < to;
  };
  try {
    const shop = db
      .prepare(`SELECT id FROM "Shop" WHERE platform = 'shopify' AND domain = ?`)
      .get(DEMO_STORE.domain) as { id: string };
    const earnRows = db
      .prepare(`SELECT points, createdAt, orderExternalId FROM "LoyaltyLedgerEntry" WHERE shopId = ? AND kind = 'earn'`)
      .all(shop.id) as { points: number; createdAt: string | number; orderExternalId: string | null }[];
    const ordersHere = location
      ? new Set(
          (
            db
              .prepare(`SELECT externalId FROM "Order" WHERE shopId = ? AND locationExternalId = ?`)
              .all(shop.id, location) as { externalId: string }[]
          ).map((row) => row.externalId),
        )
      : null;
    const earned = earnRows
      .filter(
        (row) =>
          inRange(row.createdAt) && (!ordersHere || (row.orderExternalId && ordersHere.has(row.orderExternalId))),
      )
      .reduce((sum, row) => sum + row.points, 0);
    const shown = (
      db
        .prepare(`SELECT createdAt, locationExternalId FROM "SuggestionEvent" WHERE shopId = ? AND kind = 'shown'`)
        .all(shop.id) as { createdAt: string | number; locationExternalId: string | null }[]
    ).filter((row) => inRange(row.createdAt) && (!location || row.locationExternalId === location)).length;
    return { earned, shown };
  } finally {
    db.close();
  }
}

async function metric(page: Page, label: string): Promise<string> {
  const value = page.locator("p", { hasText: label }).locator("xpath=following-sibling::p[1]");
  return ((await value.textContent()) ?? "").trim();
}

test("the analytics page draws its charts and filters by date and location", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`/app/analytics?from=${FROM}`);
  await expect(page.getByRole("heading", { name: "Analytics" })).toBeVisible();
  await expect(page.getByText("Suggestions shown", { exact: true })).toBeVisible();
  await expect(page.getByText("Loyalty points per week")).toBeVisible();
  await expect(page.locator("svg").first()).toBeVisible();

  const whole = countedFromDatabase(null);
  // The seed's year of orders earned points: the comparison has something to compare.
  expect(whole.earned).toBeGreaterThan(0);
  expect(await metric(page, "Points earned / redeemed")).toMatch(new RegExp(`^${whole.earned} / \\d+$`));
  expect(await metric(page, "Suggestions shown")).toBe(String(whole.shown));

  await page.getByLabel("Location").selectOption({ index: 1 });
  await expect(page).toHaveURL(/location=\d+/);
  const location = new URL(page.url()).searchParams.get("location");
  await expect(page.getByLabel("Location")).not.toHaveValue("");
  await expect(page.getByRole("heading", { name: "Analytics" })).toBeVisible();
  const here = countedFromDatabase(location);
  expect(here.earned).toBeLessThan(whole.earned);
  await expect(
    page.locator("p", { hasText: "Points earned / redeemed" }).locator("xpath=following-sibling::p[1]"),
  ).toHaveText(new RegExp(`^${here.earned} / \\d+$`));
  expect(await metric(page, "Suggestions shown")).toBe(String(here.shown));
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(errors).toEqual([]);
});
