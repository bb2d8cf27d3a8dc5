/**
 * A request that may need a manager, from the register's side. For a cart discount: asked of
 * the backend, applied at once under the limits, else waiting for a manager (a PIN here, or a
 * decision made elsewhere that this register polls for), then redeemed with its single-use
 * token and applied; a cart change voids it. A return the policy sends to a manager waits and is
 * redeemed the same way, and the cashier then completes it in POS. Pure (API, cart and timers
 * injected) so the rules are unit-tested without a register.
 */
import { cartFingerprint, type CartDiscount, type DiscountReasonCode } from "../../../shared/approvals";
import { formatMinorUnits, toMinorUnits } from "../../../shared/money";
import type { DiscountRequest, RegisterOrigin } from "../../../shared/pos-contract";
import type { ApiResult, approvalsApi } from "./approvals";

/** What the flow needs of POS's cart. */
export interface FlowCart {
  lineItems: Array<{ variantId?: number; quantity: number; price?: number }>;
}

export interface CashierChoice {
  discount: CartDiscount;
  reasonCode: DiscountReasonCode;
  note: string;
}

export interface WaitingRequest {
  /** A cart discount (applied to the cart once redeemed) or a return (the cashier goes on in POS). */
  kind: "discount" | "return";
  requestId: string;
  discount: CartDiscount;
  amountMinor: number;
  triggers: string[];
  reasonCode: string;
  /** What the approval is bound to: the cart, or the return check. */
  fingerprint: string;
}

export type ApprovalFlowState =
  | { step: "choosing" }
  | { step: "asking" }
  | { step: "waiting"; request: WaitingRequest }
  | { step: "applying"; request: WaitingRequest }
  | { step: "applied"; amountMinor: number; approved: boolean }
  | { step: "declined"; reason: string | null }
  /** Closed without a discount: the cart changed, it expired, or the cashier cancelled. */
  | { step: "voided"; why: "cart-changed" | "expired" | "cancelled" }
  /** The backend refused (code from the server) or could not be reached. */
  | { step: "failed"; code: string; message: string }
  /** The merchant switched discount approvals off here. */
  | { step: "disabled" };

/** The approvals API with the session already bound. */
export type BoundApprovalsApi = {
  [K in keyof typeof approvalsApi]: (typeof approvalsApi)[K] extends (session: never, ...rest: infer A) => infer R
    ? (...rest: A) => R
    : never;
};

export interface ApprovalFlowDeps {
  api: BoundApprovalsApi;
  origin: () => Promise<RegisterOrigin>;
  currency: string;
  applyCartDiscount: (type: "Percentage" | "FixedAmount", title: string, amount: string) => Promise<void>;
  /** The discount's title on the receipt, e.g. "Price match (manager approved)". */
  title: (reasonCode: string, approved: boolean) => string;
  onChange: (state: ApprovalFlowState) => void;
  timers?: { setInterval: (run: () => void, ms: number) => unknown; clearInterval: (handle: unknown) => void };
}

/** How often a waiting register asks whether a manager decided elsewhere. */
export const STATUS_POLL_MS = 2_000;

/** The cart in minor units, from POS's decimal line prices (the backend re-prices it anyway). */
export function cartSubtotalMinor(cart: FlowCart, currency: string): number {
  let total = 0;
  for (const line of cart.lineItems) {
    if (line.price === undefined) continue;
    total += toMinorUnits(line.price, currency) * line.quantity;
  }
  return total;
}

export function fingerprintOf(cart: FlowCart): string {
  return cartFingerprint(
    cart.lineItems.flatMap((line) =>
      line.variantId === undefined ? [] : [{ variantId: line.variantId, quantity: line.quantity }],
    ),
  );
}

/** The result of a PIN typed on this register, for the PinPad to accept or reject. */
export type PinOutcome = { accepted: true } | { accepted: false; code: string; message: string };

