/**
 * The device credentials the pairing gave this tablet, in localStorage: the device id and its
 * secret, nothing else (the access token stays in memory). Storage that is unavailable or
 * holds something else reads as "not paired".
 */
export interface DeviceCredentials {
  deviceId: string;
  deviceSecret: string;
}

export const CREDENTIALS_KEY = "register-copilot.panel.device";

type KeyValueStore = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export function readCredentials(storage: KeyValueStore): DeviceCredentials | null {
  try {
    const value: unknown = JSON.parse(storage.getItem(CREDENTIALS_KEY) ?? "null");
    if (typeof value !== "object" || value === null) return null;
    const { deviceId, deviceSecret } = value as Record<string, unknown>;
    return typeof deviceId === "string" && deviceId && typeof deviceSecret === "string" && deviceSecret
      ? { deviceId, deviceSecret }
      : null;
  } catch {
    return null;
  }
}

export function writeCredentials(storage: KeyValueStore, credentials: DeviceCredentials): void {
  storage.setItem(
    CREDENTIALS_KEY,
    JSON.stringify({ deviceId: credentials.deviceId, deviceSecret: credentials.deviceSecret }),
  );
}

export function clearCredentials(storage: KeyValueStore): void {
  try {
    storage.removeItem(CREDENTIALS_KEY);
  } catch {
    // Nothing stored, or no storage: either way the tablet is no longer paired here.
  }
}
