/**
 * The service worker: holds the pairing and makes every backend call for the content script
 * and the options page (src/messages.ts says who may ask what).
 */
import { APP_URL } from "./app-url";
import { createRegisterLink, type LinkResult } from "./backend";
import { chromeApi, keyValueArea } from "./chrome";
import { readWorkerRequest, senderMayAsk, type LinkState, type RegisterSession, type WorkerRequest } from "./messages";
import type { PanelSessionResponse } from "../../../shared/panel-contract";
import type { PosStatusResponse } from "../../../shared/pos-contract";

const chrome = chromeApi();
const link = createRegisterLink({
  appUrl: APP_URL,
  fetch: (input, init) => fetch(input, init),
  now: Date.now,
  local: keyValueArea(chrome.storage.local),
  session: keyValueArea(chrome.storage.session),
});

async function linkState(): Promise<LinkState> {
  const [device, unpairedNotice, lastTokenRefusal] = await Promise.all([
    link.device(),
    link.unpairedNotice(),
    link.lastRefusal(),
  ]);
  return {
    appUrl: APP_URL,
    // Never the secret: only what the pages show.
    device: device
      ? { deviceName: device.deviceName, shopId: device.shopId, location: device.location, pairedAt: device.pairedAt }
      : null,
    unpairedNotice,
    lastTokenRefusal,
  };
}

async function registerSession(): Promise<LinkResult<RegisterSession>> {
  // The session path is a panel route, not a register API one: only the worker names it.
  const session = await link.call<PanelSessionResponse>("GET", "/api/panel/session");
  if (session.kind !== "ok") return session;
  const status = await link.call<PosStatusResponse>("GET", "/api/pos/status");
  if (status.kind !== "ok") return status;
  return { kind: "ok", body: { session: session.body, status: status.body } };
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.kind) {
    case "link":
      return linkState();
    case "session":
      return registerSession();
    case "api":
      return link.call(request.method, request.path, request.body);
    case "pair":
      return link.pair(request.code, request.deviceName);
    case "forget":
      await link.forget();
      return linkState();
    case "open-options":
      await chrome.runtime.openOptionsPage();
      return { kind: "ok", body: null };
  }
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const request = readWorkerRequest(message);
  if (!request) return false;
  if (!senderMayAsk(request, sender, { id: chrome.runtime.id, pagesUrl: chrome.runtime.getURL("") })) {
    sendResponse({ kind: "refused", httpStatus: 403, code: "not_allowed", message: "Not allowed from here" });
    return false;
  }
  handle(request).then(sendResponse, (error: unknown) =>
    sendResponse({ kind: "offline", reason: error instanceof Error ? error.message : String(error) }),
  );
  // The answer comes asynchronously.
  return true;
});
