/**
 * A discount on an open order, from the panel's side. Asked of the register API: applied at
 * once under the store's limits, else it waits for a manager — their PIN here, or a decision
 * made elsewhere (the admin) that this panel polls for and then collects. Either way the
 * discount is then written to the order in the POS (POST /api/panel/orders/:orderId/discount),
 * which answers "written" or, when the POS refused, what the cashier keys in by hand. A change
 * to the order's lines cancels a waiting request (the approval is for those lines).
 * Pure: the API and timers are injected, so the rules are unit-tested without a browser.
 */
import { cartFingerprint, type DiscountKind, type DiscountReasonCode } from "../../shared/approvals";
import {
  cartOfOrder,
  type PanelDiscountRequest,
  type PanelDiscountResponse,
  type PanelOrder,
} from "../../shared/panel-contract";
import type {
  ApprovalDecisionRequest,
  ApprovalDecisionResponse,
  ApprovalStatusResponse,
  ApprovalTokenResponse,
  DiscountRequest,
  DiscountResponse,
} from "../../shared/pos-contract";
import { PanelApiError, PanelNetworkError } from "./api-client";
import { pinRefusalText } from "./discount-form";

export interface DiscountFlowApi {
  ask(body: DiscountRequest): Promise<DiscountResponse>;
  status(requestId: string): Promise<ApprovalStatusResponse>;
  decide(requestId: string, body: ApprovalDecisionRequest): Promise<ApprovalDecisionResponse>;
  collectToken(requestId: string): Promise<ApprovalTokenResponse>;
  void(requestId: string, reason: string): Promise<unknown>;
  writeBack(orderId: string, body: PanelDiscountRequest): Promise<PanelDiscountResponse>;
}

export interface DiscountChoice {
  kind: DiscountKind;
  value: number;
  reasonCode: DiscountReasonCode;
  note: string;
}

export interface WaitingRequest {
  orderId: string;
  requestId: string;
  discount: { kind: DiscountKind; value: number };
  amountMinor: number;
  triggers: string[];
  /** The order's lines when asked. */
  fingerprint: string;
}

export type DiscountFlowState =
  | { step: "choosing" }
  | { step: "asking" }
  | { step: "waiting"; request: WaitingRequest }
  | { step: "writing"; approved: boolean }
  | { step: "written"; result: PanelDiscountResponse; approved: boolean }
  | { step: "declined"; reason: string | null }
  /** Ended without a discount: cancelled, expired, or the order changed. */
  | { step: "closed"; message: string }
  | { step: "failed"; message: string }
  /** The store switched discount approvals off at this location. */
  | { step: "disabled" };

export interface DiscountFlow {
  readonly state: DiscountFlowState;
  ask(order: PanelOrder, choice: DiscountChoice): Promise<void>;
  /** A manager's PIN typed here; resolves to the refusal to show, or null when it was taken. */
  decide(approverId: string, pin: string, decision: "approve" | "decline", reason: string): Promise<string | null>;
  /** The open order as the latest poll has it (null: it is gone). */
  orderChanged(order: PanelOrder | null): void;
  cancel(): void;
  /** Back to the form after an outcome. */
  reset(): void;
  /** The card went away: a waiting request nobody will use is withdrawn. */
  dispose(): void;
}

/** How often a waiting panel asks whether a manager decided elsewhere. */
export const APPROVAL_POLL_MS = 2_000;

export const orderFingerprint = (order: PanelOrder) => cartFingerprint(cartOfOrder(order).lineItems);

const WRITE_IN_PROGRESS_TRIES = 4;
const WRITE_IN_PROGRESS_WAIT_MS = 1_000;

export function failureText(error: unknown): string {
  if (error instanceof PanelNetworkError) return "Can't reach the copilot. Check the connection and try again.";
  if (error instanceof PanelApiError) return error.message;
  return "Something went wrong. Try again.";
}

