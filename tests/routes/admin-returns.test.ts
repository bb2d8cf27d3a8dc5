import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { action, loader } from "../../app/routes/app.returns";
import { currentReturnPolicy } from "../../app/services/returns.server";
import { policyFormValues } from "../../shared/return-policy";
import { DEFAULT_RETURN_POLICY } from "../../shared/returns";
import { signedInAdminRequest } from "../support/admin";

const db = getDb();
const SHOP = "admin-returns.myshopify.com";
const args = (request: Request) => ({ request, params: {}, context: {} });
let shopId: string;

const submit = async (fields: Record<string, string>) => {
  const request = await signedInAdminRequest(SHOP, "/app/returns", {
    method: "POST",
    body: new URLSearchParams({ ...policyFormValues(DEFAULT_RETURN_POLICY), ...fields }),
  });
  const result = await action(args(request));
  return result instanceof Response
    ? { status: result.status, body: await result.json() }
    : { status: 200, body: result };
};

beforeAll(async () => {
  shopId = (await db.shop.create({ data: { domain: SHOP, currency: "USD" } })).id;
});

describe("admin return policy page", () => {
  it("saves each edit as a new version, audits it, and reads it back into the form", async () => {
    expect(await submit({ windowDays: "14", windowOverrides: "type:Bakery=2, tag:electronics=45" })).toEqual({
      status: 200,
      body: { savedVersion: 1 },
    });
    expect(await submit({ restockingFeePercent: "10", noReceiptApprovalAbove: "25.50" })).toEqual({
      status: 200,
      body: { savedVersion: 2 },
    });
    const { version, policy } = await currentReturnPolicy(db, shopId);
    expect(version).toBe(2);
    expect(policy).toMatchObject({
      windowDays: 30,
      restockingFee: { percent: 10, conditions: ["used"] },
      noReceipt: { allowed: true, approvalAboveMinor: 2_550 },
    });
    // Version 1 is kept as it was.
    const first = await db.returnPolicyVersion.findUniqueOrThrow({ where: { shopId_version: { shopId, version: 1 } } });
    expect(JSON.parse(first.document)).toMatchObject({
      windowDays: 14,
      windowOverrides: [
        { productType: "Bakery", days: 2 },
        { tag: "electronics", days: 45 },
      ],
    });
    const audit = await db.auditEvent.findMany({ where: { shopId, type: "policy.changed" }, orderBy: { seq: "asc" } });
    expect(audit.map((event) => JSON.parse(event.data).version)).toEqual([1, 2]);

    const page = await loader(args(await signedInAdminRequest(SHOP, "/app/returns")));
    expect(page.version).toBe(2);
    expect(page.form).toMatchObject({ restockingFeePercent: "10", noReceiptApprovalAbove: "25.5" });
    expect(page.versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it("refuses an invalid edit, names the field, and saves nothing", async () => {
    const before = await db.returnPolicyVersion.count({ where: { shopId } });
    expect(await submit({ windowDays: "-3" })).toEqual({
      status: 400,
      body: { fieldErrors: { windowDays: "the return window cannot be negative" } },
    });
    const overrides = await submit({ windowOverrides: "Bakery for two days" });
    expect(overrides.body.fieldErrors.windowOverrides).toMatch(/"Bakery for two days" should look like type:Bakery=2/);
    expect((await submit({ restockingFeePercent: "150" })).body.fieldErrors).toEqual({
      restockingFeePercent: "the restocking fee is at most 100%",
    });
    expect(await db.returnPolicyVersion.count({ where: { shopId } })).toBe(before);
  });
});
