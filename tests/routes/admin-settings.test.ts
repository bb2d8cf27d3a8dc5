/**
 * The settings page: every feature's switch and limits per location in one form, written where
 * each feature keeps them, audited, and obeyed by the register routes (kill switch included).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { loader as approvalsLoader } from "../../app/routes/api.pos.approvals";
import { loader as loyaltyLoader } from "../../app/routes/api.pos.loyalty.$customerId";
import { action as returnsCheck } from "../../app/routes/api.pos.returns.check";
import { action as suggestionsAction } from "../../app/routes/api.pos.suggestions";
import { action, loader } from "../../app/routes/app.settings";
import { loyaltyProgramFor } from "../../app/services/loyalty.server";
import { createShop } from "../factories";
import { signedInAdminRequest } from "../support/admin";
import { posGet, posPost } from "../support/pos";

const db = getDb();
const SHOP = "admin-settings.myshopify.com";
const PIER = "81";
const MARKET = "82";
const args = (request: Request) => ({ request, params: {}, context: {} });
let shopId: string;

const signedIn = (path: string, init: RequestInit = {}) => signedInAdminRequest(SHOP, path, init);
const defaults = {
  locationExternalId: "",
  copilot: "on",
  suggestions: "on",
  maxSuggestions: "3",
  approvals: "on",
  maxPercent: "15",
  maxAmount: "50.00",
  shiftLimit: "100.00",
  returns: "on",
  loyalty: "on",
};
async function save(fields: Partial<typeof defaults>) {
  const request = await signedIn("/app/settings", {
    method: "POST",
    body: new URLSearchParams({ ...defaults, ...fields }),
  });
  const result = await action(args(request));
  if (result instanceof Response) {
    return { status: result.status, body: (await result.json()) as { fieldErrors?: Record<string, string> } };
  }
  return { status: 200, body: result as { saved?: true; fieldErrors?: Record<string, string> } };
}

/** What a register at `location` gets from each feature. */
async function atRegister(location: string) {
  const suggestions = await posPost(
    suggestionsAction as never,
    "/api/pos/suggestions",
    { cart: { lineItems: [] }, locationId: Number(location) },
    { shop: SHOP },
  );
  const approvals = await posGet(approvalsLoader as never, `/api/pos/approvals?locationId=${location}&deviceId=d1`, {
    shop: SHOP,
  });
  const loyalty = await posGet(
    loyaltyLoader as never,
    `/api/pos/loyalty/900?locationId=${location}&subtotalMinor=1000`,
    {
      shop: SHOP,
      params: { customerId: "900" },
    },
  );
  const returns = await posPost(
    returnsCheck as never,
    "/api/pos/returns/check",
    {
      order: null,
      receipt: "none",
      reason: { code: "changed_mind" },
      items: [{ variantId: 1, quantity: 1 }],
      locationId: location,
      deviceId: "d1",
    },
    { shop: SHOP },
  );
  return {
    suggestions: suggestions.body.enabled,
    approvals: approvals.body.enabled,
    loyalty: loyalty.body.enabled,
    // With returns on, the made-up item is refused (400); off, the check is refused before it is read.
    returns: returns.status === 403 ? (returns.body.error?.code ?? "403") : "on",
  };
}

const auditOf = async (type: string) =>
  (await db.auditEvent.findMany({ where: { shopId, type }, orderBy: { seq: "asc" } })).map(
    (event) => JSON.parse(event.data) as Record<string, unknown>,
  );

beforeAll(async () => {
  shopId = (await createShop(db, { domain: SHOP, currency: "USD" })).id;
  await db.location.createMany({
    data: [
      { shopId, externalId: PIER, name: "Pier" },
      { shopId, externalId: MARKET, name: "Market" },
    ],
  });
});

