import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { getDb, isPostgresUrl } from "../../app/db.server";
import { action as ordersCreate } from "../../app/routes/webhooks.orders.create";
import { action as ordersUpdated } from "../../app/routes/webhooks.orders.updated";
import { action as refundsCreate } from "../../app/routes/webhooks.refunds.create";
import { action as productsUpdate } from "../../app/routes/webhooks.products.update";
import { action as productsDelete } from "../../app/routes/webhooks.products.delete";
import { action as inventoryUpdate } from "../../app/routes/webhooks.inventory_levels.update";
import { action as customersUpdate } from "../../app/routes/webhooks.customers.update";
import { action as appUninstalled } from "../../app/routes/webhooks.app.uninstalled";
import { action as scopesUpdate } from "../../app/routes/webhooks.app.scopes_update";
import { action as subscriptionsUpdate } from "../../app/routes/webhooks.app_subscriptions.update";
import { action as customersRedact } from "../../app/routes/webhooks.customers.redact";
import { action as dataRequest } from "../../app/routes/webhooks.customers.data_request";
import { action as shopRedact } from "../../app/routes/webhooks.shop.redact";
import { allJobHandlers } from "../../app/services/job-handlers.server";
import { retryDelayMs } from "../../app/services/jobs.server";
import { runNextJob } from "../../app/services/worker.server";
import { restOrderPayload, webhookRequest } from "../support/webhooks";

const db = getDb();
const args = (request: Request) => ({ request, params: {}, context: {} });

/** Runs the queue as the worker would; returns the outcomes of the webhook jobs it ran. */
async function drainQueue(clock = () => new Date()) {
  const handlers = await allJobHandlers();
  const outcomes: string[] = [];
  for (let i = 0; i < 100; i++) {
    const result = await runNextJob({
      db,
      databaseUrl: process.env.DATABASE_URL!,
      workerId: "test-worker",
      handlers,
      clock,
    });
    if (!result) break;
    if (result.job.type.startsWith("webhook:")) outcomes.push(result.outcome);
  }
  return outcomes;
}

