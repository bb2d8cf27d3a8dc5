/**
 * How the extension reaches the app's backend. The URL is baked in at build time by
 * scripts/build-extension.mjs (esbuild `define`); the register preview builds with its own
 * origin. Shopify CLI's build has no such define, so the fallback below is the production app
 * URL and must equal application_url in shopify.app.toml (a unit test checks that it does).
 */
import type { PosStatusResponse } from "../../../shared/pos-contract";

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
  /** getSessionToken() gave nothing: the signed-in user lacks the app permission. */
  | { state: "no-permission" }
  /** The backend refused the token (401/403/410). */
  | { state: "unauthorized"; httpStatus: number }
  /** Network failure, timeout, or a server error: the copilot is unreachable. */
  | { state: "offline"; reason: string };

export interface SessionTokenSource {
  getSessionToken: () => Promise<string | undefined | null>;
}

export async function checkConnection(
  session: SessionTokenSource,
  fetchImpl: typeof fetch = fetch,
  appUrl: string = APP_URL,
): Promise<Connection> {
  let token: string | undefined | null;
  try {
    token = await session.getSessionToken();
  } catch {
    // POS could not mint a token (no connection to Shopify): the copilot is out of reach too.
    return { state: "offline", reason: "no session token" };
  }
  if (!token) return { state: "no-permission" };

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetchImpl(`${appUrl}/api/pos/status`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
  } catch {
    return { state: "offline", reason: controller.signal.aborted ? "timed out" : "network error" };
  } finally {
    clearTimeout(timer);
  }

  if (response.status === 401 || response.status === 403 || response.status === 410) {
    return { state: "unauthorized", httpStatus: response.status };
  }
  if (!response.ok) return { state: "offline", reason: `HTTP ${response.status}` };
  let status: PosStatusResponse;
  try {
    status = (await response.json()) as PosStatusResponse;
  } catch {
    return { state: "offline", reason: "unreadable answer" };
  }
  return status.shop.known && status.shop.installed ? { state: "ready", status } : { state: "not-set-up", status };
}
