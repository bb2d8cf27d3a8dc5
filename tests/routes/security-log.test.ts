/**
 * The security log (ADR 0019): refusals are counted per kind, claimed shop, source and minute;
 * a claimed shop is kept only when it is ours; recording never fails the refusal it records.
 */
import { describe, expect, it, vi } from "vitest";
import { getDb, type Db } from "../../app/db.server";
import {
  describeSessionToken,
  recordSecurityRefusal,
  securityCsv,
  listSecurityEvents,
} from "../../app/services/security-log.server";
import { createShop } from "../factories";

const db = getDb();
const at = (iso: string) => new Date(iso);

describe("recordSecurityRefusal", () => {
  it("counts refusals of one kind, shop, source and minute in one row; a new minute starts a new row", async () => {
    const shop = await createShop(db);
    const refusal = {
      kind: "webhook.signature_invalid" as const,
      source: "webhooks/shopify",
      claimedShop: { platform: "shopify" as const, domain: shop.domain.toUpperCase() },
      reason: "HMAC does not verify (orders/create)",
    };
    await recordSecurityRefusal(db, refusal, at("2026-11-26T09:00:05Z"));
    await recordSecurityRefusal(db, refusal, at("2026-11-26T09:00:59Z"));
    await recordSecurityRefusal(db, refusal, at("2026-11-26T09:01:00Z"));
    const rows = await db.securityEvent.findMany({ where: { claimedShop: shop.domain }, orderBy: { bucket: "asc" } });
    expect(rows.map((row) => [row.bucket.toISOString(), row.count])).toEqual([
      ["2026-11-26T09:00:00.000Z", 2],
      ["2026-11-26T09:01:00.000Z", 1],
    ]);
    expect(rows[0]).toMatchObject({
      firstSeenAt: at("2026-11-26T09:00:05Z"),
      lastSeenAt: at("2026-11-26T09:00:59Z"),
    });
    const csv = securityCsv(await listSecurityEvents(db, shop.domain, at("2026-11-26T00:00:00Z")));
    expect(csv.split("\r\n")[1]).toMatch(/^2026-11-26T09:01:00.000Z,webhook.signature_invalid,webhooks\/shopify,1,/);
  });

  it("a claimed shop that is not ours is kept as '' (a spray of made-up names adds no rows)", async () => {
    const now = at("2026-11-26T10:00:00Z");
    for (let i = 0; i < 5; i++) {
      await recordSecurityRefusal(
        db,
        {
          kind: "session_token.invalid",
          source: "api/pos",
          claimedShop: { platform: "shopify", domain: `made-up-${i}.myshopify.com` },
          reason: "signature does not verify",
        },
        now,
      );
    }
    const rows = await db.securityEvent.findMany({ where: { kind: "session_token.invalid", bucket: now } });
    expect(rows.map((row) => [row.claimedShop, row.count])).toEqual([["", 5]]);
  });

  it("never throws: a database failure is logged as a warning and the refusal goes on", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const broken = {
      shop: { findUnique: () => Promise.reject(new Error("database is gone")) },
      securityEvent: { upsert: () => Promise.reject(new Error("database is gone")) },
    } as unknown as Db;
    await expect(
      recordSecurityRefusal(
        broken,
        {
          kind: "panel_token.invalid",
          source: "api/panel",
          claimedShop: { id: "x" },
          reason: "bad signature",
        },
        new Date(),
      ),
    ).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("panel_token.invalid"), "database is gone");
    warn.mockRestore();
  });
});

describe("describeSessionToken", () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const token = (header: object, payload: object) => `${b64(header)}.${b64(payload)}.sig`;
  const now = at("2026-11-26T09:00:00Z");
  const seconds = now.getTime() / 1000;
  const base = { dest: "https://shop-a.myshopify.com", aud: "key", exp: seconds + 60, nbf: seconds - 60 };

  it("names why, and the shop the token claims, without trusting either", () => {
    expect(describeSessionToken(null, "key", now)).toEqual({ claimedShop: null, reason: "no session token" });
    expect(describeSessionToken("garbage", "key", now).reason).toBe("not a JWT");
    expect(describeSessionToken(token({ alg: "none" }, base), "key", now).reason).toBe(
      "algorithm none is not accepted",
    );
    expect(describeSessionToken(token({ alg: "HS256" }, { ...base, exp: seconds - 1 }), "key", now).reason).toBe(
      "expired",
    );
    expect(describeSessionToken(token({ alg: "HS256" }, { ...base, nbf: seconds + 60 }), "key", now).reason).toBe(
      "not yet valid",
    );
    expect(describeSessionToken(token({ alg: "HS256" }, base), "other", now).reason).toBe("issued for another app");
    expect(describeSessionToken(token({ alg: "HS256" }, base), "key", now)).toEqual({
      claimedShop: { platform: "shopify", domain: "shop-a.myshopify.com" },
      reason: "signature does not verify",
    });
  });
});
