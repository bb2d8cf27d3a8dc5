/**
 * Manager approvals at the register, end to end through the preview: a discount over the demo
 * store's limits (15% / 50.00) waits for a manager; a wrong PIN on the PinPad is refused and the
 * right one applies the discount to the register's cart. A second register (another page, so
 * another device) can approve instead, and the asking register applies it on its own. The demo
 * manager is Morgan Demo, PIN 246810 (DEMO_MANAGER_PIN in .env.example).
 */
import { fileURLToPath } from "node:url";
import { expect, test, type FrameLocator, type Page } from "@playwright/test";

const SCREENSHOT = fileURLToPath(new URL("./screenshots/approvals.png", import.meta.url));
const PINPAD_SCREENSHOT = fileURLToPath(new URL("./screenshots/approvals-pinpad.png", import.meta.url));
const MANAGER = "Morgan Demo";
const PIN = "246810";

const tileFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title^="Register Copilot tile"]');
const modalFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title^="Register Copilot modal"]');

async function addFirstMatch(page: Page, query: string) {
  await page.getByRole("searchbox", { name: "Search products" }).fill(query);
  const first = page.getByRole("list", { name: "Products" }).getByRole("listitem").first();
  await expect(first).toContainText(new RegExp(query, "i"));
  await first.getByRole("button", { name: /^Add / }).click();
}

/** Opens the copilot on a cart of a few products and asks for `percent`% off with a reason. */
async function askForDiscount(page: Page, percent: string) {
  await page.goto("/preview");
  await expect(tileFrame(page).locator("s-tile")).toHaveAttribute("subheading", /Ready|suggestion/);
  for (const query of ["milk", "bread", "coffee"]) await addFirstMatch(page, query);
  await tileFrame(page).locator("s-tile").click();
  const modal = modalFrame(page);
  const section = modal.locator("s-section[heading='Discount']");
  await expect(section.locator("s-number-field")).toBeVisible();
  await section.locator("s-number-field").locator("input").fill(percent);
  await section.locator("s-button", { hasText: "Price match" }).click();
  await section.locator("s-text-field").first().locator("input").fill("Advertised cheaper across the road");
  await section.locator("s-button", { hasText: "Apply discount" }).click();
  return section;
}

async function typePin(page: Page, pin: string) {
  const pad = page.getByRole("dialog", { name: `${MANAGER}, enter your PIN to approve` });
  await expect(pad).toBeVisible();
  for (const digit of pin) await pad.getByRole("button", { name: digit, exact: true }).click();
  await pad.getByRole("button", { name: "Enter" }).click();
  return pad;
}

test("a 30% discount waits for a manager: a wrong PIN is refused, the right PIN applies it", async ({ page }) => {
  const section = await askForDiscount(page, "30");
  await expect(section.locator("s-banner")).toHaveAttribute("heading", "A manager needs to approve this");
  await expect(section.locator("s-banner")).toContainText("30% off");
  // The register shows nothing applied yet.
  await expect(page.getByText(/^Discount “/)).toHaveCount(0);

  await section.locator("s-button", { hasText: `${MANAGER}: approve with PIN` }).click();
  const pad = await typePin(page, "135799");
  await expect(pad.getByRole("alert")).toHaveText("That PIN was not accepted. Try again.");
  await expect(page.getByText(/^Discount “/)).toHaveCount(0);
  await page.screenshot({ path: PINPAD_SCREENSHOT });

  await typePin(page, PIN);
  await expect(pad).toHaveCount(0);
  await expect(section.locator("s-banner")).toHaveAttribute("heading", /^Approved discount applied: .+ off$/);
  // The discount is on the register's cart (the host page draws the same cart).
  await expect(page.getByText("Discount “Price match (manager approved)”", { exact: false })).toBeVisible();
  await section.scrollIntoViewIfNeeded();
  await page.screenshot({ path: SCREENSHOT });
});

test("a manager on another register approves, and the asking register applies it on its own", async ({
  page,
  browser,
}) => {
  const section = await askForDiscount(page, "40");
  await expect(section.locator("s-banner")).toHaveAttribute("heading", "A manager needs to approve this");

  // A second register at the same location: its tile says a manager is needed.
  const other = await browser.newPage();
  try {
    await other.goto("/preview");
    const tile = tileFrame(other).locator("s-tile");
    await expect(tile).toHaveAttribute("subheading", /^\d+ approvals? waiting$/);
    await tile.click();
    const waiting = modalFrame(other).locator("s-section", { hasText: "40% off" }).first();
    const request = waiting.locator("s-stack", { hasText: "40% off" }).filter({ has: other.locator("s-button") });
    await request
      .locator("s-button", { hasText: `${MANAGER}: approve with PIN` })
      .last()
      .click();
    await typePin(other, PIN);
    await expect(other.getByRole("status").filter({ hasText: "Approved: the other register applies" })).toBeVisible();
  } finally {
    await other.close();
  }

  // The asking register collects the approval and applies the discount without a tap.
  await expect(section.locator("s-banner")).toHaveAttribute("heading", /^Approved discount applied: .+ off$/);
  await expect(page.getByText("Discount “Price match (manager approved)”", { exact: false })).toBeVisible();
});

test("changing the cart while waiting cancels the request", async ({ page }) => {
  const section = await askForDiscount(page, "35");
  await expect(section.locator("s-banner")).toHaveAttribute("heading", "A manager needs to approve this");
  await page
    .getByRole("button", { name: /^One more / })
    .first()
    .click();
  await expect(section.locator("s-banner")).toHaveAttribute(
    "heading",
    "The cart changed, so the request was cancelled. Ask again for this cart.",
  );
});

test("a manager approves from the admin's live list, and the register applies it", async ({ page, browser }) => {
  const admin = await browser.newPage();
  try {
    // Opened before the request exists: the list must update without a reload.
    await admin.goto("/app/approvals");
    await expect(admin.getByText(/^Waiting for a manager \(\d+\)$/)).toBeVisible();

    const section = await askForDiscount(page, "45");
    await expect(section.locator("s-banner")).toHaveAttribute("heading", "A manager needs to approve this");

    const request = admin.locator("form").filter({ hasText: "45% off" });
    await expect(request).toBeVisible();
    await request.getByLabel("Your PIN").fill("000000");
    await request.getByRole("button", { name: "Approve" }).click();
    await expect(request.getByText("The approver or PIN was not accepted")).toBeVisible();
    await request.getByLabel("Your PIN").fill(PIN);
    await request.getByRole("button", { name: "Approve" }).click();
    await expect(admin.getByText("Approved: the register applies the discount")).toBeVisible();
    await expect(request).toHaveCount(0);
    await admin.screenshot({ path: fileURLToPath(new URL("./screenshots/approvals-admin.png", import.meta.url)) });
  } finally {
    await admin.close();
  }
  await expect(modalFrame(page).locator("s-section[heading='Discount'] s-banner")).toHaveAttribute(
    "heading",
    /^Approved discount applied: .+ off$/,
  );
});
