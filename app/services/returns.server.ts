/**
 * Return checks: find the order in the store's data, gather what the policy needs (products'
 * types and tags, earlier refunds, the customer's recent returns), run shared/returns.ts, record
 * the check with the policy version it used, and offer in-stock exchanges. A return the policy
 * sends to a manager becomes an approval request (kind "return") in the approvals engine.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db.server";
import { externalId } from "../../shared/ids";
import type {
  ExchangeOption,
  ReturnApprovalResponse,
  ReturnCheckRequest,
  ReturnCheckResponse,
} from "../../shared/pos-contract";
import { ReturnPolicySchema } from "../../shared/return-policy";
import {
  checkReturn,
  DEFAULT_RETURN_POLICY,
  type OrderFacts,
  type ReturnCheckResult,
  type ReturnLineRequest,
  type ReturnPolicy,
} from "../../shared/returns";
import { ApprovalError, PENDING_TTL_MS, type RegisterContext } from "./approvals.server";
import { appendAudit, inAuditedTransaction } from "./audit.server";
import { catalogValueMinor } from "./catalog-value.server";
import { understandReason } from "./ai-reasons.server";
import { registerSwitchesFor } from "./register-switches.server";

/** The policy in force: the newest saved version, else the defaults (version 0). */
export async function currentReturnPolicy(db: Db, shopId: string): Promise<{ version: number; policy: ReturnPolicy }> {
  const row = await db.returnPolicyVersion.findFirst({ where: { shopId }, orderBy: { version: "desc" } });
  if (!row) return { version: 0, policy: DEFAULT_RETURN_POLICY };
  return { version: row.version, policy: ReturnPolicySchema.parse(JSON.parse(row.document)) };
}

/** Saves the policy as a new version (never an edit of an old one) and audits the change. */
export async function saveReturnPolicy(db: Db, shopId: string, policy: ReturnPolicy, actor: string, now: Date) {
  return inAuditedTransaction(db, async (tx) => {
    const latest = await tx.returnPolicyVersion.findFirst({
      where: { shopId },
      orderBy: { version: "desc" },
      select: { version: true },
    });
    const version = (latest?.version ?? 0) + 1;
    await tx.returnPolicyVersion.create({
      data: { shopId, version, document: JSON.stringify(policy), createdBy: actor, createdAt: now },
    });
    await appendAudit(tx, shopId, {
      type: "policy.changed",
      actor,
      data: { feature: "returns", version, policy },
      at: now,
    });
    return version;
  });
}

/** "#1001", "1001", an order id or its GID. Only this shop's orders are ever searched. */
async function findOrder(db: Db, shopId: string, reference: string) {
  const text = reference.trim();
  const id = externalId(text);
  const name = text.startsWith("#") ? text : `#${text}`;
  return db.order.findFirst({
    where: { shopId, OR: [{ name }, ...(id ? [{ externalId: id }] : [])] },
    include: { lineItems: true, refunds: true },
    orderBy: { processedAt: "desc" },
  });
}

type LoadedOrder = NonNullable<Awaited<ReturnType<typeof findOrder>>>;

async function orderFacts(db: Db, shopId: string, order: LoadedOrder): Promise<OrderFacts> {
  const productIds = [...new Set(order.lineItems.flatMap((line) => line.productExternalId ?? []))];
  const products = await db.product.findMany({
    where: { shopId, externalId: { in: productIds } },
    select: { externalId: true, productType: true, tags: true },
  });
  const byId = new Map(products.map((product) => [product.externalId, product]));
  const refunded = new Map<string, { quantity: number; minor: number }>();
  for (const refund of order.refunds) {
    const lines = JSON.parse(refund.lines) as Array<{
      lineItemExternalId: string;
      quantity: number;
      subtotalMinor: number;
    }>;
    for (const line of lines) {
      const sum = refunded.get(line.lineItemExternalId) ?? { quantity: 0, minor: 0 };
      refunded.set(line.lineItemExternalId, {
        quantity: sum.quantity + line.quantity,
        minor: sum.minor + line.subtotalMinor,
      });
    }
  }
  return {
    name: order.name,
    currency: order.currency,
    processedAt: order.processedAt,
    sourceName: order.sourceName,
    locationId: order.locationExternalId,
    customerId: order.customerExternalId,
    lines: order.lineItems.map((line) => {
      const product = line.productExternalId ? byId.get(line.productExternalId) : undefined;
      const back = refunded.get(line.externalId) ?? { quantity: 0, minor: 0 };
      return {
        lineItemId: line.externalId,
        title: line.title,
        productType: product?.productType ?? "",
        tags: product ? (JSON.parse(product.tags) as string[]) : [],
        quantity: line.quantity,
        priceMinor: line.priceMinor,
        discountMinor: line.discountMinor,
        refundedQuantity: back.quantity,
        refundedMinor: back.minor,
      };
    }),
  };
}

