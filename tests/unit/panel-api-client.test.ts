/**
 * The panel's API client without a browser: a token is traded for the device secret once and
 * reused, refreshed on a 401 invalid_token (once, then the call is retried), refreshed before it
 * expires; a 401 from /api/panel/token means the panel was unpaired; no answer at all is
 * "offline", not a crash.
 */
import { describe, expect, it, vi } from "vitest";
import {
  createPanelClient,
  pairPanel,
  PanelApiError,
  PanelNetworkError,
  PanelUnpairedError,
  worthRetrying,
} from "../../app/panel/api-client";

const CREDENTIALS = { deviceId: "dev-1", deviceSecret: "s".repeat(43) };
const NOW = Date.parse("2026-11-26T10:00:00Z");
const MINUTE = 60_000;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const refusal = (status: number, code: string, message = code) => json(status, { error: { code, message } });

interface Call {
  url: string;
  method: string;
  authorization: string | null;
  body: unknown;
}

/** A backend that answers from `handle`, recording every call. */
function fakeBackend(handle: (call: Call, index: number) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const call: Call = {
      url: String(input),
      method: init?.method ?? "GET",
      authorization: headers.get("authorization"),
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    return handle(call, calls.length - 1);
  });
  return { calls, fetchImpl: fetchImpl as unknown as typeof fetch };
}

let tokenCount = 0;
const issueToken = (expiresInMs = 15 * MINUTE) =>
  json(200, { token: `tok-${++tokenCount}`, expiresAt: new Date(NOW + expiresInMs).toISOString() });

function manualTimers() {
  const pending: Array<{ run: () => void; ms: number; cleared: boolean }> = [];
  return {
    pending,
    timers: {
      setTimeout: (run: () => void, ms: number) => {
        const entry = { run, ms, cleared: false };
        pending.push(entry);
        return entry;
      },
      clearTimeout: (handle: unknown) => {
        (handle as { cleared: boolean }).cleared = true;
      },
    },
  };
}

