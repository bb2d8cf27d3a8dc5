/**
 * The extension's pairing and tokens, without Chromium: when a token is renewed, what a refused
 * token leads to (one new token and one retry), what an unpaired device leads to (pair again,
 * credentials forgotten), and who may ask the service worker for what.
 */
import { describe, expect, it, vi } from "vitest";
import {
  createRegisterLink,
  NOT_PAIRED_MESSAGE,
  STORAGE_KEYS,
  UNPAIRED_MESSAGE,
  type StoredDevice,
} from "../../extensions/lightspeed-register/src/backend";
import type { KeyValueArea } from "../../extensions/lightspeed-register/src/chrome";
import { isRegisterApiPath, readWorkerRequest, senderMayAsk } from "../../extensions/lightspeed-register/src/messages";
import { localTokenExpiry, TOKEN_REFRESH_LEAD_MS, tokenIsFresh } from "../../shared/token-schedule";

const APP = "https://copilot.example.com";
const NOW = Date.parse("2026-11-26T10:00:00Z");
const MINUTE = 60_000;

describe("token refresh timing", () => {
  it("uses a token until a minute before it expires, then renews it", () => {
    const expiresAt = NOW + 15 * MINUTE;
    expect(tokenIsFresh(expiresAt, NOW)).toBe(true);
    expect(tokenIsFresh(expiresAt, expiresAt - TOKEN_REFRESH_LEAD_MS - 1)).toBe(true);
    expect(tokenIsFresh(expiresAt, expiresAt - TOKEN_REFRESH_LEAD_MS)).toBe(false);
    expect(tokenIsFresh(expiresAt, expiresAt + MINUTE)).toBe(false);
    expect(tokenIsFresh(Number.NaN, NOW)).toBe(false);
  });

  it("counts the token's lifetime on the server's clock, so a register whose clock is off renews on time", () => {
    // The server says 10:15 at 10:00 (its Date header); this register's clock says 10:07.
    const local = localTokenExpiry("2026-11-26T10:15:00.000Z", "Thu, 26 Nov 2026 10:00:00 GMT", NOW + 7 * MINUTE);
    expect(local).toBe(NOW + 22 * MINUTE);
  });

  it("takes the stated expiry without a Date header, and a garbled one as already expired", () => {
    expect(localTokenExpiry("2026-11-26T10:15:00.000Z", null, NOW)).toBe(NOW + 15 * MINUTE);
    expect(localTokenExpiry("soon", null, NOW)).toBe(NOW);
  });
});

// ---------- the link to the backend ----------

function memoryArea(initial: Record<string, unknown> = {}): KeyValueArea & { data: Record<string, unknown> } {
  const data: Record<string, unknown> = { ...initial };
  return {
    data,
    get: async (key) => data[key],
    set: async (key, value) => {
      data[key] = value;
    },
    remove: async (key) => {
      delete data[key];
    },
  };
}

const device: StoredDevice = {
  deviceId: "dev-1",
  deviceSecret: "secret-".padEnd(43, "x"),
  deviceName: "Front counter",
  shopId: "shop-1",
  location: "70000000001",
  pairedAt: "2026-11-26T09:00:00.000Z",
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const tokenAnswer = (token: string, at = NOW) =>
  json(200, { token, expiresAt: new Date(at + 15 * MINUTE).toISOString() }, { date: new Date(at).toUTCString() });

/** A backend that answers each path from a queue of responses, recording what was asked. */
function backend(routes: Record<string, Array<() => Response | Promise<Response>>>) {
  const calls: Array<{ path: string; bearer: string | null; body: unknown }> = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    calls.push({
      path: url.pathname + url.search,
      bearer: headers.get("authorization")?.replace(/^Bearer /, "") ?? null,
      body: init?.body ? JSON.parse(String(init.body)) : null,
    });
    const next = routes[url.pathname]?.shift();
    if (!next) throw new Error(`unexpected ${url.pathname}`);
    return next();
  });
  return { fetch: fetchImpl as unknown as typeof fetch, calls };
}