describe("webhook intake", () => {
  it("stores an orders/create delivery once, normalized into minor units", async () => {
    const payload = restOrderPayload();
    const response = await ordersCreate(args(webhookRequest("orders/create", payload)));
    expect(response.status).toBe(200);
    expect(await db.job.count({ where: { type: "webhook:orders/create", status: "pending" } })).toBe(1);

    expect(await drainQueue()).toEqual(["done"]);
    const order = await db.order.findFirstOrThrow({
      where: { externalId: String(payload.id) },
      include: { lineItems: { orderBy: { externalId: "asc" } } },
    });
    expect(order).toMatchObject({
      name: payload.name,
      currency: "USD",
      subtotalMinor: 798,
      totalMinor: 862,
      discountMinor: 100,
      locationExternalId: "655441491",
      customerExternalId: "207119551",
      staffMemberId: "79183544",
      sourceName: "pos",
    });
    expect(order.lineItems.map((line) => [line.title, line.quantity, line.priceMinor, line.discountMinor])).toEqual([
      ["whole milk", 2, 199, 100],
      ["rolls/buns", 1, 400, 0],
    ]);
    const customer = await db.customer.findFirstOrThrow({ where: { externalId: "207119551" } });
    expect(customer.email).toBe("ada@example.com");
    expect(JSON.parse(customer.tags)).toEqual(["vip", "newsletter"]);
  });

  it("acknowledges ten simultaneous copies of one event and processes it exactly once", async () => {
    const payload = restOrderPayload();
    const eventId = "evt-duplicate-burst";
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => ordersCreate(args(webhookRequest("orders/create", payload, { eventId })))),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    expect(await db.webhookEvent.count({ where: { eventId } })).toBe(1);
    expect(await db.job.count({ where: { payload: { contains: String(payload.id) } } })).toBe(1);
    await drainQueue();
    expect(await db.order.count({ where: { externalId: String(payload.id) } })).toBe(1);
  });

  it("records ten different events arriving at once, each with its own job (one group commit)", async () => {
    const payloads = Array.from({ length: 10 }, () => restOrderPayload());
    const responses = await Promise.all(
      payloads.map((payload, index) =>
        ordersCreate(args(webhookRequest("orders/create", payload, { eventId: `evt-group-${index}` }))),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    const events = await db.webhookEvent.findMany({ where: { eventId: { startsWith: "evt-group-" } } });
    expect(events).toHaveLength(10);
    const jobs = await db.job.findMany({ where: { id: { in: events.map((event) => event.jobId!) } } });
    expect(jobs.map((job) => JSON.parse(job.payload).id).sort()).toEqual(payloads.map((payload) => payload.id).sort());
    await drainQueue();
    expect(await db.order.count({ where: { externalId: { in: payloads.map((payload) => String(payload.id)) } } })).toBe(
      10,
    );
  });

  // Another process holding SQLite's write lock (the worker, mid-transaction).
  const sqliteOnly = isPostgresUrl(process.env.DATABASE_URL ?? "") ? it.skip : it;
  const holdWriteLock = (ms: number) => {
    const other = new Database(process.env.DATABASE_URL!.replace(/^file:/, ""));
    other.exec("BEGIN IMMEDIATE");
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        other.exec("ROLLBACK");
        other.close();
        resolve();
      }, ms),
    );
  };

  sqliteOnly("waits out a short write lock held by another process without blocking, then acknowledges", async () => {
    const payload = restOrderPayload();
    const released = holdWriteLock(300);
    const started = performance.now();
    const response = await ordersCreate(args(webhookRequest("orders/create", payload, { eventId: "evt-busy-short" })));
    await released;
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(await db.webhookEvent.count({ where: { eventId: "evt-busy-short" } })).toBe(1);
    expect(await db.job.count({ where: { payload: { contains: String(payload.id) } } })).toBe(1);
    expect(await drainQueue()).toEqual(["done"]);
  });

  sqliteOnly(
    "answers 503 and writes nothing when the database stays locked past the retry budget",
    async () => {
      const payload = restOrderPayload();
      const released = holdWriteLock(5_600);
      const response = await ordersCreate(args(webhookRequest("orders/create", payload, { eventId: "evt-busy-long" })));
      expect(response.status).toBe(503);
      expect(response.headers.get("Retry-After")).toMatch(/^\d+$/);
      expect(await response.json()).toMatchObject({ error: { code: "database_unavailable" } });
      await released;
      expect(await db.webhookEvent.count({ where: { eventId: "evt-busy-long" } })).toBe(0);
      expect(await db.job.count({ where: { payload: { contains: String(payload.id) } } })).toBe(0);
      // Shopify's retry of the same event then goes through.
      const retried = await ordersCreate(args(webhookRequest("orders/create", payload, { eventId: "evt-busy-long" })));
      expect(retried.status).toBe(200);
      expect(await db.webhookEvent.count({ where: { eventId: "evt-busy-long" } })).toBe(1);
      expect(await drainQueue()).toEqual(["done"]);
    },
    15_000,
  );

  it("refuses a bad HMAC with 401 and stores nothing", async () => {
    const before = await db.webhookEvent.count();
    const response = await ordersCreate(
      args(webhookRequest("orders/create", restOrderPayload(), { secret: "not-the-app-secret" })),
    );
    expect(response.status).toBe(401);
    expect(await db.webhookEvent.count()).toBe(before);
  });

  it("refuses a delivery missing Shopify's headers with 400", async () => {
    const response = await ordersCreate(
      args(webhookRequest("orders/create", restOrderPayload(), { omitHeaders: ["X-Shopify-Topic"] })),
    );
    expect(response.status).toBe(400);
  });

  it("refuses a topic delivered to another topic's endpoint with 400", async () => {
    const response = await ordersCreate(
      args(webhookRequest("orders/create", restOrderPayload(), { topicHeader: "products/update" })),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "topic PRODUCTS_UPDATE was delivered to the orders/create endpoint",
    });
  });

  it("refuses a body over 5 MB with 413 before reading it all", async () => {
    const huge = JSON.stringify({ ...restOrderPayload(), note: "x".repeat(5 * 1024 * 1024) });
    const response = await ordersCreate(args(webhookRequest("orders/create", huge)));
    expect(response.status).toBe(413);
  });

  it("keeps a correctly signed body that is not JSON as a dead letter with the reason", async () => {
    const eventId = "evt-not-json";
    const response = await ordersCreate(args(webhookRequest("orders/create", "{not json", { eventId })));
    expect(response.status).toBe(200);
    const event = await db.webhookEvent.findFirstOrThrow({ where: { eventId } });
    const job = await db.job.findUniqueOrThrow({ where: { id: event.jobId! } });
    expect(job.status).toBe("dead");
    expect(job.lastError).toMatch(/payload is not valid JSON/);
    expect(job.payload).toBe("{not json");
  });

  it("dead-letters JSON that is not an order, naming the field, without retrying", async () => {
    const eventId = "evt-bad-order";
    const payload = { ...restOrderPayload(), line_items: "oops" };
    await ordersCreate(args(webhookRequest("orders/create", payload, { eventId })));
    expect(await drainQueue()).toEqual(["dead"]);
    const event = await db.webhookEvent.findFirstOrThrow({ where: { eventId } });
    const job = await db.job.findUniqueOrThrow({ where: { id: event.jobId! } });
    expect(job.lastError).toMatch(/PayloadError: order: line_items/);
    expect(job.attempts).toBe(1);
  });

  it("never lets an older orders/updated overwrite a newer version", async () => {
    const payload = restOrderPayload({ updated_at: "2026-11-21T09:00:00Z", total_price: "20.00" });
    await ordersUpdated(args(webhookRequest("orders/updated", payload)));
    await drainQueue();
    const stale = { ...payload, updated_at: "2026-11-21T08:00:00Z", total_price: "1.00" };
    await ordersUpdated(args(webhookRequest("orders/updated", stale)));
    await drainQueue();
    const order = await db.order.findFirstOrThrow({ where: { externalId: String(payload.id) } });
    expect(order.totalMinor).toBe(2000);
  });

  it("retries a refund that arrives before its order, then stores it", async () => {
    const order = restOrderPayload();
    const refund = {
      id: 509562969,
      order_id: order.id,
      created_at: "2026-11-21T10:00:00Z",
      refund_line_items: [{ line_item_id: order.line_items[0]!.id, quantity: 1, subtotal: "1.49" }],
      transactions: [{ amount: "1.49", kind: "refund", status: "success" }],
    };
    await refundsCreate(args(webhookRequest("refunds/create", refund)));
    const failedFrom = Date.now();
    expect(await drainQueue()).toEqual(["retry"]);
    const pending = await db.job.findFirstOrThrow({ where: { type: "webhook:refunds/create" } });
    expect(pending.lastError).toMatch(/RetryLaterError: order \d+ not stored yet/);
    expect(pending.runAt.getTime()).toBeGreaterThanOrEqual(failedFrom + retryDelayMs(1));

    await ordersCreate(args(webhookRequest("orders/create", order)));
    // The retry comes due after the order's job however slow this run is (jobs run in runAt order).
    await db.job.update({ where: { id: pending.id }, data: { runAt: new Date(Date.now() + 30_000) } });
    const later = () => new Date(Date.now() + 60_000);
    expect(await drainQueue(later)).toEqual(["done", "done"]);
    const stored = await db.refund.findFirstOrThrow({ where: { externalId: "509562969" } });
    expect(stored.amountMinor).toBe(149);
    expect(JSON.parse(stored.lines)).toEqual([
      { lineItemExternalId: String(order.line_items[0]!.id), quantity: 1, subtotalMinor: 149 },
    ]);
  });

  it("keeps the catalog and stock in step with products and inventory webhooks", async () => {
    const product = {
      id: 788032119674292900,
      title: "Example T-Shirt",
      product_type: "Shirts",
      vendor: "Acme",
      tags: "summer, cotton",
      status: "active",
      variants: [
        { id: 642667041472713900, title: "Small", sku: "TS-S", price: "19.99", inventory_item_id: 457924702 },
        { id: 757650484644203900, title: "Large", sku: "TS-L", price: "21.99", inventory_item_id: 457924703 },
      ],
    };
    // Ids past 2^53 arrive as numbers JSON cannot hold exactly; send them as Shopify's GIDs.
    const payload = {
      ...product,
      id: "gid://shopify/Product/7880321196742",
      variants: product.variants.map((variant, index) => ({
        ...variant,
        id: `gid://shopify/ProductVariant/${6426670414 + index}`,
      })),
    };
    await productsUpdate(args(webhookRequest("products/update", payload)));
    await inventoryUpdate(
      args(
        webhookRequest("inventory_levels/update", {
          inventory_item_id: 457924702,
          location_id: 655441491,
          available: 7,
        }),
      ),
    );
    await drainQueue();
    const stored = await db.product.findFirstOrThrow({
      where: { externalId: "7880321196742" },
      include: { variants: true },
    });
    expect(stored.title).toBe("Example T-Shirt");
    expect(stored.variants.map((variant) => variant.priceMinor).sort()).toEqual([1999, 2199]);
    const level = await db.inventoryLevel.findFirstOrThrow({ where: { inventoryItemId: "457924702" } });
    expect(level.available).toBe(7);

    await productsDelete(args(webhookRequest("products/delete", { id: 7880321196742 })));
    await drainQueue();
    const deleted = await db.product.findFirstOrThrow({ where: { externalId: "7880321196742" } });
    expect(deleted.status).toBe("deleted");
  });
});

