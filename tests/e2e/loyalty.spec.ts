/**
 * Loyalty at the register through the preview: put a demo customer on the cart, see their tier,
 * points and best offer in the copilot, apply it with one tap; the discount is on the register's
 * cart with the reservation's code, and the reservation holds the points in the database.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { expect, test, type FrameLocator, type Page } from "@playwright/test";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCREENSHOT = fileURLToPath(new URL("./screenshots/loyalty.png", import.meta.url));
const SERVER_STATE = path.resolve(ROOT, process.env.E2E_STATE_FILE ?? "test-results/e2e-server.json");

const tileFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title^="Register Copilot tile"]');
const modalFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title^="Register Copilot modal"]');

function reservations(customerId: string) {
  const { databaseFile } = JSON.parse(fs.readFileSync(SERVER_STATE, "utf8")) as { databaseFile: string };
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(`SELECT id, status, points, valueMinor FROM "LoyaltyReservation" WHERE customerExternalId = ?`)
      .all(customerId) as { id: string; status: string; points: number; valueMinor: number }[];
  } finally {
    db.close();
  }
}

test("a demo customer's best offer is applied in one tap and its points are reserved", async ({ page }) => {
  await page.goto("/preview");
  await expect(tileFrame(page).locator("s-tile")).toHaveAttribute("subheading", /Ready|waiting/);

  // A cart of about 50.00: four of one product.
  await page.getByRole("searchbox", { name: "Search products" }).fill("cleaner");
  const first = page.getByRole("list", { name: "Products" }).getByRole("listitem").first();
  await first.getByRole("button", { name: /^Add / }).click();
  for (let i = 0; i < 3; i++)
    await page
      .getByRole("button", { name: /^One more / })
      .first()
      .click();

  const picker = page.getByLabel("Customer on the cart");
  await expect(picker.locator("option")).not.toHaveCount(1);
  const customerId = await picker.locator("option").nth(1).getAttribute("value");
  await picker.selectOption(customerId!);

  await tileFrame(page).locator("s-tile").click();
  const section = modalFrame(page).locator("s-section[heading='Loyalty']");
  await expect(section.locator("s-badge")).toHaveText(/Member|Silver|Gold/);
  await expect(section.getByText(/^\d[\d,]* points$/)).toBeVisible();
  await expect(section.getByText(/^Best offer: /)).toBeVisible();
  await expect(section.getByText(/^This cart earns \d+ points?$/)).toBeVisible();

  await section.locator("s-button", { hasText: "Apply" }).click();
  await expect(section.locator("s-banner")).toHaveAttribute("heading", / is on the cart$/);
  const discount = page.getByText(/^Discount “.+ · LR-[0-9A-Z]{8}”/);
  await expect(discount).toBeVisible();
  await section.evaluate((element) => element.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: SCREENSHOT });

  const held = reservations(customerId!);
  expect(held).toHaveLength(1);
  expect(held[0]).toMatchObject({ status: "reserved" });
  const code = `LR-${held[0]!.id.slice(-8).toUpperCase()}`;
  await expect(page.getByText(new RegExp(`· ${code}”`))).toBeVisible();

  // The cashier clears the sale: the reward leaves the cart and its points come back.
  await page.getByRole("button", { name: "Clear" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Reward removed: the points are back" })).toBeVisible();
  await expect.poll(() => reservations(customerId!)[0]?.status).toBe("released");
});

test("without a customer, the cashier finds one by name and puts them on the cart", async ({ page }) => {
  await page.goto("/preview");
  await expect(tileFrame(page).locator("s-tile")).toHaveAttribute("subheading", /Ready|waiting/);
  await tileFrame(page).locator("s-tile").click();
  const section = modalFrame(page).locator("s-section[heading='Loyalty']");
  await expect(section.getByText("Add a customer to the cart to see their points and best offer.")).toBeVisible();
  await section.locator("s-text-field").locator("input").fill("avery");
  await section.locator("s-button", { hasText: "Search" }).click();
  const match = section.locator("s-stack", { hasText: /Avery Example · a•••@/ }).last();
  await match.locator("s-button", { hasText: "Add to cart" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Avery Example added to the cart" })).toBeVisible();
  await expect(page.getByLabel("Customer on the cart")).toHaveValue(/^\d+$/);
  await expect(section.getByText(/^\d[\d,]* points$/)).toBeVisible();
});

test("the customer's details show their loyalty standing", async ({ page }) => {
  await page.goto("/preview");
  const picker = page.getByLabel("Customer on the cart");
  await expect(picker.locator("option")).not.toHaveCount(1);
  await picker.selectOption({ index: 1 });
  await page.getByRole("button", { name: "Customers", exact: true }).click();
  const block = page.frameLocator('iframe[title^="Customer loyalty block"]').locator("s-pos-block");
  await expect(block).toHaveAttribute("heading", "Loyalty");
  await expect(block.locator("s-badge")).toHaveText(/Member|Silver|Gold/);
  await expect(block.getByText(/^\d[\d,]* points$/)).toBeVisible();
  await expect(block.getByText(/^Best offer: /)).toBeVisible();
});