describe("panel API client", () => {
  it("trades the device secret for a token once and sends it as Bearer on every call", async () => {
    const { calls, fetchImpl } = fakeBackend((call) =>
      call.url === "/api/panel/token" ? issueToken() : json(200, { ok: call.url }),
    );
    const client = createPanelClient({ credentials: CREDENTIALS, onUnpaired: vi.fn(), fetchImpl, now: () => NOW });

    await expect(client.get("/api/panel/session")).resolves.toEqual({ ok: "/api/panel/session" });
    await client.post("/api/pos/suggestions", { cart: { lineItems: [] } });

    expect(calls.map((call) => call.url)).toEqual(["/api/panel/token", "/api/panel/session", "/api/pos/suggestions"]);
    expect(calls[0]!.body).toEqual({ deviceId: "dev-1", secret: CREDENTIALS.deviceSecret });
    const bearer = `Bearer tok-${tokenCount}`;
    expect(calls[1]!.authorization).toBe(bearer);
    expect(calls[2]!.authorization).toBe(bearer);
    expect(calls[2]!.body).toEqual({ cart: { lineItems: [] } });
    client.dispose();
  });

  it("asks for one token when several calls start together", async () => {
    const { calls, fetchImpl } = fakeBackend((call) =>
      call.url === "/api/panel/token" ? issueToken() : json(200, {}),
    );
    const client = createPanelClient({ credentials: CREDENTIALS, onUnpaired: vi.fn(), fetchImpl, now: () => NOW });
    await Promise.all([client.get("/a"), client.get("/b"), client.get("/c")]);
    expect(calls.filter((call) => call.url === "/api/panel/token")).toHaveLength(1);
    client.dispose();
  });

  it("on a 401 invalid_token gets a new token once and retries the call", async () => {
    let refusedOnce = false;
    const { calls, fetchImpl } = fakeBackend((call) => {
      if (call.url === "/api/panel/token") return issueToken();
      if (!refusedOnce) {
        refusedOnce = true;
        return refusal(401, "invalid_token", "expired; get a new token");
      }
      return json(200, { orders: [] });
    });
    const client = createPanelClient({ credentials: CREDENTIALS, onUnpaired: vi.fn(), fetchImpl, now: () => NOW });

    await expect(client.get("/api/panel/orders")).resolves.toEqual({ orders: [] });
    expect(calls.map((call) => call.url)).toEqual([
      "/api/panel/token",
      "/api/panel/orders",
      "/api/panel/token",
      "/api/panel/orders",
    ]);
    expect(calls[3]!.authorization).not.toBe(calls[1]!.authorization);
    client.dispose();
  });

  it("does not loop: a second invalid_token after the refresh is the call's error", async () => {
    const { calls, fetchImpl } = fakeBackend((call) =>
      call.url === "/api/panel/token" ? issueToken() : refusal(401, "invalid_token"),
    );
    const client = createPanelClient({ credentials: CREDENTIALS, onUnpaired: vi.fn(), fetchImpl, now: () => NOW });
    await expect(client.get("/api/panel/orders")).rejects.toMatchObject({ status: 401, code: "invalid_token" });
    expect(calls).toHaveLength(4);
    client.dispose();
  });

  it("an unpaired device: the token endpoint's 401 clears the pairing once and every call fails as unpaired", async () => {
    const onUnpaired = vi.fn();
    const { calls, fetchImpl } = fakeBackend((call) =>
      call.url === "/api/panel/token"
        ? refusal(401, "unknown_device", "This panel is not paired (or was unpaired); pair it again")
        : json(200, {}),
    );
    const client = createPanelClient({ credentials: CREDENTIALS, onUnpaired, fetchImpl, now: () => NOW });

    await expect(client.get("/api/panel/session")).rejects.toBeInstanceOf(PanelUnpairedError);
    await expect(client.get("/api/panel/orders")).rejects.toBeInstanceOf(PanelUnpairedError);
    expect(onUnpaired).toHaveBeenCalledTimes(1);
    expect(calls.filter((call) => call.url !== "/api/panel/token")).toHaveLength(0);
    client.dispose();
  });

  it("a device unpaired while its token still works: invalid_token, then the refresh finds it unpaired", async () => {
    const onUnpaired = vi.fn();
    let unpaired = false;
    const { fetchImpl } = fakeBackend((call) => {
      if (call.url === "/api/panel/token") return unpaired ? refusal(401, "unknown_device") : issueToken();
      unpaired = true;
      return refusal(401, "invalid_token", "this panel was unpaired");
    });
    const client = createPanelClient({ credentials: CREDENTIALS, onUnpaired, fetchImpl, now: () => NOW });
    await expect(client.get("/api/panel/orders")).rejects.toBeInstanceOf(PanelUnpairedError);
    expect(onUnpaired).toHaveBeenCalledTimes(1);
    client.dispose();
  });

  it("refreshes the token a minute before it expires, and uses a stale one never", async () => {
    let now = NOW;
    const { pending, timers } = manualTimers();
    const { calls, fetchImpl } = fakeBackend((call) =>
      call.url === "/api/panel/token"
        ? json(200, { token: `tok-${++tokenCount}`, expiresAt: new Date(now + 15 * MINUTE).toISOString() })
        : json(200, {}),
    );
    const client = createPanelClient({
      credentials: CREDENTIALS,
      onUnpaired: vi.fn(),
      fetchImpl,
      now: () => now,
      timers,
    });

    await client.get("/a");
    expect(pending.at(-1)!.ms).toBe(14 * MINUTE);

    // The timer fires at 14 minutes: a new token, without any call waiting for it.
    now += 14 * MINUTE;
    pending.at(-1)!.run();
    await vi.waitFor(() => expect(calls.filter((call) => call.url === "/api/panel/token")).toHaveLength(2));
    await client.get("/b");
    expect(calls.filter((call) => call.url === "/api/panel/token")).toHaveLength(2);

    // The tablet slept through the next timer: the call gets a new token first.
    now += 14 * MINUTE + 30_000;
    await client.get("/c");
    expect(calls.map((call) => call.url).slice(-2)).toEqual(["/api/panel/token", "/c"]);
    client.dispose();
    expect(pending.at(-1)!.cleared).toBe(true);
  });

  it("no answer is a network error and is reported as unreachable; the next answer as reachable", async () => {
    const reachable: boolean[] = [];
    let offline = true;
    const { fetchImpl } = fakeBackend((call) => {
      if (offline) throw new TypeError("Failed to fetch");
      return call.url === "/api/panel/token" ? issueToken() : json(200, { fine: true });
    });
    const client = createPanelClient({
      credentials: CREDENTIALS,
      onUnpaired: vi.fn(),
      onReachable: (value) => reachable.push(value),
      fetchImpl,
      now: () => NOW,
    });
    await expect(client.get("/api/panel/orders")).rejects.toBeInstanceOf(PanelNetworkError);
    offline = false;
    await expect(client.get("/api/panel/orders")).resolves.toEqual({ fine: true });
    expect(reachable[0]).toBe(false);
    expect(reachable.at(-1)).toBe(true);
    client.dispose();
  });

  it("a gateway's error page counts as offline; the app's own 503 (the POS did not answer) is an answer", async () => {
    const reachable: boolean[] = [];
    let gatewayDown = true;
    const { fetchImpl } = fakeBackend((call) => {
      if (call.url === "/api/panel/token") return issueToken();
      return gatewayDown
        ? new Response("<html>Bad gateway</html>", { status: 502, headers: { "Content-Type": "text/html" } })
        : refusal(503, "pos_unavailable", "The POS did not answer: timeout");
    });
    const client = createPanelClient({
      credentials: CREDENTIALS,
      onUnpaired: vi.fn(),
      onReachable: (value) => reachable.push(value),
      fetchImpl,
      now: () => NOW,
    });
    await expect(client.get("/api/panel/orders")).rejects.toBeInstanceOf(PanelNetworkError);
    expect(reachable.at(-1)).toBe(false);
    gatewayDown = false;
    await expect(client.get("/api/panel/orders")).rejects.toMatchObject({ status: 503, code: "pos_unavailable" });
    expect(reachable.at(-1)).toBe(true);
    client.dispose();
  });

  it("a refusal carries the API's code and message, and is not retried; an outage is", async () => {
    const { fetchImpl } = fakeBackend((call) =>
      call.url === "/api/panel/token" ? issueToken() : refusal(403, "pin_refused", "That PIN was not accepted"),
    );
    const client = createPanelClient({ credentials: CREDENTIALS, onUnpaired: vi.fn(), fetchImpl, now: () => NOW });
    const error = await client.post("/api/pos/approvals/r1/decision", {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PanelApiError);
    expect(error).toMatchObject({ status: 403, code: "pin_refused", message: "That PIN was not accepted" });
    expect(worthRetrying(error)).toBe(false);
    expect(worthRetrying(new PanelApiError(500, "http_500", "x"))).toBe(true);
    expect(worthRetrying(new PanelNetworkError())).toBe(true);
    expect(worthRetrying(new PanelUnpairedError())).toBe(false);
    client.dispose();
  });
});

describe("pairing", () => {
  it("posts the code and the register's name and returns the credentials", async () => {
    const { calls, fetchImpl } = fakeBackend(() =>
      json(200, { deviceId: "dev-9", deviceSecret: "secret", location: "L1", shopId: "shop" }),
    );
    await expect(pairPanel({ code: "ABCD2345", deviceName: "Front register" }, fetchImpl)).resolves.toMatchObject({
      deviceId: "dev-9",
      deviceSecret: "secret",
    });
    expect(calls[0]).toMatchObject({
      url: "/api/panel/pair",
      method: "POST",
      body: { code: "ABCD2345", deviceName: "Front register" },
    });
  });

  it("a wrong code or too many attempts come back with the server's code and message", async () => {
    const { fetchImpl } = fakeBackend((_call, index) =>
      index === 0
        ? refusal(400, "invalid_code", "code: unknown, used or expired; ask for a new one")
        : refusal(429, "too_many_attempts", "Too many pairing attempts; wait a minute"),
    );
    await expect(pairPanel({ code: "X", deviceName: "Y" }, fetchImpl)).rejects.toMatchObject({
      status: 400,
      code: "invalid_code",
    });
    await expect(pairPanel({ code: "X", deviceName: "Y" }, fetchImpl)).rejects.toMatchObject({
      status: 429,
      message: "Too many pairing attempts; wait a minute",
    });
  });
});