function linkWith(routes: Parameters<typeof backend>[0], options: { paired?: boolean; token?: unknown } = {}) {
  const api = backend(routes);
  const local = memoryArea(options.paired === false ? {} : { [STORAGE_KEYS.device]: device });
  const session = memoryArea(options.token ? { [STORAGE_KEYS.token]: options.token } : {});
  let now = NOW;
  const link = createRegisterLink({ appUrl: `${APP}/`, fetch: api.fetch, now: () => now, local, session });
  return { link, api, local, session, advance: (ms: number) => (now += ms) };
}

describe("calls with the panel's token", () => {
  it("trades the device secret for a token, then sends it as Bearer to the register API", async () => {
    const { link, api, session } = linkWith({
      "/api/panel/token": [() => tokenAnswer("tok-1")],
      "/api/pos/status": [() => json(200, { paused: false })],
    });
    await expect(link.call("GET", "/api/pos/status")).resolves.toEqual({ kind: "ok", body: { paused: false } });
    expect(api.calls).toEqual([
      { path: "/api/panel/token", bearer: null, body: { deviceId: "dev-1", secret: device.deviceSecret } },
      { path: "/api/pos/status", bearer: "tok-1", body: null },
    ]);
    expect(session.data[STORAGE_KEYS.token]).toEqual({ token: "tok-1", expiresAt: NOW + 15 * MINUTE });
  });

  it("reuses a fresh token, and renews it once it is inside its last minute", async () => {
    const { link, api, advance } = linkWith({
      "/api/panel/token": [() => tokenAnswer("tok-1"), () => tokenAnswer("tok-2", NOW + 14 * MINUTE + 1)],
      "/api/pos/status": [() => json(200, {}), () => json(200, {}), () => json(200, {})],
    });
    await link.call("GET", "/api/pos/status");
    advance(13 * MINUTE);
    await link.call("GET", "/api/pos/status");
    advance(MINUTE + 1);
    await link.call("GET", "/api/pos/status");
    expect(api.calls.map((call) => `${call.path} ${call.bearer ?? ""}`.trim())).toEqual([
      "/api/panel/token",
      "/api/pos/status tok-1",
      "/api/pos/status tok-1",
      "/api/panel/token",
      "/api/pos/status tok-2",
    ]);
  });

  it("asks for one token when several calls start together", async () => {
    const { link, api } = linkWith({
      "/api/panel/token": [() => tokenAnswer("tok-1")],
      "/api/pos/status": [() => json(200, {}), () => json(200, {})],
    });
    await Promise.all([link.call("GET", "/api/pos/status"), link.call("GET", "/api/pos/status")]);
    expect(api.calls.filter((call) => call.path === "/api/panel/token")).toHaveLength(1);
  });

  it("an expired token refused with 401 is recorded, replaced once, and the call retried", async () => {
    const { link, api, session } = linkWith(
      {
        "/api/pos/suggestions": [
          () => json(401, { error: { code: "invalid_token", message: "expired; get a new token" } }),
          () => json(200, { suggestions: [] }),
        ],
        "/api/panel/token": [() => tokenAnswer("tok-new")],
      },
      // This register believes its token is good for ten more minutes (it slept, or its clock is off).
      { token: { token: "tok-expired", expiresAt: NOW + 10 * MINUTE } },
    );
    const result = await link.call("POST", "/api/pos/suggestions", { cart: { lineItems: [] } });
    expect(result).toEqual({ kind: "ok", body: { suggestions: [] } });
    expect(api.calls.map((call) => `${call.path} ${call.bearer ?? ""}`.trim())).toEqual([
      "/api/pos/suggestions tok-expired",
      "/api/panel/token",
      "/api/pos/suggestions tok-new",
    ]);
    expect(api.calls[2]!.body).toEqual({ cart: { lineItems: [] } });
    expect(await link.lastRefusal()).toEqual({
      at: new Date(NOW).toISOString(),
      path: "/api/pos/suggestions",
      status: 401,
      code: "invalid_token",
      message: "expired; get a new token",
    });
    expect(session.data[STORAGE_KEYS.token]).toMatchObject({ token: "tok-new" });
  });

  it("a token refused twice is not retried a third time", async () => {
    const refused = () => json(401, { error: { code: "invalid_token", message: "bad signature" } });
    const { link, api } = linkWith({
      "/api/pos/status": [refused, refused],
      "/api/panel/token": [() => tokenAnswer("tok-1"), () => tokenAnswer("tok-2")],
    });
    await expect(link.call("GET", "/api/pos/status")).resolves.toEqual({ kind: "unauthorized", httpStatus: 401 });
    expect(api.calls.filter((call) => call.path === "/api/pos/status")).toHaveLength(2);
  });

  it("an unpaired device gets no new token: the pairing is forgotten and the caller told to pair again", async () => {
    const { link, local, session } = linkWith(
      {
        "/api/pos/status": [() => json(401, { error: { code: "invalid_token", message: "this panel was unpaired" } })],
        "/api/panel/token": [
          () => json(401, { error: { code: "unknown_device", message: "This panel is not paired (or was unpaired)" } }),
        ],
      },
      { token: { token: "tok-1", expiresAt: NOW + 10 * MINUTE } },
    );
    await expect(link.call("GET", "/api/pos/status")).resolves.toEqual({ kind: "unpaired", message: UNPAIRED_MESSAGE });
    expect(local.data[STORAGE_KEYS.device]).toBeUndefined();
    expect(session.data[STORAGE_KEYS.token]).toBeUndefined();
    await expect(link.unpairedNotice()).resolves.toBe(UNPAIRED_MESSAGE);
    expect(await link.lastRefusal()).toMatchObject({ path: "/api/panel/token", code: "unknown_device" });
  });

  it("a register never paired makes no request at all", async () => {
    const { link, api } = linkWith({}, { paired: false });
    await expect(link.call("GET", "/api/pos/status")).resolves.toEqual({
      kind: "unpaired",
      message: NOT_PAIRED_MESSAGE,
    });
    expect(api.calls).toEqual([]);
  });

  it("no answer, a gateway error or a timeout is 'offline', and the pairing is kept", async () => {
    const { link, local } = linkWith({
      "/api/panel/token": [
        () => Promise.reject(new TypeError("Failed to fetch")),
        () => new Response("Bad gateway", { status: 502 }),
      ],
    });
    await expect(link.call("GET", "/api/pos/status")).resolves.toEqual({ kind: "offline", reason: "network error" });
    await expect(link.call("GET", "/api/pos/status")).resolves.toEqual({ kind: "offline", reason: "HTTP 502" });
    expect(local.data[STORAGE_KEYS.device]).toEqual(device);

    vi.useFakeTimers();
    try {
      const never = createRegisterLink({
        appUrl: APP,
        fetch: ((_input: RequestInfo | URL, init?: RequestInit) =>
          new Promise((_resolve, reject) =>
            init?.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))),
          )) as typeof fetch,
        now: () => NOW,
        local: memoryArea({ [STORAGE_KEYS.device]: device }),
        session: memoryArea(),
        timeoutMs: 8_000,
      });
      const pending = never.call("GET", "/api/pos/status");
      await vi.advanceTimersByTimeAsync(8_000);
      await expect(pending).resolves.toEqual({ kind: "offline", reason: "timed out" });
    } finally {
      vi.useRealTimers();
    }
  });

  it("passes the register API's refusals on with their code", async () => {
    const { link } = linkWith({
      "/api/panel/token": [() => tokenAnswer("tok-1")],
      "/api/pos/approvals": [() => json(403, { error: { code: "location_mismatch", message: "another location" } })],
    });
    await expect(link.call("POST", "/api/pos/approvals", {})).resolves.toEqual({
      kind: "refused",
      httpStatus: 403,
      code: "location_mismatch",
      message: "another location",
    });
  });
});