export interface ApprovalFlow {
  readonly state: ApprovalFlowState;
  ask(cart: FlowCart, choice: CashierChoice): Promise<void>;
  /** Waits for a manager on a request made elsewhere (a return the policy sends to a manager). */
  waitFor(request: WaitingRequest): void;
  /** A manager at this register decides with their PIN; on approve, the discount is applied. */
  decideHere(approverId: string, pin: string, decision: "approve" | "decline", reason?: string): Promise<PinOutcome>;
  /** After the PinPad closed on an accepted PIN: redeem the token and apply the discount. */
  applyApproved(): Promise<void>;
  cartChanged(cart: FlowCart): void;
  cancel(): Promise<void>;
  /** Back to choosing a discount (after applied, declined, voided or failed). */
  reset(): void;
  dispose(): void;
}

export function createApprovalFlow(deps: ApprovalFlowDeps): ApprovalFlow {
  const timers = deps.timers ?? {
    setInterval: (run: () => void, ms: number) => setInterval(run, ms),
    clearInterval: (handle: unknown) => clearInterval(handle as ReturnType<typeof setInterval>),
  };
  let state: ApprovalFlowState = { step: "choosing" };
  let poller: unknown = null;
  let polling = false;
  /** A token this register holds for the waiting request (from a PIN here, or collected). */
  let token: string | null = null;
  let disposed = false;

  const set = (next: ApprovalFlowState) => {
    if (disposed) return;
    state = next;
    if (next.step !== "waiting") stopPolling();
    deps.onChange(next);
  };

  const failWith = (result: Exclude<ApiResult<unknown>, { kind: "ok" }>) => {
    switch (result.kind) {
      case "refused":
        return set({ step: "failed", code: result.code, message: result.message });
      case "offline":
        return set({ step: "failed", code: "offline", message: result.reason });
      case "no-permission":
        return set({ step: "failed", code: "no_permission", message: "no app permission" });
      case "unauthorized":
        return set({ step: "failed", code: "unauthorized", message: `HTTP ${result.httpStatus}` });
    }
  };

  const stopPolling = () => {
    if (poller !== null) timers.clearInterval(poller);
    poller = null;
  };

  const apply = async (discount: CartDiscount, amountMinor: number, reasonCode: string, approved: boolean) => {
    const amount =
      discount.kind === "percent" ? String(discount.value) : formatMinorUnits(discount.value, deps.currency);
    await deps.applyCartDiscount(
      discount.kind === "percent" ? "Percentage" : "FixedAmount",
      deps.title(reasonCode, approved),
      amount,
    );
    set({ step: "applied", amountMinor, approved });
  };

  const poll = async () => {
    if (polling || state.step !== "waiting") return;
    polling = true;
    try {
      const { request } = state;
      const origin = await deps.origin();
      const result = await deps.api.status(request.requestId, origin);
      if (state.step !== "waiting" || state.request.requestId !== request.requestId) return;
      if (result.kind !== "ok") return; // a missed poll is retried on the next tick
      switch (result.body.status) {
        case "pending":
          return;
        case "declined":
          return set({ step: "declined", reason: result.body.declineReason });
        case "expired":
          return set({ step: "voided", why: "expired" });
        case "voided":
          return set({ step: "voided", why: "cancelled" });
        case "approved": {
          if (!result.body.tokenWaiting) return; // decided here: the PinPad path applies it
          const collected = await deps.api.collectToken(request.requestId, origin);
          if (collected.kind !== "ok") return failWith(collected);
          token = collected.body.token;
          return redeemAndApply(request);
        }
        default:
          return set({ step: "failed", code: `approval_${result.body.status}`, message: result.body.status });
      }
    } finally {
      polling = false;
    }
  };

  const redeemAndApply = async (request: WaitingRequest) => {
    if (!token) return;
    set({ step: "applying", request });
    const spent = token;
    token = null;
    const redeemed = await deps.api.redeem(request.requestId, {
      ...(await deps.origin()),
      token: spent,
      cartFingerprint: request.fingerprint,
    });
    if (redeemed.kind !== "ok") return failWith(redeemed);
    if (request.kind === "return")
      return set({ step: "applied", amountMinor: redeemed.body.amountMinor, approved: true });
    try {
      await apply(redeemed.body.discount, redeemed.body.amountMinor, request.reasonCode, true);
    } catch (error) {
      set({ step: "failed", code: "cart_refused", message: error instanceof Error ? error.message : String(error) });
    }
  };

  function waitFor(request: WaitingRequest) {
    token = null;
    set({ step: "waiting", request });
    stopPolling();
    poller = timers.setInterval(() => void poll(), STATUS_POLL_MS);
  }

  return {
    get state() {
      return state;
    },

    async ask(cart, choice) {
      if (state.step === "asking" || state.step === "waiting" || state.step === "applying") return;
      set({ step: "asking" });
      const fingerprint = fingerprintOf(cart);
      const body: DiscountRequest = {
        ...(await deps.origin()),
        cart: {
          lineItems: cart.lineItems.flatMap((line) =>
            line.variantId === undefined ? [] : [{ variantId: line.variantId, quantity: line.quantity }],
          ),
          subtotalMinor: cartSubtotalMinor(cart, deps.currency),
        },
        discount: choice.discount,
        reasonCode: choice.reasonCode,
        note: choice.note.trim() || null,
      };
      const result = await deps.api.askForDiscount(body);
      if (result.kind !== "ok") return failWith(result);
      const answer = result.body;
      if (answer.status === "disabled") return set({ step: "disabled" });
      if (answer.status === "applied") {
        try {
          return await apply(choice.discount, answer.amountMinor, choice.reasonCode, false);
        } catch (error) {
          // Recorded as applied but POS refused it: void the record so the shift total stays true.
          void deps.api.void(answer.requestId, { ...(await deps.origin()), reason: "the register could not apply it" });
          return set({
            step: "failed",
            code: "cart_refused",
            message: error instanceof Error ? error.message : String(error),
          });
        }
      }
      waitFor({
        kind: "discount",
        requestId: answer.requestId,
        discount: choice.discount,
        amountMinor: answer.amountMinor,
        triggers: answer.triggers,
        reasonCode: choice.reasonCode,
        fingerprint,
      });
    },

    waitFor,

    async decideHere(approverId, pin, decision, reason) {
      if (state.step !== "waiting") return { accepted: false, code: "not_waiting", message: "" };
      const { request } = state;
      const result = await deps.api.decide(request.requestId, {
        ...(await deps.origin()),
        decision,
        pin,
        approverId,
        ...(reason ? { reason } : {}),
      });
      if (result.kind === "refused") {
        // A decision made elsewhere meanwhile: the next poll shows it.
        if (result.code === "approval_already_decided") void poll();
        return { accepted: false, code: result.code, message: result.message };
      }
      if (result.kind !== "ok") {
        return { accepted: false, code: result.kind, message: "reason" in result ? result.reason : result.kind };
      }
      if (result.body.status === "declined") {
        set({ step: "declined", reason: result.body.reason });
        return { accepted: true };
      }
      token = result.body.token;
      return { accepted: true };
    },

    async applyApproved() {
      if (state.step !== "waiting" || !token) return;
      await redeemAndApply(state.request);
    },

    cartChanged(cart) {
      if (state.step !== "waiting" || state.request.kind !== "discount") return;
      if (fingerprintOf(cart) === state.request.fingerprint) return;
      const { requestId } = state.request;
      token = null;
      set({ step: "voided", why: "cart-changed" });
      void deps.origin().then((origin) => deps.api.void(requestId, { ...origin, reason: "the cart changed" }));
    },

    async cancel() {
      if (state.step !== "waiting") return;
      const { requestId } = state.request;
      token = null;
      set({ step: "voided", why: "cancelled" });
      await deps.api.void(requestId, { ...(await deps.origin()), reason: "cancelled at the register" });
    },

    reset() {
      if (state.step === "waiting" || state.step === "asking" || state.step === "applying") return;
      set({ step: "choosing" });
    },

    /** The copilot closed: a request still waiting is withdrawn, since nobody is left to apply it. */
    dispose() {
      if (state.step === "waiting") {
        const { requestId } = state.request;
        void deps.origin().then((origin) => deps.api.void(requestId, { ...origin, reason: "the copilot was closed" }));
      }
      stopPolling();
      disposed = true;
    },
  };
}