describe("lifecycle and compliance webhooks", () => {
  it("app/uninstalled removes the shop's sessions and stops its queued jobs and history import at once", async () => {
    const shop = "leaving-shop.myshopify.com";
    await db.session.create({ data: { id: `offline_${shop}`, shop, state: "", accessToken: "shpat_test" } });
    await ordersCreate(args(webhookRequest("orders/create", restOrderPayload(), { shop })));
    await customersUpdate(args(webhookRequest("customers/update", { id: 1, first_name: "A" }, { shop })));
    const shopRow = await db.shop.create({ data: { domain: shop } });
    const run = await db.backfillRun.create({ data: { shopId: shopRow.id, status: "running", sinceDate: new Date() } });

    const response = await appUninstalled(args(webhookRequest("app/uninstalled", { id: 1, domain: shop }, { shop })));
    expect(response.status).toBe(200);
    expect(await db.session.count({ where: { shop } })).toBe(0);
    expect(await db.job.count({ where: { shopDomain: shop, status: "pending" } })).toBe(0);
    expect(await db.job.count({ where: { shopDomain: shop, status: "cancelled" } })).toBe(2);
    expect((await db.shop.findFirstOrThrow({ where: { domain: shop } })).uninstalledAt).toBeInstanceOf(Date);
    expect(await db.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({
      status: "cancelled",
      error: "the app was uninstalled",
    });
  });

  it("app/scopes_update records the granted scopes on the shop's sessions", async () => {
    const shop = "scoped-shop.myshopify.com";
    await db.session.create({
      data: { id: `offline_${shop}`, shop, state: "", accessToken: "x", scope: "read_orders" },
    });
    const body = {
      id: 1,
      previous: ["read_orders"],
      current: ["read_orders", "read_products"],
      updated_at: "2026-11-25T00:00:00Z",
    };
    expect((await scopesUpdate(args(webhookRequest("app/scopes_update", body, { shop })))).status).toBe(200);
    expect((await db.session.findFirstOrThrow({ where: { shop } })).scope).toBe("read_orders,read_products");
  });

  it("app_subscriptions/update records the chosen plan at once and queues a full re-read of it", async () => {
    const shop = "plan-change.myshopify.com";
    const subscription = (status: string) => ({
      app_subscription: {
        admin_graphql_api_id: "gid://shopify/AppSubscription/1029266948",
        name: "Growth",
        status,
        admin_graphql_api_shop_id: "gid://shopify/Shop/548380009",
        created_at: "2026-11-20T07:00:00-05:00",
        updated_at: "2026-11-20T07:00:00-05:00",
        currency: "USD",
        capped_amount: "20.0",
        price: "29.00",
        interval: "every_30_days",
        plan_handle: "growth",
      },
    });
    const accepted = await subscriptionsUpdate(
      args(webhookRequest("app_subscriptions/update", subscription("ACTIVE"), { shop })),
    );
    expect(accepted.status).toBe(200);
    expect(await drainQueue()).toEqual(["done"]);
    expect(await db.shop.findFirstOrThrow({ where: { domain: shop } })).toMatchObject({
      planHandle: "growth",
      planName: "Growth",
      planStatus: "ACTIVE",
    });
    expect(await db.job.count({ where: { shopDomain: shop, type: "shop:sync" } })).toBe(1);

    await subscriptionsUpdate(args(webhookRequest("app_subscriptions/update", subscription("CANCELLED"), { shop })));
    expect(await drainQueue()).toEqual(["done"]);
    expect(await db.shop.findFirstOrThrow({ where: { domain: shop } })).toMatchObject({
      planHandle: null,
      planName: null,
      planStatus: "CANCELLED",
    });
  });

  it("customers/redact erases the person and unlinks their orders, and a late update cannot restore them", async () => {
    const shop = "redact-shop.myshopify.com";
    const order = restOrderPayload();
    await ordersCreate(args(webhookRequest("orders/create", order, { shop })));
    await drainQueue();
    const body = {
      shop_id: 954889,
      shop_domain: shop,
      customer: { id: 207119551, email: "ada@example.com", phone: "+15555550100" },
      orders_to_redact: [order.id],
    };
    expect((await customersRedact(args(webhookRequest("customers/redact", body, { shop })))).status).toBe(200);
    await drainQueue();
    await customersUpdate(args(webhookRequest("customers/update", order.customer, { shop })));
    await drainQueue();

    const shopRow = await db.shop.findFirstOrThrow({ where: { domain: shop } });
    const customer = await db.customer.findFirstOrThrow({ where: { shopId: shopRow.id, externalId: "207119551" } });
    expect(customer).toMatchObject({ firstName: null, lastName: null, email: null, phone: null });
    expect(customer.redactedAt).toBeInstanceOf(Date);
    const stored = await db.order.findFirstOrThrow({ where: { shopId: shopRow.id, externalId: String(order.id) } });
    expect(stored.customerExternalId).toBeNull();
    expect(stored.totalMinor).toBe(862);
  });

  it("customers/data_request produces an export of what we hold", async () => {
    const shop = "export-shop.myshopify.com";
    const order = restOrderPayload();
    await ordersCreate(args(webhookRequest("orders/create", order, { shop })));
    await drainQueue();
    const body = {
      shop_id: 954889,
      shop_domain: shop,
      orders_requested: [order.id],
      customer: { id: 207119551, email: "ada@example.com", phone: "+15555550100" },
      data_request: { id: 9999 },
    };
    expect((await dataRequest(args(webhookRequest("customers/data_request", body, { shop })))).status).toBe(200);
    await drainQueue();
    const exported = await db.customerDataExport.findFirstOrThrow({ where: { dataRequestId: "9999" } });
    const content = JSON.parse(exported.payload);
    expect(content.customer).toMatchObject({ email: "ada@example.com", firstName: "Ada", tags: ["vip", "newsletter"] });
    expect(content.orders).toHaveLength(1);
    expect(content.orders[0]).toMatchObject({ name: order.name, totalMinor: 862 });
  });

  it("shop/redact erases everything held for the shop", async () => {
    const shop = "gone-shop.myshopify.com";
    await ordersCreate(args(webhookRequest("orders/create", restOrderPayload(), { shop })));
    await drainQueue();
    expect(await db.order.count({ where: { shop: { domain: shop } } })).toBe(1);
    const body = { shop_id: 954889, shop_domain: shop };
    expect((await shopRedact(args(webhookRequest("shop/redact", body, { shop })))).status).toBe(200);
    await drainQueue();
    expect(await db.shop.count({ where: { domain: shop } })).toBe(0);
    expect(await db.order.count({ where: { shop: { domain: shop } } })).toBe(0);
    expect(await db.customer.count({ where: { shop: { domain: shop } } })).toBe(0);
    // Only the redaction's own job remains, as the record that it ran.
    const jobs = await db.job.findMany({ where: { shopDomain: shop }, select: { type: true, status: true } });
    expect(jobs).toEqual([{ type: "webhook:shop/redact", status: "done" }]);
  });

  it("scopes every write by shop: the same order id in two shops is two orders", async () => {
    const payload = restOrderPayload();
    await ordersCreate(args(webhookRequest("orders/create", payload, { shop: "shop-a.myshopify.com" })));
    await ordersCreate(args(webhookRequest("orders/create", payload, { shop: "shop-b.myshopify.com" })));
    await drainQueue();
    expect(await db.order.count({ where: { externalId: String(payload.id) } })).toBe(2);
  });
});
