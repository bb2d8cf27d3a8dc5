/**
 * The Lightspeed Retail (X-Series) register extension end to end, loaded unpacked into Debian's
 * Chromium beside a stand-in Web Register served here on 127.0.0.1. The stand-in speaks the
 * documented Client API: it emits `sale:update` through window.postMessage
 * (https://x-series-api.lightspeedhq.com/docs/client_api_sale_hooks) and logs the `add-product`
 * and `add-customer` messages it receives (…/docs/client_api_reference), putting them on its sale
 * as the register would.
 *
 * The demo has no Lightspeed retailer, so the extension is paired with a location of the demo
 * store through its admin's Register panels page (a pairing code works for any platform's
 * location), and the stand-in's sale carries the demo store's variant ids, which is what a
 * Lightspeed product id is in the platform-neutral model. The flow: pair in the options page,
 * a sale change shows suggestions, Add posts `add-product`, the customer's loyalty and Put on
 * sale (`add-customer`), a discount over the limits approved with the demo manager's PIN (Morgan
 * Demo, 246810) and only then shown to key in, an expired token refused by the backend (401) and
 * replaced, and an unpaired register told to pair again. Screenshots: test-results/lightspeed-extension/.
 */
import { createHmac } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import Database from "better-sqlite3";
import { chromium, expect, test, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { buildLightspeedExtension } from "../../scripts/build-lightspeed-extension.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = path.join(ROOT, "test-results/lightspeed-extension");
const EXTENSION_DIR = path.join(ROOT, "test-results/lightspeed-extension/unpacked");
const SERVER_STATE = path.resolve(ROOT, process.env.E2E_STATE_FILE ?? "test-results/e2e-server.json");
const DEMO_SHOP = "demo-register.myshopify.com";
const MANAGER = "Morgan Demo";
const PIN = "246810";
const REGISTER_NAME = "Front counter";
const STORAGE = {
  device: "registerCopilot.device",
  token: "registerCopilot.token",
  refusal: "registerCopilot.lastTokenRefusal",
};

test.describe.configure({ mode: "serial" });
test.setTimeout(90_000);

interface Product {
  id: string;
  title: string;
  priceMinor: number;
}

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

function demoProduct(title: string): Product {
  const [row] = query<Product>(
    `SELECT v.externalId AS id, p.title AS title, v.priceMinor AS priceMinor
       FROM "Variant" v JOIN "Product" p ON p.id = v.productId JOIN "Shop" s ON s.id = v.shopId
      WHERE s.domain = ? AND s.platform = 'shopify' AND lower(p.title) = lower(?)`,
    DEMO_SHOP,
    title,
  );
  if (!row) throw new Error(`no demo product ${title}`);
  return row;
}

/** The e2e server runs with .env.example's demo values; its panel tokens are signed with this. */
function demoSigningSecret(): string {
  const line = fs
    .readFileSync(path.join(ROOT, ".env.example"), "utf8")
    .split(/\r?\n/)
    .find((candidate) => candidate.startsWith("SHOPIFY_API_SECRET="));
  if (!line) throw new Error(".env.example has no SHOPIFY_API_SECRET");
  return line.slice("SHOPIFY_API_SECRET=".length).trim();
}

/** The same token with its expiry moved into the past, signed as the server signs (ADR 0015). */
function expiredCopyOf(token: string): string {
  const [payload] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as { exp: number };
  const expired = Buffer.from(JSON.stringify({ ...claims, exp: Date.now() - 60_000 })).toString("base64url");
  const signature = createHmac("sha256", `panel-token:${demoSigningSecret()}`).update(expired).digest("base64url");
  return `${expired}.${signature}`;
}

// ---------- the stand-in Web Register ----------

/**
 * A page that behaves like the Web Register for the Client API: buttons ring products up and
 * put a customer on the sale; every change emits `sale:update` in the documented shape (the
 * JSON-stringified `{ event_name, data: { sale }, source }`, decimal strings); received methods
 * are logged in "Messages received" and applied to the sale.
 */
function registerPage(products: Product[], customers: Array<{ id: string; name: string }>): string {
  const catalog = JSON.stringify(products);
  const people = JSON.stringify(customers);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sell · Web Register (test stand-in)</title>
<style>
  body { font: 16px/1.4 sans-serif; margin: 24px; max-width: 760px; color: #222; }
  button { font: inherit; min-height: 40px; margin: 4px 4px 4px 0; }
  /* The register's own CSS, which must not reach into the copilot's panel. */
  button, p, li { color: #b00020 !important; letter-spacing: 0.2em; }
  div { border: 3px dashed #b00020; }
</style></head>
<body>
<main>
<h1>Sell</h1>
<p>Stand-in for the Lightspeed Retail Web Register (Client API only).</p>
<h2>Products</h2>
<section id="products" aria-label="Products"></section>
<h2>Customers</h2>
<section id="customers" aria-label="Customers"></section>
<h2>Outlet</h2>
<section aria-label="Outlet">
  <button id="outlet-main">Sell at Main Street</button>
  <button id="outlet-other">Sell at another outlet</button>
</section>
<h2>Sale</h2>
<ul id="lines" aria-label="Sale lines"></ul>
<p>Customer: <span id="customer">none</span></p>
<h2>Messages received</h2>
<ol id="received" aria-label="Messages received"></ol>
</main>
<script>
  const products = ${catalog};
  const customers = ${people};
  const sale = {
    id: "a604d16b-a999-8748-11e6-9a4e7ba6e8d3",
    client_id: "web_register",
    client_sale_id: "a604d16b-a999-8748-11e6-9a4e7ba6e8d3",
    totals: { total_tax: "0.00000", total_price: "0.00000", total_paid: "0.00", total_to_pay: "0.00" },
    line_items: [],
    customer_id: null,
  };
  const post = (message) => window.postMessage(JSON.stringify(message), window.location.origin);
  const decimal = (minor, places) => (minor / 100).toFixed(places);
  function emit() {
    let totalMinor = 0;
    for (const line of sale.line_items) totalMinor += Math.round(Number(line.unit_price) * 100) * Number(line.quantity);
    sale.totals = { total_tax: "0.00000", total_price: decimal(totalMinor, 5), total_paid: "0.00", total_to_pay: decimal(totalMinor, 2) };
    document.getElementById("lines").replaceChildren(...sale.line_items.map((line) => {
      const item = document.createElement("li");
      const product = products.find((p) => p.id === line.product_id);
      item.textContent = line.quantity + " × " + (product ? product.title : line.product_id);
      return item;
    }));
    const customer = customers.find((c) => c.id === sale.customer_id);
    document.getElementById("customer").textContent = customer ? customer.name : (sale.customer_id || "none");
    post({ event_name: "sale:update", data: { sale }, source: "Vend Client API" });
  }
  function ringUp(productId, quantity) {
    const product = products.find((p) => p.id === productId);
    const line = sale.line_items.find((l) => l.product_id === productId);
    if (line) line.quantity = String(Number(line.quantity) + quantity);
    else sale.line_items.push({
      id: "875479a5-d96d-a37f-11ef-" + String(sale.line_items.length).padStart(12, "0"),
      gift_card_number: "",
      tags: [],
      product_id: productId,
      quantity: String(quantity),
      unit_price: product ? decimal(product.priceMinor, 5) : "0.00000",
      unit_tax: "0.00000",
      tax_id: "b1d192bc-f019-11e3-a0f5-b8ca3a64f8f4",
    });
    emit();
  }
  for (const product of products) {
    const button = document.createElement("button");
    button.textContent = "Ring up " + product.title;
    button.onclick = () => ringUp(product.id, 1);
    document.getElementById("products").append(button);
  }
  for (const customer of customers) {
    const button = document.createElement("button");
    button.textContent = "Customer " + customer.name;
    button.onclick = () => { sale.customer_id = customer.id; emit(); };
    document.getElementById("customers").append(button);
  }
  const outlet = (id) => post({ event_name: "outlet:set", data: { outlet_id: id }, source: "Vend Client API" });
  document.getElementById("outlet-main").onclick = () => outlet("70000000001");
  document.getElementById("outlet-other").onclick = () => outlet("0adaafb3-6583-11e5-fb60-d5c48562bd5b");
  window.addEventListener("message", (event) => {
    if (event.origin !== window.location.origin || typeof event.data !== "string") return;
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    if (!message || typeof message.method !== "string") return;
    const item = document.createElement("li");
    item.textContent = event.data;
    document.getElementById("received").append(item);
    if (message.method === "add-product") ringUp(message.params.product_id, Number(message.params.quantity ?? 1));
    if (message.method === "add-customer") { sale.customer_id = message.params.customer_id; emit(); }
  });
  // As the register opens: which register this is, then the (empty) sale.
  post({ event_name: "register:set", data: { register_id: "b1e198a9-f019-11e3-a0f5-b8ca3a64f8f4" }, source: "Vend Client API" });
  emit();
</script>
</body>
</html>`;
}

async function startRegister(html: () => string) {
  const server = http.createServer((request, response) => {
    if (request.url === "/webregister/" || request.url === "/webregister") {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(html());
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---------- the browser with the extension ----------

let context: BrowserContext;
let extensionId: string;
let appUrl: string;
let register: Awaited<ReturnType<typeof startRegister>>;
let userDataDir: string;
let products: { milk: Product; rolls: Product };
/** The device the extension was paired as (other specs share the server's database). */
let pairedDeviceId: string;

test.beforeAll(async () => {
  const { port } = JSON.parse(fs.readFileSync(SERVER_STATE, "utf8")) as { port: number };
  appUrl = `http://127.0.0.1:${port}`;
  products = { milk: demoProduct("whole milk"), rolls: demoProduct("rolls/buns") };
  const catalog = [products.milk, products.rolls, demoProduct("yogurt"), demoProduct("soda")];
  register = await startRegister(() => registerPage(catalog, [{ id: "6000000000001", name: "Avery Example" }]));
  const built = await buildLightspeedExtension({
    appUrl,
    outDir: EXTENSION_DIR,
    testRegisterOrigin: register.origin,
  });
  expect(built.manifest.content_scripts[0].matches).toContain(`${register.origin}/*`);

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-lightspeed-"));
  ({ context, extensionId } = await launchWithExtension(EXTENSION_DIR, userDataDir));
  fs.mkdirSync(SHOTS, { recursive: true });
});

test.afterAll(async () => {
  await context?.close();
  await register?.close();
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

/** Chromium with the unpacked extension loaded, and the extension's id (from its service worker). */
async function launchWithExtension(dir: string, profile: string) {
  const launched = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      `--disable-extensions-except=${dir}`,
      `--load-extension=${dir}`,
    ],
  });
  const worker = launched.serviceWorkers()[0] ?? (await launched.waitForEvent("serviceworker"));
  return { context: launched, extensionId: new URL(worker.url()).host };
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

async function openOptions(browser = context, id = extensionId): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`chrome-extension://${id}/options.html`);
  return page;
}

/** The admin's Register panels page issues a one-time code for a location of the demo store. */
async function pairingCode(location = "Main Street"): Promise<string> {
  const admin = await context.newPage();
  await admin.goto(`${appUrl}/app/registers`);
  await admin.getByLabel("Location").selectOption({ label: location });
  await admin.getByRole("button", { name: "Get a pairing code" }).click();
  const banner = admin.getByText(/^Pairing code: [A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await expect(banner).toBeVisible();
  const code = /([A-Z0-9]{4}-[A-Z0-9]{4})/.exec((await banner.textContent())!)![1]!;
  await admin.close();
  return code;
}

async function openRegister(browser = context): Promise<{ page: Page; panel: Locator; received: Locator }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${register.origin}/webregister/`);
  const panel = page.getByRole("complementary", { name: "Register Copilot" });
  await expect(panel).toBeVisible();
  return { page, panel, received: page.getByRole("list", { name: "Messages received" }) };
}

/** What the extension keeps in one of its storage areas, read from its own page. */
async function extensionStorage(area: "local" | "session", key: string): Promise<unknown> {
  const page = await openOptions();
  const value = await page.evaluate(
    async ([areaName, name]) => {
      const storage = (globalThis as unknown as { chrome: { storage: Record<string, StorageAreaInPage> } }).chrome
        .storage[areaName]!;
      return (await storage.get(name))[name] ?? null;
    },
    [area, key] as const,
  );
  await page.close();
  return value;
}

/** chrome.storage's areas as the extension's own page sees them (the spec has no chrome types). */
interface StorageAreaInPage {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

/** Controls smaller than a fingertip (48 px) in the panel's shadow root; a radio's target is its label. */
function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const root = document.querySelector("register-copilot-panel")?.shadowRoot;
    if (!root) return ["no panel"];
    return [
      ...root.querySelectorAll("button, select, input:not([type=radio]), summary, label:has(> input[type=radio])"),
    ]
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && (box.height < 48 || box.width < 48);
      })
      .map((element) => element.outerHTML.slice(0, 100));
  });
}

async function axeViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).include("register-copilot-panel").analyze();
  return violations.map(
    (violation) =>
      `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
  );
}

// ---------- the tests ----------

test("before pairing, the panel says so plainly and opens the pairing page; a wrong code is refused", async () => {
  const { page, panel } = await openRegister();
  await expect(panel.getByText("This register is not paired with Register Copilot.")).toBeVisible();
  await expect(panel.getByRole("button", { name: "Pair this register" })).toBeVisible();
  expect(await axeViolations(page), "axe on the not-paired panel").toEqual([]);
  await shot(page, "not-paired");
  const [options] = await Promise.all([
    context.waitForEvent("page", (candidate) => candidate.url().startsWith(`chrome-extension://${extensionId}/`)),
    panel.getByRole("button", { name: "Pair this register" }).click(),
  ]);
  await expect(options.getByRole("heading", { name: "Pair this register" })).toBeVisible();

  await options.getByLabel("Pairing code").fill("zzzz2345");
  await expect(options.getByLabel("Pairing code")).toHaveValue("ZZZZ-2345");
  await options.getByRole("button", { name: "Pair this register" }).click();
  await expect(options.getByRole("alert")).toHaveText(
    "That code is unknown, already used or expired. Get a new code and type it here.",
  );
  expect(await extensionStorage("local", STORAGE.device)).toBeNull();
  await options.close();
  await page.close();
});

test("pairing with a one-time code keeps only the device's credentials in the extension", async () => {
  // The register is open, unpaired, while the store's admin gets a code and it is typed in.
  const { page, panel } = await openRegister();
  await expect(panel.getByText("This register is not paired with Register Copilot.")).toBeVisible();
  const code = await pairingCode();
  const options = await openOptions();
  await options.getByLabel("Pairing code").fill(code.toLowerCase().replace("-", " "));
  await options.getByLabel("Name of this register").fill(REGISTER_NAME);
  await options.getByRole("button", { name: "Pair this register" }).click();
  await expect(options.getByTestId("paired-with")).toHaveText(
    `Paired as “${REGISTER_NAME}” with Register Copilot Demo Grocery · Main Street.`,
  );
  await shot(options, "options-paired");

  const device = (await extensionStorage("local", STORAGE.device)) as Record<string, string>;
  expect(Object.keys(device).sort()).toEqual([
    "deviceId",
    "deviceName",
    "deviceSecret",
    "location",
    "pairedAt",
    "shopId",
  ]);
  expect(device.location).toBe("70000000001");
  pairedDeviceId = device.deviceId!;
  const [row] = query<{ name: string; revokedAt: string | null }>(
    `SELECT name, revokedAt FROM "RegisterDevice" WHERE id = ?`,
    device.deviceId,
  );
  expect(row).toEqual({ name: REGISTER_NAME, revokedAt: null });
  await options.close();

  // Back at the register, the next sale change finds the pairing: no reload needed.
  await page.getByRole("button", { name: `Ring up ${products.milk.title}` }).click();
  await expect(panel.getByText("Register Copilot Demo Grocery · Main Street")).toBeVisible();
  await expect(panel.getByRole("list", { name: "Suggested add-ons" })).toBeVisible();
  await page.close();
});

test("a sale change shows suggestions; Add posts add-product with the product's id and quantity 1", async () => {
  const { page, panel, received } = await openRegister();
  await expect(panel.getByText("Register Copilot Demo Grocery · Main Street")).toBeVisible();
  await expect(panel.getByText("Ring up items and suggestions for the sale appear here.")).toBeVisible();

  await page.getByRole("button", { name: `Ring up ${products.milk.title}` }).click();
  await page.getByRole("button", { name: `Ring up ${products.rolls.title}` }).click();
  const suggestions = panel.getByRole("list", { name: "Suggested add-ons" });
  await expect(suggestions.getByRole("listitem").first()).toBeVisible();
  const count = await suggestions.getByRole("listitem").count();
  expect(count).toBeGreaterThanOrEqual(1);
  expect(count).toBeLessThanOrEqual(3);
  const titles = (await suggestions.locator(".rc-item-title").allTextContents()).map((title) => title.trim());
  expect(titles).not.toContain(products.milk.title);
  expect(titles).not.toContain(products.rolls.title);
  await expect(suggestions.locator(".rc-item-reason").first()).toHaveText(/^\$\d+\.\d\d · .{10,}/);
  expect(await axeViolations(page), "axe on the panel with suggestions").toEqual([]);
  expect(await smallTargets(page), "touch targets under 48 px").toEqual([]);
  await shot(page, "suggestions");

  const suggested = titles[0]!;
  const variant = query<{ id: string }>(
    `SELECT v.externalId AS id FROM "Variant" v JOIN "Product" p ON p.id = v.productId JOIN "Shop" s ON s.id = v.shopId
      WHERE s.domain = ? AND s.platform = 'shopify' AND p.title = ?`,
    DEMO_SHOP,
    suggested,
  )[0]!.id;
  const addedEvents = () =>
    query<{ count: number }>(
      `SELECT count(*) AS count FROM "SuggestionEvent" WHERE variantExternalId = ? AND kind = 'added'`,
      variant,
    )[0]!.count;
  const addedBefore = addedEvents();
  await expect(received.getByRole("listitem")).toHaveCount(0);
  await suggestions.getByRole("button", { name: `Add ${suggested}` }).click();

  // The register received exactly the documented message, and put the product on its sale.
  await expect(received.getByRole("listitem")).toHaveCount(1);
  const message = JSON.parse((await received.getByRole("listitem").first().textContent())!);
  expect(message).toEqual({ method: "add-product", params: { product_id: variant, quantity: 1 } });
  await expect(page.getByRole("list", { name: "Sale lines" }).getByRole("listitem")).toHaveCount(3);
  await expect(panel.getByRole("status").filter({ hasText: `Added ${suggested} to the sale` })).toHaveCount(1);
  // The suggestions follow the new sale: the added product is not offered again.
  await expect(suggestions.locator(".rc-item-title", { hasText: suggested })).toHaveCount(0);
  await expect(suggestions.getByRole("button", { name: /^Add / }).first()).toBeVisible();
  // The merchant's report learns of it: an `added` event for that product.
  await expect.poll(addedEvents).toBe(addedBefore + 1);
  await shot(page, "added");
  await page.close();
});

test("the customer's loyalty offer; a customer found on the panel is put on the sale with add-customer", async () => {
  const { page, panel, received } = await openRegister();
  await page.getByRole("button", { name: `Ring up ${products.milk.title}` }).click();
  await panel.getByText("No customer on this sale. Find one").click();
  const customer = panel.getByRole("search", { name: "Find a customer" });
  await customer.getByLabel("Name, email or phone").fill("Avery");
  await customer.getByRole("button", { name: "Search" }).click();
  await customer.getByRole("button", { name: "Put Avery Example on the sale" }).click();

  await expect(received.getByRole("listitem")).toHaveCount(1);
  expect(JSON.parse((await received.getByRole("listitem").first().textContent())!)).toEqual({
    method: "add-customer",
    params: { customer_id: "6000000000001" },
  });
  await expect(page.locator("#customer")).toHaveText("Avery Example");
  const loyalty = panel.getByTestId("rc-loyalty");
  await expect(loyalty.getByText(/^\d[\d,]* points?$/)).toBeVisible();
  await expect(loyalty).toContainText(/Gold|Silver|Bronze|Member/);
  await shot(page, "loyalty");
  await page.close();
});

test("a discount over the limits waits for a manager's PIN and only then is shown to key in", async () => {
  const { page, panel } = await openRegister();
  await page.getByRole("button", { name: `Ring up ${products.milk.title}` }).click();
  await page.getByRole("button", { name: `Ring up ${products.rolls.title}` }).click();
  const discount = panel.getByTestId("rc-discount");
  await discount.locator("summary").click();
  await expect(discount.getByText(/^Up to \d+% or \$\d+\.\d\d without a manager\.$/)).toBeVisible();

  await discount.getByRole("radio", { name: "Percent off" }).check();
  await discount.getByLabel("Percent off the sale").fill("30");
  await discount.getByLabel("Reason").selectOption({ label: "Price match" });
  await discount.getByRole("button", { name: "Ask for discount" }).click();

  await expect(discount.getByText("Waiting for a manager", { exact: true })).toBeVisible();
  await expect(discount.locator("summary")).toHaveText("Discountwaiting for a manager");
  await expect(discount.getByText(/30% off \(\$\d+\.\d\d\) is over the store's percentage limit/)).toBeVisible();
  // Nothing to key in while it waits.
  await expect(panel.getByTestId("rc-key-in")).toHaveCount(0);
  await expect(discount.getByLabel("Manager", { exact: true }).locator("option:checked")).toHaveText(MANAGER);
  await expect(discount.getByLabel("Manager PIN")).toHaveAttribute("type", "password");
  await discount.getByLabel("Manager PIN").fill("135799");
  await discount.getByRole("button", { name: "Approve" }).click();
  await expect(discount.getByRole("alert")).toHaveText("That PIN was not accepted. Try again.");
  await expect(panel.getByTestId("rc-key-in")).toHaveCount(0);
  expect(await axeViolations(page), "axe with the manager's PIN").toEqual([]);
  expect(await smallTargets(page), "touch targets under 48 px (PIN)").toEqual([]);
  await shot(page, "waiting-for-manager");

  await discount.getByLabel("Manager PIN").fill(PIN);
  await discount.getByRole("button", { name: "Approve" }).click();
  const keyIn = panel.getByTestId("rc-key-in");
  await expect(keyIn).toContainText("Approved by a manager: key it in now");
  await expect(keyIn.locator(".rc-keyin-value")).toHaveText("30% off");
  await expect(keyIn).toContainText(/Key in 30% as the sale's discount on the register \(\$\d+\.\d\d off this sale\)/);
  // Approved and redeemed once, bound to this sale's lines.
  const requests = query<{ status: string; discountValue: number; locationExternalId: string }>(
    `SELECT status, discountValue, locationExternalId FROM "ApprovalRequest" WHERE deviceId = ?`,
    `panel:${pairedDeviceId}`,
  );
  expect(requests).toEqual([{ status: "redeemed", discountValue: 30, locationExternalId: "70000000001" }]);
  await shot(page, "approved-key-in");
  await page.close();
});

test("a return check gives the policy's verdict for an order, in the cashier's words", async () => {
  const [order] = query<{ name: string }>(
    `SELECT o.name FROM "Order" o JOIN "Shop" s ON s.id = o.shopId
      WHERE s.domain = ? AND s.platform = 'shopify' AND o.locationExternalId = '70000000001'
      ORDER BY o.processedAt DESC LIMIT 1`,
    DEMO_SHOP,
  );
  const { page, panel } = await openRegister();
  await panel.locator("summary", { hasText: "Return check" }).click();
  const form = panel.getByRole("form", { name: "Check a return" });
  await form.getByLabel("Order or receipt number").fill(order!.name);
  await form.getByLabel("Reason").selectOption({ label: "Changed mind" });
  await form.getByRole("button", { name: "Check return" }).click();
  const verdict = panel.getByTestId("rc-return-verdict");
  await expect(verdict.locator("strong")).toHaveText(
    /^(Allowed: refund \$\d+\.\d\d|Allowed: store credit \$\d+\.\d\d|Allowed: exchange only|Needs a manager's approval|Refused: this return is not allowed)$/,
  );
  await expect(verdict.getByRole("list", { name: "Lines checked" }).getByRole("listitem").first()).toBeVisible();
  await verdict.scrollIntoViewIfNeeded();
  await shot(page, "return-check");
  await page.close();
});

test("the cashier can move the panel to the other side of the register, and it stays there", async () => {
  const first = await openRegister();
  const left = (await first.panel.boundingBox())!;
  expect(left.x + left.width).toBeGreaterThan(1200);
  await first.panel.getByRole("button", { name: "Move left the copilot" }).click();
  await expect.poll(async () => (await first.panel.boundingBox())!.x).toBeLessThan(40);
  await first.page.close();

  const again = await openRegister();
  await expect.poll(async () => (await again.panel.boundingBox())!.x).toBeLessThan(40);
  await again.panel.getByRole("button", { name: "Move right the copilot" }).click();
  await expect.poll(async () => (await again.panel.boundingBox())!.x).toBeGreaterThan(800);
  await again.panel.getByRole("button", { name: "Hide copilot" }).click();
  await expect(again.panel.getByRole("button", { name: "Show copilot" })).toHaveAttribute("aria-expanded", "false");
  await expect(again.panel.getByRole("heading", { name: "Suggestions" })).toBeHidden();
  await shot(again.page, "hidden");
  await again.page.close();
});

test("a register selling at another outlet than the one it was paired with offers nothing and says why", async () => {
  const { page, panel } = await openRegister();
  await page.getByRole("button", { name: `Ring up ${products.milk.title}` }).click();
  await expect(panel.getByRole("list", { name: "Suggested add-ons" })).toBeVisible();
  await page.getByRole("button", { name: "Sell at another outlet" }).click();
  await expect(
    panel.getByText(
      "This register is paired with Main Street, but the Web Register is selling at another outlet. Pair it again with a code for this outlet.",
    ),
  ).toBeVisible();
  await expect(panel.getByRole("list", { name: "Suggested add-ons" })).toHaveCount(0);
  await expect(panel.getByTestId("rc-discount")).toHaveCount(0);
  await shot(page, "other-outlet");
  await page.getByRole("button", { name: "Sell at Main Street" }).click();
  await expect(panel.getByRole("list", { name: "Suggested add-ons" })).toBeVisible();
  await page.close();
});

test("an expired token is refused by the backend (401) and replaced; an unpaired register is told to pair again", async () => {
  const { page, panel } = await openRegister();
  await page.getByRole("button", { name: `Ring up ${products.milk.title}` }).click();
  const suggestions = panel.getByRole("list", { name: "Suggested add-ons" });
  // Rolls go with milk in the demo's baskets: suggested until they are on the sale.
  const addRolls = suggestions.getByRole("button", { name: `Add ${products.rolls.title}` });
  await expect(addRolls).toBeVisible();

  // The worker holds a token the backend will find expired (as after a laptop's sleep or a
  // clock that is off): its own note says it is good for ten more minutes.
  const held = (await extensionStorage("session", STORAGE.token)) as { token: string; expiresAt: number };
  const expired = expiredCopyOf(held.token);
  const options = await openOptions();
  await options.evaluate(
    async ([key, value]) => {
      const storage = (globalThis as unknown as { chrome: { storage: { session: StorageAreaInPage } } }).chrome.storage
        .session;
      await storage.set({ [key]: value });
    },
    [STORAGE.token, { token: expired, expiresAt: Date.now() + 10 * 60_000 }] as const,
  );

  await page.getByRole("button", { name: `Ring up ${products.rolls.title}` }).click();
  // The backend refused it, the worker traded the device secret for a new one and asked again,
  // and the panel carried on: suggestions for the new sale (rolls no longer offered), no notice.
  await expect
    .poll(() => extensionStorage("session", STORAGE.refusal))
    .toMatchObject({
      status: 401,
      code: "invalid_token",
      message: "expired; get a new token",
    });
  await expect(addRolls).toHaveCount(0);
  await expect(suggestions.getByRole("listitem").first()).toBeVisible();
  await expect(panel.getByText("This register is not paired with Register Copilot.")).toHaveCount(0);
  const renewed = (await extensionStorage("session", STORAGE.token)) as { token: string };
  expect(renewed.token).not.toBe(expired);
  expect(renewed.token).not.toBe(held.token);
  await options.reload();
  await expect(options.getByTestId("last-refusal")).toContainText("HTTP 401 invalid_token (expired; get a new token)");
  await shot(options, "options-token-refused");

  // The store unpairs this register: its token stops working and no new one is given.
  const admin = await context.newPage();
  await admin.goto(`${appUrl}/app/registers`);
  await admin.getByRole("button", { name: `Unpair ${REGISTER_NAME}` }).click();
  await expect(admin.getByRole("button", { name: `Unpair ${REGISTER_NAME}` })).toHaveCount(0);
  await admin.close();

  await page.getByRole("button", { name: `Ring up ${products.milk.title}` }).click();
  await expect(
    panel.getByText("This register was unpaired, or its pairing is no longer valid. Pair it again."),
  ).toBeVisible();
  await expect(panel.getByRole("button", { name: "Pair this register" })).toBeVisible();
  await expect(panel.getByRole("list", { name: "Suggested add-ons" })).toHaveCount(0);
  expect(await extensionStorage("local", STORAGE.device)).toBeNull();
  await shot(page, "unpaired");

  await options.reload();
  await expect(options.getByRole("heading", { name: "Pair this register" })).toBeVisible();
  await expect(
    options.getByText("This register was unpaired, or its pairing is no longer valid. Pair it again."),
  ).toBeVisible();
  await options.close();
  await page.close();
});

test("with the backend out of reach, a paired register's panel says so plainly", async () => {
  // A port nothing listens on: the backend is down (or the register's network is).
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const dir = path.join(ROOT, "test-results/lightspeed-extension/unpacked-unreachable");
  await buildLightspeedExtension({
    appUrl: `http://127.0.0.1:${port}`,
    outDir: dir,
    testRegisterOrigin: register.origin,
  });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "rc-lightspeed-offline-"));
  const offline = await launchWithExtension(dir, profile);
  try {
    // Paired earlier: the credentials as pairing leaves them.
    const options = await openOptions(offline.context, offline.extensionId);
    await options.evaluate(
      async ([key, value]) => {
        const storage = (globalThis as unknown as { chrome: { storage: { local: StorageAreaInPage } } }).chrome.storage
          .local;
        await storage.set({ [key]: value });
      },
      [
        STORAGE.device,
        {
          deviceId: "cm0000000000000000000dev",
          deviceSecret: "s".repeat(43),
          deviceName: REGISTER_NAME,
          shopId: "cm0000000000000000000shop",
          location: "70000000001",
          pairedAt: new Date().toISOString(),
        },
      ] as const,
    );
    await options.close();

    const { page, panel } = await openRegister(offline.context);
    await expect(
      panel.getByText("Can't reach Register Copilot. Suggestions and approvals come back when the connection does."),
    ).toBeVisible();
    await expect(panel.getByRole("button", { name: "Try again" })).toBeVisible();
    await page.getByRole("button", { name: `Ring up ${products.milk.title}` }).click();
    await expect(panel.getByRole("list", { name: "Suggested add-ons" })).toHaveCount(0);
    expect(await axeViolations(page), "axe on the unreachable notice").toEqual([]);
    await shot(page, "unreachable");
  } finally {
    await offline.context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
