/**
 * How the extension reaches the app's backend. The URL is baked in at build time by
 * scripts/build-extension.mjs (esbuild `define`); the register preview builds with its own
 * origin. Shopify CLI's build has no such define, so the fallback below is the production app
 * URL and must equal application_url in shopify.app.toml (a unit test checks that it does).
 */
import type { Cart } from "@shopify/ui-extensions/point-of-sale";
import { externalId } from "../../../shared/ids";
import type {
  PosErrorResponse,
  PosStatusResponse,
  SuggestionEventRequest,
  SuggestionEventResponse,
  SuggestionsRequest,
  SuggestionsResponse,
} from "../../../shared/pos-contract";

declare const __REGISTER_COPILOT_APP_URL__: string | undefined;

export const PRODUCTION_APP_URL = "https://register-copilot.example.com";

export const APP_URL: string =
  typeof __REGISTER_COPILOT_APP_URL__ === "string" ? __REGISTER_COPILOT_APP_URL__ : PRODUCTION_APP_URL;

/** Long enough for a slow store Wi-Fi, short enough that a cashier is not left waiting. */
const REQUEST_TIMEOUT_MS = 8_000;

/** What the copilot can do for this register right now. */
export type Connection =
  | { state: "checking" }
  | { state: "ready"; status: PosStatusResponse }
  /** The backend answered but has not recorded (or has uninstalled) this shop. */
  | { state: "not-set-up"; status: PosStatusResponse }
  /** The store switched the copilot off at this location (the admin's kill switch). */
  | { state: "paused"; status: PosStatusResponse }
  /** getSessionToken() gave nothing: the signed-in user lacks the app permission. */
  | { state: "no-permission" }
  /** The backend refused the token (401/403/410). */
  | { state: "unauthorized"; httpStatus: number }
  /** Network failure, timeout, or a server error: the copilot is unreachable. */
  | { state: "offline"; reason: string };

export interface SessionTokenSource {
  getSessionToken: () => Promise<string | undefined | null>;
}

/** What one call to the backend came to, before its body is read. */
export type BackendCall =
  | { kind: "answered"; response: Response }
  | { kind: "no-permission" }
  | { kind: "unauthorized"; httpStatus: number }
  | { kind: "offline"; reason: string };

/**
 * One authenticated request to `/api/pos/*`: mints the session token, sends it as a Bearer
 * token with a timeout, and sorts out the failures every caller handles the same way.
 */
export async function callBackend(
  session: SessionTokenSource,
  path: string,
  init: {
    method?: "GET" | "POST";
    body?: unknown;
    signal?: AbortSignal;
    /** A 403 is the backend refusing this request (a wrong PIN, a spent approval), not the register. */
    refusalIsAnswer?: boolean;
  },
  fetchImpl: typeof fetch,
  appUrl: string,
): Promise<BackendCall> {
  let token: string | undefined | null;
  try {
    token = await session.getSessionToken();
  } catch {
    // POS could not mint a token (no connection to Shopify): the copilot is out of reach too.
    return { kind: "offline", reason: "no session token" };
  }
  if (!token) return { kind: "no-permission" };

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  const cancel = () => controller.abort();
  init.signal?.addEventListener("abort", cancel);
  let response: Response;
  try {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
    if (init.body !== undefined) headers["Content-Type"] = "application/json";
    response = await fetchImpl(`${appUrl}${path}`, {
      ...(init.method ? { method: init.method } : {}),
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: controller.signal,
    });
  } catch {
    return { kind: "offline", reason: controller.signal.aborted ? "timed out" : "network error" };
  } finally {
    clearTimeout(timer);
    init.signal?.removeEventListener("abort", cancel);
  }

  if (response.status === 401 || (response.status === 403 && !init.refusalIsAnswer) || response.status === 410) {
    return { kind: "unauthorized", httpStatus: response.status };
  }
  return { kind: "answered", response };
}

export async function readJson<T>(response: Response): Promise<T | undefined> {
  try {
    return (await response.json()) as T;
  } catch {
    return undefined;
  }
}

