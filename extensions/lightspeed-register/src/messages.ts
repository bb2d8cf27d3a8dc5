/**
 * What the content script and the options page ask the service worker, over chrome.runtime
 * messaging. The worker holds the credentials and makes every backend call; a content script
 * may only call the register API (/api/pos/*) and read its session, and only the extension's
 * own pages may pair or forget the pairing.
 */
import type { PanelSessionResponse } from "../../../shared/panel-contract";
import type { PosStatusResponse } from "../../../shared/pos-contract";
import type { TokenRefusal } from "./backend";

export type WorkerRequest =
  /** Is this register paired, with what, and what the last token refusal was. */
  | { kind: "link" }
  /** The paired store and location with the copilot's status there (the panel's header). */
  | { kind: "session" }
  | { kind: "api"; method: "GET" | "POST"; path: string; body?: unknown }
  | { kind: "pair"; code: string; deviceName: string }
  | { kind: "forget" }
  | { kind: "open-options" };

export interface LinkState {
  appUrl: string;
  device: { deviceName: string; shopId: string; location: string; pairedAt: string } | null;
  /** Why the pairing was dropped (the store unpaired this register), until it is paired again. */
  unpairedNotice: string | null;
  lastTokenRefusal: TokenRefusal | null;
}

export interface RegisterSession {
  session: PanelSessionResponse;
  status: PosStatusResponse;
}

/**
 * The register API paths a content script may call: /api/pos/… (ids already URI-encoded) with
 * an optional plain query. Nothing that climbs out of it, no pairing endpoints, no other origin.
 */
const REGISTER_API_PATH = /^\/api\/pos\/[A-Za-z0-9_%-]+(\/[A-Za-z0-9_%-]+){0,3}(\?[A-Za-z0-9_%=&.+*-]*)?$/;

export function isRegisterApiPath(path: string): boolean {
  return REGISTER_API_PATH.test(path) && !/%2e|%2f|%5c/i.test(path);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The request in a runtime message, or null for anything malformed. */
export function readWorkerRequest(message: unknown): WorkerRequest | null {
  if (!isRecord(message)) return null;
  switch (message.kind) {
    case "link":
    case "session":
    case "forget":
    case "open-options":
      return { kind: message.kind };
    case "pair":
      return typeof message.code === "string" &&
        message.code.length <= 40 &&
        typeof message.deviceName === "string" &&
        message.deviceName.length <= 60
        ? { kind: "pair", code: message.code, deviceName: message.deviceName }
        : null;
    case "api":
      return (message.method === "GET" || message.method === "POST") &&
        typeof message.path === "string" &&
        isRegisterApiPath(message.path)
        ? { kind: "api", method: message.method, path: message.path, body: message.body }
        : null;
    default:
      return null;
  }
}

/**
 * Whether this sender may make this request: anything of this extension may read and call the
 * register API; pairing and forgetting come only from the extension's own pages (not from a
 * content script running in the register's tab).
 */
export function senderMayAsk(
  request: WorkerRequest,
  sender: { id?: string; url?: string },
  extension: { id: string; pagesUrl: string },
): boolean {
  if (sender.id !== extension.id) return false;
  if (request.kind === "pair" || request.kind === "forget") {
    return typeof sender.url === "string" && sender.url.startsWith(extension.pagesUrl);
  }
  return true;
}
