import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { action, loader } from "../../app/routes/app.loyalty";
import { loyaltyProgramFor, loyaltyStanding } from "../../app/services/loyalty.server";
import { programFormValues } from "../../shared/loyalty-program";
import { DEFAULT_LOYALTY_PROGRAM } from "../../shared/loyalty";
import { signedInAdminRequest } from "../support/admin";

const db = getDb();
const SHOP = "admin-loyalty.myshopify.com";
const args = (request: Request) => ({ request, params: {}, context: {} });
let shopId: string;

const submit = async (fields: Record<string, string>) => {
  const request = await signedInAdminRequest(SHOP, "/app/loyalty", {
    method: "POST",
    body: new URLSearchParams(fields),
  });
  const result = await action(args(request));
  return result instanceof Response
    ? { status: result.status, body: await result.json() }
    : { status: 200, body: result };
};
const program = (fields: Record<string, string>) =>
  submit({ intent: "program", ...programFormValues(DEFAULT_LOYALTY_PROGRAM), ...fields });

beforeAll(async () => {
  shopId = (await db.shop.create({ data: { domain: SHOP, currency: "USD" } })).id;
});

describe("admin loyalty page", () => {
  it("round-trips the default program through its form unchanged", async () => {
    expect(await program({})).toEqual({ status: 200, body: { done: "Program saved" } });
    expect(await loyaltyProgramFor(db, shopId)).toEqual(DEFAULT_LOYALTY_PROGRAM);
  });

  it("saves tiers, rewards, locations and expiry, and audits the change and the switch", async () => {
    expect(
      await program({
        enabled: "off",
        pointsPerUnit: "2",
        tiers: "Silver=400:0, Gold=1200:10",
        rewards: "three-off=3.00:50:5, fifteen=15%:500:50",
        locations: "101, 102",
        expiryDays: "365",
        reservationMinutes: "45",
      }),
    ).toEqual({ status: 200, body: { done: "Program saved" } });
    expect(await loyaltyProgramFor(db, shopId)).toMatchObject({
      enabled: false,
      pointsPerUnit: 2,
      tiers: [
        { name: "Member", minSpendMinor: 0 },
        { name: "Silver", minSpendMinor: 40_000, perkPercent: 0 },
        { name: "Gold", minSpendMinor: 120_000, perkPercent: 10 },
      ],
      rewards: [
        { id: "three-off", kind: "amount", value: 300, points: 50, minSpendMinor: 500 },
        { id: "fifteen", kind: "percent", value: 15, points: 500, minSpendMinor: 5_000 },
      ],
      locations: ["101", "102"],
      expiryDays: 365,
      reservationMinutes: 45,
    });
    const audit = await db.auditEvent.findMany({ where: { shopId }, orderBy: { seq: "asc" } });
    expect(audit.map((event) => event.type)).toContain("killswitch.changed");
  });

  it("names the field of a bad edit and keeps the saved program", async () => {
    const before = await loyaltyProgramFor(db, shopId);
    const rewards = await program({ rewards: "half=50:10" });
    expect(rewards.status).toBe(400);
    expect(rewards.body.fieldErrors.rewards).toMatch(/"half=50:10" should look like/);
    expect((await program({ rewards: "all=150%:10:0" })).body.fieldErrors.rewards).toMatch(/at most 100%/);
    expect((await program({ tiers: "Gold" })).body.fieldErrors.tiers).toMatch(/should look like Gold=1500:5/);
    expect((await program({ pointsPerUnit: "-1" })).body.fieldErrors.pointsPerUnit).toBe(
      "points per unit cannot be negative",
    );
    expect(await loyaltyProgramFor(db, shopId)).toEqual(before);
  });

  it("adjusts a customer's points with a reason on record, never below zero", async () => {
    expect(
      (await submit({ intent: "adjust", customerId: "777", points: "120", reason: "Welcome bonus" })).body,
    ).toEqual({
      done: "Customer 777 now has 120 points",
    });
    const refused = await submit({ intent: "adjust", customerId: "777", points: "-500", reason: "Correction" });
    expect(refused).toMatchObject({ status: 400, body: { fieldErrors: { points: expect.stringMatching(/below 0/) } } });
    expect((await submit({ intent: "adjust", customerId: "777", points: "5", reason: "" })).body.fieldErrors).toEqual({
      reason: "say why (at least 3 characters)",
    });
    expect((await loyaltyStanding(db, shopId, "777", new Date())).balance).toBe(120);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { shopId, type: "loyalty.adjusted" } });
    expect(audit.actor).toBe("admin:42");
    expect(JSON.parse(audit.data)).toMatchObject({ customerId: "777", points: 120, reason: "Welcome bonus" });
    const page = await loader(args(await signedInAdminRequest(SHOP, "/app/loyalty")));
    expect(page.balances).toEqual([{ customerId: "777", points: 120 }]);
  });
});