/** The customer's refunds in the review period, on any order of this shop but the one checked. */
async function customerHistory(
  db: Db,
  shopId: string,
  customerId: string | null,
  days: number,
  now: Date,
  orderId?: string,
) {
  if (!customerId) return null;
  const refunds = await db.refund.findMany({
    where: {
      shopId,
      createdAt: { gte: new Date(now.getTime() - days * 86_400_000) },
      order: { customerExternalId: customerId, ...(orderId ? { id: { not: orderId } } : {}) },
    },
    select: { amountMinor: true },
  });
  return { returns: refunds.length, valueMinor: refunds.reduce((sum, refund) => sum + refund.amountMinor, 0) };
}

/** Variants in stock at the location: another variant of the same product first, then similar ones. */
async function exchangeOptions(
  db: Db,
  shopId: string,
  location: string | null,
  order: LoadedOrder,
  result: ReturnCheckResult,
): Promise<ExchangeOption[]> {
  if (!location) return [];
  const options: ExchangeOption[] = [];
  for (const checked of result.lines) {
    if (checked.verdict === "deny") continue;
    const line = order.lineItems.find((candidate) => candidate.externalId === checked.lineItemId);
    if (!line?.productExternalId) continue;
    const product = await db.product.findFirst({
      where: { shopId, externalId: line.productExternalId },
      select: { id: true, productType: true },
    });
    if (!product) continue;
    const low = Math.floor(line.priceMinor * 0.75);
    const high = Math.ceil(line.priceMinor * 1.25);
    const candidates = await db.variant.findMany({
      where: {
        shopId,
        externalId: { not: line.variantExternalId ?? "" },
        inventoryItemId: { not: null },
        product: { deletedAt: null, status: "active" },
        OR: [
          { productId: product.id },
          ...(product.productType
            ? [{ product: { productType: product.productType }, priceMinor: { gte: low, lte: high } }]
            : []),
        ],
      },
      include: { product: { select: { title: true } } },
      take: 50,
    });
    const stock = await db.inventoryLevel.findMany({
      where: {
        shopId,
        locationExternalId: location,
        inventoryItemId: { in: candidates.map((variant) => variant.inventoryItemId!) },
        available: { gt: 0 },
      },
      select: { inventoryItemId: true, available: true },
    });
    const available = new Map(stock.map((level) => [level.inventoryItemId, level.available]));
    const inStock = candidates
      .filter((variant) => available.has(variant.inventoryItemId!))
      .map((variant) => ({
        forLineItemId: checked.lineItemId,
        kind: variant.productId === product.id ? ("same_product" as const) : ("similar" as const),
        variantId: variant.externalId,
        // "Default Title" is Shopify's name for the only variant of a product without options.
        title:
          variant.title && variant.title !== "Default Title"
            ? `${variant.product.title} - ${variant.title}`
            : variant.product.title,
        priceMinor: variant.priceMinor,
        available: available.get(variant.inventoryItemId!)!,
      }))
      .sort((a, b) => (a.kind === b.kind ? b.available - a.available : a.kind === "same_product" ? -1 : 1));
    options.push(...inStock.slice(0, 3));
  }
  return options;
}

