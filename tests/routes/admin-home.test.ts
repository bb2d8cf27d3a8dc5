import { describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { signedInAdminRequest } from "../support/admin";
import { action, loader } from "../../app/routes/app._index";
import { enqueueDeadLetter } from "../../app/services/jobs.server";

const db = getDb();
const SHOP = "admin-home.myshopify.com";
const args = (request: Request) => ({ request, params: {}, context: {} });

const signedIn = (path: string, init: RequestInit = {}, shop = SHOP) => signedInAdminRequest(shop, path, init);

async function thrownResponse(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected the loader to throw a Response");
}

describe("admin home", () => {
  it("refuses a request without a session token", async () => {
    const request = new Request("https://my-test-app.myshopify.io/app", { headers: { Authorization: "Bearer nope" } });
    const response = await thrownResponse(loader(args(request)));
    expect(response.status).toBe(401);
  });

  it("shows the shop's data, import progress and dead letters, scoped to the signed-in shop", async () => {
    const shop = await db.shop.create({ data: { domain: SHOP, name: "Admin Home", currency: "EUR" } });
    await db.backfillRun.create({
      data: {
        shopId: shop.id,
        status: "running",
        sinceDate: new Date("2025-11-25"),
        objectCount: 40,
        ordersImported: 10,
      },
    });
    await enqueueDeadLetter(db, {
      shopDomain: SHOP,
      type: "webhook:orders/create",
      payload: "{",
      reason: "payload is not valid JSON",
    });
    await enqueueDeadLetter(db, {
      shopDomain: "other.myshopify.com",
      type: "webhook:orders/create",
      payload: "{",
      reason: "other shop",
    });

    const data = await loader(args(await signedIn("/app")));
    expect(data.shop).toMatchObject({ domain: SHOP, name: "Admin Home", currency: "EUR" });
    expect(data.backfill).toMatchObject({ status: "running", objectCount: 40, ordersImported: 10 });
    expect(data.deadLetters.map((job) => job.lastError)).toEqual(["payload is not valid JSON"]);
  });

  it("retries a dead letter of its own shop, and names the field when the form is wrong", async () => {
    const jobId = await enqueueDeadLetter(db, {
      shopDomain: SHOP,
      type: "webhook:products/update",
      payload: "{}",
      reason: "PayloadError: product: id not a Shopify id",
    });
    const foreignId = await enqueueDeadLetter(db, {
      shopDomain: "other.myshopify.com",
      type: "x",
      payload: "{}",
      reason: "r",
    });

    const form = (fields: Record<string, string>) => ({ method: "POST", body: new URLSearchParams(fields) });
    const retried = await action(args(await signedIn("/app", form({ intent: "retry-dead-letter", jobId }))));
    expect(retried).toEqual({ retried: jobId });
    expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ status: "pending", attempts: 0 });

    const foreign = (await action(
      args(await signedIn("/app", form({ intent: "retry-dead-letter", jobId: foreignId }))),
    )) as Response;
    expect(foreign.status).toBe(404);
    expect((await db.job.findUniqueOrThrow({ where: { id: foreignId } })).status).toBe("dead");

    const bad = (await action(args(await signedIn("/app", form({ intent: "retry-dead-letter" }))))) as Response;
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^jobId:/);
  });
});