export async function checkConnection(
  session: SessionTokenSource,
  fetchImpl: typeof fetch = fetch,
  appUrl: string = APP_URL,
  locationId?: number | null,
): Promise<Connection> {
  const query = locationId ? `?locationId=${locationId}` : "";
  const call = await callBackend(session, `/api/pos/status${query}`, {}, fetchImpl, appUrl);
  if (call.kind === "no-permission") return { state: "no-permission" };
  if (call.kind === "unauthorized") return { state: "unauthorized", httpStatus: call.httpStatus };
  if (call.kind === "offline") return { state: "offline", reason: call.reason };
  const { response } = call;
  if (!response.ok) return { state: "offline", reason: `HTTP ${response.status}` };
  const status = await readJson<PosStatusResponse>(response);
  if (!status) return { state: "offline", reason: "unreadable answer" };
  if (!status.shop.known || !status.shop.installed) return { state: "not-set-up", status };
  return status.paused ? { state: "paused", status } : { state: "ready", status };
}

/** The upsell suggestions for one cart, or why there are none. */
export type Suggestions =
  | { state: "loading" }
  | { state: "ready"; response: SuggestionsResponse }
  /** The merchant switched suggestions off for this location: the feature shows nothing. */
  | { state: "disabled" }
  | { state: "no-permission" }
  | { state: "unauthorized"; httpStatus: number }
  | { state: "offline"; reason: string }
  /** The backend refused this cart (400/413): retrying the same cart would not help. */
  | { state: "failed"; httpStatus: number; code: string; message: string };

/** The request body for a POS cart: only what the engine reads (ids and quantities). */
export function suggestionsRequestFor(
  cart: Pick<Cart, "lineItems">,
  locationId: number | undefined,
  limit?: number,
  record = true,
): SuggestionsRequest {
  return {
    cart: {
      lineItems: cart.lineItems.flatMap((line) =>
        // Custom sales have no variant: there is nothing to learn from them.
        line.variantId === undefined
          ? []
          : [
              {
                variantId: line.variantId,
                ...(line.productId !== undefined ? { productId: line.productId } : {}),
                quantity: line.quantity,
              },
            ],
      ),
    },
    ...(locationId !== undefined ? { locationId } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(record ? {} : { record: false }),
  };
}

export async function fetchSuggestions(
  session: SessionTokenSource,
  request: SuggestionsRequest,
  options: { signal?: AbortSignal; fetchImpl?: typeof fetch; appUrl?: string } = {},
): Promise<Suggestions> {
  const call = await callBackend(
    session,
    "/api/pos/suggestions",
    { method: "POST", body: request, signal: options.signal },
    options.fetchImpl ?? fetch,
    options.appUrl ?? APP_URL,
  );
  if (call.kind === "no-permission") return { state: "no-permission" };
  if (call.kind === "unauthorized") return { state: "unauthorized", httpStatus: call.httpStatus };
  if (call.kind === "offline") return { state: "offline", reason: call.reason };
  const { response } = call;
  if (response.status === 400 || response.status === 413) {
    const error = (await readJson<PosErrorResponse>(response))?.error;
    return {
      state: "failed",
      httpStatus: response.status,
      code: error?.code ?? "bad_request",
      message: error?.message ?? `HTTP ${response.status}`,
    };
  }
  if (!response.ok) return { state: "offline", reason: `HTTP ${response.status}` };
  const body = await readJson<SuggestionsResponse>(response);
  if (!body || !Array.isArray(body.suggestions)) return { state: "offline", reason: "unreadable answer" };
  return body.enabled === false ? { state: "disabled" } : { state: "ready", response: body };
}

/**
 * Tells the backend what the cashier did with a suggestion. True when it was stored (or had
 * been already: the backend ignores a repeat); never throws, since selling must go on.
 */
export async function recordSuggestionEvent(
  session: SessionTokenSource,
  event: SuggestionEventRequest,
  options: { fetchImpl?: typeof fetch; appUrl?: string } = {},
): Promise<boolean> {
  const call = await callBackend(
    session,
    "/api/pos/events",
    { method: "POST", body: event },
    options.fetchImpl ?? fetch,
    options.appUrl ?? APP_URL,
  );
  if (call.kind !== "answered" || !call.response.ok) return false;
  return (await readJson<SuggestionEventResponse>(call.response))?.recorded === true;
}

/** The number POS's cart API takes, from the id the backend returns ("123" or a GID). */
export function variantNumber(variantId: string | number): number | null {
  const id = externalId(variantId);
  const value = id === null ? NaN : Number(id);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}
