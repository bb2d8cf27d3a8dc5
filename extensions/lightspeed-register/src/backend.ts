/**
 * The service worker's link to the app's backend (ADR 0015): the pairing code is redeemed once
 * for a device id and secret, kept in the extension's local storage (never in the register's
 * page); the secret is traded for a 15-minute token, kept in session storage (memory only) and
 * sent as Bearer on every register API call. The backend answers panel tokens without CORS, so
 * every call is made here, in the worker, which host_permissions exempt from CORS.
 *
 * A 401 on a call (the token expired, was altered, or the device was unpaired) is recorded, the
 * token dropped and one new one fetched before the call is retried once. A 401 from the token
 * endpoint means the store no longer knows this device: the pairing is forgotten and callers are
 * told to pair again. Fetch, storage and clock are injected, so this is unit-tested without Chromium.
 */
import type { PanelPairResponse, PanelTokenResponse } from "../../../shared/panel-contract";
import type { PosErrorResponse } from "../../../shared/pos-contract";
import type { ApiResult } from "../../register-copilot/src/approvals";
import type { KeyValueArea } from "./chrome";
import { localTokenExpiry, tokenIsFresh } from "../../../shared/token-schedule";

/** What the worker answers for one backend call: the register API's result, or "pair again". */
export type LinkResult<T> = ApiResult<T> | { kind: "unpaired"; message: string };

/** In the extension's local storage (kept across restarts; never readable by the register's page). */
export interface StoredDevice {
  deviceId: string;
  deviceSecret: string;
  deviceName: string;
  shopId: string;
  location: string;
  pairedAt: string;
}

/** In session storage (memory only): the current access token, its expiry on this clock. */
export interface StoredToken {
  token: string;
  expiresAt: number;
}

/** The last refusal of a token, kept for the options page and for support. */
export interface TokenRefusal {
  at: string;
  path: string;
  status: number;
  code: string;
  message: string;
}

export const STORAGE_KEYS = {
  device: "registerCopilot.device",
  unpaired: "registerCopilot.unpairedNotice",
  token: "registerCopilot.token",
  refusal: "registerCopilot.lastTokenRefusal",
} as const;

/** Long enough for a slow store Wi-Fi, short enough that a cashier is not left waiting. */
export const REQUEST_TIMEOUT_MS = 8_000;

export const NOT_PAIRED_MESSAGE = "This register is not paired with Register Copilot.";
export const UNPAIRED_MESSAGE = "This register was unpaired, or its pairing is no longer valid. Pair it again.";

export interface LinkDeps {
  appUrl: string;
  fetch: typeof fetch;
  now: () => number;
  /** chrome.storage.local */
  local: KeyValueArea;
  /** chrome.storage.session */
  session: KeyValueArea;
  timeoutMs?: number;
}

type Sent = { kind: "answered"; response: Response } | { kind: "offline"; reason: string };

const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

async function readJson<T>(response: Response): Promise<T | undefined> {
  try {
    return (await response.json()) as T;
  } catch {
    return undefined;
  }
}

async function refusalOf(response: Response): Promise<{ code: string; message: string }> {
  const error = (await readJson<Partial<PosErrorResponse>>(response))?.error;
  return typeof error?.code === "string" && typeof error.message === "string"
    ? { code: error.code, message: error.message }
    : { code: `http_${response.status}`, message: `HTTP ${response.status}` };
}

const isStoredDevice = (value: unknown): value is StoredDevice =>
  typeof value === "object" &&
  value !== null &&
  ["deviceId", "deviceSecret", "deviceName", "shopId", "location", "pairedAt"].every(
    (key) => typeof (value as Record<string, unknown>)[key] === "string",
  );

const isStoredToken = (value: unknown): value is StoredToken =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as StoredToken).token === "string" &&
  typeof (value as StoredToken).expiresAt === "number";