describe("pairing", () => {
  it("keeps the device's credentials in local storage and clears an earlier unpaired notice", async () => {
    const { link, local, api } = linkWith(
      {
        "/api/panel/pair": [
          () => json(200, { deviceId: "dev-9", deviceSecret: "s".repeat(43), shopId: "shop-1", location: "L1" }),
        ],
      },
      { paired: false },
    );
    local.data[STORAGE_KEYS.unpaired] = UNPAIRED_MESSAGE;
    const result = await link.pair("ABCD-EFGH", "Front counter");
    expect(result.kind).toBe("ok");
    expect(api.calls[0]).toEqual({
      path: "/api/panel/pair",
      bearer: null,
      body: { code: "ABCD-EFGH", deviceName: "Front counter" },
    });
    expect(local.data[STORAGE_KEYS.device]).toEqual({
      deviceId: "dev-9",
      deviceSecret: "s".repeat(43),
      deviceName: "Front counter",
      shopId: "shop-1",
      location: "L1",
      pairedAt: new Date(NOW).toISOString(),
    });
    expect(local.data[STORAGE_KEYS.unpaired]).toBeUndefined();
  });

  it("a refused code stores nothing", async () => {
    const { link, local } = linkWith(
      {
        "/api/panel/pair": [
          () => json(400, { error: { code: "invalid_code", message: "code: unknown, used or expired" } }),
        ],
      },
      { paired: false },
    );
    await expect(link.pair("ZZZZ-2345", "Front counter")).resolves.toMatchObject({
      kind: "refused",
      code: "invalid_code",
    });
    expect(local.data).toEqual({});
  });
});

