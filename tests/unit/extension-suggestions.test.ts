/**
 * How the POS extension asks for suggestions and reports what the cashier did: the request it
 * builds from a POS cart, when it asks (debounced, only for a changed cart, newest answer wins),
 * and how each backend answer becomes something the register can say plainly.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  fetchSuggestions,
  recordSuggestionEvent,
  suggestionsRequestFor,
  variantNumber,
} from "../../extensions/register-copilot/src/backend";
import { createLatestLoader, suggestionsKey } from "../../extensions/register-copilot/src/hooks";
import type { SuggestionsResponse } from "../../shared/pos-contract";

const APP = "https://copilot.test";
const withToken = { getSessionToken: async () => "signed.session.token" };

const line = (variantId: number | undefined, quantity = 1, productId?: number) => ({ variantId, productId, quantity });

function answer(body: unknown, status = 200) {
  return vi.fn<typeof fetch>(async () => new Response(JSON.stringify(body), { status }));
}

function suggestionsResponse(overrides: Partial<SuggestionsResponse> = {}): SuggestionsResponse {
  return {
    requestId: "req-1",
    modelVersion: "v1",
    enabled: true,
    suggestions: [
      {
        productId: "11",
        variantId: "111",
        title: "Butter",
        price: "2.49",
        currency: "USD",
        reason: "Bought together in 23% of baskets with Whole Milk",
        confidence: 0.4,
        inStock: true,
      },
    ],
    ...overrides,
  };
}

describe("the suggestions request for a POS cart", () => {
  it("sends variant, product and quantity of each line, and the register's location", () => {
    const request = suggestionsRequestFor({ lineItems: [line(5, 2, 50), line(6)] as never }, 77, 3);
    expect(request).toEqual({
      cart: {
        lineItems: [
          { variantId: 5, productId: 50, quantity: 2 },
          { variantId: 6, quantity: 1 },
        ],
      },
      locationId: 77,
      limit: 3,
    });
  });

  it("leaves out custom sales, which have no variant", () => {
    const request = suggestionsRequestFor({ lineItems: [line(undefined, 1), line(6)] as never }, undefined);
    expect(request).toEqual({ cart: { lineItems: [{ variantId: 6, quantity: 1 }] } });
  });

  it("asks again only when the cart's products or the location change, not the quantities", () => {
    const key = (lines: ReturnType<typeof line>[], location: number | undefined = 1) =>
      suggestionsKey({ lineItems: lines as never }, location);
    expect(key([line(5), line(6)])).toBe(key([line(6, 3), line(5, 2)]));
    expect(key([line(5), line(5)])).toBe(key([line(5)]));
    expect(key([line(5)])).not.toBe(key([line(5), line(6)]));
    expect(key([line(5)], 1)).not.toBe(key([line(5)], 2));
  });
});

describe("debounced loading where the newest request wins", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function harness() {
    vi.useFakeTimers();
    const answers: { input: string; resolve: (value: string) => void; signal: AbortSignal }[] = [];
    const results: [string, string][] = [];
    const loader = createLatestLoader<string, string>({
      load: (input, signal) => new Promise((resolve) => answers.push({ input, resolve, signal })),
      onResult: (key, output) => results.push([key, output]),
      delayMs: 400,
    });
    return { loader, answers, results };
  }

  it("asks once for a burst of cart changes, after the pause", async () => {
    const { loader, answers } = harness();
    loader.request("a", "cart a");
    vi.advanceTimersByTime(200);
    loader.request("ab", "cart ab");
    vi.advanceTimersByTime(399);
    expect(answers).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(answers.map((call) => call.input)).toEqual(["cart ab"]);
  });

  it("drops a slow answer about an older cart and aborts its request", async () => {
    const { loader, answers, results } = harness();
    loader.request("a", "cart a", 0);
    vi.advanceTimersByTime(0);
    loader.request("ab", "cart ab", 0);
    vi.advanceTimersByTime(0);
    expect(answers[0]!.signal.aborted).toBe(true);

    answers[1]!.resolve("for ab");
    answers[0]!.resolve("for a");
    await vi.runAllTimersAsync();
    expect(results).toEqual([["ab", "for ab"]]);
  });

  it("does not ask again for the same cart, but reloads on demand and stops when disposed", async () => {
    const { loader, answers, results } = harness();
    loader.request("a", "cart a", 0);
    vi.advanceTimersByTime(0);
    loader.request("a", "cart a", 0);
    vi.advanceTimersByTime(1000);
    expect(answers).toHaveLength(1);

    loader.reload();
    expect(answers).toHaveLength(2);
    loader.dispose();
    answers[1]!.resolve("late");
    await vi.runAllTimersAsync();
    expect(results).toEqual([]);
  });
});

describe("fetchSuggestions", () => {
  const request = suggestionsRequestFor({ lineItems: [line(5, 1, 50)] as never }, 77);

  it("posts the cart with the session token and returns the suggestions", async () => {
    const fetchImpl = answer(suggestionsResponse());
    const result = await fetchSuggestions(withToken, request, { fetchImpl, appUrl: APP });

    expect(result.state === "ready" && result.response.suggestions[0]!.title).toBe("Butter");
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe(`${APP}/api/pos/suggestions`);
    expect(init).toMatchObject({
      method: "POST",
      headers: { Authorization: "Bearer signed.session.token", "Content-Type": "application/json" },
    });
    expect(JSON.parse(String(init!.body))).toEqual(request);
  });

  it("shows nothing for the feature when the merchant switched it off here", async () => {
    const result = await fetchSuggestions(withToken, request, {
      fetchImpl: answer(suggestionsResponse({ enabled: false, suggestions: [] })),
      appUrl: APP,
    });
    expect(result).toEqual({ state: "disabled" });
  });

  it("keeps the answer of a shop with no trained model, so the register can say it is learning", async () => {
    const result = await fetchSuggestions(withToken, request, {
      fetchImpl: answer(suggestionsResponse({ modelVersion: null, suggestions: [] })),
      appUrl: APP,
    });
    expect(result.state === "ready" && result.response.modelVersion).toBeNull();
  });

  it("says why there are none: no permission, refused token, offline, a cart the backend refuses", async () => {
    const fetchImpl = answer(suggestionsResponse());
    expect(await fetchSuggestions({ getSessionToken: async () => null }, request, { fetchImpl, appUrl: APP })).toEqual({
      state: "no-permission",
    });
    expect(fetchImpl).not.toHaveBeenCalled();

    const refused = answer({ error: { code: "unauthorized", message: "bad token" } }, 401);
    expect(await fetchSuggestions(withToken, request, { fetchImpl: refused, appUrl: APP })).toEqual({
      state: "unauthorized",
      httpStatus: 401,
    });

    const unreachable = vi.fn<typeof fetch>(async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await fetchSuggestions(withToken, request, { fetchImpl: unreachable, appUrl: APP })).toEqual({
      state: "offline",
      reason: "network error",
    });
    expect(await fetchSuggestions(withToken, request, { fetchImpl: answer({}, 503), appUrl: APP })).toEqual({
      state: "offline",
      reason: "HTTP 503",
    });

    const tooLarge = answer({ error: { code: "body_too_large", message: "Body over 64 KB" } }, 413);
    expect(await fetchSuggestions(withToken, request, { fetchImpl: tooLarge, appUrl: APP })).toEqual({
      state: "failed",
      httpStatus: 413,
      code: "body_too_large",
      message: "Body over 64 KB",
    });
  });
});

describe("recordSuggestionEvent", () => {
  it("posts what the cashier did and reports whether it was stored", async () => {
    const fetchImpl = answer({ recorded: true, created: true });
    const event = { requestId: "req-1", variantId: "111", kind: "added" as const };

    expect(await recordSuggestionEvent(withToken, event, { fetchImpl, appUrl: APP })).toBe(true);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe(`${APP}/api/pos/events`);
    expect(JSON.parse(String(init!.body))).toEqual(event);
  });

  it("never throws: a lost event must not stop a sale", async () => {
    const event = { requestId: "req-1", variantId: "111", kind: "dismissed" as const };
    const unreachable = vi.fn<typeof fetch>(async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await recordSuggestionEvent(withToken, event, { fetchImpl: unreachable, appUrl: APP })).toBe(false);
    expect(await recordSuggestionEvent(withToken, event, { fetchImpl: answer({}, 500), appUrl: APP })).toBe(false);
  });
});

describe("variantNumber", () => {
  it("gives POS's cart API a number from a numeric id or a GID, and null for anything else", () => {
    expect(variantNumber("4201")).toBe(4201);
    expect(variantNumber(4201)).toBe(4201);
    expect(variantNumber("gid://shopify/ProductVariant/4201")).toBe(4201);
    expect(variantNumber("abc")).toBeNull();
    expect(variantNumber("0")).toBeNull();
  });
});
