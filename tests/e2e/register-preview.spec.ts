/**
 * The register preview with the real extension: a cashier builds a cart, opens the copilot from
 * its tile and sees the same cart and a live connection; and the tile explains itself when the
 * POS user lacks the app permission or the backend cannot be reached.
 */
import { fileURLToPath } from "node:url";
import { expect, test, type FrameLocator, type Page } from "@playwright/test";

const SCREENSHOT = fileURLToPath(new URL("./screenshots/register-preview.png", import.meta.url));

const tileFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title^="Register Copilot tile"]');
const modalFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title^="Register Copilot modal"]');

/** Searches the picker and adds the first product found; returns its title as stored. */
async function addFirstMatch(page: Page, query: string): Promise<string> {
  await page.getByRole("searchbox", { name: "Search products" }).fill(query);
  const first = page.getByRole("list", { name: "Products" }).getByRole("listitem").first();
  await expect(first).toContainText(new RegExp(query, "i"));
  // textContent, not innerText: the picker capitalizes titles with CSS only.
  const title = ((await first.locator("strong").textContent()) ?? "").trim();
  await first.getByRole("button", { name: `Add ${title}` }).click();
  return title;
}

test("a cashier builds a cart and opens the copilot from the tile", async ({ page }) => {
  await page.goto("/preview");
  await expect(page.getByRole("heading", { name: "Register preview — not Shopify POS" })).toBeVisible();

  // The tile has checked the backend with a real session token.
  const tile = tileFrame(page).locator("s-tile");
  await expect(tile).toHaveAttribute("heading", "Register Copilot");
  await expect(tile).toHaveAttribute("subheading", "Ready");

  const first = await addFirstMatch(page, "milk");
  const second = await addFirstMatch(page, "bread");
  expect(second).not.toBe(first);

  const hostCart = page.getByLabel("Cart", { exact: true });
  await expect(hostCart.getByRole("listitem")).toHaveCount(2);
  // The tile's frame sees the same cart as the host page (and, once the model answers, counts
  // the suggestions for it instead).
  await expect(tile).toHaveAttribute("subheading", /^(Ready · 2 items in cart|[1-5] suggestions? ready)$/);

  await tile.click();
  const modal = modalFrame(page);
  await expect(modal.locator("s-page")).toHaveAttribute("heading", "Register Copilot");
  await expect(modal.locator("s-badge", { hasText: "Connected" })).toBeVisible();
  await expect(modal.getByText(`1 × ${first}`, { exact: true })).toBeVisible();
  await expect(modal.getByText(`1 × ${second}`, { exact: true })).toBeVisible();
  const hostSubtotal = (await page.getByTestId("host-subtotal").textContent())?.trim();
  expect(hostSubtotal).toMatch(/\d/);
  await expect(modal.locator("s-text", { hasText: hostSubtotal! })).toBeVisible();

  await page.screenshot({ path: SCREENSHOT });

  // A change made in the modal reaches the host page and the tile.
  const firstLine = modal
    .locator("s-stack")
    .filter({ hasText: `1 × ${first}` })
    .filter({ has: modal.locator("s-button") })
    .last();
  await firstLine.locator("s-button", { hasText: "Remove" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Removed ${first}` })).toBeVisible();
  await expect(hostCart.getByRole("listitem")).toHaveCount(1);
  await expect(modal.getByText(`1 × ${first}`, { exact: true })).toHaveCount(0);

  await page.getByRole("button", { name: "✕ Close" }).click();
  await expect(page.getByRole("dialog", { name: "Register Copilot modal" })).toHaveCount(0);
  await expect(tile).toHaveAttribute("subheading", /^(Ready · 1 item in cart|[1-5] suggestions? ready)$/);
});

test("the tile asks for app permission when POS gives no session token", async ({ page }) => {
  await page.goto("/preview?appPermission=denied");

  const tile = tileFrame(page).locator("s-tile");
  await expect(tile).toHaveAttribute("subheading", "Ask your admin for app permission");
  await expect(tile.getByText("Ask your admin for app permission")).toBeVisible();

  await tile.click();
  await expect(modalFrame(page).locator("s-banner")).toHaveAttribute("heading", "Ask your admin for app permission");
});

test("the tile shows Offline when the backend cannot be reached", async ({ page }) => {
  await page.goto("/preview?backend=offline");

  const tile = tileFrame(page).locator("s-tile");
  await expect(tile).toHaveAttribute("subheading", "Offline");

  await tile.click();
  await expect(modalFrame(page).locator("s-banner")).toHaveAttribute("heading", "Can't reach Register Copilot");
  await expect(modalFrame(page).locator("s-badge", { hasText: "Offline" })).toBeVisible();
});