export function createDiscountFlow(deps: {
  api: DiscountFlowApi;
  onChange: (state: DiscountFlowState) => void;
  pollMs?: number;
  timers?: { setInterval: (run: () => void, ms: number) => unknown; clearInterval: (handle: unknown) => void };
}): DiscountFlow {
  const { api } = deps;
  const timers = deps.timers ?? {
    setInterval: (run: () => void, ms: number) => setInterval(run, ms),
    clearInterval: (handle: unknown) => clearInterval(handle as ReturnType<typeof setInterval>),
  };
  let state: DiscountFlowState = { step: "choosing" };
  let poller: unknown = null;
  let polling = false;

  const stopPolling = () => {
    if (poller !== null) timers.clearInterval(poller);
    poller = null;
  };
  const set = (next: DiscountFlowState) => {
    state = next;
    if (next.step !== "waiting") stopPolling();
    deps.onChange(next);
  };
  /** The request this flow still waits on, if it is `requestId` (a late answer must not act on a newer one). */
  const stillWaiting = (requestId: string) =>
    state.step === "waiting" && state.request.requestId === requestId ? state.request : null;

  const writeBack = async (request: Pick<WaitingRequest, "orderId" | "requestId">, token: string | null) => {
    const approved = token !== null;
    set({ step: "writing", approved });
    const body = token ? { requestId: request.requestId, token } : { requestId: request.requestId };
    // Another tap's write of the same request is under way: its outcome is this one's, shortly.
    for (let attempt = 1; ; attempt++) {
      try {
        set({ step: "written", result: await api.writeBack(request.orderId, body), approved });
        return;
      } catch (error) {
        const inProgress = error instanceof PanelApiError && error.code === "write_in_progress";
        if (inProgress && attempt < WRITE_IN_PROGRESS_TRIES) {
          await new Promise((resolve) => setTimeout(resolve, WRITE_IN_PROGRESS_WAIT_MS));
          continue;
        }
        set({ step: "failed", message: `The discount was not added to the order: ${failureText(error)}` });
        return;
      }
    }
  };

  const poll = async () => {
    if (polling || state.step !== "waiting") return;
    polling = true;
    const { requestId } = state.request;
    try {
      let answer: ApprovalStatusResponse;
      try {
        answer = await api.status(requestId);
      } catch {
        return; // a missed poll (offline) is retried on the next tick
      }
      const request = stillWaiting(requestId);
      if (!request) return;
      switch (answer.status) {
        case "approved": {
          if (!answer.tokenWaiting) return; // decided on this panel: decide() writes it
          let collected: ApprovalTokenResponse;
          try {
            collected = await api.collectToken(requestId);
          } catch (error) {
            // This panel's own decision got there first: that path writes it.
            if (error instanceof PanelApiError && error.code === "approval_token_collected") return;
            if (stillWaiting(requestId)) set({ step: "failed", message: failureText(error) });
            return;
          }
          if (stillWaiting(requestId)) await writeBack(request, collected.token);
          return;
        }
        case "declined":
          return set({ step: "declined", reason: answer.declineReason });
        case "expired":
          return set({ step: "closed", message: "The request expired before a manager decided. Ask again." });
        case "voided":
          return set({ step: "closed", message: "The request was cancelled." });
        default:
          return;
      }
    } finally {
      polling = false;
    }
  };

  const withdraw = (request: WaitingRequest, reason: string) => {
    void api.void(request.requestId, reason).catch(() => undefined);
  };

  return {
    get state() {
      return state;
    },

    async ask(order, choice) {
      if (state.step === "asking" || state.step === "waiting" || state.step === "writing") return;
      set({ step: "asking" });
      let answer: DiscountResponse;
      try {
        answer = await api.ask({
          cart: cartOfOrder(order),
          discount: { kind: choice.kind, value: choice.value },
          reasonCode: choice.reasonCode,
          note: choice.note.trim() || null,
        });
      } catch (error) {
        return set({ step: "failed", message: failureText(error) });
      }
      if (answer.status === "disabled") return set({ step: "disabled" });
      if (answer.status === "applied") return writeBack({ orderId: order.id, requestId: answer.requestId }, null);
      set({
        step: "waiting",
        request: {
          orderId: order.id,
          requestId: answer.requestId,
          discount: { kind: choice.kind, value: choice.value },
          amountMinor: answer.amountMinor,
          triggers: answer.triggers,
          fingerprint: orderFingerprint(order),
        },
      });
      stopPolling();
      poller = timers.setInterval(() => void poll(), deps.pollMs ?? APPROVAL_POLL_MS);
    },

    async decide(approverId, pin, decision, reason) {
      if (state.step !== "waiting") return null;
      const { request } = state;
      let answer: ApprovalDecisionResponse;
      try {
        answer = await api.decide(request.requestId, { decision, pin, approverId, ...(reason ? { reason } : {}) });
      } catch (error) {
        if (error instanceof PanelApiError) {
          // Decided elsewhere a moment ago: the next poll shows how.
          if (error.code === "approval_already_decided") void poll();
          return pinRefusalText(error.code, error.message);
        }
        return pinRefusalText("offline", "");
      }
      if (!stillWaiting(request.requestId)) return null;
      if (answer.status === "declined") {
        set({ step: "declined", reason: answer.reason });
        return null;
      }
      // Without a token (not expected for the asking panel) the poll collects it.
      if (answer.token) void writeBack(request, answer.token);
      return null;
    },

    orderChanged(order) {
      if (state.step !== "waiting") return;
      const { request } = state;
      if (order && order.id === request.orderId && orderFingerprint(order) === request.fingerprint) return;
      withdraw(request, order ? "the order changed" : "the order was closed");
      set({
        step: "closed",
        message: order
          ? "The order changed, so the request was cancelled. Ask again for this order."
          : "The order was closed, so the request was cancelled.",
      });
    },

    cancel() {
      if (state.step !== "waiting") return;
      withdraw(state.request, "cancelled at the register");
      set({ step: "closed", message: "The discount request was cancelled." });
    },

    reset() {
      if (state.step === "asking" || state.step === "waiting" || state.step === "writing") return;
      set({ step: "choosing" });
    },

    dispose() {
      if (state.step === "waiting") {
        withdraw(state.request, "the register left the order");
        state = { step: "closed", message: "" };
      }
      stopPolling();
    },
  };
}
