/**
 * The register's loyalty endpoints through the real session-token check: a customer's standing
 * and best offer for the cart, a redemption that reserves points (and a job to release them),
 * a second one refused, and a release that gives them back.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { loader as viewLoader } from "../../app/routes/api.pos.loyalty.$customerId";
import { action as redeemAction } from "../../app/routes/api.pos.loyalty.redeem";
import { action as releaseAction } from "../../app/routes/api.pos.loyalty.release";
import { processWebhook } from "../../app/services/webhooks.server";
import { createShop } from "../factories";
import { posGet, posPost } from "../support/pos";
import { restOrderPayload } from "../support/webhooks";

const db = getDb();
const SHOP = "loyalty-api.myshopify.com";
const OTHER = "loyalty-api-other.myshopify.com";
const CUSTOMER = 445566;
let shopId: string;

const view = (query: string, shop = SHOP, customer: string | number = CUSTOMER) =>
  posGet(viewLoader, `/api/pos/loyalty/${customer}?${query}`, { shop, params: { customerId: String(customer) } });
const redeem = (body: Record<string, unknown>, shop = SHOP) =>
  posPost(
    redeemAction,
    "/api/pos/loyalty/redeem",
    { customerId: CUSTOMER, cart: { lineItems: [], subtotalMinor: 8_000 }, deviceId: "ipad-l", ...body },
    { shop },
  );

beforeAll(async () => {
  shopId = (await createShop(db, { domain: SHOP, currency: "USD" })).id;
  await createShop(db, { domain: OTHER, currency: "USD" });
  // 320.00 paid: 320 points, Member tier (Silver from 500.00).
  const payload = restOrderPayload({
    subtotal_price: "320.00",
    total_price: "320.00",
    customer: { id: CUSTOMER, first_name: "Lo", last_name: "Yal", email: null, phone: null, tags: "" },
  });
  await processWebhook(db, "orders/create", SHOP, payload, new Date());
});

describe("loyalty at the register", () => {
  it("shows tier, points, progress and the best offer for this cart, within the discount limits", async () => {
    const response = await view("subtotalMinor=8000");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      enabled: true,
      points: 320,
      tier: { name: "Member" },
      next: { name: "Silver", toNextMinor: 18_000 },
      // 80.00 cart: 10% off (8.00) is worth most among what 320 points buy; 15% cap = 12.00.
      bestOffer: { rewardId: "ten-percent", valueMinor: 800, points: 250 },
      earnOnCart: 72,
    });
    expect(JSON.stringify(response.body)).not.toMatch(/Lo|Yal/);
    // Another shop knows nothing of this customer.
    expect((await view("subtotalMinor=8000", OTHER)).body).toMatchObject({ points: 0, bestOffer: null });
    expect((await view("subtotalMinor=-5")).body.error).toMatchObject({
      message: expect.stringMatching(/^subtotalMinor/),
    });
    expect((await view("", SHOP, "a%20b")).status).toBe(400);
  });

  it("reserves the points once, refuses a second redemption, and a release gives them back", async () => {
    const first = await redeem({ rewardId: "ten-percent" });
    expect(first).toMatchObject({
      status: 200,
      body: { points: 250, valueMinor: 800, balanceAfter: 70, code: expect.stringMatching(/^LR-/) },
    });
    const job = await db.job.findFirstOrThrow({ where: { type: "loyalty:release", shopDomain: SHOP } });
    expect(JSON.parse(job.payload)).toEqual({ reservationId: first.body.reservationId });
    expect(job.runAt.toISOString()).toBe(first.body.expiresAt);

    expect((await redeem({ rewardId: "ten-percent" })).body.error).toMatchObject({ code: "insufficient_points" });
    expect((await redeem({ rewardId: "no-such" })).status).toBe(404);
    expect((await redeem({ rewardId: "twenty-off", cart: { lineItems: [], subtotalMinor: 100 } })).status).toBe(409);
    expect((await redeem({ rewardId: "BAD id" })).body.error!.message).toMatch(/^rewardId: /);

    const released = await posPost(
      releaseAction,
      "/api/pos/loyalty/release",
      { reservationId: first.body.reservationId },
      { shop: SHOP },
    );
    expect(released.body).toEqual({ released: true });
    expect((await view("subtotalMinor=8000")).body).toMatchObject({ points: 320 });
    // Another shop cannot release (or see) this shop's reservation.
    const foreign = await posPost(
      releaseAction,
      "/api/pos/loyalty/release",
      { reservationId: first.body.reservationId },
      { shop: OTHER },
    );
    expect(foreign.body).toEqual({ released: false });
  });

  it("shows nothing where the program does not run", async () => {
    await db.loyaltyProgram.create({
      data: {
        shopId,
        document: JSON.stringify({
          ...(await import("../../shared/loyalty")).DEFAULT_LOYALTY_PROGRAM,
          locations: ["999"],
        }),
      },
    });
    expect((await view("subtotalMinor=8000&locationId=5")).body).toEqual({ enabled: false });
    expect((await redeem({ rewardId: "five-off", locationId: "5" })).status).toBe(403);
    await db.loyaltyProgram.deleteMany({ where: { shopId } });
  });
});

describe("finding a customer to put on the cart", () => {
  it("matches name, email or phone, case-insensitively, masks contact details, and stays in its shop", async () => {
    const { loader: searchLoader } = await import("../../app/routes/api.pos.customers");
    await db.customer.createMany({
      data: [
        { shopId, externalId: "8001", firstName: "Grace", lastName: "Hopper", email: "grace@example.com" },
        { shopId, externalId: "8002", firstName: "Alan", lastName: "Turing", phone: "+1 555 010 7788" },
        { shopId, externalId: "8003", firstName: "100%", lastName: "Literal", email: "pct@example.com" },
      ],
    });
    const search = (q: string, shop = SHOP) =>
      posGet(searchLoader, `/api/pos/customers?q=${encodeURIComponent(q)}`, { shop });
    expect((await search("HOPP")).body).toEqual({
      customers: [{ id: "8001", name: "Grace Hopper", hint: "g•••@example.com" }],
    });
    expect((await search("7788")).body).toEqual({ customers: [{ id: "8002", name: "Alan Turing", hint: "•••7788" }] });
    // LIKE's wildcards in the query are matched literally.
    expect((await search("0%")).body).toMatchObject({ customers: [{ id: "8003" }] });
    expect((await search("hopper", OTHER)).body).toEqual({ customers: [] });
    expect((await search("x")).status).toBe(400);
  });
});
