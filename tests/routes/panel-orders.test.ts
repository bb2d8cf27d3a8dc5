/**
 * The companion register panel of Square and Clover stores, through the real routes: a panel
 * paired with a location reads that location's open orders from the POS, asks for discounts
 * through the same register API as the Shopify POS extension (with its panel token), and writes
 * a discount the approval rules allowed back onto the order. Square goes through the `square`
 * SDK and Clover through its REST client; only their HTTP is mocked (msw), by small stateful
 * fakes that answer in the shapes the platforms document: Square's SearchOrders, RetrieveOrder
 * and UpdateOrder (snake_case JSON, optimistic `version`, `idempotency_key`), Clover's
 * GET /v3/merchants/{mId}/orders?filter=state=open, GET …/orders/{orderId} and
 * POST …/orders/{orderId}/discounts ({ name, amount } in negative cents).
 */
import { createHash, randomBytes } from "node:crypto";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cartOfOrder, type PanelOrder } from "../../shared/panel-contract";
import { posPost, type RouteFunction } from "../support/pos";

// The platforms' settings before any app module reads the environment.
process.env.SQUARE_APPLICATION_ID = "sandbox-sq0idb-register-copilot";
process.env.SQUARE_APPLICATION_SECRET = "sandbox-sq0csb-not-a-real-secret";
process.env.SQUARE_ENVIRONMENT = "sandbox";
process.env.CLOVER_APP_ID = "RKWZ4N3XQ1T8A";
process.env.CLOVER_APP_SECRET = "clover-app-secret-not-real-0123";
process.env.CLOVER_ENVIRONMENT = "sandbox";
process.env.TOKEN_ENCRYPTION_KEY = randomBytes(32).toString("base64");

const SQUARE = "https://connect.squareupsandbox.com";
const CLOVER = "https://apisandbox.dev.clover.com";

// ---------- the platforms, faked over HTTP ----------

interface Recorded {
  method: string;
  path: string;
  url: URL;
  auth: string | null;
  body: Record<string, unknown> | null;
}

let recorded: Recorded[] = [];

