/**
 * How the POS extension decides what the tile says: its backend check, run against fake
 * session tokens and fake fetches (the real route is covered by tests/routes).
 */
import { describe, expect, it, vi } from "vitest";
import { checkConnection } from "../../extensions/register-copilot/src/backend";
import { formatLineTotal, formatPrice, formatRelativeTime } from "../../extensions/register-copilot/src/format";
import type { PosStatusResponse } from "../../shared/pos-contract";

const APP = "https://copilot.test";
const withToken = { getSessionToken: async () => "signed.session.token" };

function status(shop: Partial<PosStatusResponse["shop"]> = {}, paused = false): PosStatusResponse {
  return {
    paused,
    shop: { domain: "shop.myshopify.com", name: "Shop", currency: "USD", known: true, installed: true, ...shop },
    catalog: { products: 169, variants: 169 },
    lastOrderAt: null,
    backfill: null,
    checkedAt: new Date().toISOString(),
  };
}

const answer = (body: unknown, init: ResponseInit = {}) =>
  vi.fn<typeof fetch>(async () => new Response(JSON.stringify(body), { status: 200, ...init }));

describe("checkConnection", () => {
  it("is ready when the backend knows the installed shop, and sends the session token", async () => {
    const fetchStatus = answer(status());

    const connection = await checkConnection(withToken, fetchStatus, APP);

    expect(connection.state).toBe("ready");
    expect(connection.state === "ready" && connection.status.catalog.products).toBe(169);
    expect(fetchStatus).toHaveBeenCalledWith(
      `${APP}/api/pos/status`,
      expect.objectContaining({ headers: { Authorization: "Bearer signed.session.token" } }),
    );
  });

  it("asks for app permission when POS gives no token, without calling the backend", async () => {
    const fetchStatus = answer(status());
    for (const token of [undefined, null, ""]) {
      const connection = await checkConnection({ getSessionToken: async () => token }, fetchStatus, APP);
      expect(connection).toEqual({ state: "no-permission" });
    }
    expect(fetchStatus).not.toHaveBeenCalled();
  });

  it("is offline when the backend cannot be reached or fails", async () => {
    const unreachable = vi.fn<typeof fetch>(async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await checkConnection(withToken, unreachable, APP)).toEqual({ state: "offline", reason: "network error" });
    expect(await checkConnection(withToken, answer({}, { status: 503 }), APP)).toEqual({
      state: "offline",
      reason: "HTTP 503",
    });
    const garbled = vi.fn<typeof fetch>(async () => new Response("<html>", { status: 200 }));
    expect(await checkConnection(withToken, garbled, APP)).toEqual({ state: "offline", reason: "unreadable answer" });
  });

  it("reports a refused token separately from an outage", async () => {
    expect(await checkConnection(withToken, answer({}, { status: 401 }), APP)).toEqual({
      state: "unauthorized",
      httpStatus: 401,
    });
  });

  it("says the app is not set up when the backend does not know the shop", async () => {
    const connection = await checkConnection(withToken, answer(status({ known: false, installed: false })), APP);
    expect(connection.state).toBe("not-set-up");
  });

  it("asks about the register's location and says when the store paused the copilot there", async () => {
    const fetchStatus = answer(status({}, true));
    const connection = await checkConnection(withToken, fetchStatus, APP, 655441491);
    expect(connection.state).toBe("paused");
    expect(fetchStatus).toHaveBeenCalledWith(`${APP}/api/pos/status?locationId=655441491`, expect.anything());
  });
});

describe("register formatting", () => {
  it("formats POS prices through the app's money type", () => {
    expect(formatPrice("12.3", "USD")).toBe("$12.30");
    expect(formatPrice(undefined, "USD")).toBe("—");
    expect(formatLineTotal(0.1, 3, "USD")).toBe("$0.30");
    expect(formatLineTotal(480, 2, "JPY")).toBe("¥960");
  });

  it("says how long ago the last order was", () => {
    const now = new Date("2026-11-20T12:00:00Z");
    expect(formatRelativeTime("2026-11-20T11:55:00Z", now)).toBe("5 minutes ago");
    expect(formatRelativeTime("2026-11-19T12:00:00Z", now)).toBe("yesterday");
    expect(formatRelativeTime("2026-11-20T11:59:50Z", now)).toBe("10 seconds ago");
  });
});
