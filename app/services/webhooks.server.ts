/**
 * Webhook intake and processing. Intake (on the request path) only records the event under its
 * unique X-Shopify-Event-Id and enqueues a job, so Shopify gets its 200 fast; the worker then
 * normalizes the payload into the platform-neutral model. Compliance and lifecycle topics that
 * must take effect at once (app/uninstalled, app/scopes_update) are applied on intake.
 */
import { applyLoyaltyForOrder, applyLoyaltyForRefund } from "./loyalty.server";
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { createGroupCommit, isUniqueViolation, type Db, type SqlDriver, type SqlRun } from "../db.server";
import {
  customerDataRequest,
  customerFromRest,
  customerRedactRequest,
  deletedProductId,
  inventoryLevelFromRest,
  orderFromRest,
  PayloadError,
  productFromRest,
  refundFromRest,
} from "../platforms/shopify/normalize";
import { planUpdateFromWebhook } from "./billing.server";
import { INSTALL_JOB } from "./install.server";
import { cancelActiveBackfills } from "./backfill.server";
import { cancelShopJobs, enqueueDeadLetter, enqueueJob, jobInsertSql } from "./jobs.server";
import { attributeOrderToSuggestions, scheduleRebuildIfStale } from "./suggestions.server";
import {
  ensureShop,
  markProductDeleted,
  upsertCustomerUnlessRedacted,
  upsertInventoryLevel,
  upsertOrder,
  upsertProduct,
  upsertRefund,
} from "./store.server";

export const WEBHOOK_TOPICS = [
  "orders/create",
  "orders/updated",
  "refunds/create",
  "products/update",
  "products/delete",
  "inventory_levels/update",
  "customers/create",
  "customers/update",
  "app/uninstalled",
  "app/scopes_update",
  "app_subscriptions/update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

export const WEBHOOK_JOB_PREFIX = "webhook:";

/** "ORDERS_CREATE" (how the Shopify library reports it) for "orders/create". */
export function libraryTopicName(topic: WebhookTopic): string {
  return topic.toUpperCase().replace(/\/|\./g, "_");
}

export interface WebhookDelivery {
  shopDomain: string;
  topic: WebhookTopic;
  eventId: string;
}

export type RecordOutcome = "accepted" | "duplicate";

export interface WebhookRecord {
  delivery: WebhookDelivery;
  payload: unknown;
  now: Date;
}

/**
 * Records the event and enqueues its job in one transaction. Returns "duplicate" when the
 * event was seen before (Shopify retries, or the same delivery racing itself): acknowledged,
 * never processed twice. Deliveries arriving together share one transaction (group commit).
 */
export async function recordWebhook(
  db: Db,
  sql: SqlDriver,
  delivery: WebhookDelivery,
  payload: unknown,
  now: Date,
): Promise<RecordOutcome> {
  if (delivery.topic === "app/uninstalled" || delivery.topic === "app/scopes_update") {
    return applyLifecycleWebhook(db, delivery, payload, now);
  }
  let record = recorders.get(sql);
  if (!record) recorders.set(sql, (record = createGroupCommit(sql, writeWebhookBatch)));
  return record({ delivery, payload, now });
}

const recorders = new WeakMap<SqlDriver, (record: WebhookRecord) => Promise<RecordOutcome>>();

/**
 * One batch of deliveries: each event under its unique key and each new one with its job. Two
 * copies of one event in the same batch: the second is the duplicate. This is the hot path under
 * a flood of orders, so it runs on the driver connection (ADR 0006: Prisma's per-query compile
 * cost more than the writes themselves).
 */
async function writeWebhookBatch(run: SqlRun, records: WebhookRecord[]): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  for (const { delivery, payload, now } of records) {
    const jobId = randomUUID();
    const inserted = await run(Prisma.sql`
      INSERT INTO "WebhookEvent" ("id", "eventId", "shopDomain", "topic", "receivedAt", "jobId")
      VALUES (${randomUUID()}, ${delivery.eventId}, ${delivery.shopDomain}, ${delivery.topic}, ${now}, ${jobId})
      ON CONFLICT ("shopDomain", "topic", "eventId") DO NOTHING`);
    if (inserted === 0) {
      outcomes.push("duplicate");
      continue;
    }
    const type = `${WEBHOOK_JOB_PREFIX}${delivery.topic}`;
    await run(jobInsertSql(jobId, { shopDomain: delivery.shopDomain, type, payload, runAt: now }, now));
    outcomes.push("accepted");
  }
  return outcomes;
}

