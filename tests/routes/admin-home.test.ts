import { describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { signedInAdminRequest } from "../support/admin";
import { loader } from "../../app/routes/app._index";
import { action as deadLettersAction, loader as deadLettersLoader } from "../../app/routes/app.dead-letters";
import { loader as overviewLoader } from "../../app/routes/app.overview";
import type { HomeOverview } from "../../app/services/admin-overview.server";
import { enqueueDeadLetter } from "../../app/services/jobs.server";
import { setupSteps } from "../../app/components/SetupChecklist";

const db = getDb();
const SHOP = "admin-home.myshopify.com";
const OTHER = "admin-home-other.myshopify.com";
const args = (request: Request) => ({ request, params: {}, context: {} });

const signedIn = (path: string, init: RequestInit = {}, shop = SHOP) => signedInAdminRequest(shop, path, init);
const form = (fields: Record<string, string>) => ({ method: "POST", body: new URLSearchParams(fields) });

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
    expect((await thrownResponse(loader(args(request)))).status).toBe(401);
    expect((await thrownResponse(overviewLoader(args(request)))).status).toBe(401);
  });

  it("shows the shop's data, import progress, model and setup, scoped to the signed-in shop, and ticks steps as they happen", async () => {
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
    await enqueueDeadLetter(db, { shopDomain: SHOP, type: "webhook:orders/create", payload: "{", reason: "not JSON" });
    await enqueueDeadLetter(db, { shopDomain: OTHER, type: "webhook:orders/create", payload: "{", reason: "other" });

    const { overview, demo } = await loader(args(await signedIn("/app")));
    expect(demo).toBe(false);
    expect(overview.shop).toMatchObject({ domain: SHOP, name: "Admin Home", currency: "EUR", isDemo: false });
    expect(overview.backfill).toMatchObject({ status: "running", objectCount: 40, ordersImported: 10 });
    expect(overview.deadLetters).toBe(1);
    expect(overview.model).toBeNull();
    expect(overview.plan).toEqual({
      kind: "none",
      url: "https://admin.shopify.com/store/admin-home/charges/register-copilot/pricing_plans",
    });
    const open = (o: HomeOverview, extension: boolean | null = null) =>
      setupSteps(o, extension, false)
        .filter((step) => !step.done)
        .map((step) => step.id);
    expect(open(overview)).toEqual(["history", "model", "register", "managers", "returns", "loyalty", "plan"]);
    // App Bridge saying the extension is on a register ticks that step before any register calls.
    expect(open(overview, true)).not.toContain("register");

    // The merchant (and the app) get on with it; the polled overview follows.
    const now = new Date();
    await db.backfillRun.updateMany({ where: { shopId: shop.id }, data: { status: "completed", finishedAt: now } });
    await db.recommendationModel.create({
      data: { shopId: shop.id, version: "v1", data: "{}", basketCount: 900, productCount: 80, trainedAt: now },
    });
    await db.suggestionEvent.create({
      data: {
        shopId: shop.id,
        requestId: "r1",
        kind: "shown",
        productExternalId: "1",
        variantExternalId: "2",
        priceMinor: 100,
        currency: "EUR",
        modelVersion: "v1",
        createdAt: now,
      },
    });
    await db.manager.create({ data: { shopId: shop.id, name: "Morgan", pinHash: "x" } });
    await db.shop.update({
      where: { id: shop.id },
      data: {
        planName: "Growth",
        planStatus: "ACTIVE",
        planHandle: "growth",
        planTrialEndsAt: new Date(now.getTime() + 86_400_000),
      },
    });
    const response = await overviewLoader(args(await signedIn("/app/overview")));
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const polled = (await response.json()) as HomeOverview;
    expect(polled.model).toMatchObject({ basketCount: 900, fresh: true });
    expect(polled.setup).toMatchObject({ registerSeenAt: now.toISOString(), managers: 1 });
    expect(polled.plan).toMatchObject({ kind: "trial", name: "Growth" });
    expect(open(polled)).toEqual(["returns", "loyalty"]);

    const stale = new Date(now.getTime() - 3 * 86_400_000);
    await db.recommendationModel.updateMany({ where: { shopId: shop.id }, data: { trainedAt: stale } });
    expect((await loader(args(await signedIn("/app")))).overview.model?.fresh).toBe(false);
  });
});

describe("dead letters page", () => {
  it("lists the shop's own dead letters with reason and a payload preview", async () => {
    const big = JSON.stringify({ id: 1, note: "x".repeat(5_000) });
    await enqueueDeadLetter(db, {
      shopDomain: SHOP,
      type: "webhook:products/update",
      payload: big,
      reason: "PayloadError: product: id",
    });
    const page = await deadLettersLoader(args(await signedIn("/app/dead-letters")));
    const listed = page.deadLetters.find((job) => job.topic === "products/update")!;
    expect(listed).toMatchObject({ webhook: true, reason: "PayloadError: product: id", payloadBytes: big.length });
    expect(listed.payload.length).toBeLessThanOrEqual(2_001);
    expect(page.deadLetters.every((job) => job.reason !== "other")).toBe(true);
    expect(page.total).toBe(page.deadLetters.length);
  });

  it("retries one of its own, refuses another shop's, names the field when the form is wrong, and retries all", async () => {
    const jobId = await enqueueDeadLetter(db, {
      shopDomain: SHOP,
      type: "webhook:products/update",
      payload: "{}",
      reason: "r",
    });
    const foreignId = await enqueueDeadLetter(db, { shopDomain: OTHER, type: "x", payload: "{}", reason: "r" });

    expect(
      await deadLettersAction(args(await signedIn("/app/dead-letters", form({ intent: "retry", jobId })))),
    ).toEqual({
      retried: 1,
    });
    expect(await db.job.findUniqueOrThrow({ where: { id: jobId } })).toMatchObject({ status: "pending", attempts: 0 });

    const foreign = (await deadLettersAction(
      args(await signedIn("/app/dead-letters", form({ intent: "retry", jobId: foreignId }))),
    )) as Response;
    expect(foreign.status).toBe(404);
    expect((await db.job.findUniqueOrThrow({ where: { id: foreignId } })).status).toBe("dead");

    const bad = (await deadLettersAction(
      args(await signedIn("/app/dead-letters", form({ intent: "retry" }))),
    )) as Response;
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { fieldErrors: Record<string, string> }).fieldErrors).toHaveProperty("jobId");

    const remaining = await db.job.count({ where: { shopDomain: SHOP, status: "dead" } });
    expect(remaining).toBeGreaterThan(0);
    expect(await deadLettersAction(args(await signedIn("/app/dead-letters", form({ intent: "retry-all" }))))).toEqual({
      retried: remaining,
    });
    expect(await db.job.count({ where: { shopDomain: SHOP, status: "dead" } })).toBe(0);
    expect(await db.job.count({ where: { shopDomain: OTHER, status: "dead" } })).toBeGreaterThan(0);
  });
});
