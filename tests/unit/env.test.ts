import { describe, expect, it } from "vitest";
import { DEMO_API_KEY, parseEnv } from "../../app/env.server";

const valid = {
  SHOPIFY_API_KEY: "a1b2c3",
  SHOPIFY_API_SECRET: "shpss_0123456789",
  SHOPIFY_APP_URL: "https://copilot.example.com",
  MANAGER_PIN_PEPPER: "0123456789abcdef0123",
};

describe("environment", () => {
  it("accepts a complete production environment with defaults filled in", () => {
    const env = parseEnv(valid);
    expect(env.DATABASE_URL).toBe("file:./prisma/data/dev.db");
    expect(env.DEMO_MODE).toBe(false);
    expect(env.BACKFILL_MONTHS).toBe(12);
  });

  it("names every missing or bad variable at once", () => {
    expect(() => parseEnv({ SHOPIFY_APP_URL: "not a url", DATABASE_URL: "mysql://x" })).toThrowError(
      /SHOPIFY_API_KEY[\s\S]*SHOPIFY_API_SECRET[\s\S]*SHOPIFY_APP_URL[\s\S]*DATABASE_URL[\s\S]*MANAGER_PIN_PEPPER/,
    );
  });

  it("refuses demo mode when a real API key is configured", () => {
    expect(() => parseEnv({ ...valid, DEMO_MODE: "1" })).toThrowError(/DEMO_MODE is refused/);
    expect(parseEnv({ ...valid, SHOPIFY_API_KEY: DEMO_API_KEY, DEMO_MODE: "1" }).DEMO_MODE).toBe(true);
  });
});