/** app/uninstalled and app/scopes_update take effect on intake, in the event's transaction. */
async function applyLifecycleWebhook(
  db: Db,
  delivery: WebhookDelivery,
  payload: unknown,
  now: Date,
): Promise<RecordOutcome> {
  try {
    await applyLifecycleChange(db, delivery, payload, now);
    return "accepted";
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}

async function applyLifecycleChange(db: Db, delivery: WebhookDelivery, payload: unknown, now: Date) {
  await db.$transaction(async (tx) => {
    await tx.webhookEvent.create({
      data: { eventId: delivery.eventId, shopDomain: delivery.shopDomain, topic: delivery.topic, receivedAt: now },
      select: { id: true },
    });
    if (delivery.topic === "app/uninstalled") {
      // Sessions go now (the tokens are dead anyway) and queued work for the shop stops.
      await tx.session.deleteMany({ where: { shop: delivery.shopDomain } });
      const shop = await tx.shop.findUnique({
        where: { platform_domain: { platform: "shopify", domain: delivery.shopDomain } },
        select: { id: true },
      });
      if (shop) {
        await tx.shop.update({ where: { id: shop.id }, data: { uninstalledAt: now } });
        await cancelActiveBackfills(tx, shop.id, "the app was uninstalled", now);
      }
      await cancelShopJobs(tx, delivery.shopDomain, now);
      return;
    }
    const current = (payload as { current?: unknown }).current;
    if (Array.isArray(current) && current.every((scope) => typeof scope === "string")) {
      await tx.session.updateMany({ where: { shop: delivery.shopDomain }, data: { scope: current.join(",") } });
    }
  });
}

/**
 * A delivery whose HMAC is valid but whose body is not JSON: acknowledged (Shopify would only
 * retry the same bytes) and kept as a dead letter with the reason, for the admin to see.
 */
export async function recordUnparseableWebhook(
  db: Db,
  delivery: WebhookDelivery,
  rawBody: string,
  reason: string,
  now: Date,
): Promise<"accepted" | "duplicate"> {
  try {
    await db.$transaction(async (tx) => {
      const event = await tx.webhookEvent.create({
        data: { eventId: delivery.eventId, shopDomain: delivery.shopDomain, topic: delivery.topic, receivedAt: now },
        select: { id: true },
      });
      const jobId = await enqueueDeadLetter(tx, {
        shopDomain: delivery.shopDomain,
        type: `${WEBHOOK_JOB_PREFIX}${delivery.topic}`,
        payload: rawBody,
        reason,
      });
      await tx.webhookEvent.update({ where: { id: event.id }, data: { jobId } });
    });
    return "accepted";
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
}

/** Worker side: apply one webhook payload to the model. Throws PayloadError / RetryLaterError. */
export async function processWebhook(db: Db, topic: WebhookTopic, shopDomain: string, payload: unknown, now: Date) {
  if (topic === "shop/redact") {
    await redactShop(db, shopDomain);
    return;
  }
  const shop = await ensureShop(db, shopDomain);
  switch (topic) {
    case "orders/create":
    case "orders/updated": {
      const order = orderFromRest(payload);
      if ((await upsertOrder(db, shop.id, order)) === "stale") return;
      await applyLoyaltyForOrder(db, shop.id, order, now);
      await attributeOrderToSuggestions(db, shop.id, order.externalId);
      await scheduleRebuildIfStale(db, shop.id, { platform: "shopify", domain: shopDomain }, now);
      return;
    }
    case "refunds/create": {
      const order = await db.order.findFirst({
        where: { shopId: shop.id, externalId: String((payload as { order_id?: unknown }).order_id ?? "") },
        select: { currency: true },
      });
      const refund = refundFromRest(payload, order?.currency ?? shop.currency);
      await upsertRefund(db, shop.id, refund);
      await applyLoyaltyForRefund(db, shop.id, refund.orderExternalId, now);
      return;
    }
    case "products/update":
      await upsertProduct(db, shop.id, productFromRest(payload, shop.currency));
      return;
    case "products/delete":
      await markProductDeleted(db, shop.id, deletedProductId(payload), now);
      return;
    case "inventory_levels/update":
      await upsertInventoryLevel(db, shop.id, inventoryLevelFromRest(payload));
      return;
    case "customers/create":
    case "customers/update":
      await upsertCustomerUnlessRedacted(db, shop.id, customerFromRest(payload));
      return;
    case "customers/redact":
      await redactCustomer(db, shop.id, customerRedactRequest(payload), now);
      return;
    case "customers/data_request":
      await exportCustomerData(db, shop.id, customerDataRequest(payload));
      return;
    case "app_subscriptions/update": {
      // The plan's new state at once; a re-read brings what the payload lacks (the trial).
      const update = planUpdateFromWebhook(payload, now);
      if (!update) throw new PayloadError("app_subscription: missing name or status");
      await db.$transaction(async (tx) => {
        await tx.shop.update({ where: { id: shop.id }, data: update });
        await enqueueJob(tx, { shopDomain, type: INSTALL_JOB.syncShop, payload: { reason: topic }, runAt: now });
      });
      return;
    }
    case "app/uninstalled":
    case "app/scopes_update":
      // Applied on intake; never enqueued.
      return;
  }
}

/** customers/redact: erase the person, keep anonymous sales (needed for the shop's own stats). */
export async function redactCustomer(
  db: Db,
  shopId: string,
  request: { customerExternalId: string; orderExternalIds: string[] },
  now: Date,
) {
  await db.$transaction(async (tx) => {
    await tx.customer.updateMany({
      where: { shopId, externalId: request.customerExternalId },
      data: { firstName: null, lastName: null, email: null, phone: null, tags: "[]", redactedAt: now },
    });
    // A redact can arrive for a customer we never stored: keep a tombstone so a late
    // customers/update or order payload cannot bring the data back.
    await tx.customer.upsert({
      where: { shopId_externalId: { shopId, externalId: request.customerExternalId } },
      create: { shopId, externalId: request.customerExternalId, redactedAt: now },
      update: {},
    });
    await tx.order.updateMany({
      where: {
        shopId,
        OR: [{ customerExternalId: request.customerExternalId }, { externalId: { in: request.orderExternalIds } }],
      },
      data: { customerExternalId: null },
    });
    await tx.customerDataExport.deleteMany({ where: { shopId, customerExternalId: request.customerExternalId } });
    // The loyalty ledger is keyed by the customer: it goes with them (the one erasure it allows).
    const customer = { shopId, customerExternalId: request.customerExternalId };
    await tx.loyaltyReservation.deleteMany({ where: customer });
    await tx.loyaltyLedgerEntry.deleteMany({ where: customer });
    await tx.loyaltyAccount.deleteMany({ where: customer });
  });
}

/** shop/redact (48 h after uninstall): everything we hold for the shop goes. */
export async function redactShop(db: Db, shopDomain: string) {
  await db.$transaction(async (tx) => {
    await tx.shop.deleteMany({ where: { platform: "shopify", domain: shopDomain } });
    await tx.session.deleteMany({ where: { shop: shopDomain } });
    await tx.job.deleteMany({ where: { shopDomain, status: { not: "running" } } });
  });
}

/** customers/data_request: what we hold about the customer, stored for the merchant to send. */
export async function exportCustomerData(
  db: Db,
  shopId: string,
  request: { customerExternalId: string; orderExternalIds: string[]; dataRequestId: string | null },
) {
  const customer = await db.customer.findUnique({
    where: { shopId_externalId: { shopId, externalId: request.customerExternalId } },
    select: {
      externalId: true,
      firstName: true,
      lastName: true,
      email: true,
      phone: true,
      tags: true,
      redactedAt: true,
    },
  });
  const orders = await db.order.findMany({
    where: {
      shopId,
      OR: [{ customerExternalId: request.customerExternalId }, { externalId: { in: request.orderExternalIds } }],
    },
    select: {
      externalId: true,
      name: true,
      currency: true,
      totalMinor: true,
      processedAt: true,
      lineItems: { select: { title: true, quantity: true, priceMinor: true } },
    },
    orderBy: { processedAt: "asc" },
  });
  await db.customerDataExport.create({
    data: {
      shopId,
      customerExternalId: request.customerExternalId,
      dataRequestId: request.dataRequestId,
      payload: JSON.stringify({
        customer: customer ? { ...customer, tags: JSON.parse(customer.tags) as string[] } : null,
        orders,
      }),
    },
  });
}
