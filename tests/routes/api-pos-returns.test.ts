/**
 * POST /api/pos/returns/check through the real session-token check, on a real database: orders
 * found by name or id (never another shop's), earlier refunds and discounts honoured, the check
 * recorded with its policy version, exchanges in stock here, and a return the policy sends to
 * a manager going through the approvals engine.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { action as decisionAction } from "../../app/routes/api.pos.approvals.$id.decision";
import { action as redeemAction } from "../../app/routes/api.pos.approvals.$id.redeem";
import { action as approvalAction } from "../../app/routes/api.pos.returns.$checkId.approval";
import { action as checkAction } from "../../app/routes/api.pos.returns.check";
import { hashPin } from "../../app/services/pin-hash.server";
import { saveReturnPolicy } from "../../app/services/returns.server";
import type { ReturnCheckResponse } from "../../shared/pos-contract";
import { DEFAULT_RETURN_POLICY } from "../../shared/returns";
import { createInventoryLevel, createOrder, createProduct, createShop } from "../factories";
import { posPost } from "../support/pos";

const db = getDb();
const SHOP = "returns-shop.myshopify.com";
const OTHER_SHOP = "returns-other.myshopify.com";
const STORE = "6101";
const PIN = "135790";

let shopId: string;
let jacket: Awaited<ReturnType<typeof createProduct>>;
let order: Awaited<ReturnType<typeof createOrder>>;
let otherOrderName: string;
let managerId: string;

const check = (body: Record<string, unknown>, shop = SHOP) =>
  posPost(
    checkAction,
    "/api/pos/returns/check",
    { receipt: "receipt", reason: { text: "too small" }, locationId: STORE, deviceId: "ipad-r", ...body },
    { shop },
  );

beforeAll(async () => {
  shopId = (await createShop(db, { domain: SHOP, currency: "USD" })).id;
  await db.shop.update({ where: { id: shopId }, data: { timezone: "America/New_York" } });
  jacket = await createProduct(db, shopId, {
    title: "Rain jacket",
    priceMinor: 10_000,
    productType: "Outerwear",
    tags: JSON.stringify(["waterproof"]),
  });
  // Another size of the same jacket, in stock here: the first exchange to offer.
  const otherSize = await db.variant.create({
    data: {
      shopId,
      productId: jacket.id,
      externalId: "777001",
      title: "Large",
      priceMinor: 10_000,
      inventoryItemId: "inv-777001",
    },
  });
  await createInventoryLevel(db, shopId, otherSize.inventoryItemId!, STORE, 4);
  const similar = await createProduct(db, shopId, {
    title: "Trail shell",
    priceMinor: 11_000,
    productType: "Outerwear",
  });
  await createInventoryLevel(db, shopId, similar.variants[0]!.inventoryItemId!, STORE, 2);
  const scarf = await createProduct(db, shopId, {
    title: "Clearance scarf",
    priceMinor: 2_000,
    productType: "Accessories",
    tags: JSON.stringify(["final-sale"]),
  });

  order = await createOrder(db, shopId, {
    processedAt: new Date(Date.now() - 5 * 86_400_000),
    locationExternalId: STORE,
    customerExternalId: "cust-9",
  });
  const line = (externalId: string, product: typeof jacket, quantity: number, priceMinor: number, discountMinor = 0) =>
    db.lineItem.create({
      data: {
        shopId,
        orderId: order.id,
        externalId,
        productExternalId: product.externalId,
        variantExternalId: product.variants[0]!.externalId,
        title: product.title,
        quantity,
        priceMinor,
        discountMinor,
      },
    });
  await line("LI-1", jacket, 2, 10_000, 2_000);
  await line("LI-2", scarf, 1, 2_000);
  // One jacket already refunded (paid 9,000 each after the 2,000 line discount).
  await db.refund.create({
    data: {
      shopId,
      orderId: order.id,
      externalId: "RF-1",
      amountMinor: 9_000,
      lines: JSON.stringify([{ lineItemExternalId: "LI-1", quantity: 1, subtotalMinor: 9_000 }]),
      createdAt: new Date(),
    },
  });

  const other = await createShop(db, { domain: OTHER_SHOP, currency: "USD" });
  otherOrderName = (await createOrder(db, other.id)).name;
  managerId = (
    await db.manager.create({
      data: { shopId, name: "Rosa", pinHash: await hashPin(PIN, process.env.MANAGER_PIN_PEPPER!) },
    })
  ).id;
}, 30_000);

describe("POST /api/pos/returns/check", () => {
  it("finds the order by name, checks every returnable unit, and records the check with its policy version", async () => {
    const response = await check({ order: order.name });
    expect(response.status).toBe(200);
    const body = response.body as unknown as ReturnCheckResponse;
    expect(body.order).toMatchObject({
      name: order.name,
      lines: [
        { lineItemId: "LI-1", quantity: 2, returnable: 1 },
        { lineItemId: "LI-2", quantity: 1, returnable: 1 },
      ],
    });
    const [jacketLine, scarfLine] = body.result.lines;
    expect(jacketLine).toMatchObject({ lineItemId: "LI-1", quantity: 1, verdict: "approve", refundableMinor: 9_000 });
    expect(scarfLine).toMatchObject({ lineItemId: "LI-2", verdict: "deny", refundableMinor: 0 });
    expect(scarfLine!.rules.map((rule) => rule.code)).toContain("final_sale");
    expect(body.result).toMatchObject({ verdict: "deny", refundableMinor: 9_000, reasonCode: "wrong_size" });
    expect(body.policyVersion).toBe(0);

    const stored = await db.returnCheck.findUniqueOrThrow({ where: { id: body.checkId } });
    expect(stored).toMatchObject({
      shopId,
      policyVersion: 0,
      orderExternalId: order.externalId,
      verdict: "deny",
      refundableMinor: 9_000,
      reasonCode: "wrong_size",
      deviceId: "ipad-r",
      userId: "501",
    });
    expect(stored.request).not.toContain("too small");
  });

  it("offers another size of the same product first, then a similar product, both in stock here", async () => {
    const body = (
      await check({ order: order.externalId, lines: [{ lineItemId: "LI-1", quantity: 1, condition: "unopened" }] })
    ).body as unknown as ReturnCheckResponse;
    expect(body.exchanges.map((option) => [option.kind, option.title, option.available])).toEqual([
      ["same_product", "Rain jacket - Large", 4],
      ["similar", "Trail shell", 2],
    ]);
  });

  it("uses the newest policy version and records which one decided", async () => {
    const version = await saveReturnPolicy(
      db,
      shopId,
      { ...DEFAULT_RETURN_POLICY, windowDays: 3 },
      "admin:1",
      new Date(),
    );
    expect(version).toBe(1);
    const body = (
      await check({ order: order.name, lines: [{ lineItemId: "LI-1", quantity: 1, condition: "unopened" }] })
    ).body as unknown as ReturnCheckResponse;
    expect(body.policyVersion).toBe(1);
    expect(body.result.verdict).toBe("deny");
    expect(body.result.lines[0]!.rules.map((rule) => rule.code)).toContain("window_passed");
    await saveReturnPolicy(db, shopId, DEFAULT_RETURN_POLICY, "admin:1", new Date());
  });

  it("never shows another shop's order, and names bad fields", async () => {
    expect((await check({ order: otherOrderName })).body.error).toMatchObject({ code: "order_not_found" });
    const other = await check({ order: order.name }, OTHER_SHOP);
    expect(other.status).toBe(404);
    const bad = await check({ order: order.name, lines: [{ lineItemId: "LI-1", quantity: 0, condition: "unopened" }] });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: "invalid_body" } } });
    expect(bad.body.error!.message).toMatch(/^lines\.0\.quantity: /);
    const noItems = await check({ order: null, receipt: "none" });
    expect(noItems.body.error!.message).toMatch(/^items: /);
    const badCondition = await check({ order: order.name, condition: "smashed" });
    expect(badCondition.body.error!.message).toMatch(/^condition: /);
  });

  it("sends a no-receipt return above the limit to a manager, through the approvals engine", async () => {
    const noReceipt = (
      await check({
        order: null,
        receipt: "none",
        items: [{ variantId: Number(jacket.variants[0]!.externalId), quantity: 1 }],
      })
    ).body as unknown as ReturnCheckResponse;
    expect(noReceipt.result).toMatchObject({ verdict: "needs_manager", refundableMinor: 10_000 });

    const asked = await posPost(
      approvalAction,
      `/api/pos/returns/${noReceipt.checkId}/approval`,
      { deviceId: "ipad-r", locationId: STORE },
      { shop: SHOP, params: { checkId: noReceipt.checkId } },
    );
    expect(asked).toMatchObject({ status: 200, body: { status: "pending", amountMinor: 10_000 } });
    const requestId = asked.body.requestId as string;
    const decided = await posPost(
      decisionAction,
      `/api/pos/approvals/${requestId}/decision`,
      { decision: "approve", pin: PIN, approverId: managerId, deviceId: "ipad-r", locationId: STORE },
      { shop: SHOP, params: { id: requestId } },
    );
    expect(decided.body).toMatchObject({ status: "approved", token: expect.any(String) });
    const redeemed = await posPost(
      redeemAction,
      `/api/pos/approvals/${requestId}/redeem`,
      { token: decided.body.token, cartFingerprint: asked.body.fingerprint, deviceId: "ipad-r" },
      { shop: SHOP, params: { id: requestId } },
    );
    expect(redeemed).toMatchObject({ status: 200, body: { status: "redeemed", amountMinor: 10_000 } });
    expect(await db.approvalRequest.findUniqueOrThrow({ where: { id: requestId } })).toMatchObject({
      kind: "return",
      status: "redeemed",
    });

    // A return that needs no manager cannot be turned into one, and another shop cannot touch it.
    const plain = (
      await check({ order: order.name, lines: [{ lineItemId: "LI-1", quantity: 1, condition: "unopened" }] })
    ).body as unknown as ReturnCheckResponse;
    const refused = await posPost(
      approvalAction,
      `/api/pos/returns/${plain.checkId}/approval`,
      {},
      { shop: SHOP, params: { checkId: plain.checkId } },
    );
    expect(refused.body.error).toMatchObject({ code: "approval_not_needed" });
    const foreign = await posPost(
      approvalAction,
      `/api/pos/returns/${noReceipt.checkId}/approval`,
      {},
      { shop: OTHER_SHOP, params: { checkId: noReceipt.checkId } },
    );
    expect(foreign.status).toBe(404);
  });
});