describe("who may ask the service worker what", () => {
  const extension = { id: "ext-id", pagesUrl: "chrome-extension://ext-id/" };
  const contentScript = { id: "ext-id", url: "https://shop.retail.lightspeed.app/webregister/" };
  const optionsPage = { id: "ext-id", url: "chrome-extension://ext-id/options.html" };

  it("lets the content script call the register API, but only the extension's pages pair or forget", () => {
    const api = readWorkerRequest({ kind: "api", method: "GET", path: "/api/pos/status" })!;
    const pair = readWorkerRequest({ kind: "pair", code: "ABCD-EFGH", deviceName: "Front" })!;
    const forget = readWorkerRequest({ kind: "forget" })!;
    expect(senderMayAsk(api, contentScript, extension)).toBe(true);
    expect(senderMayAsk(pair, contentScript, extension)).toBe(false);
    expect(senderMayAsk(forget, contentScript, extension)).toBe(false);
    expect(senderMayAsk(pair, optionsPage, extension)).toBe(true);
    expect(senderMayAsk(api, { id: "another-extension", url: optionsPage.url }, extension)).toBe(false);
  });

  it("allows only register API paths: no pairing endpoints, no climbing out, no other host", () => {
    for (const path of [
      "/api/pos/status",
      "/api/pos/suggestions",
      "/api/pos/approvals/cm123abc/decision",
      "/api/pos/loyalty/6000000000001?subtotalMinor=1234",
      "/api/pos/customers?q=Avery+Ex",
      "/api/pos/returns/cm1/approval",
    ]) {
      expect(isRegisterApiPath(path), path).toBe(true);
    }
    for (const path of [
      "/api/panel/token",
      "/api/panel/pair",
      "/api/pos/../panel/token",
      "/api/pos/%2e%2e/panel/token",
      "/api/pos/a%2Fb",
      "https://evil.example/api/pos/status",
      "//evil.example/api/pos/status",
      "/app/registers",
    ]) {
      expect(isRegisterApiPath(path), path).toBe(false);
    }
    expect(readWorkerRequest({ kind: "api", method: "DELETE", path: "/api/pos/status" })).toBeNull();
    expect(readWorkerRequest({ kind: "api", method: "GET", path: "/api/panel/token" })).toBeNull();
  });
});
