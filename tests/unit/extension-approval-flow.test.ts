/**
 * The register's discount flow without a register: what it asks the backend, what it puts on
 * the cart, and how it reacts to a manager's decision made here or elsewhere, to a cart change
 * and to the copilot closing.
 */
import { describe, expect, it, vi } from "vitest";
import type { ApiResult } from "../../extensions/register-copilot/src/approvals";
import {
  createApprovalFlow,
  STATUS_POLL_MS,
  type BoundApprovalsApi,
  type ApprovalFlowState,
  type FlowCart,
} from "../../extensions/register-copilot/src/approval-flow";
import type { ApprovalStatusResponse } from "../../shared/pos-contract";

const ok = <T>(body: T): ApiResult<T> => ({ kind: "ok", body });
const cart: FlowCart = {
  lineItems: [
    { variantId: 11, quantity: 2, price: 12.5 },
    { variantId: 12, quantity: 1, price: 5 },
  ],
};
const choice = { discount: { kind: "percent" as const, value: 30 }, reasonCode: "price_match" as const, note: " " };
const ORIGIN = { locationId: 7, deviceId: "dev-1", staffMemberId: 3 };

function statusBody(partial: Partial<ApprovalStatusResponse>): ApprovalStatusResponse {
  return {
    id: "req-1",
    status: "pending",
    discount: { kind: "percent", value: 30 },
    amountMinor: 900,
    currency: "USD",
    declineReason: null,
    expiresAt: null,
    tokenWaiting: false,
    ...partial,
  };
}

