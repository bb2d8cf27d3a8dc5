/**
 * Upsell at the register, end to end through the preview: a cashier builds a cart, opens the
 * copilot, sees suggestions learned from the demo store's sales with a reason to say aloud, and
 * adds one with a tap: it lands in the register's cart, POS confirms with a toast, and the
 * backend stores an `added` event for the merchant's report.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { expect, test, type FrameLocator, type Page } from "@playwright/test";
import { DEMO_STORE } from "../../shared/demo-store";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCREENSHOT = fileURLToPath(new URL("./screenshots/suggestions.png", import.meta.url));
/** Written by scripts/e2e-server.mjs while it serves this run. */
const SERVER_STATE = path.resolve(ROOT, process.env.E2E_STATE_FILE ?? "test-results/e2e-server.json");

const tileFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title^="Register Copilot tile"]');
const modalFrame = (page: Page): FrameLocator => page.frameLocator('iframe[title^="Register Copilot modal"]');

interface StoredEvent {
  kind: string;
  variantExternalId: string;
  requestId: string;
  productTitle: string | null;
}

/** The suggestion events the e2e server stored, read straight from its SQLite file. */
function storedEvents(kind: "added" | "dismissed"): StoredEvent[] {
  const { databaseFile } = JSON.parse(fs.readFileSync(SERVER_STATE, "utf8")) as { databaseFile: string };
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        `SELECT e.kind, e.variantExternalId, e.requestId, p.title AS productTitle
           FROM "SuggestionEvent" e
           LEFT JOIN "Variant" v ON v.shopId = e.shopId AND v.externalId = e.variantExternalId
           LEFT JOIN "Product" p ON p.id = v.productId
           JOIN "Shop" s ON s.id = e.shopId
          WHERE e.kind = ? AND s.platform = 'shopify' AND s.domain = ?
          ORDER BY e.createdAt`,
      )
      .all(kind, DEMO_STORE.domain) as StoredEvent[];
  } finally {
    db.close();
  }
}

/** Searches the picker and adds the first product found; returns its title as stored. */
async function addFirstMatch(page: Page, query: string): Promise<string> {
  await page.getByRole("searchbox", { name: "Search products" }).fill(query);
  const first = page.getByRole("list", { name: "Products" }).getByRole("listitem").first();
  await expect(first).toContainText(new RegExp(query, "i"));
  const title = ((await first.locator("strong").textContent()) ?? "").trim();
  await first.getByRole("button", { name: `Add ${title}` }).click();
  return title;
}

/** Builds a two-item cart and opens the copilot on it; returns the modal's Suggestions section. */
async function openCopilotOnCart(page: Page) {
  await page.goto("/preview");
  const tile = tileFrame(page).locator("s-tile");
  await expect(tile).toHaveAttribute("subheading", "Ready");

  const milk = await addFirstMatch(page, "whole milk");
  const rolls = await addFirstMatch(page, "rolls");
  await expect(page.getByLabel("Cart", { exact: true }).getByRole("listitem")).toHaveCount(2);

  // The tile counts what is ready for this cart once its debounced request has answered.
  await expect(tile).toHaveAttribute("subheading", /^[1-5] suggestions? ready$/);

  await tile.click();
  const modal = modalFrame(page);
  const section = modal.locator('s-section[heading="Suggestions"]');
  await expect(section).toBeVisible();
  return { modal, section, cart: [milk, rolls] };
}

test("a cashier adds a suggested item with one tap and the event is stored", async ({ page }) => {
  const { modal, section, cart } = await openCopilotOnCart(page);

  // 2–3 suggestions, each with a price, a stock badge, a reason, and Add / Not now.
  const adds = section.locator("s-button", { hasText: /^Add$/ });
  await expect(adds.first()).toBeVisible();
  const count = await adds.count();
  expect(count).toBeGreaterThanOrEqual(2);
  expect(count).toBeLessThanOrEqual(3);
  await expect(section.locator("s-button", { hasText: "Not now" })).toHaveCount(count);
  await expect(section.locator("s-badge", { hasText: "In stock" })).toHaveCount(count);
  await expect(section.locator("s-text", { hasText: /\$\d+\.\d{2}/ })).toHaveCount(count);
  const reasons = section.locator('s-text[color="subdued"]');
  await expect(reasons).toHaveCount(count);
  for (const reason of await reasons.allTextContents()) expect(reason.trim().length).toBeGreaterThan(10);

  // Nothing already in the cart is suggested.
  const titles = (await section.locator('s-text[type="strong"]').allTextContents()).map((text) => text.trim());
  for (const inCart of cart) expect(titles).not.toContain(inCart);
  const suggested = titles[0]!;

  await adds.first().click();

  await expect(page.getByRole("status").filter({ hasText: `Added ${suggested} to the cart` })).toBeVisible();
  const hostCart = page.getByLabel("Cart", { exact: true });
  await expect(hostCart.getByRole("listitem")).toHaveCount(3);
  await expect(hostCart.getByRole("listitem").filter({ hasText: suggested })).toHaveCount(1);
  await expect(modal.locator("s-section[heading=Cart]").getByText(`1 × ${suggested}`)).toBeVisible();
  // The added item is not offered again.
  await expect(section.locator('s-text[type="strong"]', { hasText: suggested })).toHaveCount(0);

  // Stored against the variant that was added, with the request that showed it.
  await expect.poll(() => storedEvents("added").map((event) => event.productTitle)).toContain(suggested);
  const event = storedEvents("added").find((candidate) => candidate.productTitle === suggested)!;
  expect(event.requestId).not.toBe("");

  // Let the refreshed suggestions settle for the picture.
  await expect(section.locator("s-button", { hasText: /^Add$/ }).first()).toBeVisible();
  await page.screenshot({ path: SCREENSHOT });
});

test("Not now hides a suggestion and records the dismissal", async ({ page }) => {
  const { section } = await openCopilotOnCart(page);
  const titles = section.locator('s-text[type="strong"]');
  await expect(section.locator("s-button", { hasText: "Not now" }).first()).toBeVisible();
  const first = ((await titles.first().textContent()) ?? "").trim();

  await section.locator("s-button", { hasText: "Not now" }).first().click();

  await expect(section.locator('s-text[type="strong"]', { hasText: first })).toHaveCount(0);
  await expect.poll(() => storedEvents("dismissed").length).toBeGreaterThanOrEqual(1);
});

test("without a backend the suggestions say they are offline instead of failing", async ({ page }) => {
  await page.goto("/preview?backend=offline");
  await tileFrame(page).locator("s-tile").click();
  const section = modalFrame(page).locator('s-section[heading="Suggestions"]');
  await expect(section.getByText("Suggestions are unavailable offline. Selling is not affected.")).toBeVisible();
  await expect(section.locator("s-button", { hasText: "Try again" })).toBeVisible();
});