async function record(request: Request): Promise<Recorded> {
  const url = new URL(request.url);
  const text = request.method === "GET" ? "" : await request.clone().text();
  const entry = {
    method: request.method,
    path: url.pathname,
    url,
    auth: request.headers.get("Authorization"),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
  recorded.push(entry);
  return entry;
}

const calls = (method: string, pathStart: string) =>
  recorded.filter((r) => r.method === method && r.path.startsWith(pathStart));

interface Money {
  amount: number;
  currency: string;
}
interface SquareLine {
  uid: string;
  catalog_object_id: string;
  name: string;
  variation_name: string;
  quantity: string;
  item_type: "ITEM";
  base_price_money: Money;
  gross_sales_money: Money;
  total_discount_money: Money;
  total_money: Money;
  applied_discounts?: Array<{ uid: string; discount_uid: string; applied_money: Money }>;
}
interface SquareDiscount {
  uid: string;
  name: string;
  type: string;
  scope: "ORDER" | "LINE_ITEM";
  amount_money?: Money;
  percentage?: string;
  applied_money: Money;
}
interface SquareOrder {
  id: string;
  location_id: string;
  state: "OPEN" | "COMPLETED";
  version: number;
  created_at: string;
  updated_at: string;
  customer_id?: string;
  line_items: SquareLine[];
  discounts: SquareDiscount[];
  total_money: Money;
  total_discount_money: Money;
}

/** Square's side: its orders, the idempotency keys it has seen, and a fault to inject into UpdateOrder. */
const square = {
  orders: new Map<string, SquareOrder>(),
  keys: new Set<string>(),
  updateFault: null as null | ((orderId: string, body: Record<string, unknown>) => Response | null),
};

/** While set, the POS holds its answer to a discount write (Square's UpdateOrder, Clover's POST). */
let posWritesHeld: Promise<void> | null = null;

/** Holds the POS's discount writes until the returned function is called. */
function holdPosWrites(): () => void {
  let release!: () => void;
  posWritesHeld = new Promise((resolve) => (release = resolve));
  return () => {
    posWritesHeld = null;
    release();
  };
}

function squareErrors(status: number, category: string, code: string, detail: string, field?: string) {
  return HttpResponse.json({ errors: [{ category, code, detail, ...(field ? { field } : {}) }] }, { status });
}

/**
 * Totals as Square keeps them: a line's own (LINE_ITEM) discounts plus its share of every ORDER
 * discount, spread by the lines' amounts, the last line taking the rounding.
 */
function withSquareTotals(order: SquareOrder): SquareOrder {
  const money = (amount: number): Money => ({ amount, currency: order.total_money.currency });
  const gross = order.line_items.map((line) => line.base_price_money.amount * Number(line.quantity));
  const own = order.line_items.map((line) =>
    (line.applied_discounts ?? []).reduce((sum, applied) => sum + applied.applied_money.amount, 0),
  );
  const base = gross.map((value, i) => value - own[i]!);
  const baseTotal = base.reduce((sum, value) => sum + value, 0);
  const orderWide = order.discounts
    .filter((discount) => discount.scope === "ORDER")
    .reduce((sum, discount) => sum + discount.applied_money.amount, 0);
  let spread = 0;
  const lines = order.line_items.map((line, i) => {
    const share =
      i === order.line_items.length - 1 ? orderWide - spread : Math.floor((orderWide * base[i]!) / (baseTotal || 1));
    spread += share;
    return {
      ...line,
      gross_sales_money: money(gross[i]!),
      total_discount_money: money(own[i]! + share),
      total_money: money(gross[i]! - own[i]! - share),
    };
  });
  const discountTotal = lines.reduce((sum, line) => sum + line.total_discount_money.amount, 0);
  return {
    ...order,
    line_items: lines,
    total_discount_money: money(discountTotal),
    total_money: money(gross.reduce((sum, value) => sum + value, 0) - discountTotal),
  };
}

/** UpdateOrder as Square documents it: the current version is required; a repeated key changes nothing. */
function squareUpdate(orderId: string, body: Record<string, unknown>): Response {
  const order = square.orders.get(orderId);
  if (!order) return squareErrors(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", `Order ${orderId} not found.`);
  const key = body.idempotency_key as string | undefined;
  if (key && square.keys.has(key)) return HttpResponse.json({ order });
  const sparse = body.order as { version?: number; discounts?: SquareDiscount[] };
  if (sparse.version !== order.version) {
    return squareErrors(
      400,
      "INVALID_REQUEST_ERROR",
      "VERSION_MISMATCH",
      `Supplied version ${sparse.version} does not match the current version ${order.version} of order ${orderId}.`,
      "order.version",
    );
  }
  if (key) square.keys.add(key);
  const added = (sparse.discounts ?? []).map((discount) => ({ ...discount, applied_money: discount.amount_money! }));
  const updated = withSquareTotals({
    ...order,
    discounts: [...order.discounts, ...added],
    version: order.version + 1,
    updated_at: new Date().toISOString(),
  });
  square.orders.set(orderId, updated);
  return HttpResponse.json({ order: updated });
}

interface CloverOrder {
  merchantId: string;
  body: {
    href: string;
    id: string;
    currency: string;
    total: number;
    paymentState: string;
    state: string;
    title: string;
    testMode: boolean;
    createdTime: number;
    modifiedTime: number;
    lineItems: { elements: Array<Record<string, unknown>> };
    discounts: { elements: Array<{ id: string; name: string; amount: number }> };
  };
}

/** Clover's side: its orders, and a fault to inject into the discount POST. */
const clover = {
  orders: new Map<string, CloverOrder>(),
  postFault: null as null | (() => Response),
};

/** The seller's Square Loyalty program and accounts (snake_case, as Square's REST API sends them). */
const squareLoyalty = {
  program: null as null | Record<string, unknown>,
  accounts: [] as Array<Record<string, unknown>>,
};

const server = setupServer(
  http.get(`${SQUARE}/v2/loyalty/programs/:programId`, async ({ request, params }) => {
    await record(request);
    if (params.programId !== "main" || !squareLoyalty.program) {
      return squareErrors(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", "Merchant does not have a loyalty program.");
    }
    return HttpResponse.json({ program: squareLoyalty.program });
  }),
  http.post(`${SQUARE}/v2/loyalty/accounts/search`, async ({ request }) => {
    const body = (await record(request)).body as { query?: { customer_ids?: string[] } };
    const wanted = body.query?.customer_ids ?? [];
    const found = squareLoyalty.accounts.filter((account) => wanted.includes(account.customer_id as string));
    return HttpResponse.json(found.length ? { loyalty_accounts: found } : {});
  }),
  http.post(`${SQUARE}/v2/orders/search`, async ({ request }) => {
    const body = (await record(request)).body as {
      location_ids?: string[];
      limit?: number;
      query?: { filter?: { state_filter?: { states?: string[] } } };
    };
    const states = body.query?.filter?.state_filter?.states;
    const orders = [...square.orders.values()]
      .filter((order) => (body.location_ids ?? []).includes(order.location_id))
      .filter((order) => !states || states.includes(order.state))
      .sort((a, b) => b.updated_at.localeCompare(a.updated_at))
      .slice(0, body.limit ?? 500);
    return HttpResponse.json(orders.length ? { orders } : {});
  }),
  http.get(`${SQUARE}/v2/orders/:orderId`, async ({ request, params }) => {
    await record(request);
    const order = square.orders.get(String(params.orderId));
    return order
      ? HttpResponse.json({ order })
      : squareErrors(404, "INVALID_REQUEST_ERROR", "NOT_FOUND", `Order ${String(params.orderId)} not found.`);
  }),
  http.put(`${SQUARE}/v2/orders/:orderId`, async ({ request, params }) => {
    const body = (await record(request)).body ?? {};
    await posWritesHeld;
    return square.updateFault?.(String(params.orderId), body) ?? squareUpdate(String(params.orderId), body);
  }),
  http.get(`${CLOVER}/v3/merchants/:mId/orders`, async ({ request, params }) => {
    const { url } = await record(request);
    const filters = url.searchParams.getAll("filter");
    const limit = Number(url.searchParams.get("limit") ?? "100");
    const elements = [...clover.orders.values()]
      .filter((order) => order.merchantId === params.mId)
      .filter((order) => !filters.includes("state=open") || order.body.state === "open")
      .sort((a, b) => b.body.modifiedTime - a.body.modifiedTime)
      .slice(0, limit)
      .map((order) => order.body);
    return HttpResponse.json({ elements, href: url.href });
  }),
  http.get(`${CLOVER}/v3/merchants/:mId/orders/:orderId`, async ({ request, params }) => {
    await record(request);
    const order = clover.orders.get(String(params.orderId));
    if (!order || order.merchantId !== params.mId) return HttpResponse.json({ message: "Not Found" }, { status: 404 });
    return HttpResponse.json(order.body);
  }),
  http.post(`${CLOVER}/v3/merchants/:mId/orders/:orderId/discounts`, async ({ request, params }) => {
    const body = (await record(request)).body as { name: string; amount: number };
    await posWritesHeld;
    if (clover.postFault) return clover.postFault();
    const order = clover.orders.get(String(params.orderId));
    if (!order || order.merchantId !== params.mId) return HttpResponse.json({ message: "Not Found" }, { status: 404 });
    const discount = { id: `DSC${String(order.body.discounts.elements.length + 1).padStart(10, "0")}`, ...body };
    order.body.discounts.elements.push(discount);
    order.body.total += body.amount;
    order.body.modifiedTime = Date.now();
    return HttpResponse.json({ ...discount, orderRef: { id: order.body.id } });
  }),
);
// msw patches fetch before the app (and the Square SDK) load.
server.listen({ onUnhandledRequest: "error" });

const { getDb } = await import("~/db.server");
const { loader: ordersLoader } = await import("~/routes/api.panel.orders");
const { loader: posLoyaltyLoader } = await import("~/routes/api.panel.pos-loyalty.$customerId");
const { action: discountAction } = await import("~/routes/api.panel.orders.$orderId.discount");
const { action: pairAction } = await import("~/routes/api.panel.pair");
const { action: tokenAction } = await import("~/routes/api.panel.token");
const { action: suggestionsAction } = await import("~/routes/api.pos.suggestions");
const { action: eventsAction } = await import("~/routes/api.pos.events");
const { action: approvalsAction } = await import("~/routes/api.pos.approvals");
const { action: decisionAction } = await import("~/routes/api.pos.approvals.$id.decision");
const { action: collectAction } = await import("~/routes/api.pos.approvals.$id.token");
const { issuePairingCode, panelAccessToken } = await import("~/services/pairing.server");
const { sealSecret, secretKey } = await import("~/services/secret-box.server");
const { hashPin } = await import("~/services/pin-hash.server");
const { upsertOrder } = await import("~/services/store.server");
const { trainShopModel } = await import("~/services/suggestions.server");
const { ringUp, completeSale, currentOpenOrder } = await import("~/preview/square-register.server");

const db = getDb();
const KEY = secretKey(process.env.TOKEN_ENCRYPTION_KEY!);
const APP = "https://my-test-app.myshopify.io";
const DAY = 24 * 60 * 60 * 1000;
const PIN = "246810";

beforeEach(() => {
  recorded = [];
  square.orders.clear();
  square.updateFault = null;
  clover.orders.clear();
  clover.postFault = null;
  posWritesHeld = null;
});
afterAll(() => server.close());

// ---------- the app's side: shops, catalogs, panels ----------

interface Answer {
  [field: string]: unknown;
  error?: { code: string; message: string };
}

async function call(route: RouteFunction, request: Request, params: Record<string, string> = {}) {
  const response = await route({ request, params, context: {} });
  return { status: response.status, body: (await response.json()) as Answer };
}

function jsonRequest(
  path: string,
  options: { bearer?: string | null; body?: unknown; raw?: string; method?: string; headers?: Record<string, string> },
) {
  const headers = new Headers(options.headers);
  if (options.bearer) headers.set("Authorization", `Bearer ${options.bearer}`);
  const hasBody = options.body !== undefined || options.raw !== undefined;
  if (hasBody) headers.set("Content-Type", "application/json");
  return new Request(`${APP}${path}`, {
    method: options.method ?? (hasBody ? "POST" : "GET"),
    headers,
    body: hasBody ? (options.raw ?? JSON.stringify(options.body)) : undefined,
  });
}

interface Panel {
  deviceId: string;
  /** The device secret pairing gave it, traded for tokens. */
  secret: string;
  token: string;
}

let pairSeq = 0;
/** A panel paired through the real routes: a code issued for `location`, redeemed once, a token fetched. */
async function pairPanel(shopId: string, location: string, name: string): Promise<Panel> {
  const { code } = await issuePairingCode(
    db,
    { id: shopId, locations: [{ externalId: location }] },
    location,
    "admin:test",
    new Date(),
  );
  // Each pairing from its own address, so the per-client attempt limit never counts them together.
  const headers = { "X-Forwarded-For": `198.51.100.${++pairSeq}` };
  const paired = await call(pairAction, jsonRequest("/api/panel/pair", { body: { code, deviceName: name }, headers }));
  expect(paired).toMatchObject({ status: 200, body: { shopId, location } });
  const issued = await call(
    tokenAction,
    jsonRequest("/api/panel/token", { body: { deviceId: paired.body.deviceId, secret: paired.body.deviceSecret } }),
  );
  expect(issued.status).toBe(200);
  return {
    deviceId: paired.body.deviceId as string,
    secret: paired.body.deviceSecret as string,
    token: issued.body.token as string,
  };
}

const openOrders = (panel: Pick<Panel, "token"> | null) =>
  call(ordersLoader, jsonRequest("/api/panel/orders", { bearer: panel?.token ?? null }));

const writeBack = (panel: Panel, orderId: string, body: unknown) =>
  call(discountAction, jsonRequest(`/api/panel/orders/${orderId}/discount`, { bearer: panel.token, body }), {
    orderId,
  });

/**
 * Two taps of "apply" at once, the POS holding its answer to the write: one tap holds the write,
 * the other is answered meanwhile. Answers in the order they came back.
 */
async function doubleTap(panel: Panel, orderId: string, requestId: string) {
  const release = holdPosWrites();
  const taps = [writeBack(panel, orderId, { requestId }), writeBack(panel, orderId, { requestId })];
  const answered: Awaited<ReturnType<typeof writeBack>>[] = [];
  const first = await Promise.race(taps);
  answered.push(first);
  release();
  const both = await Promise.all(taps);
  answered.push(both[0] === first ? both[1]! : both[0]!);
  return answered;
}

/** POST /api/pos/approvals with the panel's token: the cart is the open order's, no location or device. */
function askDiscount(panel: Panel, order: PanelOrder, discount: { kind: "percent" | "amount"; value: number }) {
  return call(
    approvalsAction,
    jsonRequest("/api/pos/approvals", {
      bearer: panel.token,
      body: { cart: cartOfOrder(order), discount, reasonCode: "loyal_customer" },
    }),
  );
}

const decide = (panel: Panel, id: string, body: Record<string, unknown>) =>
  call(
    decisionAction,
    jsonRequest(`/api/pos/approvals/${id}/decision`, { bearer: panel.token, body: { decision: "approve", ...body } }),
    { id },
  );

const collectToken = (panel: Panel, id: string) =>
  call(collectAction, jsonRequest(`/api/pos/approvals/${id}/token`, { bearer: panel.token, body: {} }), { id });

/** The audit events of one approval request, in order. */
async function auditTypes(shopId: string, requestId: string) {
  const events = await db.auditEvent.findMany({ where: { shopId }, orderBy: { seq: "asc" } });
  return events
    .filter((event) => (JSON.parse(event.data) as { requestId?: string }).requestId === requestId)
    .map((event) => event.type);
}

async function auditData(shopId: string, type: string, requestId: string) {
  const events = await db.auditEvent.findMany({ where: { shopId, type }, orderBy: { seq: "asc" } });
  return events
    .map((event) => ({ actor: event.actor, data: JSON.parse(event.data) as Record<string, unknown> }))
    .filter((event) => event.data.requestId === requestId);
}

interface CatalogEntry {
  item: string;
  variation: string;
  title: string;
  priceMinor: number;
}

/** A Square seller's catalog as the sync stores it: item = product, variation = variant and inventory item. */
const SQUARE_CATALOG = {
  latte: {
    item: "BJ3LXQ7WYV5NR2KD6HTAMZ4P",
    variation: "W62UWFY35CWMYGVWK6TWJDNI",
    title: "Oat Milk Latte",
    priceMinor: 550,
  },
  croissant: {
    item: "F4QG7TNXK2JW8RBM5YLC3HVD",
    variation: "Q7ZK2MCR5XWNB8JHT4VLG6PA",
    title: "Croissant",
    priceMinor: 400,
  },
  beans: {
    item: "T5NW8HJ2QZ4XK7CVR3MGLB6Y",
    variation: "AII6Q3HZNJ3V3WXJ3SGBCSEX",
    title: "Coffee Beans",
    priceMinor: 1399,
  },
  muffin: {
    item: "H8VRM2KZ5TQX3NJW7BLC4GYD",
    variation: "M3XQ8RZ2WJ5KT7NVH4BCL6GF",
    title: "Blueberry Muffin",
    priceMinor: 375,
  },
  tea: { item: "P2DLW6ZR9KXQ4MJT7NVB3HCG", variation: "C6JT2WQ8XRZ5LMN3KBVH7GDP", title: "Earl Grey", priceMinor: 300 },
  juice: {
    item: "R9KX3VQ7MZ2WJ5NT8BLC4HGD",
    variation: "J4NQ7XKZ2TRW9MB5LCV3HG8D",
    title: "Orange Juice",
    priceMinor: 450,
  },
} satisfies Record<string, CatalogEntry>;

async function createCatalog(shopId: string, catalog: Record<string, CatalogEntry>, stockAt: string[]) {
  for (const entry of Object.values(catalog)) {
    await db.product.create({
      data: {
        shopId,
        externalId: entry.item,
        title: entry.title,
        variants: {
          create: {
            shopId,
            externalId: entry.variation,
            title: "Regular",
            priceMinor: entry.priceMinor,
            inventoryItemId: entry.variation,
          },
        },
      },
    });
    for (const location of stockAt) {
      await db.inventoryLevel.create({
        data: { shopId, inventoryItemId: entry.variation, locationExternalId: location, available: 25 },
      });
    }
  }
}

// ---------- Square seller ----------

const SQ_MERCHANT = "MLPANELTEST01";
const SQ_STORE = "L88917AVBK2S5";
const SQ_OTHER_STORE = "LH2ZB7QW1PF3T";
const SQ_ACCESS = "EAAAlPANELTEST01-access";
let squareShopId: string;
let squarePanel: Panel;
let squareSecondPanel: Panel;
let squareOtherStorePanel: Panel;
let managerId: string;

let squareOrderSeq = 0;
const squareOrderId = () => `${String(++squareOrderSeq).padStart(3, "0")}ENgvlJ6jLWAzERDzjyHVyb`;

/** An order in Square: `lines` as [catalog entry, quantity]. */
function putSquareOrder(
  lines: Array<[CatalogEntry, number]>,
  options: {
    location?: string;
    state?: "OPEN" | "COMPLETED";
    updatedAt?: string;
    discounts?: SquareDiscount[];
    lineDiscounts?: Record<number, { discountUid: string; amount: number }>;
  } = {},
): SquareOrder {
  const id = squareOrderId();
  const money = (amount: number): Money => ({ amount, currency: "CAD" });
  const order = withSquareTotals({
    id,
    location_id: options.location ?? SQ_STORE,
    state: options.state ?? "OPEN",
    version: 3,
    created_at: "2026-11-20T15:02:11.512Z",
    updated_at: options.updatedAt ?? new Date().toISOString(),
    line_items: lines.map(([entry, quantity], index) => ({
      uid: `${id.slice(0, 6)}line${index}Xq9`,
      catalog_object_id: entry.variation,
      name: entry.title,
      variation_name: "Regular",
      quantity: String(quantity),
      item_type: "ITEM",
      base_price_money: money(entry.priceMinor),
      gross_sales_money: money(entry.priceMinor * quantity),
      total_discount_money: money(0),
      total_money: money(entry.priceMinor * quantity),
      ...(options.lineDiscounts?.[index]
        ? {
            applied_discounts: [
              {
                uid: `${id.slice(0, 6)}applied${index}`,
                discount_uid: options.lineDiscounts[index]!.discountUid,
                applied_money: money(options.lineDiscounts[index]!.amount),
              },
            ],
          }
        : {}),
    })),
    discounts: options.discounts ?? [],
    total_money: money(0),
    total_discount_money: money(0),
  });
  square.orders.set(id, order);
  return order;
}

/** The cashier changes a line's quantity on the Square register (a new version). */
function changeSquareQuantity(orderId: string, lineIndex: number, quantity: number) {
  const order = square.orders.get(orderId)!;
  const lines = order.line_items.map((line, i) => (i === lineIndex ? { ...line, quantity: String(quantity) } : line));
  square.orders.set(
    orderId,
    withSquareTotals({ ...order, line_items: lines, version: order.version + 1, updated_at: new Date().toISOString() }),
  );
}

/** The panel's view of one open order (what it would show and ask with). */
async function listedOrder(panel: Panel, orderId: string): Promise<PanelOrder> {
  const listed = await openOrders(panel);
  expect(listed.status).toBe(200);
  const order = (listed.body.orders as PanelOrder[]).find((candidate) => candidate.id === orderId);
  expect(order, `order ${orderId} is listed`).toBeDefined();
  return order!;
}

async function connectSquareSeller() {
  const shop = await db.shop.create({
    data: { platform: "square", domain: SQ_MERCHANT, name: "Harbour Grocers", currency: "CAD" },
  });
  await db.location.createMany({
    data: [
      { shopId: shop.id, externalId: SQ_STORE, name: "Harbour Street" },
      { shopId: shop.id, externalId: SQ_OTHER_STORE, name: "Market Square" },
    ],
  });
  await db.platformConnection.create({
    data: {
      shopId: shop.id,
      platform: "square",
      merchantId: SQ_MERCHANT,
      accessTokenEnc: sealSecret(SQ_ACCESS, KEY),
      refreshTokenEnc: sealSecret("EQAAlPANELTEST01-refresh", KEY),
      accessTokenExpiresAt: new Date(Date.now() + 30 * DAY),
      tokenIssuedAt: new Date(),
    },
  });
  return shop.id;
}

/**
 * 60 of the seller's past sales (past the model's 50-basket cold start, so it pairs products
 * rather than only ranking best sellers): latte and croissant go together.
 */
async function squareSalesHistory(shopId: string) {
  const c = SQUARE_CATALOG;
  const baskets: CatalogEntry[][] = [];
  for (let i = 0; i < 24; i++) baskets.push(i % 4 === 0 ? [c.latte, c.croissant, c.muffin] : [c.latte, c.croissant]);
  for (let i = 0; i < 12; i++) baskets.push([c.tea, c.juice]);
  for (let i = 0; i < 12; i++) baskets.push([c.beans]);
  for (let i = 0; i < 12; i++) baskets.push([c.muffin, c.juice]);
  const start = new Date("2026-11-01T12:00:00Z").getTime();
  for (const [n, basket] of baskets.entries()) {
    const processedAt = new Date(start + n * 60 * 60_000);
    await upsertOrder(db, shopId, {
      externalId: `HIST${String(n).padStart(4, "0")}gvlJ6jLWAzERDzjyH`,
      name: `Sale ${n}`,
      currency: "CAD",
      subtotalMinor: basket.reduce((sum, entry) => sum + entry.priceMinor, 0),
      totalMinor: basket.reduce((sum, entry) => sum + entry.priceMinor, 0),
      discountMinor: 0,
      financialStatus: "paid",
      sourceName: "pos",
      locationExternalId: SQ_STORE,
      customerExternalId: null,
      staffMemberId: null,
      processedAt,
      cancelledAt: null,
      sourceUpdatedAt: processedAt,
      lineItems: basket.map((entry, index) => ({
        externalId: `HIST${n}L${index}`,
        productExternalId: entry.item,
        variantExternalId: entry.variation,
        title: entry.title,
        sku: null,
        quantity: 1,
        priceMinor: entry.priceMinor,
        discountMinor: 0,
      })),
      refunds: [],
      customer: null,
      discountTitles: [],
    });
  }
  await trainShopModel(db, shopId, new Date("2026-11-03T00:00:00Z"));
}

beforeAll(async () => {
  squareShopId = await connectSquareSeller();
  await createCatalog(squareShopId, SQUARE_CATALOG, [SQ_STORE, SQ_OTHER_STORE]);
  await squareSalesHistory(squareShopId);
  // Up to 20% and 20.00 a discount without a manager at the panel's store; Grace approves above.
  await db.approvalPolicy.create({
    data: { shopId: squareShopId, locationExternalId: SQ_STORE, maxPercent: 20, maxAmountMinor: 2_000 },
  });
  const pinHash = await hashPin(PIN, process.env.MANAGER_PIN_PEPPER!);
  managerId = (
    await db.manager.create({
      data: { shopId: squareShopId, name: "Grace", pinHash, locations: JSON.stringify([SQ_STORE]) },
    })
  ).id;
  squarePanel = await pairPanel(squareShopId, SQ_STORE, "Till 1");
  squareSecondPanel = await pairPanel(squareShopId, SQ_STORE, "Till 2");
  squareOtherStorePanel = await pairPanel(squareShopId, SQ_OTHER_STORE, "Market till");
}, 60_000);

describe("Square: open orders at the panel's location", () => {
  it("lists the OPEN orders of the panel's location only, newest change first, with lines, subtotal and discounts", async () => {
    const c = SQUARE_CATALOG;
    const older = putSquareOrder([[c.tea, 1]], { updatedAt: "2026-11-20T15:00:00.000Z" });
    const newer = putSquareOrder(
      [
        [c.latte, 2],
        [c.beans, 1],
      ],
      {
        updatedAt: "2026-11-20T15:05:00.000Z",
        discounts: [
          {
            uid: "9zr9S4dxvPAixvn0lpa1VC",
            name: "Staff 10%",
            type: "FIXED_PERCENTAGE",
            percentage: "10.0",
            scope: "LINE_ITEM",
            applied_money: { amount: 110, currency: "CAD" },
          },
          {
            uid: "kPq2T7xWcL0oN4vZ8rYhB1",
            name: "Loyalty reward RC-7Q2K",
            type: "FIXED_AMOUNT",
            amount_money: { amount: 200, currency: "CAD" },
            scope: "ORDER",
            applied_money: { amount: 200, currency: "CAD" },
          },
        ],
        lineDiscounts: { 0: { discountUid: "9zr9S4dxvPAixvn0lpa1VC", amount: 110 } },
      },
    );
    putSquareOrder([[c.juice, 1]], { state: "COMPLETED", updatedAt: "2026-11-20T15:06:00.000Z" });
    const elsewhere = putSquareOrder([[c.muffin, 1]], {
      location: SQ_OTHER_STORE,
      updatedAt: "2026-11-20T15:07:00.000Z",
    });

    const listed = await openOrders(squarePanel);
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ platform: "square", fetchedAt: expect.any(String) });
    const orders = listed.body.orders as PanelOrder[];
    expect(orders.map((order) => order.id)).toEqual([newer.id, older.id]);
    expect(orders.map((order) => order.id)).not.toContain(elsewhere.id);

    // What the panel asked Square for: this location's OPEN orders, the latest change first.
    const [search] = calls("POST", "/v2/orders/search");
    expect(search!.auth).toBe(`Bearer ${SQ_ACCESS}`);
    expect(search!.body).toEqual({
      location_ids: [SQ_STORE],
      limit: 10,
      query: { filter: { state_filter: { states: ["OPEN"] } }, sort: { sort_field: "UPDATED_AT", sort_order: "DESC" } },
    });

    // 2 × 5.50 + 13.99 = 24.99; the line's own 1.10 off is taken out, the order-wide 2.00 is listed.
    expect(orders[0]).toEqual({
      id: newer.id,
      customerId: null,
      currency: "CAD",
      subtotalMinor: 2_389,
      discounts: [{ name: "Loyalty reward RC-7Q2K", amountMinor: 200 }],
      lines: [
        {
          lineId: newer.line_items[0]!.uid,
          productId: null,
          variantId: c.latte.variation,
          title: "Oat Milk Latte – Regular",
          quantity: 2,
          unitPriceMinor: 550,
        },
        {
          lineId: newer.line_items[1]!.uid,
          productId: null,
          variantId: c.beans.variation,
          title: "Coffee Beans – Regular",
          quantity: 1,
          unitPriceMinor: 1_399,
        },
      ],
      updatedAt: "2026-11-20T15:05:00.000Z",
    });

    // The other location's panel sees only its own.
    const market = await openOrders(squareOtherStorePanel);
    expect((market.body.orders as PanelOrder[]).map((order) => order.id)).toEqual([elsewhere.id]);
    expect(calls("POST", "/v2/orders/search")[1]!.body).toMatchObject({ location_ids: [SQ_OTHER_STORE] });
  });
});

describe("Square: the customer's Square Loyalty balance beside the copilot's", () => {
  const posLoyalty = (panel: Pick<Panel, "token">, customerId: string) =>
    call(posLoyaltyLoader, jsonRequest(`/api/panel/pos-loyalty/${customerId}`, { bearer: panel.token }), {
      customerId,
    });

  it("reads the seller's program and the customer's account with the seller's token", async () => {
    squareLoyalty.program = {
      id: "d619f755-2d17-41f3-990d-c04ecedd64dd",
      status: "ACTIVE",
      reward_tiers: [
        { id: "tier-2", points: 25, name: "$5 off the order", pricing_rule_reference: { object_id: "PR2" } },
        { id: "tier-1", points: 10, name: "Free pastry", pricing_rule_reference: { object_id: "PR1" } },
      ],
      terminology: { one: "Star", other: "Stars" },
      location_ids: [SQ_STORE],
    };
    squareLoyalty.accounts = [
      {
        id: "79b807d2-d786-46a9-933b-918028d7a8c5",
        program_id: "d619f755-2d17-41f3-990d-c04ecedd64dd",
        balance: 14,
        lifetime_points: 38,
        customer_id: "JDKYHBWT1D4F8MFH63DBMEN8Y4",
      },
    ];
    recorded = [];
    const answer = await posLoyalty(squarePanel, "JDKYHBWT1D4F8MFH63DBMEN8Y4");
    expect(answer).toEqual({
      status: 200,
      body: {
        loyalty: {
          program: "Square Loyalty",
          unit: { one: "Star", other: "Stars" },
          balance: 14,
          available: [{ name: "Free pastry", points: 10 }],
          next: { name: "$5 off the order", points: 25 },
        },
      },
    });
    const search = recorded.find((entry) => entry.path === "/v2/loyalty/accounts/search")!;
    expect(search.body).toEqual({ query: { customer_ids: ["JDKYHBWT1D4F8MFH63DBMEN8Y4"] }, limit: 1 });
    expect(search.auth).toBe(`Bearer ${SQ_ACCESS}`);

    // A customer with no account has nothing yet; a seller without a program gets none at all.
    expect((await posLoyalty(squarePanel, "NOACCOUNT0000000000000000")).body).toMatchObject({
      loyalty: { balance: 0, available: [], next: { points: 10 } },
    });
    squareLoyalty.program = null;
    expect(await posLoyalty(squarePanel, "JDKYHBWT1D4F8MFH63DBMEN8Y4")).toEqual({
      status: 200,
      body: { loyalty: null },
    });
    expect((await posLoyalty(squarePanel, "a b")).status).toBe(400);
  });
});

describe("Square: suggestions for the panel's cart through the register API", () => {
  const suggest = (panel: Panel, body: Record<string, unknown>) =>
    call(suggestionsAction, jsonRequest("/api/pos/suggestions", { bearer: panel.token, body }));

  it("suggests what sells with the cart at the panel's location, and refuses another location", async () => {
    const cart = { lineItems: [{ variantId: SQUARE_CATALOG.latte.variation, quantity: 1 }] };
    const answer = await suggest(squarePanel, { cart });
    expect(answer.status).toBe(200);
    const suggestions = answer.body.suggestions as Array<{ variantId: string; title: string; reason: string }>;
    expect(answer.body.enabled).toBe(true);
    expect(suggestions[0]).toMatchObject({
      variantId: SQUARE_CATALOG.croissant.variation,
      title: "Croissant",
      reason: expect.stringMatching(/^Bought together in \d+% of baskets with Oat Milk Latte$/),
      currency: "CAD",
    });
    expect(suggestions.map((s) => s.variantId)).not.toContain(SQUARE_CATALOG.latte.variation);
    // Shown at the panel's location, which the token names (the body named none).
    const shown = await db.suggestionEvent.findMany({
      where: { shopId: squareShopId, requestId: answer.body.requestId as string, kind: "shown" },
    });
    expect(shown.map((event) => event.locationExternalId)).toEqual(shown.map(() => SQ_STORE));
    expect(shown.map((event) => event.variantExternalId)).toContain(SQUARE_CATALOG.croissant.variation);

    // The cashier adds it: the event is recorded against what was shown.
    const added = await call(
      eventsAction,
      jsonRequest("/api/pos/events", {
        bearer: squarePanel.token,
        body: { requestId: answer.body.requestId, variantId: SQUARE_CATALOG.croissant.variation, kind: "added" },
      }),
    );
    expect(added).toEqual({ status: 200, body: { recorded: true, created: true } });

    // Naming its own location is fine; naming another is refused.
    expect((await suggest(squarePanel, { cart, locationId: SQ_STORE })).status).toBe(200);
    const elsewhere = await suggest(squarePanel, { cart, locationId: SQ_OTHER_STORE });
    expect(elsewhere).toMatchObject({ status: 403, body: { error: { code: "location_mismatch" } } });
    expect(elsewhere.body.error!.message).toMatch(/^locationId: /);
  });
});

describe("Square: a discount under the limits, written onto the order", () => {
  it("applies at once, writes it with UpdateOrder once, and no other panel can use it", async () => {
    const c = SQUARE_CATALOG;
    const placed = putSquareOrder([
      [c.latte, 2],
      [c.croissant, 1],
    ]);
    const order = await listedOrder(squarePanel, placed.id);
    expect(order.subtotalMinor).toBe(1_500);

    const asked = await askDiscount(squarePanel, order, { kind: "percent", value: 10 });
    expect(asked).toMatchObject({ status: 200, body: { status: "applied", amountMinor: 150 } });
    const requestId = asked.body.requestId as string;
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      status: "applied",
      locationExternalId: SQ_STORE,
      deviceId: `panel:${squarePanel.deviceId}`,
      userId: null,
      writtenAt: null,
    });

    recorded = [];
    const written = await writeBack(squarePanel, placed.id, { requestId });
    const name = `10% off (Register Copilot ${requestId.slice(-6)})`;
    expect(written).toEqual({ status: 200, body: { status: "written", orderId: placed.id, name, amountMinor: 150 } });

    // The cart is re-read from Square, then one sparse update at the version just read.
    expect(recorded.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v2/orders/${placed.id}`,
      `PUT /v2/orders/${placed.id}`,
    ]);
    const [update] = calls("PUT", "/v2/orders/");
    expect(update!.auth).toBe(`Bearer ${SQ_ACCESS}`);
    expect(update!.body).toEqual({
      idempotency_key: `rc-${requestId}`,
      order: {
        location_id: SQ_STORE,
        version: 3,
        discounts: [
          {
            uid: `rc-${requestId}`,
            name,
            type: "FIXED_AMOUNT",
            amount_money: { amount: 150, currency: "CAD" },
            scope: "ORDER",
          },
        ],
      },
    });
    const row = await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } });
    expect(row).toMatchObject({ status: "applied", writtenOrderId: placed.id, writtenAt: expect.any(Date) });
    expect(await auditData(squareShopId, "discount.written", requestId)).toEqual([
      {
        actor: `panel:${squarePanel.deviceId}`,
        data: { requestId, platform: "square", orderId: placed.id, amountMinor: 150 },
      },
    ]);

    // Square now carries it; the panel shows it as an order discount on the same subtotal.
    expect(square.orders.get(placed.id)!.version).toBe(4);
    const after = await listedOrder(squarePanel, placed.id);
    expect(after).toMatchObject({ subtotalMinor: 1_500, discounts: [{ name, amountMinor: 150 }] });

    // The same call again (a lost answer, a double tap): written, and Square is not asked again.
    recorded = [];
    expect(await writeBack(squarePanel, placed.id, { requestId })).toEqual(written);
    expect(recorded).toEqual([]);
    expect(await auditData(squareShopId, "discount.written", requestId)).toHaveLength(1);

    // Another panel of the same store cannot use this request: not on this order, not on another.
    const other = await writeBack(squareSecondPanel, placed.id, { requestId });
    expect(other).toMatchObject({ status: 403, body: { error: { code: "approval_refused" } } });
    const secondOrder = putSquareOrder([
      [c.latte, 2],
      [c.croissant, 1],
    ]);
    const elsewhere = await writeBack(squareSecondPanel, secondOrder.id, { requestId });
    expect(elsewhere.status).toBe(403);
    expect(calls("PUT", "/v2/orders/")).toEqual([]);
    expect(square.orders.get(secondOrder.id)!.discounts).toEqual([]);
  });

  it("a double tap writes and records the discount once", async () => {
    const c = SQUARE_CATALOG;
    const placed = putSquareOrder([
      [c.tea, 2],
      [c.juice, 1],
    ]);
    const asked = await askDiscount(squarePanel, await listedOrder(squarePanel, placed.id), {
      kind: "amount",
      value: 75,
    });
    const requestId = asked.body.requestId as string;
    const answers = await doubleTap(squarePanel, placed.id, requestId);
    // One call holds the write; the other is told to try again, and then learns it is written.
    expect(answers.map((answer) => answer.status)).toEqual([409, 200]);
    expect(answers[0]!.body.error).toMatchObject({ code: "write_in_progress" });
    expect((await writeBack(squarePanel, placed.id, { requestId })).body.status).toBe("written");
    expect(square.orders.get(placed.id)!.discounts.map((d) => d.uid)).toEqual([`rc-${requestId}`]);
    expect(await auditData(squareShopId, "discount.written", requestId)).toHaveLength(1);
  });

  it("takes over a dead writer's claim after a minute, and an allowed discount lasts 15 minutes", async () => {
    const c = SQUARE_CATALOG;
    const placed = putSquareOrder([
      [c.tea, 1],
      [c.muffin, 1],
    ]);
    const asked = await askDiscount(squarePanel, await listedOrder(squarePanel, placed.id), {
      kind: "amount",
      value: 50,
    });
    const requestId = asked.body.requestId as string;
    // Another process is writing it (or died while writing it).
    await db.approvalRequest.update({ where: { id: requestId }, data: { writingSince: new Date() } });
    expect(await writeBack(squarePanel, placed.id, { requestId })).toMatchObject({
      status: 409,
      body: { error: { code: "write_in_progress" } },
    });
    await db.approvalRequest.update({
      where: { id: requestId },
      data: { writingSince: new Date(Date.now() - 61_000) },
    });
    expect((await writeBack(squarePanel, placed.id, { requestId })).body.status).toBe("written");
    expect(square.orders.get(placed.id)!.discounts.map((d) => d.uid)).toEqual([`rc-${requestId}`]);

    const later = putSquareOrder([[c.juice, 2]]);
    const stale = await askDiscount(squarePanel, await listedOrder(squarePanel, later.id), {
      kind: "amount",
      value: 40,
    });
    await db.approvalRequest.update({
      where: { id: stale.body.requestId as string },
      data: { createdAt: new Date(Date.now() - 16 * 60_000) },
    });
    expect(await writeBack(squarePanel, later.id, { requestId: stale.body.requestId })).toMatchObject({
      status: 403,
      body: { error: { code: "approval_refused", message: "This discount was asked for too long ago; ask again" } },
    });
    expect(square.orders.get(later.id)!.discounts).toEqual([]);
  });

  it("refuses a write when the order's cart changed since the discount was asked for", async () => {
    const c = SQUARE_CATALOG;
    const placed = putSquareOrder([
      [c.latte, 1],
      [c.muffin, 1],
    ]);
    const order = await listedOrder(squarePanel, placed.id);
    const asked = await askDiscount(squarePanel, order, { kind: "amount", value: 100 });
    expect(asked.body.status).toBe("applied");
    changeSquareQuantity(placed.id, 1, 2);
    recorded = [];
    const refused = await writeBack(squarePanel, placed.id, { requestId: asked.body.requestId });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: "cart_changed" } } });
    expect(calls("PUT", "/v2/orders/")).toEqual([]);
    expect(
      (await db.approvalRequest.findUniqueOrThrow({ where: { id: asked.body.requestId as string } })).writtenAt,
    ).toBeNull();
  });

  it("answers 404 for an order that is not open at this panel's location", async () => {
    const c = SQUARE_CATALOG;
    const placed = putSquareOrder([[c.tea, 1]]);
    const asked = await askDiscount(squarePanel, await listedOrder(squarePanel, placed.id), {
      kind: "amount",
      value: 50,
    });
    const market = putSquareOrder([[c.tea, 1]], { location: SQ_OTHER_STORE });
    const requestId = asked.body.requestId;
    expect(await writeBack(squarePanel, market.id, { requestId })).toMatchObject({
      status: 404,
      body: { error: { code: "order_not_open" } },
    });
    expect(await writeBack(squarePanel, "NoSuchOrderAtAllXq9ZZZZZZZZ", { requestId })).toMatchObject({
      status: 404,
      body: { error: { code: "order_not_open" } },
    });
    expect(calls("PUT", "/v2/orders/")).toEqual([]);
  });
});

describe("Square: a discount above the limits, approved by a manager", () => {
  async function pendingRequest(lines: Array<[CatalogEntry, number]>, value = 30) {
    const placed = putSquareOrder(lines);
    const order = await listedOrder(squarePanel, placed.id);
    const asked = await askDiscount(squarePanel, order, { kind: "percent", value });
    expect(asked.body).toMatchObject({ status: "pending", triggers: ["percent"] });
    return { placed, order, requestId: asked.body.requestId as string, amountMinor: asked.body.amountMinor as number };
  }

  it("approved with the manager's PIN on the panel: the token writes it once; without it nothing is written", async () => {
    const c = SQUARE_CATALOG;
    const { placed, requestId, amountMinor } = await pendingRequest([
      [c.latte, 2],
      [c.croissant, 1],
    ]);
    expect(amountMinor).toBe(450);

    // Nothing is written before a manager decides, nor with an approval but no token.
    expect(await writeBack(squarePanel, placed.id, { requestId })).toMatchObject({
      status: 403,
      body: { error: { code: "approval_refused" } },
    });
    const wrongPin = await decide(squarePanel, requestId, { pin: "111111", approverId: managerId });
    expect(wrongPin).toMatchObject({ status: 403, body: { error: { code: "pin_refused" } } });
    const decided = await decide(squarePanel, requestId, { pin: PIN, approverId: managerId });
    expect(decided).toMatchObject({ status: 200, body: { status: "approved", amountMinor: 450 } });
    const token = decided.body.token as string;
    expect(token).toEqual(expect.any(String));

    const noToken = await writeBack(squarePanel, placed.id, { requestId });
    expect(noToken).toMatchObject({ status: 403, body: { error: { code: "approval_refused" } } });
    expect(noToken.body.error!.message).toMatch(/^token: /);
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).status).toBe("approved");
    expect(calls("PUT", "/v2/orders/")).toEqual([]);

    const written = await writeBack(squarePanel, placed.id, { requestId, token });
    expect(written).toMatchObject({ status: 200, body: { status: "written", orderId: placed.id, amountMinor: 450 } });
    const updates = calls("PUT", "/v2/orders/");
    expect(updates).toHaveLength(1);
    expect(updates[0]!.body).toMatchObject({
      idempotency_key: `rc-${requestId}`,
      order: { version: 3, discounts: [{ type: "FIXED_AMOUNT", amount_money: { amount: 450, currency: "CAD" } }] },
    });
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      status: "redeemed",
      redeemedAt: expect.any(Date),
      tokenHash: null,
      writtenOrderId: placed.id,
      writtenAt: expect.any(Date),
    });
    expect(await auditTypes(squareShopId, requestId)).toEqual([
      "approval.requested",
      "approval.pin_rejected",
      "approval.approved",
      "approval.redeemed",
      "discount.written",
    ]);

    // The token is spent: again is "written" without a second update.
    expect((await writeBack(squarePanel, placed.id, { requestId, token })).body.status).toBe("written");
    expect(calls("PUT", "/v2/orders/")).toHaveLength(1);
  });

  it("approved from another panel: the asking panel collects the token, then writes it", async () => {
    const c = SQUARE_CATALOG;
    const { placed, requestId } = await pendingRequest([
      [c.beans, 1],
      [c.muffin, 2],
    ]);
    const remote = await decide(squareSecondPanel, requestId, { pin: PIN, approverId: managerId });
    expect(remote).toMatchObject({ status: 200, body: { status: "approved", token: null } });
    // Only the panel that asked gets the token.
    expect((await collectToken(squareSecondPanel, requestId)).status).toBe(403);
    const collected = await collectToken(squarePanel, requestId);
    expect(collected).toMatchObject({ status: 200, body: { token: expect.any(String) } });

    const written = await writeBack(squarePanel, placed.id, { requestId, token: collected.body.token });
    expect(written).toMatchObject({ status: 200, body: { status: "written", amountMinor: 645 } });
    expect(square.orders.get(placed.id)!.discounts.map((d) => d.applied_money.amount)).toEqual([645]);
  });

  it("a manager's return approval is not a discount: it cannot be written, and is left as it was", async () => {
    const c = SQUARE_CATALOG;
    const placed = putSquareOrder([[c.latte, 1]]);
    // A refund this panel asked a manager for (as services/returns.server.ts records one), approved.
    const token = randomBytes(32).toString("base64url");
    const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
    const refund = await db.approvalRequest.create({
      data: {
        shopId: squareShopId,
        kind: "return",
        locationExternalId: SQ_STORE,
        deviceId: `panel:${squarePanel.deviceId}`,
        cartHash: sha256("return1:check-1"),
        subtotalMinor: 550,
        discountKind: "amount",
        discountValue: 550,
        amountMinor: 550,
        currency: "CAD",
        reasonCode: "damaged",
        status: "approved",
        tokenHash: sha256(token),
        tokenExpiresAt: new Date(Date.now() + 60_000),
        createdAt: new Date(),
        decidedAt: new Date(),
      },
    });
    const answer = await writeBack(squarePanel, placed.id, { requestId: refund.id, token });
    expect(answer).toMatchObject({ status: 404, body: { error: { code: "approval_not_found" } } });
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: refund.id } })).toMatchObject({
      status: "approved",
      tokenHash: sha256(token),
    });
    expect(calls("PUT", "/v2/orders/")).toEqual([]);
  });

  it("refuses the token when the cart in Square changed since the approval, and voids the request", async () => {
    const c = SQUARE_CATALOG;
    const { placed, requestId } = await pendingRequest([
      [c.latte, 2],
      [c.juice, 1],
    ]);
    const token = (await decide(squarePanel, requestId, { pin: PIN, approverId: managerId })).body.token as string;
    // A third latte was rung up in Square after the manager approved.
    changeSquareQuantity(placed.id, 0, 3);

    const refused = await writeBack(squarePanel, placed.id, { requestId, token });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: "approval_refused" } } });
    expect(calls("PUT", "/v2/orders/")).toEqual([]);
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      status: "voided",
      writtenAt: null,
    });
    expect(await auditTypes(squareShopId, requestId)).toEqual([
      "approval.requested",
      "approval.approved",
      "approval.token_cart_mismatch",
    ]);
    // Voided for good: the same token on the cart as approved is refused too.
    changeSquareQuantity(placed.id, 0, 2);
    expect((await writeBack(squarePanel, placed.id, { requestId, token })).status).toBe(403);
    expect(square.orders.get(placed.id)!.discounts).toEqual([]);
  });
});

describe("Square: when the write does not go through", () => {
  it("Square refuses the update: the cashier is told what to key in, once, and it is never written on top", async () => {
    const c = SQUARE_CATALOG;
    const placed = putSquareOrder([
      [c.latte, 2],
      [c.croissant, 1],
    ]);
    const asked = await askDiscount(squarePanel, await listedOrder(squarePanel, placed.id), {
      kind: "percent",
      value: 10,
    });
    const requestId = asked.body.requestId as string;
    square.updateFault = () =>
      squareErrors(
        400,
        "INVALID_REQUEST_ERROR",
        "BAD_REQUEST",
        "Orders created by the Square Point of Sale application cannot be updated.",
      );

    const answer = await writeBack(squarePanel, placed.id, { requestId });
    expect(answer).toEqual({
      status: 200,
      body: {
        status: "key_in",
        orderId: placed.id,
        name: `10% off (Register Copilot ${requestId.slice(-6)})`,
        amountMinor: 150,
        instructions:
          "Square did not take the discount from here. On the register, add an order discount of 10% (1.50).",
      },
    });
    // A refusal is not retried by the SDK: one attempt.
    expect(calls("PUT", "/v2/orders/")).toHaveLength(1);
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      status: "applied",
      writeOutcome: "key_in",
      writtenOrderId: placed.id,
      writingSince: null,
    });
    // Asked again (the cashier taps again, or Square would now take it): the same instructions,
    // and Square is not asked, so a keyed-in discount never gets a second one on top.
    square.updateFault = null;
    expect(await writeBack(squarePanel, placed.id, { requestId })).toEqual(answer);
    expect(calls("PUT", "/v2/orders/")).toHaveLength(1);
    expect(await auditData(squareShopId, "discount.key_in", requestId)).toEqual([
      {
        actor: `panel:${squarePanel.deviceId}`,
        data: {
          requestId,
          orderId: placed.id,
          amountMinor: 150,
          platform: "square",
          refused: expect.stringContaining("BAD_REQUEST") as unknown,
        },
      },
    ]);
    expect(await auditData(squareShopId, "discount.written", requestId)).toEqual([]);
    expect(square.orders.get(placed.id)!.discounts).toEqual([]);
  });

  it("Square is down: 503 and the request stays redeemed but unwritten; once Square is back it is written once", async () => {
    const c = SQUARE_CATALOG;
    const placed = putSquareOrder([
      [c.beans, 1],
      [c.croissant, 2],
    ]);
    const asked = await askDiscount(squarePanel, await listedOrder(squarePanel, placed.id), {
      kind: "percent",
      value: 25,
    });
    expect(asked.body.status).toBe("pending");
    const requestId = asked.body.requestId as string;
    const token = (await decide(squarePanel, requestId, { pin: PIN, approverId: managerId })).body.token as string;

    square.updateFault = () =>
      squareErrors(503, "API_ERROR", "SERVICE_UNAVAILABLE", "The service is temporarily unavailable.");
    const down = await writeBack(squarePanel, placed.id, { requestId, token });
    expect(down).toMatchObject({ status: 503, body: { error: { code: "pos_unavailable" } } });
    expect(down.body.error!.message).toContain("503");
    // The SDK tries once more on a 503 (maxRetries 1), then gives up.
    expect(calls("PUT", "/v2/orders/")).toHaveLength(2);
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      status: "redeemed",
      writtenAt: null,
    });
    expect(await auditTypes(squareShopId, requestId)).toEqual([
      "approval.requested",
      "approval.approved",
      "approval.redeemed",
    ]);

    // Square recovers; the panel calls again (the token is spent; the redeemed request is retried).
    square.updateFault = null;
    const again = await writeBack(squarePanel, placed.id, { requestId, token });
    expect(again).toMatchObject({ status: 200, body: { status: "written", amountMinor: 550 } });
    const keys = calls("PUT", "/v2/orders/").map((r) => r.body!.idempotency_key);
    expect(keys).toEqual([`rc-${requestId}`, `rc-${requestId}`, `rc-${requestId}`]);
    expect(square.orders.get(placed.id)!.discounts.map((d) => d.uid)).toEqual([`rc-${requestId}`]);
    expect(await auditData(squareShopId, "discount.written", requestId)).toHaveLength(1);
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      status: "redeemed",
      writtenOrderId: placed.id,
    });
    // And a third call writes nothing more.
    expect((await writeBack(squarePanel, placed.id, { requestId, token })).body.status).toBe("written");
    expect(calls("PUT", "/v2/orders/")).toHaveLength(3);
  });

  it("Square took the update but its answer was lost: the retry with the same key adds nothing", async () => {
    const c = SQUARE_CATALOG;
    const placed = putSquareOrder([[c.latte, 3]]);
    const asked = await askDiscount(squarePanel, await listedOrder(squarePanel, placed.id), {
      kind: "amount",
      value: 200,
    });
    const requestId = asked.body.requestId as string;
    let first = true;
    square.updateFault = (orderId, body) => {
      if (!first) return null;
      first = false;
      squareUpdate(orderId, body);
      return squareErrors(500, "API_ERROR", "INTERNAL_SERVER_ERROR", "An internal error has occurred.");
    };
    const written = await writeBack(squarePanel, placed.id, { requestId });
    expect(written).toMatchObject({ status: 200, body: { status: "written", amountMinor: 200 } });
    expect(calls("PUT", "/v2/orders/")).toHaveLength(2);
    expect(square.orders.get(placed.id)!.discounts.map((d) => d.applied_money.amount)).toEqual([200]);
    expect((await listedOrder(squarePanel, placed.id)).discounts).toHaveLength(1);
  });
});

// ---------- Clover merchant ----------

const CL_MERCHANT = "MCLVPANEL0001";
const CL_ACCESS = "acc-MCLVPANEL0001-1";
const CLOVER_CATALOG = {
  latte: { item: "ITEMLATTE0001", variation: "ITEMLATTE0001", title: "Oat Milk Latte", priceMinor: 550 },
  croissant: { item: "ITEMCRSNT0001", variation: "ITEMCRSNT0001", title: "Croissant", priceMinor: 400 },
} satisfies Record<string, CatalogEntry>;

let cloverOrderSeq = 0;
/** An open order on the Clover register: one line per unit rung up, as Clover writes them. */
function putCloverOrder(units: CatalogEntry[], options: { discounts?: Array<{ name: string; amount: number }> } = {}) {
  const id = `OPNCLV${String(++cloverOrderSeq).padStart(7, "0")}`;
  const total = units.reduce((sum, entry) => sum + entry.priceMinor, 0);
  const discounts = (options.discounts ?? []).map((discount, i) => ({ id: `ODX${id.slice(-6)}${i}000`, ...discount }));
  const order: CloverOrder = {
    merchantId: CL_MERCHANT,
    body: {
      href: `${CLOVER}/v3/merchants/${CL_MERCHANT}/orders/${id}`,
      id,
      currency: "USD",
      total: total + discounts.reduce((sum, discount) => sum + discount.amount, 0),
      paymentState: "OPEN",
      state: "open",
      title: `Ticket ${cloverOrderSeq}`,
      testMode: false,
      createdTime: Date.now() - 60_000,
      modifiedTime: Date.now() + cloverOrderSeq,
      lineItems: {
        elements: units.map((entry, index) => ({
          id: `LI${id.slice(-6)}${String(index).padStart(5, "0")}`,
          orderRef: { id },
          item: { id: entry.item },
          name: entry.title,
          price: entry.priceMinor,
          printed: false,
          exchanged: false,
          refunded: false,
          isRevenue: true,
        })),
      },
      discounts: { elements: discounts },
    },
  };
  clover.orders.set(id, order);
  return order.body;
}

describe("Clover: open orders and the discount write-back", () => {
  let shopId: string;
  let panel: Panel;

  beforeAll(async () => {
    const shop = await db.shop.create({
      data: { platform: "clover", domain: CL_MERCHANT, name: "Harbour Grocers", currency: "USD" },
    });
    shopId = shop.id;
    await db.location.create({ data: { shopId, externalId: CL_MERCHANT, name: "Harbour Grocers" } });
    await db.platformConnection.create({
      data: {
        shopId,
        platform: "clover",
        merchantId: CL_MERCHANT,
        accessTokenEnc: sealSecret(CL_ACCESS, KEY),
        refreshTokenEnc: sealSecret("ref-MCLVPANEL0001-1", KEY),
        accessTokenExpiresAt: new Date(Date.now() + 6 * 60 * 60_000),
        refreshTokenExpiresAt: new Date(Date.now() + 365 * DAY),
        tokenIssuedAt: new Date(Date.now() - 10 * 60_000),
      },
    });
    await createCatalog(shopId, CLOVER_CATALOG, [CL_MERCHANT]);
    panel = await pairPanel(shopId, CL_MERCHANT, "Clover till");
  });

  it("lists the merchant's open orders (filter=state=open, lines and discounts expanded)", async () => {
    const c = CLOVER_CATALOG;
    const first = putCloverOrder([c.latte, c.latte, c.croissant], {
      discounts: [{ name: "Happy hour", amount: -100 }],
    });
    const second = putCloverOrder([c.croissant]);
    const listed = await openOrders(panel);
    expect(listed.status).toBe(200);
    expect(listed.body.platform).toBe("clover");
    const orders = listed.body.orders as PanelOrder[];
    expect(orders.map((order) => order.id)).toEqual([second.id, first.id]);

    const [list] = calls("GET", `/v3/merchants/${CL_MERCHANT}/orders`);
    expect(list!.auth).toBe(`Bearer ${CL_ACCESS}`);
    expect(list!.url.searchParams.getAll("filter")).toEqual(["state=open"]);
    expect(list!.url.searchParams.get("expand")).toBe("lineItems,discounts,customers");
    expect(list!.url.searchParams.get("orderBy")).toBe("modifiedTime DESC");
    expect(list!.url.searchParams.get("limit")).toBe("10");

    expect(orders[1]).toMatchObject({
      id: first.id,
      currency: "USD",
      subtotalMinor: 1_500,
      discounts: [{ name: "Happy hour", amountMinor: 100 }],
    });
    expect(orders[1]!.lines.map((line) => [line.variantId, line.quantity, line.unitPriceMinor])).toEqual([
      [c.latte.item, 1, 550],
      [c.latte.item, 1, 550],
      [c.croissant.item, 1, 400],
    ]);
  });

  it("POSTs the approved amount as a negative order discount, once", async () => {
    const c = CLOVER_CATALOG;
    const placed = putCloverOrder([c.latte, c.latte, c.croissant]);
    const order = await listedOrder(panel, placed.id);
    const asked = await askDiscount(panel, order, { kind: "percent", value: 10 });
    expect(asked).toMatchObject({ status: 200, body: { status: "applied", amountMinor: 150 } });
    const requestId = asked.body.requestId as string;
    const name = `10% off (Register Copilot ${requestId.slice(-6)})`;

    recorded = [];
    const written = await writeBack(panel, placed.id, { requestId });
    expect(written).toEqual({ status: 200, body: { status: "written", orderId: placed.id, name, amountMinor: 150 } });
    const posts = calls("POST", `/v3/merchants/${CL_MERCHANT}/orders/${placed.id}/discounts`);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toEqual({ name, amount: -150 });
    expect(posts[0]!.auth).toBe(`Bearer ${CL_ACCESS}`);
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      writtenOrderId: placed.id,
      writtenAt: expect.any(Date),
    });
    expect(await auditData(shopId, "discount.written", requestId)).toEqual([
      {
        actor: `panel:${panel.deviceId}`,
        data: { requestId, platform: "clover", orderId: placed.id, amountMinor: 150 },
      },
    ]);
    expect((await listedOrder(panel, placed.id)).discounts).toEqual([{ name, amountMinor: 150 }]);

    expect((await writeBack(panel, placed.id, { requestId })).body.status).toBe("written");
    expect(calls("POST", `/v3/merchants/${CL_MERCHANT}/orders/`)).toHaveLength(1);
  });

  it("does not POST again when the order already carries this request's discount (a retry after a lost answer)", async () => {
    const c = CLOVER_CATALOG;
    const placed = putCloverOrder([c.latte, c.croissant]);
    const asked = await askDiscount(panel, await listedOrder(panel, placed.id), { kind: "amount", value: 95 });
    const requestId = asked.body.requestId as string;
    const name = `Discount (Register Copilot ${requestId.slice(-6)})`;
    // The first POST reached Clover, but its answer never came back.
    clover.orders.get(placed.id)!.body.discounts.elements.push({ id: "ODLOSTANSWER1", name, amount: -95 });

    recorded = [];
    const written = await writeBack(panel, placed.id, { requestId });
    expect(written).toEqual({ status: 200, body: { status: "written", orderId: placed.id, name, amountMinor: 95 } });
    expect(calls("POST", `/v3/merchants/${CL_MERCHANT}/orders/`)).toEqual([]);
    expect(clover.orders.get(placed.id)!.body.discounts.elements).toHaveLength(1);
    expect((await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).writtenAt).toEqual(
      expect.any(Date),
    );
  });

  it("a double tap writes the discount once", async () => {
    const c = CLOVER_CATALOG;
    const placed = putCloverOrder([c.latte, c.croissant]);
    const asked = await askDiscount(panel, await listedOrder(panel, placed.id), { kind: "amount", value: 120 });
    const requestId = asked.body.requestId as string;
    const answers = await doubleTap(panel, placed.id, requestId);
    expect(answers.map((answer) => answer.status)).toEqual([409, 200]);
    expect((await writeBack(panel, placed.id, { requestId })).body.status).toBe("written");
    expect(clover.orders.get(placed.id)!.body.discounts.elements).toHaveLength(1);
    expect(calls("POST", `/v3/merchants/${CL_MERCHANT}/orders/`)).toHaveLength(1);
  });

  it("a refusal from Clover is keyed in; an outage is a 503", async () => {
    const c = CLOVER_CATALOG;
    const refusedOrder = putCloverOrder([c.croissant, c.croissant]);
    const refusedAsk = await askDiscount(panel, await listedOrder(panel, refusedOrder.id), {
      kind: "amount",
      value: 80,
    });
    clover.postFault = () => HttpResponse.json({ message: "Order is locked" }, { status: 400 });
    const keyIn = await writeBack(panel, refusedOrder.id, { requestId: refusedAsk.body.requestId });
    expect(keyIn).toMatchObject({
      status: 200,
      body: {
        status: "key_in",
        instructions: "Clover did not take the discount from here. On the register, add an order discount of 0.80.",
      },
    });

    const downOrder = putCloverOrder([c.latte]);
    const downAsk = await askDiscount(panel, await listedOrder(panel, downOrder.id), { kind: "amount", value: 50 });
    clover.postFault = () => HttpResponse.json({ message: "Service Unavailable" }, { status: 503 });
    const down = await writeBack(panel, downOrder.id, { requestId: downAsk.body.requestId });
    expect(down).toMatchObject({ status: 503, body: { error: { code: "pos_unavailable" } } });
    const outcome = async (ask: typeof downAsk) =>
      (await db.approvalRequest.findUniqueOrThrow({ where: { id: ask.body.requestId as string } })).writeOutcome;
    expect(await outcome(refusedAsk)).toBe("key_in");
    // The outage leaves nothing settled and no claim behind: the next tap tries again.
    expect(await outcome(downAsk)).toBeNull();
    expect(
      (await db.approvalRequest.findUniqueOrThrow({ where: { id: downAsk.body.requestId as string } })).writingSince,
    ).toBeNull();
  });
});

// ---------- the demo Square seller ----------

describe("demo Square seller: the demo register behind the panel", () => {
  const DEMO_STORE = "LDEMO7KQ2W9ZX";
  let shop: { id: string; currency: string };
  let panel: Panel;

  beforeAll(async () => {
    const row = await db.shop.create({
      data: { platform: "square", domain: "MLDEMOSQUARE1", name: "Demo Grocers", currency: "USD", isDemo: true },
    });
    shop = { id: row.id, currency: row.currency };
    await db.location.create({ data: { shopId: row.id, externalId: DEMO_STORE, name: "Demo Street" } });
    await createCatalog(row.id, SQUARE_CATALOG, [DEMO_STORE]);
    panel = await pairPanel(row.id, DEMO_STORE, "Demo till");
  });

  it("rings up, writes the discount into the stored order spread over its lines, and sells it", async () => {
    const c = SQUARE_CATALOG;
    expect((await openOrders(panel)).body).toMatchObject({ platform: "demo", orders: [] });
    const now = new Date();
    await ringUp(db, shop, DEMO_STORE, c.latte.variation, now);
    await ringUp(db, shop, DEMO_STORE, c.latte.variation, now);
    await ringUp(db, shop, DEMO_STORE, c.croissant.variation, now);
    await ringUp(db, shop, DEMO_STORE, c.beans.variation, now);

    const listed = await openOrders(panel);
    const [order] = listed.body.orders as PanelOrder[];
    expect(listed.body.orders).toHaveLength(1);
    expect(order!.lines.map((line) => [line.variantId, line.quantity, line.unitPriceMinor])).toEqual([
      [c.latte.variation, 2, 550],
      [c.croissant.variation, 1, 400],
      [c.beans.variation, 1, 1_399],
    ]);
    expect(order!.subtotalMinor).toBe(2_899);
    // Nothing reached Square: the demo register is in the database.
    expect(recorded).toEqual([]);

    const asked = await askDiscount(panel, order!, { kind: "amount", value: 100 });
    expect(asked.body).toMatchObject({ status: "applied", amountMinor: 100 });
    const requestId = asked.body.requestId as string;
    const written = await writeBack(panel, order!.id, { requestId });
    expect(written).toMatchObject({ status: 200, body: { status: "written", orderId: order!.id, amountMinor: 100 } });
    expect((await writeBack(panel, order!.id, { requestId })).body.status).toBe("written");

    const stored = (await currentOpenOrder(db, shop.id, DEMO_STORE))!;
    expect(stored.discounts).toEqual([
      {
        uid: `rc-${requestId}`,
        name: written.body.name,
        type: "FIXED_AMOUNT",
        amount_money: { amount: 100, currency: "USD" },
        applied_money: { amount: 100, currency: "USD" },
        scope: "ORDER",
      },
    ]);
    const shares = stored.line_items.map((line) => line.total_discount_money.amount);
    expect(shares.reduce((sum, share) => sum + share, 0)).toBe(100);
    for (const line of stored.line_items) {
      expect(line.total_money.amount).toBe(line.gross_sales_money.amount - line.total_discount_money.amount);
    }
    expect(stored.line_items.reduce((sum, line) => sum + line.total_money.amount, 0)).toBe(2_799);
    expect(stored.total_money.amount).toBe(2_799);
    expect(stored.total_discount_money.amount).toBe(100);
    const after = (await openOrders(panel)).body.orders as PanelOrder[];
    expect(after[0]).toMatchObject({
      subtotalMinor: 2_899,
      discounts: [{ name: written.body.name, amountMinor: 100 }],
    });

    await completeSale(db, shop.id, order!.id, new Date());
    const sale = await db.order.findUniqueOrThrow({
      where: { shopId_externalId: { shopId: shop.id, externalId: order!.id } },
      include: { lineItems: true },
    });
    expect(sale).toMatchObject({
      totalMinor: 2_799,
      discountMinor: 100,
      locationExternalId: DEMO_STORE,
      currency: "USD",
      financialStatus: "paid",
    });
    const soldLines = sale.lineItems.map((line) => [line.variantExternalId, line.productExternalId, line.quantity]);
    expect(soldLines).toHaveLength(3);
    expect(soldLines).toEqual(
      expect.arrayContaining([
        [c.latte.variation, c.latte.item, 2],
        [c.croissant.variation, c.croissant.item, 1],
        [c.beans.variation, c.beans.item, 1],
      ]),
    );
    expect((await openOrders(panel)).body.orders).toEqual([]);
    expect(recorded).toEqual([]);
  });
});

// ---------- refusals ----------

describe("who may call, and what they may send", () => {
  const SHOPIFY = "panel-orders-shopify.myshopify.com";
  let shopifyPanel: Panel;

  beforeAll(async () => {
    const shop = await db.shop.create({ data: { domain: SHOPIFY, name: "Shopify Deli", currency: "USD" } });
    await db.location.create({ data: { shopId: shop.id, externalId: "4401", name: "Pier" } });
    shopifyPanel = await pairPanel(shop.id, "4401", "Shopify-side panel");
  });

  it("a Shopify store's panel has no open orders to read here (409), while its POS session token still works", async () => {
    expect(await openOrders(shopifyPanel)).toMatchObject({
      status: 409,
      body: { error: { code: "not_a_panel_store" } },
    });
    expect(await writeBack(shopifyPanel, "1234", { requestId: "ckxxxxxxxxxxxxxxxxxxxxxxx" })).toMatchObject({
      status: 409,
      body: { error: { code: "not_a_panel_store" } },
    });
    const pos = await posPost(
      suggestionsAction,
      "/api/pos/suggestions",
      { cart: { lineItems: [{ variantId: 1, quantity: 1 }] }, locationId: "gid://shopify/Location/4401" },
      { shop: SHOPIFY },
    );
    expect(pos).toMatchObject({ status: 200, body: { enabled: true, suggestions: [] } });
  });

  it("refuses a missing, expired, forged or unpaired token with 401", async () => {
    expect(await openOrders(null)).toMatchObject({ status: 401, body: { error: { code: "missing_token" } } });
    // A token issued 16 minutes ago (they live 15).
    const { token: stale } = await panelAccessToken(
      db,
      { deviceId: squarePanel.deviceId, secret: squarePanel.secret },
      process.env.SHOPIFY_API_SECRET!,
      new Date(Date.now() - 16 * 60_000),
    );
    const expired = await openOrders({ token: stale });
    expect(expired).toMatchObject({ status: 401, body: { error: { code: "invalid_token" } } });
    expect(expired.body.error!.message).toMatch(/expired/);
    expect((await openOrders({ token: `${squarePanel.token.split(".")[0]}.forged` })).status).toBe(401);
    // The register API refuses it the same way.
    const ask = await call(
      approvalsAction,
      jsonRequest("/api/pos/approvals", {
        bearer: stale,
        body: {
          cart: { lineItems: [{ variantId: "X", quantity: 1 }], subtotalMinor: 1 },
          discount: { kind: "amount", value: 1 },
          reasonCode: "x",
        },
      }),
    );
    expect(ask).toMatchObject({ status: 401, body: { error: { code: "invalid_token" } } });
    const written = await call(
      discountAction,
      jsonRequest("/api/panel/orders/ABC/discount", { bearer: stale, body: { requestId: "x" } }),
      { orderId: "ABC" },
    );
    expect(written.status).toBe(401);
    expect(calls("POST", "/v2/orders/search")).toEqual([]);
  });

  it("names the field of a bad body, and refuses an oversized one", async () => {
    const post = (raw: string, orderId = "NoSuchOrderAtAllXq9ZZZZZZZZ") =>
      call(discountAction, jsonRequest(`/api/panel/orders/${orderId}/discount`, { bearer: squarePanel.token, raw }), {
        orderId,
      });
    expect(await post("{")).toMatchObject({ status: 400, body: { error: { code: "invalid_json" } } });
    const noId = await post("{}");
    expect(noId).toMatchObject({ status: 400, body: { error: { code: "invalid_body" } } });
    expect(noId.body.error!.message).toMatch(/^requestId: /);
    const shortToken = await post(JSON.stringify({ requestId: "abc", token: "short" }));
    expect(shortToken.body.error!.message).toMatch(/^token: must be the approval token/);
    const extra = await post(JSON.stringify({ requestId: "abc", amountMinor: 99_999 }));
    expect(extra).toMatchObject({ status: 400, body: { error: { code: "invalid_body" } } });
    expect(extra.body.error!.message).toContain("amountMinor");
    const huge = await post(JSON.stringify({ requestId: "abc", token: "t".repeat(8_000) }));
    expect(huge).toMatchObject({ status: 413, body: { error: { code: "body_too_large" } } });
    expect(await post(JSON.stringify({ requestId: "abc" }), "../orders")).toMatchObject({
      status: 400,
      body: { error: { code: "invalid_order" } },
    });
    const unknown = await post(JSON.stringify({ requestId: "no-such-request" }));
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: "approval_not_found" } } });
    const wrongMethod = await call(
      discountAction,
      jsonRequest("/api/panel/orders/ABC/discount", { bearer: squarePanel.token, method: "PUT", raw: "{}" }),
      { orderId: "ABC" },
    );
    expect(wrongMethod.status).toBe(405);

    // The register API with a panel token: the same limits.
    const ask = (raw: string) =>
      call(approvalsAction, jsonRequest("/api/pos/approvals", { bearer: squarePanel.token, raw }));
    expect((await ask("x".repeat(70_000))).status).toBe(413);
    const bad = await ask(
      JSON.stringify({
        cart: { lineItems: [], subtotalMinor: 0 },
        discount: { kind: "percent", value: 5 },
        reasonCode: "loyal_customer",
      }),
    );
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "invalid_body" } } });
    expect(bad.body.error!.message).toMatch(/^cart\.lineItems: /);
    expect(calls("PUT", "/v2/orders/")).toEqual([]);
  });

  it("answers 503 when the store's Square connection is gone", async () => {
    const shop = await db.shop.create({ data: { platform: "square", domain: "MLNOCONNECT01", currency: "CAD" } });
    await db.location.create({ data: { shopId: shop.id, externalId: "LNOCONN4Q2W9Z", name: "Nowhere" } });
    const orphan = await pairPanel(shop.id, "LNOCONN4Q2W9Z", "Orphan till");
    expect(await openOrders(orphan)).toMatchObject({ status: 503, body: { error: { code: "pos_not_connected" } } });
  });
});
