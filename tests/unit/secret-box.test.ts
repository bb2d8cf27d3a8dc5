import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openSecret, sealSecret, secretKey, SecretBoxError } from "../../app/services/secret-box.server";

const key = randomBytes(32);

describe("secret box", () => {
  it("round-trips, and never stores the plaintext or the same text twice", () => {
    const token = "EAAAl-square-access-token-example";
    const first = sealSecret(token, key);
    const second = sealSecret(token, key);
    expect(openSecret(first, key)).toBe(token);
    expect(first).not.toContain(token);
    expect(first).not.toBe(second);
    expect(first.startsWith("v1.")).toBe(true);
  });

  it("refuses a changed byte, another key, or something that was never sealed", () => {
    const sealed = sealSecret("secret", key);
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    const tampered = [...parts.slice(0, 3), body.toString("base64url")].join(".");
    expect(() => openSecret(tampered, key)).toThrow(SecretBoxError);
    expect(() => openSecret(sealed, randomBytes(32))).toThrow(SecretBoxError);
    expect(() => openSecret("plain-token", key)).toThrow(SecretBoxError);
  });

  it("takes only a 32-byte base64 key", () => {
    expect(secretKey(key.toString("base64")).equals(key)).toBe(true);
    expect(() => secretKey(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
  });
});
