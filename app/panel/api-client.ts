/**
 * The panel's way to the backend: pairing, then every call with a short-lived Bearer token
 * traded for the device secret (POST /api/panel/token, the secret in `secret`). The token lives in memory only, is
 * refreshed about a minute before it expires and once on a 401 `invalid_token` (then the call
 * is retried). A 401 from /api/panel/token means the panel was unpaired: `onUnpaired` runs and
 * calls fail with PanelUnpairedError. Fetch and clock are injected, so this is unit-tested
 * without a browser.
 */
import type {
  PanelPairRequest,
  PanelPairResponse,
  PanelTokenRequest,
  PanelTokenResponse,
} from "../../shared/panel-contract";
import type { PosErrorResponse } from "../../shared/pos-contract";
import type { DeviceCredentials } from "./credentials";
import { localTokenExpiry, tokenIsFresh, tokenRefreshDelay } from "../../shared/token-schedule";

/** The backend refused: its HTTP status and the API's `{ error: { code, message } }`. */
export class PanelApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "PanelApiError";
  }
}

/** No answer at all: the tablet is offline or the store's copilot cannot be reached. */
export class PanelNetworkError extends Error {
  constructor(message = "The copilot cannot be reached") {
    super(message);
    this.name = "PanelNetworkError";
  }
}

/** The device's pairing is gone (unpaired in the admin, or the stored secret is not valid). */
export class PanelUnpairedError extends Error {
  constructor(message = "This register is not paired") {
    super(message);
    this.name = "PanelUnpairedError";
  }
}

/** Gateway errors mean the app behind them is down: as unreachable as no network. */
const UNREACHABLE_STATUSES = new Set([502, 503, 504]);

const isAbort = (error: unknown) => error instanceof Error && error.name === "AbortError";

async function send(fetchImpl: typeof fetch, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new PanelNetworkError();
  }
}

async function refusal(response: Response): Promise<PanelApiError> {
  let body: Partial<PosErrorResponse> | null = null;
  try {
    body = (await response.json()) as Partial<PosErrorResponse>;
  } catch {
    // Not the API's error shape (a proxy's page, say): described by its status below.
  }
  const error = body?.error;
  return typeof error?.code === "string" && typeof error.message === "string"
    ? new PanelApiError(response.status, error.code, error.message)
    : new PanelApiError(response.status, `http_${response.status}`, `The copilot answered HTTP ${response.status}`);
}

async function answer<T>(response: Response): Promise<T> {
  if (!response.ok) throw await refusal(response);
  try {
    return (await response.json()) as T;
  } catch {
    throw new PanelApiError(response.status, "unreadable_answer", "The copilot's answer could not be read");
  }
}

const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

/** POST /api/panel/pair: redeems the one-time code; the answer holds the device's credentials. */
export async function pairPanel(body: PanelPairRequest, fetchImpl: typeof fetch = fetch): Promise<PanelPairResponse> {
  const response = await send(fetchImpl, "/api/panel/pair", {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });
  if (UNREACHABLE_STATUSES.has(response.status)) throw new PanelNetworkError();
  return answer<PanelPairResponse>(response);
}

export interface PanelClientOptions {
  credentials: DeviceCredentials;
  /** The backend no longer knows this device: forget it and show the pairing screen. */
  onUnpaired: () => void;
  /** After each call: whether the backend answered (drives the offline notice). */
  onReachable?: (reachable: boolean) => void;
  fetchImpl?: typeof fetch;
  now?: () => number;
  timers?: {
    setTimeout: (run: () => void, ms: number) => unknown;
    clearTimeout: (handle: unknown) => void;
  };
}

export interface PanelClient {
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T>;
  /** Stops the refresh timer; later calls still work but nothing runs on its own. */
  dispose(): void;
}

export function createPanelClient(options: PanelClientOptions): PanelClient {
  const fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const timers = options.timers ?? {
    setTimeout: (run: () => void, ms: number) => setTimeout(run, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  let current: { token: string; expiresAt: number } | null = null;
  let refreshing: Promise<string> | null = null;
  let timer: unknown = null;
  let disposed = false;
  let unpaired = false;

  const reached = async (request: Promise<Response>): Promise<Response> => {
    try {
      const response = await request;
      // A gateway's error page means the app is down; the app's own 503 (the POS did not answer)
      // comes in the API's JSON shape and is an answer like any other.
      const unreachable =
        UNREACHABLE_STATUSES.has(response.status) &&
        !response.headers.get("content-type")?.includes("application/json");
      options.onReachable?.(!unreachable);
      if (unreachable) throw new PanelNetworkError();
      return response;
    } catch (error) {
      if (error instanceof PanelNetworkError) options.onReachable?.(false);
      throw error;
    }
  };

  const schedule = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    if (disposed || !current) return;
    timer = timers.setTimeout(
      () => {
        timer = null;
        // A refresh that fails here (offline) is retried by the next call that needs a token.
        refresh().catch(() => undefined);
      },
      tokenRefreshDelay(current.expiresAt, now()),
    );
  };

  const markUnpaired = (message: string): never => {
    current = null;
    if (!unpaired) {
      unpaired = true;
      options.onUnpaired();
    }
    throw new PanelUnpairedError(message);
  };

  const refresh = (): Promise<string> => {
    if (unpaired) return Promise.reject(new PanelUnpairedError());
    refreshing ??= (async () => {
      try {
        const body: PanelTokenRequest = {
          deviceId: options.credentials.deviceId,
          secret: options.credentials.deviceSecret,
        };
        const response = await reached(
          send(fetchImpl, "/api/panel/token", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) }),
        );
        if (response.status === 401) return markUnpaired((await refusal(response)).message);
        const issued = await answer<PanelTokenResponse>(response);
        current = {
          token: issued.token,
          expiresAt: localTokenExpiry(issued.expiresAt, response.headers.get("date"), now()),
        };
        schedule();
        return issued.token;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  };

  const token = async () => (current && tokenIsFresh(current.expiresAt, now()) ? current.token : refresh());

  async function call<T>(method: "GET" | "POST", path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const attempt = async (bearer: string) =>
      reached(
        send(fetchImpl, path, {
          method,
          signal,
          headers: {
            Accept: "application/json",
            Authorization: `Bearer ${bearer}`,
            ...(method === "POST" ? { "Content-Type": "application/json" } : {}),
          },
          ...(method === "POST" ? { body: JSON.stringify(body ?? {}) } : {}),
        }),
      );
    let response = await attempt(await token());
    if (response.status === 401) {
      const refused = await refusal(response);
      if (refused.code !== "invalid_token") throw refused;
      // Expired early, signed with a rotated key, or the device was unpaired: one new token decides.
      current = null;
      response = await attempt(await refresh());
    }
    return answer<T>(response);
  }

  return {
    get: (path, signal) => call("GET", path, undefined, signal),
    post: (path, body, signal) => call("POST", path, body, signal),
    dispose() {
      disposed = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
  };
}

/** Whether react-query should try again: not after a refusal the same request would get again. */
export function worthRetrying(error: unknown): boolean {
  if (error instanceof PanelUnpairedError) return false;
  if (error instanceof PanelApiError) return error.status >= 500 || error.status === 408 || error.status === 429;
  return true;
}
