/**
 * Writes the platform-neutral model. Every function is scoped by shop and idempotent:
 * the same order, product or refund applied twice leaves one row, and an older version of an
 * order never overwrites a newer one (webhooks arrive late and out of order).
 */
import type { Db } from "../db.server";
import type {
  NormalizedCustomer,
  NormalizedInventoryLevel,
  NormalizedOrder,
  NormalizedProduct,
  NormalizedRefund,
  Platform,
} from "../../shared/model";

export class RetryLaterError extends Error {
  override name = "RetryLaterError";
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
type Client = Db | Tx;

export async function ensureShop(db: Client, domain: string, platform: Platform = "shopify") {
  return db.shop.upsert({
    where: { platform_domain: { platform, domain } },
    create: { platform, domain },
    update: {},
    select: { id: true, currency: true, domain: true, uninstalledAt: true },
  });
}

/**
 * Writes the customer as the platform sends it, unless it was erased (redactedAt): an erased
 * customer stays erased, whatever an old payload or a later sync brings back.
 */
export async function upsertCustomerUnlessRedacted(db: Client, shopId: string, customer: NormalizedCustomer) {
  const existing = await db.customer.findUnique({
    where: { shopId_externalId: { shopId, externalId: customer.externalId } },
    select: { redactedAt: true },
  });
  if (existing?.redactedAt) return;
  const data = {
    firstName: customer.firstName,
    lastName: customer.lastName,
    email: customer.email,
    phone: customer.phone,
    tags: JSON.stringify(customer.tags),
  };
  await db.customer.upsert({
    where: { shopId_externalId: { shopId, externalId: customer.externalId } },
    create: { shopId, externalId: customer.externalId, ...data },
    update: data,
  });
}

async function writeRefund(tx: Tx, shopId: string, orderId: string, refund: NormalizedRefund) {
  const data = {
    amountMinor: refund.amountMinor,
    lines: JSON.stringify(refund.lines),
    createdAt: refund.createdAt,
  };
  await tx.refund.upsert({
    where: { shopId_externalId: { shopId, externalId: refund.externalId } },
    create: { shopId, orderId, externalId: refund.externalId, ...data },
    update: data,
  });
}

export type OrderWriteResult = "created" | "updated" | "stale";

export async function upsertOrder(db: Db, shopId: string, order: NormalizedOrder): Promise<OrderWriteResult> {
  return db.$transaction(async (tx) => {
    const existing = await tx.order.findUnique({
      where: { shopId_externalId: { shopId, externalId: order.externalId } },
      select: { id: true, sourceUpdatedAt: true },
    });
    if (existing && existing.sourceUpdatedAt > order.sourceUpdatedAt) return "stale";
    if (order.customer) await upsertCustomerUnlessRedacted(tx, shopId, order.customer);
    const data = {
      name: order.name,
      currency: order.currency,
      subtotalMinor: order.subtotalMinor,
      totalMinor: order.totalMinor,
      discountMinor: order.discountMinor,
      financialStatus: order.financialStatus,
      sourceName: order.sourceName,
      locationExternalId: order.locationExternalId,
      customerExternalId: order.customerExternalId,
      staffMemberId: order.staffMemberId,
      processedAt: order.processedAt,
      cancelledAt: order.cancelledAt,
      sourceUpdatedAt: order.sourceUpdatedAt,
    };
    const saved = existing
      ? await tx.order.update({ where: { id: existing.id }, data, select: { id: true } })
      : await tx.order.create({ data: { shopId, externalId: order.externalId, ...data }, select: { id: true } });
    if (existing) await tx.lineItem.deleteMany({ where: { orderId: saved.id } });
    if (order.lineItems.length) {
      await tx.lineItem.createMany({
        data: order.lineItems.map((line) => ({ shopId, orderId: saved.id, ...line })),
      });
    }
    for (const refund of order.refunds) await writeRefund(tx, shopId, saved.id, refund);
    return existing ? "updated" : "created";
  });
}

export async function upsertRefund(db: Db, shopId: string, refund: NormalizedRefund) {
  await db.$transaction(async (tx) => {
    const order = await tx.order.findUnique({
      where: { shopId_externalId: { shopId, externalId: refund.orderExternalId } },
      select: { id: true },
    });
    // refunds/create can overtake orders/create; the queue retries with backoff.
    if (!order) throw new RetryLaterError(`order ${refund.orderExternalId} not stored yet`);
    await writeRefund(tx, shopId, order.id, refund);
  });
}

export async function upsertProduct(db: Db, shopId: string, product: NormalizedProduct) {
  await db.$transaction(async (tx) => {
    const data = {
      title: product.title,
      productType: product.productType,
      vendor: product.vendor,
      tags: JSON.stringify(product.tags),
      status: product.status,
      deletedAt: null,
    };
    const saved = await tx.product.upsert({
      where: { shopId_externalId: { shopId, externalId: product.externalId } },
      create: { shopId, externalId: product.externalId, ...data },
      update: data,
      select: { id: true },
    });
    const keep = product.variants.map((variant) => variant.externalId);
    await tx.variant.deleteMany({ where: { productId: saved.id, externalId: { notIn: keep } } });
    for (const variant of product.variants) {
      const variantData = {
        productId: saved.id,
        title: variant.title,
        sku: variant.sku,
        priceMinor: variant.priceMinor,
        inventoryItemId: variant.inventoryItemId,
      };
      await tx.variant.upsert({
        where: { shopId_externalId: { shopId, externalId: variant.externalId } },
        create: { shopId, externalId: variant.externalId, ...variantData },
        update: variantData,
      });
    }
  });
}

export async function markProductDeleted(db: Db, shopId: string, productExternalId: string, now: Date) {
  await db.product.updateMany({
    where: { shopId, externalId: productExternalId },
    data: { status: "deleted", deletedAt: now },
  });
}

export async function upsertInventoryLevel(db: Db, shopId: string, level: NormalizedInventoryLevel) {
  await db.inventoryLevel.upsert({
    where: {
      shopId_inventoryItemId_locationExternalId: {
        shopId,
        inventoryItemId: level.inventoryItemId,
        locationExternalId: level.locationExternalId,
      },
    },
    create: { shopId, ...level },
    update: { available: level.available },
  });
}
