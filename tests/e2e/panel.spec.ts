/**
 * The companion register panel (/panel, Square and Clover stores) end to end, beside the demo
 * Square register (/preview/square): pairing with a code the register issues, the open order
 * read from the POS with suggestions for it, a customer's loyalty, a discount over the store's
 * limits approved on the panel's PIN pad and one under them, both written back to the order in
 * the POS; the offline notice; an unusable stored pairing back to the pairing screen; the PWA
 * pieces. On a 10-inch landscape tablet (1280×800), with axe on the pairing and order screens.
 * Screenshots go to test-results/panel/. The demo manager is Morgan Demo, PIN 246810
 * (DEMO_MANAGER_PIN in .env.example).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import Database from "better-sqlite3";
import { expect, test, type Page } from "@playwright/test";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = path.join(ROOT, "test-results/panel");
const SERVER_STATE = path.resolve(ROOT, process.env.E2E_STATE_FILE ?? "test-results/e2e-server.json");
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const MANAGER = "Morgan Demo";
const PIN = "246810";
const OFFLINE_NOTICE =
  "Offline — the copilot can't reach the store. Suggestions and approvals resume when the connection is back.";
const CREDENTIALS_KEY = "register-copilot.panel.device";

test.use({ viewport: { width: 1280, height: 800 } });

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

/** Every axe violation, one line each (the panel must have none). */
async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes
        .map((node) => node.target.join(" "))
        .join(", ")}`,
  );
}

/** Buttons, fields and tabs smaller than a fingertip (48 px); a radio's target is its whole label. */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [
      ...document.querySelectorAll(
        "button, select, input:not([type=radio]), [role=tab], label:has(> input[type=radio])",
      ),
    ]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && (box.height < 48 || box.width < 48);
      })
      .map((element) => element.outerHTML.slice(0, 100)),
  );
}

/** The demo Square register issues a one-time code for its location (a new one each time). */
async function issueCode(register: Page): Promise<string> {
  const code = register.getByTestId("pairing-code");
  const previous = (await code.count()) > 0 ? await code.textContent() : null;
  await register.getByRole("button", { name: "Issue pairing code" }).click();
  await expect(code).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  if (previous) await expect(code).not.toHaveText(previous);
  return (await code.textContent())!.trim();
}

/** Types the code as a cashier might (lower case, a space for the dash) and pairs. */
async function pair(panel: Page, code: string, name = "Front register") {
  await panel.goto("/panel");
  await panel.getByLabel("Pairing code").fill(code.toLowerCase().replace("-", " "));
  await expect(panel.getByLabel("Pairing code")).toHaveValue(code);
  await panel.getByLabel("Name of this register").fill(name);
  await panel.getByRole("button", { name: "Pair this register" }).click();
  await expect(panel.getByRole("heading", { level: 1, name: "Register Copilot" })).toBeVisible();
  await expect(panel.locator(".panel-header-where")).toContainText("Register Copilot Demo Grocery (Square)");
}

async function ringUp(register: Page, title: string) {
  await register.getByRole("button", { name: `Ring up ${title}`, exact: true }).click();
  await expect(register.getByTestId("sim-order")).toContainText(title);
}

async function askForDiscount(panel: Page, kind: "Percent off" | "Amount off (USD)", value: string, reason: string) {
  const discount = panel.getByRole("region", { name: "Discount", exact: true });
  await discount.getByRole("radio", { name: kind }).check();
  await discount.getByRole("textbox", { name: kind === "Percent off" ? "Percent off the order" : kind }).fill(value);
  await discount.getByLabel("Reason").selectOption({ label: reason });
  await discount.getByRole("button", { name: "Add discount" }).click();
  return discount;
}

async function typePin(panel: Page, pin: string) {
  const pad = panel.getByRole("group", { name: "PIN pad" });
  for (const digit of pin) await pad.getByRole("button", { name: digit, exact: true }).click();
}

test("pairing: a wrong code is refused in plain words; the screen is accessible", async ({ page }) => {
  await page.goto("/panel");
  await expect(page.getByRole("heading", { level: 1, name: "Pair this register" })).toBeVisible();
  expect(await axeViolations(page), "axe on the pairing screen").toEqual([]);
  await shot(page, "pairing");

  await page.getByLabel("Pairing code").fill("zzzz2345");
  await expect(page.getByLabel("Pairing code")).toHaveValue("ZZZZ-2345");
  await page.getByLabel("Name of this register").fill("Front register");
  await page.getByRole("button", { name: "Pair this register" }).click();
  await expect(page.getByRole("alert")).toHaveText(
    "That code is unknown, already used or expired. Get a new code and type it here.",
  );
  expect(await page.evaluate((key) => localStorage.getItem(key), CREDENTIALS_KEY)).toBeNull();
  expect(await axeViolations(page), "axe on the pairing screen with an error").toEqual([]);
  await shot(page, "pairing-refused");
});

test("the open order, its suggestions and loyalty; a discount over the limits approved by PIN and one under them, both written to the order in the POS", async ({
  context,
}) => {
  const register = await context.newPage();
  const panel = await context.newPage();
  const pageErrors: string[] = [];
  panel.on("pageerror", (error) => pageErrors.push(error.message));

  await register.goto("/preview/square");
  const code = await issueCode(register);
  // The register looks for new discounts every 2 s; the code stays up for the cashier to read.
  const revalidated = () =>
    register.waitForResponse(
      (response) =>
        response.request().method() === "GET" && new URL(response.url()).pathname === "/preview/square.data",
    );
  await revalidated();
  await revalidated();
  await expect(register.getByTestId("pairing-code")).toHaveText(code);
  await pair(panel, code);
  await expect(
    panel.getByText("No open order at this register. Ring up items in Square/Clover and they appear here."),
  ).toBeVisible();
  // Only the device id and secret are kept on the tablet.
  const stored = JSON.parse((await panel.evaluate((key) => localStorage.getItem(key), CREDENTIALS_KEY))!);
  expect(Object.keys(stored).sort()).toEqual(["deviceId", "deviceSecret"]);

  // Two products rung up on the register appear on the panel (polled every 3 s).
  await ringUp(register, "Brown Bread");
  await ringUp(register, "UHT-milk");
  const order = panel.getByTestId("panel-order");
  await expect(order.getByRole("rowheader", { name: "Brown Bread" })).toBeVisible();
  await expect(order.getByRole("rowheader", { name: "UHT-milk" })).toBeVisible();

  // Suggestions for those lines: what to ring up, with a reason; "Not now" takes one away.
  const suggestions = panel.getByRole("list", { name: "Suggested add-ons" });
  const suggestion = (index: number) => suggestions.getByRole("listitem").nth(index);
  const titleOf = async (index: number) =>
    (await suggestion(index).locator(".panel-suggestion-title span").first().textContent())!;
  await expect(suggestion(0)).toContainText("Ring up in Square:");
  const declined = await titleOf(0);
  await suggestion(0)
    .getByRole("button", { name: `Not now: ${declined}` })
    .click();
  await expect(suggestions.getByText(declined, { exact: true })).toHaveCount(0);

  // "Rung up": the cashier rings it up on the register, and the suggestions follow the new lines.
  const taken = await titleOf(0);
  await suggestion(0)
    .getByRole("button", { name: `Rung up ${taken}` })
    .click();
  await expect(suggestions.getByText(taken, { exact: true })).toHaveCount(0);
  await ringUp(register, taken);
  await expect(order.getByRole("rowheader", { name: taken })).toBeVisible();
  await expect(suggestion(0)).toContainText("Ring up in Square:");

  // A customer on the order: their tier, points and best offer (Avery is a Gold member).
  await register.getByLabel("Customer").selectOption({ label: "Avery Example" });
  const loyalty = panel.getByTestId("panel-loyalty");
  await expect(loyalty.getByText("Gold", { exact: true })).toBeVisible();
  await expect(loyalty.getByText(/^\d[\d,]* points?$/)).toBeVisible();
  await expect(loyalty.getByText(/^Best offer: .+ \(\$\d+\.\d\d off\)/)).toBeVisible();

  expect(await axeViolations(panel), "axe on the order screen").toEqual([]);
  expect(await smallTargets(panel), "touch targets under 48 px").toEqual([]);
  await shot(panel, "order");
  // The same screen on the tablet held upright.
  await panel.setViewportSize({ width: 800, height: 1280 });
  expect(await smallTargets(panel), "touch targets under 48 px (portrait)").toEqual([]);
  await shot(panel, "order-portrait");
  await panel.setViewportSize({ width: 1280, height: 800 });

  // 30% is over the demo limits (15% / 50.00): a manager approves on the panel's PIN pad.
  const discount = await askForDiscount(panel, "Percent off", "30", "Price match");
  await expect(discount.getByText("Waiting for a manager", { exact: true })).toBeVisible();
  await expect(discount.getByText(/30% off \(.+\) is over the store's percentage limit/)).toBeVisible();
  await expect(discount.getByLabel("Manager", { exact: true })).toHaveValue(/.+/);
  await expect(discount.getByLabel("Manager", { exact: true }).locator("option:checked")).toHaveText(MANAGER);
  await expect(discount.getByLabel("Manager PIN")).toHaveAttribute("type", "password");
  await typePin(panel, "135799");
  await discount.getByRole("button", { name: "Approve" }).click();
  await expect(discount.getByRole("alert")).toHaveText("That PIN was not accepted. Try again.");
  await expect(discount.getByLabel("Manager PIN")).toHaveValue("");
  await expect(register.getByTestId("sim-discount")).toHaveCount(0);
  expect(await axeViolations(panel), "axe with the PIN pad").toEqual([]);
  await shot(panel, "pin-pad");

  await typePin(panel, PIN);
  await discount.getByRole("button", { name: "Approve" }).click();
  await expect(discount.locator(".panel-message-title")).toHaveText("Approved discount added to the order in Square");
  await expect(register.getByTestId("sim-discount")).toHaveCount(1);
  // The panel reads the discount back from the order.
  await expect(order.locator(".panel-totals-discount")).toHaveCount(1);
  await shot(panel, "approved");

  // 0.50 off is under the limits: written at once, no manager.
  await discount.getByRole("button", { name: "Another discount" }).click();
  await askForDiscount(panel, "Amount off (USD)", "0.50", "Damaged item");
  await expect(discount.locator(".panel-message-title")).toHaveText("Discount added to the order in Square");
  await expect(register.getByTestId("sim-discount")).toHaveCount(2);
  await expect(register.getByTestId("sim-discount").last()).toContainText("0.50");
  await expect(order.locator(".panel-totals-discount")).toHaveCount(2);
  await shot(panel, "discounts-written");

  // The sale is completed on the register: the panel has no open order again.
  await register.getByRole("button", { name: "Complete sale" }).click();
  await expect(
    panel.getByText("No open order at this register. Ring up items in Square/Clover and they appear here."),
  ).toBeVisible();
  expect(pageErrors).toEqual([]);
});

test("offline: a plain notice while the store can't be reached, gone when it is back; nothing breaks", async ({
  browser,
  context,
}) => {
  // The register is another device: only the panel's tablet loses its connection.
  const registerDevice = await browser.newContext();
  const register = await registerDevice.newPage();
  const panel = await context.newPage();
  const pageErrors: string[] = [];
  panel.on("pageerror", (error) => pageErrors.push(error.message));
  await register.goto("/preview/square");
  await pair(panel, await issueCode(register));
  await ringUp(register, "Brown Bread");
  await expect(panel.getByTestId("panel-order").getByRole("rowheader", { name: "Brown Bread" })).toBeVisible();

  // The service worker has kept the shell before the connection goes.
  await panel.evaluate(async () => void (await navigator.serviceWorker.ready));
  await context.setOffline(true);
  const notice = panel.getByRole("status").filter({ hasText: OFFLINE_NOTICE });
  await expect(notice).toBeVisible();
  // The last order stays on screen, said to be as of its last check.
  await expect(panel.getByTestId("panel-order").getByRole("rowheader", { name: "Brown Bread" })).toBeVisible();
  await expect(panel.getByText(/not updating while offline/)).toBeVisible();
  await expect(panel.getByRole("button", { name: "Add discount" })).toBeDisabled();
  await shot(panel, "offline");

  // Started again without a connection: the service worker serves the panel's shell.
  await panel.reload();
  await expect(notice).toBeVisible();
  await expect(panel.getByRole("heading", { level: 1, name: "Register Copilot" })).toBeVisible();
  await shot(panel, "offline-start");

  await context.setOffline(false);
  await expect(notice).toHaveCount(0);
  await expect(panel.getByTestId("panel-order").getByRole("rowheader", { name: "Brown Bread" })).toBeVisible();
  await register.getByRole("button", { name: "Complete sale" }).click();
  await registerDevice.close();
  expect(pageErrors).toEqual([]);

  // The service worker kept the shell, and no answer of the API.
  const cached = await panel.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
  });
  expect(cached).toContain("/panel");
  expect(cached.filter((url) => url.startsWith("/api/"))).toEqual([]);
});

test("unpaired in the merchants' console, or with a stored secret the store no longer accepts: back to pairing", async ({
  browser,
  context,
}) => {
  const register = await context.newPage();
  const panel = await context.newPage();
  await register.goto("/preview/square");
  await pair(panel, await issueCode(register), "Till to unpair");

  // Unpaired in the console: the panel's next call is refused and it asks to be paired again.
  // (The console's forms are used without JavaScript: its cookie is scoped to /console, which
  // Remix's /console.data requests do not match.)
  const merchant = await browser.newContext({ javaScriptEnabled: false });
  try {
    const merchantConsole = await merchant.newPage();
    await merchantConsole.goto("/console/sign-in");
    await merchantConsole.getByRole("button", { name: "Open the demo Square seller's console" }).click();
    await merchantConsole.getByRole("button", { name: "Unpair Till to unpair" }).click();
    await expect(merchantConsole.getByText(/^Unpaired\./)).toBeVisible();
  } finally {
    await merchant.close();
  }
  await expect(panel.getByRole("heading", { level: 1, name: "Pair this register" })).toBeVisible();
  await expect(panel.getByRole("status").filter({ hasText: /no longer paired with the store/ })).toBeVisible();
  expect(await panel.evaluate((key) => localStorage.getItem(key), CREDENTIALS_KEY)).toBeNull();
  await shot(panel, "unpaired");

  // Paired again; then a stored secret that no longer matches is refused the same way.
  await pair(panel, await issueCode(register));
  await panel.evaluate((key) => {
    const stored = JSON.parse(localStorage.getItem(key)!);
    localStorage.setItem(key, JSON.stringify({ ...stored, deviceSecret: "x".repeat(43) }));
  }, CREDENTIALS_KEY);
  await panel.reload();
  await expect(panel.getByRole("heading", { level: 1, name: "Pair this register" })).toBeVisible();
  await expect(panel.getByText(/no longer paired with the store/)).toBeVisible();
  expect(await panel.evaluate((key) => localStorage.getItem(key), CREDENTIALS_KEY)).toBeNull();
});

test("a return check: each line's verdict with the rule that decided it, checked again for fewer items", async ({
  context,
}) => {
  // The Square seller's newest seeded order with at least two lines: well inside the 30-day window.
  const [order] = query<{ name: string }>(
    `SELECT o.name FROM "Order" o JOIN "Shop" s ON s.id = o.shopId
      WHERE s.platform = 'square' AND o.name LIKE '#%'
        AND (SELECT COUNT(*) FROM "LineItem" l WHERE l.orderId = o.id) >= 2
      ORDER BY o.processedAt DESC LIMIT 1`,
  );
  const register = await context.newPage();
  const panel = await context.newPage();
  await register.goto("/preview/square");
  await pair(panel, await issueCode(register));

  await panel.getByRole("tab", { name: "Return check" }).click();
  await panel.getByLabel("Order number or receipt").fill(order!.name);
  await panel.getByLabel("Condition").selectOption({ label: "Used" });
  await panel.getByLabel("The customer's words (optional)").fill("Opened it, did not like it");
  await panel.getByRole("button", { name: "Check return" }).click();

  // Used items: store credit at most under the default policy; every line says why.
  const result = panel.getByTestId("panel-return-result");
  await expect(result.locator(".panel-message-title").first()).toHaveText(/^Allowed: store credit \$\d+\.\d\d$/);
  await expect(result).toContainText(`${order!.name} · allowed · refundable`);
  await expect(result.getByText(/within the 30-day return window/).first()).toBeVisible();
  await expect(result.getByText('Condition "used": store credit at most').first()).toBeVisible();
  const lines = result.getByRole("list", { name: "Lines checked" }).locator(":scope > li");
  const checked = await lines.count();
  expect(checked).toBeGreaterThanOrEqual(2);
  expect(await axeViolations(panel), "axe on the return check").toEqual([]);
  await shot(panel, "return-check");

  // One line fewer comes back: checked again for what is left.
  const brought = panel.getByRole("group", { name: `What comes back from ${order!.name}` });
  await brought.getByRole("combobox").first().selectOption("0");
  await panel.getByRole("button", { name: "Check again" }).click();
  await expect(lines).toHaveCount(checked - 1);
});

test("installable: manifest, icon and a service worker scoped to /panel", async ({ request }) => {
  const manifest = await request.get("/panel/manifest.webmanifest");
  expect(manifest.ok()).toBe(true);
  expect(manifest.headers()["content-type"]).toContain("application/manifest+json");
  const body = await manifest.json();
  expect(body).toMatchObject({ name: "Register Copilot panel", start_url: "/panel", display: "standalone" });
  expect(body.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  const icon = await request.get(body.icons[0].src);
  expect(icon.ok()).toBe(true);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");

  const worker = await request.get("/panel/sw.js");
  expect(worker.ok()).toBe(true);
  expect(worker.headers()["content-type"]).toContain("javascript");
  expect(worker.headers()["service-worker-allowed"]).toBe("/panel");
  expect(await worker.text()).toContain('url.pathname.startsWith("/api/")');

  const page = await request.get("/panel");
  const html = await page.text();
  expect(html).toContain('<link rel="manifest" href="/panel/manifest.webmanifest"/>');
  expect(html).toContain('<meta name="theme-color"');
});
