/** The analytics page in demo mode: charts render, and filters reload the numbers. */
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";

const SCREENSHOT = fileURLToPath(new URL("./screenshots/analytics.png", import.meta.url));

test("the analytics page draws its charts and filters by date and location", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto("/app/analytics?from=2026-01-01");
  await expect(page.getByRole("heading", { name: "Analytics" })).toBeVisible();
  await expect(page.getByText("Suggestions shown", { exact: true })).toBeVisible();
  await expect(page.getByText("Loyalty points per week")).toBeVisible();
  await expect(page.locator("svg").first()).toBeVisible();
  await page.getByLabel("Location").selectOption({ index: 1 });
  await expect(page).toHaveURL(/location=\d+/);
  await expect(page.getByLabel("Location")).not.toHaveValue("");
  await expect(page.getByRole("heading", { name: "Analytics" })).toBeVisible();
  await expect(page.getByText("Suggestions shown", { exact: true })).toBeVisible();
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(errors).toEqual([]);
});
