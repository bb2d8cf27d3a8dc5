/**
 * The content script's and options page's way to the service worker, and the register API calls
 * the panel makes through it. An "unpaired" answer is reported through `onUnpaired` and reads,
 * for the flows that only know the register API's results, as a 401.
 */
import type { ApprovalsOverviewResponse, RegisterOrigin } from "../../../shared/pos-contract";
import type { ApiResult } from "../../register-copilot/src/approvals";
import type { BoundApprovalsApi } from "../../register-copilot/src/approval-flow";
import type { LinkResult } from "./backend";
import type { LinkState, RegisterSession, WorkerRequest } from "./messages";

export type SendToWorker = (request: WorkerRequest) => Promise<unknown>;

/** The extension was reloaded or updated under this page: its content script is cut off. */
export const EXTENSION_RELOADED = "The extension was updated. Reload this page to use the copilot.";

export interface WorkerApiEvents {
  /** The store no longer knows this register (or it was never paired): show "pair again". */
  onUnpaired: (message: string) => void;
  /** After each call: whether the backend answered (drives the "can't reach" notice). */
  onReachable?: (reachable: boolean) => void;
}

export function createWorkerApi(send: SendToWorker, events: WorkerApiEvents) {
  async function ask<T>(request: WorkerRequest): Promise<LinkResult<T>> {
    let answer: unknown;
    try {
      answer = await send(request);
    } catch {
      return { kind: "offline", reason: EXTENSION_RELOADED };
    }
    if (typeof answer !== "object" || answer === null || !("kind" in answer)) {
      return { kind: "offline", reason: "no answer from the extension" };
    }
    const result = answer as LinkResult<T>;
    if (result.kind === "unpaired") events.onUnpaired(result.message);
    else events.onReachable?.(result.kind !== "offline");
    return result;
  }

  /** For code that knows only the register API's results: "pair again" is a 401 there. */
  async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<ApiResult<T>> {
    const result = await ask<T>({ kind: "api", method, path, ...(body !== undefined ? { body } : {}) });
    return result.kind === "unpaired" ? { kind: "unauthorized", httpStatus: 401 } : result;
  }

  const id = (requestId: string) => encodeURIComponent(requestId);

  const approvals: BoundApprovalsApi = {
    overview: () => call<ApprovalsOverviewResponse>("GET", "/api/pos/approvals"),
    askForDiscount: (body) => call("POST", "/api/pos/approvals", body),
    status: (requestId) => call("GET", `/api/pos/approvals/${id(requestId)}`),
    decide: (requestId, body) => call("POST", `/api/pos/approvals/${id(requestId)}/decision`, body),
    collectToken: (requestId, origin: RegisterOrigin) =>
      call("POST", `/api/pos/approvals/${id(requestId)}/token`, origin),
    redeem: (requestId, body) => call("POST", `/api/pos/approvals/${id(requestId)}/redeem`, body),
    void: (requestId, body) => call("POST", `/api/pos/approvals/${id(requestId)}/void`, body),
  };

  return {
    call,
    approvals,
    link: async (): Promise<LinkState | null> => {
      try {
        return (await send({ kind: "link" })) as LinkState;
      } catch {
        return null;
      }
    },
    session: () => ask<RegisterSession>({ kind: "session" }),
    openOptions: () => send({ kind: "open-options" }).catch(() => undefined),
  };
}

export type WorkerApi = ReturnType<typeof createWorkerApi>;