export function createRegisterLink(deps: LinkDeps) {
  const base = deps.appUrl.replace(/\/+$/, "");
  let refreshing: Promise<string | LinkResult<never>> | null = null;

  async function send(path: string, init: { method: "GET" | "POST"; body?: unknown; bearer?: string }): Promise<Sent> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), deps.timeoutMs ?? REQUEST_TIMEOUT_MS);
    try {
      const response = await deps.fetch(`${base}${path}`, {
        method: init.method,
        headers: {
          ...(init.body !== undefined ? JSON_HEADERS : { Accept: "application/json" }),
          ...(init.bearer ? { Authorization: `Bearer ${init.bearer}` } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        signal: controller.signal,
        cache: "no-store",
        credentials: "omit",
      });
      return { kind: "answered", response };
    } catch {
      return { kind: "offline", reason: controller.signal.aborted ? "timed out" : "network error" };
    } finally {
      clearTimeout(timer);
    }
  }

  /** An answer that is not a 401: the body, the API's refusal, or "offline" for a server error. */
  async function settle<T>(response: Response): Promise<ApiResult<T>> {
    if (response.ok) {
      const body = await readJson<T>(response);
      return body === undefined ? { kind: "offline", reason: "unreadable answer" } : { kind: "ok", body };
    }
    if (response.status >= 500) return { kind: "offline", reason: `HTTP ${response.status}` };
    const { code, message } = await refusalOf(response);
    return { kind: "refused", httpStatus: response.status, code, message };
  }

  async function device(): Promise<StoredDevice | null> {
    const stored = await deps.local.get(STORAGE_KEYS.device);
    return isStoredDevice(stored) ? stored : null;
  }

  async function forgetPairing(notice: string | null) {
    await deps.local.remove(STORAGE_KEYS.device);
    await deps.session.remove(STORAGE_KEYS.token);
    if (notice) await deps.local.set(STORAGE_KEYS.unpaired, notice);
    else await deps.local.remove(STORAGE_KEYS.unpaired);
  }

  /** A new token for the stored device; a LinkResult when there is none to be had. */
  function refresh(): Promise<string | LinkResult<never>> {
    refreshing ??= (async () => {
      try {
        const paired = await device();
        if (!paired) return { kind: "unpaired", message: NOT_PAIRED_MESSAGE } as const;
        const sent = await send("/api/panel/token", {
          method: "POST",
          body: { deviceId: paired.deviceId, secret: paired.deviceSecret },
        });
        if (sent.kind === "offline") return sent;
        const { response } = sent;
        if (response.status === 401) {
          // unknown_device: unpaired in the console, or the secret is no longer valid.
          const refused = await refusalOf(response);
          await recordRefusal("/api/panel/token", 401, refused);
          await forgetPairing(UNPAIRED_MESSAGE);
          return { kind: "unpaired", message: UNPAIRED_MESSAGE } as const;
        }
        const issued = await settle<PanelTokenResponse>(response);
        if (issued.kind !== "ok") return issued;
        const token: StoredToken = {
          token: issued.body.token,
          expiresAt: localTokenExpiry(issued.body.expiresAt, response.headers.get("date"), deps.now()),
        };
        await deps.session.set(STORAGE_KEYS.token, token);
        return token.token;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  async function currentToken(): Promise<string | LinkResult<never>> {
    const stored = await deps.session.get(STORAGE_KEYS.token);
    if (isStoredToken(stored) && tokenIsFresh(stored.expiresAt, deps.now())) return stored.token;
    return refresh();
  }

  async function recordRefusal(path: string, status: number, refused: { code: string; message: string }) {
    const refusal: TokenRefusal = { at: new Date(deps.now()).toISOString(), path, status, ...refused };
    await deps.session.set(STORAGE_KEYS.refusal, refusal);
  }

  return {
    device,

    /** POST /api/panel/pair: redeems the one-time code and keeps the device's credentials. */
    async pair(code: string, deviceName: string): Promise<ApiResult<PanelPairResponse>> {
      const sent = await send("/api/panel/pair", { method: "POST", body: { code, deviceName } });
      if (sent.kind === "offline") return sent;
      const answer = await settle<PanelPairResponse>(sent.response);
      if (answer.kind !== "ok") return answer;
      const paired: StoredDevice = {
        deviceId: answer.body.deviceId,
        deviceSecret: answer.body.deviceSecret,
        deviceName,
        shopId: answer.body.shopId,
        location: answer.body.location,
        pairedAt: new Date(deps.now()).toISOString(),
      };
      await forgetPairing(null);
      await deps.session.remove(STORAGE_KEYS.refusal);
      await deps.local.set(STORAGE_KEYS.device, paired);
      return answer;
    },

    /** Forgets the pairing on this computer (the store unpairs it for good in its console). */
    forget: () => forgetPairing(null),

    async unpairedNotice(): Promise<string | null> {
      const notice = await deps.local.get(STORAGE_KEYS.unpaired);
      return typeof notice === "string" ? notice : null;
    },

    async lastRefusal(): Promise<TokenRefusal | null> {
      const refusal = await deps.session.get(STORAGE_KEYS.refusal);
      return typeof refusal === "object" && refusal !== null ? (refusal as TokenRefusal) : null;
    },

    /** One register API call with the panel's token; renewed and retried once after a 401. */
    async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<LinkResult<T>> {
      for (let attempt = 0; attempt < 2; attempt++) {
        const token = await currentToken();
        if (typeof token !== "string") return token;
        const sent = await send(path, { method, body, bearer: token });
        if (sent.kind === "offline") return sent;
        if (sent.response.status !== 401) return settle<T>(sent.response);
        await recordRefusal(path, 401, await refusalOf(sent.response));
        // Only drop the token that was refused: a newer one may already be in place.
        const stored = await deps.session.get(STORAGE_KEYS.token);
        if (isStoredToken(stored) && stored.token === token) await deps.session.remove(STORAGE_KEYS.token);
      }
      return { kind: "unauthorized", httpStatus: 401 };
    },
  };
}

export type RegisterLink = ReturnType<typeof createRegisterLink>;