describe("settings per location", () => {
  it("shows every scope with its switches, all on by default, and writes nothing on an unchanged save", async () => {
    const page = await loader(args(await signedIn("/app/settings")));
    expect(page.scopes.map((s) => s.name)).toEqual(["All locations (default)", "Market", "Pier"]);
    expect(page.scopes.every((s) => s.pausedBy === null && s.settings.returns && s.settings.loyalty)).toBe(true);
    expect(page.form).toMatchObject({ copilot: "on", maxAmount: "50.00", maxPercent: "15" });

    expect(await save({})).toEqual({ status: 200, body: { saved: true } });
    expect(await db.locationSettings.count({ where: { shopId } })).toBe(0);
    expect(await db.approvalPolicy.count({ where: { shopId } })).toBe(0);
    expect(await db.suggestionSettings.count({ where: { shopId } })).toBe(0);
    expect(await atRegister(PIER)).toEqual({ suggestions: true, approvals: true, loyalty: true, returns: "on" });
  });

  it("pauses the copilot at one location: every feature there goes quiet, the other location is untouched", async () => {
    expect((await save({ locationExternalId: PIER, copilot: "off" })).status).toBe(200);
    expect(await atRegister(PIER)).toEqual({
      suggestions: false,
      approvals: false,
      loyalty: false,
      returns: "returns_off",
    });
    expect(await atRegister(MARKET)).toEqual({ suggestions: true, approvals: true, loyalty: true, returns: "on" });
    const page = await loader(args(await signedIn(`/app/settings?location=${PIER}`)));
    expect(page.pausedBy).toBe("location");
    expect(page.form.copilot).toBe("off");
    expect(await auditOf("killswitch.changed")).toContainEqual({ feature: "copilot", location: PIER, enabled: false });

    expect((await save({ locationExternalId: PIER, copilot: "on" })).status).toBe(200);
    expect(await atRegister(PIER)).toMatchObject({ suggestions: true, returns: "on" });
  });

  it("a shop-wide pause wins over every location until it is lifted", async () => {
    expect((await save({ copilot: "off" })).status).toBe(200);
    for (const location of [PIER, MARKET]) {
      expect(await atRegister(location)).toEqual({
        suggestions: false,
        approvals: false,
        loyalty: false,
        returns: "returns_off",
      });
    }
    const page = await loader(args(await signedIn(`/app/settings?location=${MARKET}`)));
    expect(page.pausedBy).toBe("shop");
    expect(page.scopes.every((scope) => scope.pausedBy === "shop")).toBe(true);
    expect((await save({ copilot: "on" })).status).toBe(200);
    expect(await atRegister(MARKET)).toEqual({ suggestions: true, approvals: true, loyalty: true, returns: "on" });
  });

  it("switches returns off at one location only, and writes each feature's limits where it lives", async () => {
    await db.suggestionSettings.create({
      data: { shopId, locationExternalId: "", excludedTags: JSON.stringify(["alcohol"]) },
    });
    await db.approvalPolicy.create({ data: { shopId, locationExternalId: "", shiftHours: 8 } });
    const saved = await save({
      locationExternalId: MARKET,
      returns: "off",
      maxSuggestions: "5",
      maxPercent: "25",
      maxAmount: "80.50",
    });
    expect(saved.status).toBe(200);
    expect((await atRegister(MARKET)).returns).toBe("returns_off");
    expect((await atRegister(PIER)).returns).toBe("on");

    const suggestions = await db.suggestionSettings.findUniqueOrThrow({
      where: { shopId_locationExternalId: { shopId, locationExternalId: MARKET } },
    });
    // The location's override keeps what it inherited (the exclusions) and changes what was asked.
    expect(suggestions).toMatchObject({ maxSuggestions: 5, enabled: true, excludedTags: '["alcohol"]' });
    const policy = await db.approvalPolicy.findUniqueOrThrow({
      where: { shopId_locationExternalId: { shopId, locationExternalId: MARKET } },
    });
    expect(policy).toMatchObject({ maxPercent: 25, maxAmountMinor: 8050, shiftLimitMinor: 10_000, shiftHours: 8 });
    const overview = await posGet(approvalsLoader as never, `/api/pos/approvals?locationId=${MARKET}&deviceId=d1`, {
      shop: SHOP,
    });
    expect(overview.body.limits).toEqual({ maxPercent: 25, maxAmountMinor: 8050, currency: "USD" });
    expect(await auditOf("killswitch.changed")).toContainEqual({
      feature: "returns",
      location: MARKET,
      enabled: false,
    });
  });

  it("takes one location out of the loyalty program and back, and refuses to leave the program with none", async () => {
    expect((await save({ locationExternalId: PIER, loyalty: "off" })).status).toBe(200);
    expect((await loyaltyProgramFor(db, shopId)).locations).toEqual([MARKET]);
    expect((await atRegister(PIER)).loyalty).toBe(false);
    expect((await atRegister(MARKET)).loyalty).toBe(true);

    const last = await save({ locationExternalId: MARKET, loyalty: "off" });
    expect(last.status).toBe(400);
    expect(Object.keys(last.body.fieldErrors ?? {})).toEqual(["loyalty"]);
    expect((await loyaltyProgramFor(db, shopId)).locations).toEqual([MARKET]);

    expect((await save({ locationExternalId: PIER, loyalty: "on" })).status).toBe(200);
    // Every location listed again is stored as "all", which covers locations opened later.
    expect((await loyaltyProgramFor(db, shopId)).locations).toEqual([]);
  });

  it("refuses a bad form with the field named, and nothing is half-written", async () => {
    const before = {
      audit: await db.auditEvent.count({ where: { shopId } }),
      switches: await db.locationSettings.findMany({ where: { shopId }, orderBy: { id: "asc" } }),
    };
    const cases: Array<[Partial<typeof defaults>, string]> = [
      [{ maxPercent: "101", copilot: "off" }, "maxPercent"],
      [{ maxSuggestions: "0", returns: "off" }, "maxSuggestions"],
      [{ copilot: "maybe" }, "copilot"],
      [{ maxAmount: "lots" }, "maxAmount"],
      [{ locationExternalId: "999", copilot: "off" }, "locationExternalId"],
      [{ locationExternalId: "abc" }, "locationExternalId"],
    ];
    for (const [fields, field] of cases) {
      const answer = await save(fields);
      expect(answer.status, field).toBe(400);
      expect(Object.keys(answer.body.fieldErrors ?? {}), field).toContain(field);
    }
    expect(await db.auditEvent.count({ where: { shopId } })).toBe(before.audit);
    expect(await db.locationSettings.findMany({ where: { shopId }, orderBy: { id: "asc" } })).toEqual(before.switches);
  });
});
