/** The device credentials in the tablet's storage: read back as stored, anything else is "not paired". */
import { describe, expect, it } from "vitest";
import { clearCredentials, CREDENTIALS_KEY, readCredentials, writeCredentials } from "../../app/panel/credentials";

function memoryStorage(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
}

describe("panel credentials in storage", () => {
  it("keeps the device id and secret, and nothing else", () => {
    const storage = memoryStorage();
    writeCredentials(storage, { deviceId: "dev-1", deviceSecret: "secret", extra: "no" } as never);
    expect(JSON.parse(storage.values.get(CREDENTIALS_KEY)!)).toEqual({ deviceId: "dev-1", deviceSecret: "secret" });
    expect(readCredentials(storage)).toEqual({ deviceId: "dev-1", deviceSecret: "secret" });
  });

  it("nothing, broken JSON or a partial record reads as not paired", () => {
    expect(readCredentials(memoryStorage())).toBeNull();
    expect(readCredentials(memoryStorage({ [CREDENTIALS_KEY]: "{not json" }))).toBeNull();
    expect(readCredentials(memoryStorage({ [CREDENTIALS_KEY]: JSON.stringify({ deviceId: "dev-1" }) }))).toBeNull();
    expect(readCredentials(memoryStorage({ [CREDENTIALS_KEY]: "42" }))).toBeNull();
  });

  it("storage that throws (private mode, blocked) reads as not paired", () => {
    const blocked = {
      getItem: () => {
        throw new Error("SecurityError");
      },
      setItem: () => undefined,
      removeItem: () => {
        throw new Error("SecurityError");
      },
    };
    expect(readCredentials(blocked)).toBeNull();
    expect(() => clearCredentials(blocked)).not.toThrow();
  });

  it("clearing forgets the pairing", () => {
    const storage = memoryStorage();
    writeCredentials(storage, { deviceId: "dev-1", deviceSecret: "secret" });
    clearCredentials(storage);
    expect(readCredentials(storage)).toBeNull();
  });
});
