import { createHmac, randomBytes, scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashPin, isValidPin, needsRehash, PinHashFormatError, verifyPin } from "~/services/pin-hash.server";

const PEPPER = "unit-test-pepper-0123456789";

describe("manager PIN hashing", () => {
  it("stores scrypt at OWASP parameters with a 16-byte salt and a 32-byte key", async () => {
    const stored = await hashPin("246810", PEPPER);
    const [scheme, N, r, p, salt, key] = stored.split("$");
    expect([scheme, N, r, p]).toEqual(["scrypt", String(2 ** 17), "8", "1"]);
    expect(Buffer.from(salt!, "base64url")).toHaveLength(16);
    expect(Buffer.from(key!, "base64url")).toHaveLength(32);
    expect(stored).not.toContain("246810");
  }, 20_000);

  it("accepts the right PIN and refuses a wrong PIN or the right PIN under another pepper", async () => {
    const stored = await hashPin("246810", PEPPER);
    const results = await Promise.all([
      verifyPin("246810", PEPPER, stored),
      verifyPin("246811", PEPPER, stored),
      verifyPin("246810", "another-pepper-0123456789", stored),
      verifyPin("24681", PEPPER, stored),
    ]);
    expect(results).toEqual([true, false, false, false]);
  }, 20_000);

  it("salts every hash: the same PIN twice gives two different stored values", async () => {
    const [a, b] = await Promise.all([hashPin("1234", PEPPER), hashPin("1234", PEPPER)]);
    expect(a).not.toBe(b);
  }, 20_000);

  it("refuses to hash what a PIN pad cannot enter, and a short pepper", async () => {
    for (const pin of ["123", "12345678901", "12a4", " 1234", ""]) expect(isValidPin(pin)).toBe(false);
    for (const pin of ["1234", "1234567890"]) expect(isValidPin(pin)).toBe(true);
    await expect(hashPin("12a4", PEPPER)).rejects.toThrow("4 to 10 digits");
    await expect(hashPin("1234", "short")).rejects.toThrow("pepper");
  });

  it("rejects stored values that are not its format, including parameters that would exhaust memory", async () => {
    const salt = randomBytes(16).toString("base64url");
    const key = randomBytes(32).toString("base64url");
    for (const bad of [
      "",
      "bcrypt$2b$10$abc",
      `scrypt$131072$8$1$${salt}`,
      `scrypt$100000$8$1$${salt}$${key}`, // N not a power of two
      `scrypt$${2 ** 24}$8$1$${salt}$${key}`, // 16 GiB of work memory
      `scrypt$131072$8$1$${randomBytes(4).toString("base64url")}$${key}`,
    ]) {
      await expect(verifyPin("1234", PEPPER, bad)).rejects.toBeInstanceOf(PinHashFormatError);
    }
  });

  it("verifies hashes made with older, weaker parameters and says they need a rehash", async () => {
    const salt = randomBytes(16);
    const key = scryptSync(createHmac("sha256", PEPPER).update("9753").digest(), salt, 64, { N: 2 ** 14, r: 8, p: 1 });
    const legacy = ["scrypt", 2 ** 14, 8, 1, salt.toString("base64url"), key.toString("base64url")].join("$");
    expect(await verifyPin("9753", PEPPER, legacy)).toBe(true);
    expect(needsRehash(legacy)).toBe(true);
    expect(needsRehash(await hashPin("9753", PEPPER))).toBe(false);
  }, 20_000);
});