function setup(api: Partial<BoundApprovalsApi>) {
  const states: ApprovalFlowState[] = [];
  let tick: (() => void) | null = null;
  const applyCartDiscount = vi.fn(async () => undefined);
  const voids = vi.fn(async () => ok({ status: "voided" as const }));
  const flow = createApprovalFlow({
    api: {
      overview: vi.fn(),
      askForDiscount: vi.fn(async () =>
        ok({ status: "pending" as const, requestId: "req-1", amountMinor: 900, triggers: ["percent"], expiresAt: "" }),
      ),
      status: vi.fn(async () => ok(statusBody({}))),
      decide: vi.fn(),
      collectToken: vi.fn(),
      redeem: vi.fn(async () =>
        ok({ status: "redeemed" as const, discount: { kind: "percent" as const, value: 30 }, amountMinor: 900 }),
      ),
      void: voids,
      ...api,
    } as BoundApprovalsApi,
    origin: async () => ORIGIN,
    currency: "USD",
    applyCartDiscount,
    title: (reason, approved) => `${reason}${approved ? " (approved)" : ""}`,
    onChange: (state) => states.push(state),
    timers: {
      setInterval: (run) => {
        tick = run;
        return 1;
      },
      clearInterval: () => {
        tick = null;
      },
    },
  });
  const poll = async () => {
    tick?.();
    await vi.waitFor(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { flow, states, applyCartDiscount, voids, poll, polling: () => tick !== null };
}

describe("the register's discount flow", () => {
  it("applies a discount under the limits at once, with the cart priced in minor units", async () => {
    const askForDiscount = vi.fn(async () => ok({ status: "applied" as const, requestId: "r", amountMinor: 450 }));
    const { flow, applyCartDiscount, states } = setup({ askForDiscount });
    await flow.ask(cart, { discount: { kind: "amount", value: 450 }, reasonCode: "damaged_item", note: "scuffed" });
    expect(askForDiscount).toHaveBeenCalledWith({
      ...ORIGIN,
      cart: {
        lineItems: [
          { variantId: 11, quantity: 2 },
          { variantId: 12, quantity: 1 },
        ],
        subtotalMinor: 3_000,
      },
      discount: { kind: "amount", value: 450 },
      reasonCode: "damaged_item",
      note: "scuffed",
    });
    expect(applyCartDiscount).toHaveBeenCalledWith("FixedAmount", "damaged_item", "4.50");
    expect(states.at(-1)).toEqual({ step: "applied", amountMinor: 450, approved: false });
  });

  it("applies nothing while waiting; a PIN here approves, then the token is redeemed and applied", async () => {
    const decide = vi.fn(async () =>
      ok({ status: "approved" as const, token: "tok-123", expiresAt: "", amountMinor: 900 }),
    );
    const redeem = vi.fn(async () =>
      ok({ status: "redeemed" as const, discount: { kind: "percent" as const, value: 30 }, amountMinor: 900 }),
    );
    const { flow, applyCartDiscount, states, polling } = setup({ decide, redeem });
    await flow.ask(cart, choice);
    expect(flow.state).toMatchObject({ step: "waiting", request: { requestId: "req-1", triggers: ["percent"] } });
    expect(polling()).toBe(true);
    expect(applyCartDiscount).not.toHaveBeenCalled();

    expect(await flow.decideHere("mgr-1", "246810", "approve")).toEqual({ accepted: true });
    expect(applyCartDiscount).not.toHaveBeenCalled(); // only once the PinPad has closed
    await flow.applyApproved();
    expect(redeem).toHaveBeenCalledWith("req-1", { ...ORIGIN, token: "tok-123", cartFingerprint: "cart1:11x2,12x1" });
    expect(applyCartDiscount).toHaveBeenCalledWith("Percentage", "price_match (approved)", "30");
    expect(states.at(-1)).toEqual({ step: "applied", amountMinor: 900, approved: true });
    expect(polling()).toBe(false);
    // The token was spent: a second applyApproved does nothing.
    await flow.applyApproved();
    expect(redeem).toHaveBeenCalledTimes(1);
  });

  it("passes a refused PIN back to the PinPad and stays waiting", async () => {
    const decide = vi.fn(async () => ({
      kind: "refused" as const,
      httpStatus: 403,
      code: "pin_refused",
      message: "The approver or PIN was not accepted",
    }));
    const { flow } = setup({ decide });
    await flow.ask(cart, choice);
    expect(await flow.decideHere("mgr-1", "0000", "approve")).toMatchObject({ accepted: false, code: "pin_refused" });
    expect(flow.state.step).toBe("waiting");
  });

  it("collects and applies an approval given on another register, found by polling", async () => {
    const status = vi
      .fn()
      .mockResolvedValueOnce(ok(statusBody({ status: "pending" })))
      .mockResolvedValue(ok(statusBody({ status: "approved", tokenWaiting: true })));
    const collectToken = vi.fn(async () => ok({ token: "remote-tok", expiresAt: "" }));
    const redeem = vi.fn(async () =>
      ok({ status: "redeemed" as const, discount: { kind: "percent" as const, value: 30 }, amountMinor: 900 }),
    );
    const { flow, poll, applyCartDiscount } = setup({ status, collectToken, redeem });
    await flow.ask(cart, choice);
    await poll();
    expect(flow.state.step).toBe("waiting");
    await poll();
    await vi.waitFor(() => expect(applyCartDiscount).toHaveBeenCalledTimes(1));
    expect(collectToken).toHaveBeenCalledWith("req-1", ORIGIN);
    expect(redeem).toHaveBeenCalledWith("req-1", expect.objectContaining({ token: "remote-tok" }));
    expect(flow.state).toEqual({ step: "applied", amountMinor: 900, approved: true });
    expect(STATUS_POLL_MS).toBeLessThanOrEqual(3_000);
  });

  it("shows a decline made elsewhere with its reason", async () => {
    const status = vi.fn(async () => ok(statusBody({ status: "declined", declineReason: "Not today" })));
    const { flow, poll, applyCartDiscount } = setup({ status });
    await flow.ask(cart, choice);
    await poll();
    await vi.waitFor(() => expect(flow.state).toEqual({ step: "declined", reason: "Not today" }));
    expect(applyCartDiscount).not.toHaveBeenCalled();
  });

  it("voids the request when the cart's items change, not when they stay the same", async () => {
    const { flow, voids, polling } = setup({});
    await flow.ask(cart, choice);
    flow.cartChanged({ lineItems: [...cart.lineItems].reverse() });
    expect(flow.state.step).toBe("waiting");
    flow.cartChanged({ lineItems: [{ variantId: 11, quantity: 3, price: 12.5 }, cart.lineItems[1]!] });
    expect(flow.state).toEqual({ step: "voided", why: "cart-changed" });
    expect(polling()).toBe(false);
    await vi.waitFor(() => expect(voids).toHaveBeenCalledWith("req-1", { ...ORIGIN, reason: "the cart changed" }));
  });

  it("withdraws a waiting request when the copilot closes", async () => {
    const { flow, voids } = setup({});
    await flow.ask(cart, choice);
    flow.dispose();
    await vi.waitFor(() =>
      expect(voids).toHaveBeenCalledWith("req-1", { ...ORIGIN, reason: "the copilot was closed" }),
    );
  });

  it("reports the backend's refusal and a register that cannot reach it", async () => {
    const refused = setup({
      askForDiscount: vi.fn(async () => ({
        kind: "refused" as const,
        httpStatus: 400,
        code: "invalid_body",
        message: "discount.value: a percent discount is at most 100",
      })),
    });
    await refused.flow.ask(cart, choice);
    expect(refused.flow.state).toEqual({
      step: "failed",
      code: "invalid_body",
      message: "discount.value: a percent discount is at most 100",
    });
    const offline = setup({ askForDiscount: vi.fn(async () => ({ kind: "offline" as const, reason: "timed out" })) });
    await offline.flow.ask(cart, choice);
    expect(offline.flow.state).toEqual({ step: "failed", code: "offline", message: "timed out" });
    const disabled = setup({ askForDiscount: vi.fn(async () => ok({ status: "disabled" as const })) });
    await disabled.flow.ask(cart, choice);
    expect(disabled.flow.state).toEqual({ step: "disabled" });
  });
});
