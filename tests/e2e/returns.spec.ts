/**
 * A return at the register, end to end through the preview: the cashier looks up a recent
 * seeded demo order by its number in the copilot, marks one item as used, and sees each line's
 * verdict with the rule that decided it and the refundable amount; the check is stored with the
 * policy version it used.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { expect, test, type FrameLocator, type Page } from "@playwright/test";
import { DEMO_STORE } from "../../shared/demo-store";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCREENSHOT = fileURLToPath(new URL("./screenshots/returns.png", import.meta.url));
const SERVER_STATE = path.resolve(ROOT, process.env.E2E_STATE_FILE ?? "test-results/e2e-server.json");

const tileFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title^="Register Copilot tile"]');
const modalFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title^="Register Copilot modal"]');

/** Reads the e2e server's SQLite file (read-only: the server owns it). */
function query<T>(sql: string, ...params: unknown[]): T[] {
  const { databaseFile } = JSON.parse(fs.readFileSync(SERVER_STATE, "utf8")) as { databaseFile: string };
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

test("a cashier checks a return of a recent demo order and sees why, line by line", async ({ page }) => {
  // The newest seeded order with at least two lines: well inside the 30-day window.
  const [order] = query<{ id: string; name: string; externalId: string }>(
    `SELECT o.id, o.name, o.externalId FROM "Order" o JOIN "Shop" s ON s.id = o.shopId
      WHERE s.platform = 'shopify' AND s.domain = ?
        AND (SELECT COUNT(*) FROM "LineItem" l WHERE l.orderId = o.id) >= 2
      ORDER BY o.processedAt DESC LIMIT 1`,
    DEMO_STORE.domain,
  );
  const lines = query<{ title: string }>(`SELECT title FROM "LineItem" WHERE orderId = ? ORDER BY rowid`, order!.id);
  // Other registers' tests (the panel, the Lightspeed extension) may have checked this order too.
  const earlier = new Set(
    query<{ id: string }>(`SELECT id FROM "ReturnCheck" WHERE orderExternalId = ?`, order!.externalId).map((r) => r.id),
  );

  await page.goto("/preview");
  await expect(tileFrame(page).locator("s-tile")).toHaveAttribute("subheading", /Ready|waiting/);
  await tileFrame(page).locator("s-tile").click();
  const section = modalFrame(page).locator("s-section[heading='Returns']");
  await section.locator("s-text-field").first().locator("input").fill(order!.name);
  await section.locator("s-button", { hasText: "Look up" }).click();

  await section.locator("s-button", { hasText: "Used" }).click();
  await section.locator("s-text-field").nth(1).locator("input").fill("It stopped working after a day");
  await section.locator("s-button", { hasText: "Check return" }).click();

  // Used items: store credit at most under the default policy; every line says why.
  const verdict = section.locator("s-banner").first();
  await expect(verdict).toHaveAttribute("heading", /^Store credit /);
  await expect(verdict).toContainText(`${order!.name} · refundable`);
  await expect(verdict).toContainText("policy version 0");
  await expect(section.getByText(/within the 30-day return window/).first()).toBeVisible();
  await expect(section.getByText('· Condition "used": store credit at most').first()).toBeVisible();
  for (const { title } of lines.slice(0, 2)) await expect(section.getByText(title).first()).toBeVisible();

  // One item fewer: the quantities go with the next check.
  await section.locator("s-button", { hasText: "−" }).first().click();
  await section.locator("s-button", { hasText: "Check again" }).click();
  await expect(section.locator("s-banner").first()).toHaveAttribute("heading", /^Store credit /);
  await section
    .locator("s-banner")
    .first()
    .evaluate((banner) => banner.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: SCREENSHOT });

  const checks = query<{
    id: string;
    verdict: string;
    policyVersion: number;
    reasonCode: string;
    orderExternalId: string;
  }>(
    `SELECT id, verdict, policyVersion, reasonCode, orderExternalId FROM "ReturnCheck" WHERE orderExternalId = ? ORDER BY createdAt`,
    order!.externalId,
  )
    .filter((check) => !earlier.has(check.id))
    .map(({ id: _id, ...check }) => check);
  expect(checks).toHaveLength(2);
  expect(checks[0]).toEqual({
    verdict: "store_credit",
    policyVersion: 0,
    reasonCode: "defective",
    orderExternalId: order!.externalId,
  });
});

test("from an order's details, Check return opens the check for that order", async ({ page }) => {
  const [order] = query<{ name: string }>(
    `SELECT o.name FROM "Order" o JOIN "Shop" s ON s.id = o.shopId
      WHERE s.platform = 'shopify' AND s.domain = ? ORDER BY o.processedAt DESC LIMIT 1`,
    DEMO_STORE.domain,
  );
  await page.goto("/preview");
  await page.getByRole("button", { name: "Orders", exact: true }).click();
  await page
    .getByRole("list", { name: "Recent orders" })
    .getByRole("button", { name: new RegExp(order!.name) })
    .click();
  await expect(page.getByRole("heading", { name: `Order ${order!.name}` })).toBeVisible();

  const menuItem = page.frameLocator('iframe[title^="Check return menu item"]').locator("s-button");
  await expect(menuItem).toHaveText("Check return");
  await menuItem.click();

  const modal = page.frameLocator('iframe[title^="Order action modal"]');
  await expect(modal.locator("s-page")).toHaveAttribute("heading", `Return for ${order!.name}`);
  await modal.locator("s-button", { hasText: "Check return" }).click();
  await expect(modal.locator("s-banner").first()).toHaveAttribute("heading", /^Refund /);
  await expect(modal.getByText(/within the 30-day return window/).first()).toBeVisible();
});