export class ReturnCheckError extends Error {
  constructor(
    readonly status: 400 | 403 | 404,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a return and records the check; an unknown order is 404 (another shop's too). */
export async function checkReturnAtRegister(
  db: Db,
  register: RegisterContext & { timeZone: string },
  request: ReturnCheckRequest,
  now: Date,
): Promise<ReturnCheckResponse> {
  const switches = await registerSwitchesFor(db, register.shopId, register.locationExternalId);
  if (!switches.returns) {
    throw new ReturnCheckError(403, "returns_off", "Return checks are switched off at this location");
  }
  const { version, policy } = await currentReturnPolicy(db, register.shopId);
  const order = request.order ? await findOrder(db, register.shopId, request.order) : null;
  if (request.order && !order) {
    throw new ReturnCheckError(404, "order_not_found", `No order ${request.order} in this store`);
  }
  const facts = order ? await orderFacts(db, register.shopId, order) : null;
  const lines: ReturnLineRequest[] =
    request.lines ??
    (facts?.lines ?? [])
      .filter((line) => line.quantity > line.refundedQuantity)
      .map((line) => ({
        lineItemId: line.lineItemId,
        quantity: line.quantity - line.refundedQuantity,
        condition: request.condition ?? "unopened",
      }));
  const noReceiptValueMinor = facts ? undefined : await itemsValue(db, register.shopId, request.items ?? []);
  const reason = await understandReason(
    db,
    register.shopId,
    request.reason,
    await knownPeople(db, register.shopId, facts?.customerId ?? null),
    now,
  );
  const result = checkReturn({
    policy,
    order: facts,
    lines: facts
      ? lines
      : (request.items ?? []).map((item) => ({
          lineItemId: String(item.variantId),
          quantity: item.quantity,
          condition: request.condition ?? "unopened",
        })),
    noReceiptValueMinor,
    receipt: facts ? request.receipt : "none",
    reason: { code: reason.code, text: request.reason.text ?? null },
    now,
    timeZone: register.timeZone,
    locationId: register.locationExternalId,
    customerHistory: await customerHistory(
      db,
      register.shopId,
      facts?.customerId ?? null,
      policy.review.days,
      now,
      order?.id,
    ),
  });
  const currency = order?.currency ?? register.currency;
  const check = await db.returnCheck.create({
    data: {
      shopId: register.shopId,
      policyVersion: version,
      orderExternalId: order?.externalId ?? null,
      locationExternalId: register.locationExternalId,
      deviceId: register.deviceId,
      userId: register.userId,
      staffMemberId: register.staffMemberId,
      receipt: facts ? request.receipt : "none",
      reasonCode: result.reasonCode,
      reasonSource: reason.source,
      reasonPromptVersion: reason.promptVersion,
      verdict: result.verdict,
      refundableMinor: result.refundableMinor,
      currency,
      // The free-text reason stays out: it may name the customer.
      request: JSON.stringify({ order: request.order, lines, items: request.items ?? null }),
      result: JSON.stringify(result),
      createdAt: now,
    },
    select: { id: true },
  });
  return {
    checkId: check.id,
    policyVersion: version,
    currency,
    order:
      order && facts
        ? {
            id: order.externalId,
            name: order.name,
            processedAt: order.processedAt.toISOString(),
            lines: facts.lines.map((line) => ({
              lineItemId: line.lineItemId,
              title: line.title,
              quantity: line.quantity,
              returnable: Math.max(0, line.quantity - line.refundedQuantity),
            })),
          }
        : null,
    result,
    exchanges: order ? await exchangeOptions(db, register.shopId, register.locationExternalId, order, result) : [],
  };
}

/** Who a reason might name: the order's customer (their names and id are redacted before any model call). */
async function knownPeople(db: Db, shopId: string, customerId: string | null) {
  if (!customerId) return {};
  const customer = await db.customer.findUnique({
    where: { shopId_externalId: { shopId, externalId: customerId } },
    select: { firstName: true, lastName: true },
  });
  const name = [customer?.firstName, customer?.lastName].filter(Boolean).join(" ");
  return { names: name ? [name] : [], customerIds: [customerId] };
}

async function itemsValue(db: Db, shopId: string, items: NonNullable<ReturnCheckRequest["items"]>) {
  const value = await catalogValueMinor(db, shopId, items);
  if (value === null) throw new ReturnCheckError(400, "invalid_body", "items: not all are products of this store");
  return value;
}

/** What a return approval is bound to: the check (its lines and amounts are stored with it). */
export const returnFingerprint = (checkId: string) => `return1:${checkId}`;

/**
 * A return the policy sends to a manager: an approval request bound to the check, decided and
 * redeemed through the approvals engine like a discount (same PINs, lockouts and audit).
 */
export async function requestReturnApproval(
  db: Db,
  register: RegisterContext,
  checkId: string,
  now: Date,
): Promise<ReturnApprovalResponse> {
  const check = await db.returnCheck.findUnique({ where: { id: checkId } });
  if (!check || check.shopId !== register.shopId)
    throw new ApprovalError(404, "check_not_found", "No such return check");
  if (check.verdict !== "needs_manager") {
    throw new ApprovalError(409, "approval_not_needed", `This return is "${check.verdict}": no manager is needed`);
  }
  if (now.getTime() - check.createdAt.getTime() > PENDING_TTL_MS) {
    throw new ApprovalError(409, "check_expired", "This check is too old; check the return again");
  }
  const fingerprint = returnFingerprint(check.id);
  const row = await inAuditedTransaction(db, async (tx) => {
    const created = await tx.approvalRequest.create({
      data: {
        shopId: register.shopId,
        kind: "return",
        locationExternalId: register.locationExternalId,
        deviceId: register.deviceId,
        userId: register.userId,
        staffMemberId: register.staffMemberId,
        cartHash: createHash("sha256").update(fingerprint).digest("hex"),
        subtotalMinor: check.refundableMinor,
        discountKind: "amount",
        discountValue: check.refundableMinor,
        amountMinor: check.refundableMinor,
        currency: check.currency,
        reasonCode: check.reasonCode,
        note: null,
        status: "pending",
        triggers: JSON.stringify(["return_policy"]),
        createdAt: now,
      },
      select: { id: true },
    });
    await appendAudit(tx, register.shopId, {
      type: "approval.requested",
      actor: register.userId ? `user:${register.userId}` : "register",
      data: {
        requestId: created.id,
        kind: "return",
        checkId: check.id,
        orderId: check.orderExternalId,
        amountMinor: check.refundableMinor,
        reasonCode: check.reasonCode,
        location: register.locationExternalId,
        device: register.deviceId,
        userId: register.userId,
        staffMemberId: register.staffMemberId,
      },
      at: now,
    });
    return created;
  });
  return {
    status: "pending",
    requestId: row.id,
    amountMinor: check.refundableMinor,
    expiresAt: new Date(now.getTime() + PENDING_TTL_MS).toISOString(),
    fingerprint,
  };
}
