/**
 * A discount from the panel, without a browser: under the limits it is written to the order at
 * once; over them it waits for a manager, whose PIN here (or decision in the admin, collected by
 * the poll) gets it written with the approval's token; a decline, an expiry, a cancel or a change
 * to the order ends it without a discount; the POS refusing the write shows what to key in.
 */
import { describe, expect, it, vi } from "vitest";
import { PanelApiError, PanelNetworkError } from "../../app/panel/api-client";
import { createDiscountFlow, type DiscountFlowApi, type DiscountFlowState } from "../../app/panel/discount-flow";
import type { PanelOrder } from "../../shared/panel-contract";
import type { ApprovalStatusResponse } from "../../shared/pos-contract";

const order: PanelOrder = {
  id: "ORDER-1",
  customerId: null,
  currency: "USD",
  subtotalMinor: 3000,
  discounts: [],
  updatedAt: "2026-11-26T10:00:00Z",
  lines: [
    { lineId: "L1", productId: "P1", variantId: "VAR-A", title: "Milk", quantity: 2, unitPriceMinor: 1000 },
    { lineId: "L2", productId: "P2", variantId: "VAR-B", title: "Bread", quantity: 1, unitPriceMinor: 1000 },
    { lineId: "L3", productId: null, variantId: null, title: "Custom amount", quantity: 1, unitPriceMinor: 0 },
  ],
};
const choice = { kind: "percent" as const, value: 30, reasonCode: "price_match" as const, note: "  " };
const written = { status: "written" as const, orderId: "ORDER-1", name: "Price match", amountMinor: 900 };

function status(partial: Partial<ApprovalStatusResponse>): ApprovalStatusResponse {
  return {
    id: "REQ-1",
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

function setup(overrides: Partial<DiscountFlowApi> = {}) {
  const api = {
    ask: vi.fn(async () => ({
      status: "pending" as const,
      requestId: "REQ-1",
      amountMinor: 900,
      triggers: ["percent"],
      expiresAt: "2026-11-26T10:05:00Z",
    })),
    status: vi.fn(async () => status({})),
    decide: vi.fn(async () => ({
      status: "approved" as const,
      token: "TOKEN-HERE",
      expiresAt: "2026-11-26T10:02:00Z",
      amountMinor: 900,
    })),
    collectToken: vi.fn(async () => ({ token: "TOKEN-COLLECTED", expiresAt: "2026-11-26T10:02:00Z" })),
    void: vi.fn(async () => ({ status: "voided" })),
    writeBack: vi.fn(async () => written),
    ...overrides,
  } satisfies DiscountFlowApi;
  const states: DiscountFlowState[] = [];
  let tick: (() => void) | null = null;
  const timers = {
    setInterval: (run: () => void) => ((tick = run), "poller"),
    clearInterval: () => (tick = null),
  };
  const flow = createDiscountFlow({ api, onChange: (state) => states.push(state), timers });
  const poll = async () => {
    tick?.();
    await vi.waitFor(() => expect(api.status).toHaveBeenCalled());
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { api, flow, states, poll, polling: () => tick !== null };
}

describe("panel discount flow", () => {
  it("asks with the order's cart (lines with a variant) and the reason, and no location", async () => {
    const { api, flow } = setup();
    await flow.ask(order, choice);
    expect(api.ask).toHaveBeenCalledWith({
      cart: {
        lineItems: [
          { variantId: "VAR-A", quantity: 2 },
          { variantId: "VAR-B", quantity: 1 },
        ],
        subtotalMinor: 3000,
      },
      discount: { kind: "percent", value: 30 },
      reasonCode: "price_match",
      note: null,
    });
  });

  it("under the limits: written to the order at once, without a token", async () => {
    const { api, flow } = setup({
      ask: vi.fn(async () => ({ status: "applied" as const, requestId: "REQ-9", amountMinor: 150 })),
    });
    await flow.ask(order, { ...choice, value: 5 });
    expect(api.writeBack).toHaveBeenCalledWith("ORDER-1", { requestId: "REQ-9" });
    expect(flow.state).toEqual({ step: "written", result: written, approved: false });
  });

  it("another tap's write of the same request under way: waits for it instead of failing", async () => {
    const writeBack = vi
      .fn<DiscountFlowApi["writeBack"]>()
      .mockRejectedValueOnce(new PanelApiError(409, "write_in_progress", "This discount is being written"))
      .mockResolvedValueOnce(written);
    const { flow } = setup({
      ask: vi.fn(async () => ({ status: "applied" as const, requestId: "REQ-9", amountMinor: 150 })),
      writeBack,
    });
    await flow.ask(order, { ...choice, value: 5 });
    expect(writeBack).toHaveBeenCalledTimes(2);
    expect(flow.state).toEqual({ step: "written", result: written, approved: false });
  });

  it("over the limits: waits, a wrong PIN is refused plainly, the right one gets it written with its token", async () => {
    const decide = vi
      .fn<DiscountFlowApi["decide"]>()
      .mockRejectedValueOnce(new PanelApiError(403, "pin_refused", "The approver or PIN was not accepted"))
      .mockResolvedValueOnce({ status: "approved", token: "TOKEN-HERE", expiresAt: "x", amountMinor: 900 });
    const { api, flow, polling } = setup({ decide });
    await flow.ask(order, choice);
    expect(flow.state).toMatchObject({ step: "waiting", request: { requestId: "REQ-1", triggers: ["percent"] } });
    expect(polling()).toBe(true);

    await expect(flow.decide("MGR-1", "135799", "approve", "")).resolves.toBe("That PIN was not accepted. Try again.");
    expect(flow.state.step).toBe("waiting");
    expect(api.writeBack).not.toHaveBeenCalled();

    await expect(flow.decide("MGR-1", "246810", "approve", "")).resolves.toBeNull();
    await vi.waitFor(() => expect(flow.state.step).toBe("written"));
    expect(decide).toHaveBeenLastCalledWith("REQ-1", { decision: "approve", pin: "246810", approverId: "MGR-1" });
    expect(api.writeBack).toHaveBeenCalledWith("ORDER-1", { requestId: "REQ-1", token: "TOKEN-HERE" });
    expect(flow.state).toMatchObject({ approved: true });
    expect(polling()).toBe(false);
  });

  it("a lockout and an outage are said plainly", async () => {
    const decide = vi
      .fn<DiscountFlowApi["decide"]>()
      .mockRejectedValueOnce(new PanelApiError(429, "approver_locked", "Too many wrong PINs for this approver"))
      .mockRejectedValueOnce(new PanelNetworkError());
    const { flow } = setup({ decide });
    await flow.ask(order, choice);
    expect(await flow.decide("MGR-1", "1111", "approve", "")).toMatch(/^Too many wrong PINs/);
    expect(await flow.decide("MGR-1", "1111", "approve", "")).toMatch(/^Can't reach the copilot/);
  });

  it("a manager declining here ends it with their reason", async () => {
    const { api, flow } = setup({
      decide: vi.fn(async () => ({ status: "declined" as const, reason: "Not matched" })),
    });
    await flow.ask(order, choice);
    await flow.decide("MGR-1", "246810", "decline", "Not matched");
    expect(api.decide).toHaveBeenCalledWith("REQ-1", {
      decision: "decline",
      pin: "246810",
      approverId: "MGR-1",
      reason: "Not matched",
    });
    expect(flow.state).toEqual({ step: "declined", reason: "Not matched" });
    expect(api.writeBack).not.toHaveBeenCalled();
  });

  it("approved in the admin: the poll collects the token and the discount is written", async () => {
    const { api, flow, poll } = setup({
      status: vi.fn(async () => status({ status: "approved", tokenWaiting: true })),
    });
    await flow.ask(order, choice);
    await poll();
    await vi.waitFor(() => expect(flow.state.step).toBe("written"));
    expect(api.collectToken).toHaveBeenCalledWith("REQ-1");
    expect(api.writeBack).toHaveBeenCalledWith("ORDER-1", { requestId: "REQ-1", token: "TOKEN-COLLECTED" });
  });

  it("the poll reports a decline, an expiry and a cancel made elsewhere; a missed poll changes nothing", async () => {
    for (const [answer, expected] of [
      [status({ status: "declined", declineReason: "No" }), { step: "declined", reason: "No" }],
      [status({ status: "expired" }), { step: "closed", message: expect.stringMatching(/expired/) }],
      [status({ status: "voided" }), { step: "closed", message: "The request was cancelled." }],
    ] as const) {
      const { flow, poll } = setup({ status: vi.fn(async () => answer) });
      await flow.ask(order, choice);
      await poll();
      expect(flow.state).toEqual(expected);
    }
    const offline = setup({ status: vi.fn(async () => Promise.reject(new PanelNetworkError())) });
    await offline.flow.ask(order, choice);
    await offline.poll();
    expect(offline.flow.state.step).toBe("waiting");
    expect(offline.polling()).toBe(true);
  });

  it("a change to the order's lines cancels the waiting request; the same lines do not", async () => {
    const { api, flow } = setup();
    await flow.ask(order, choice);
    flow.orderChanged({ ...order, updatedAt: "2026-11-26T10:01:00Z" });
    expect(flow.state.step).toBe("waiting");
    flow.orderChanged({ ...order, lines: order.lines.map((line) => ({ ...line, quantity: line.quantity + 1 })) });
    expect(flow.state).toMatchObject({ step: "closed", message: expect.stringMatching(/^The order changed/) });
    expect(api.void).toHaveBeenCalledWith("REQ-1", "the order changed");
  });

  it("cancelling, or leaving the order, withdraws the request", async () => {
    const cancelled = setup();
    await cancelled.flow.ask(order, choice);
    cancelled.flow.cancel();
    expect(cancelled.api.void).toHaveBeenCalledWith("REQ-1", "cancelled at the register");
    expect(cancelled.polling()).toBe(false);

    const left = setup();
    await left.flow.ask(order, choice);
    left.flow.dispose();
    expect(left.api.void).toHaveBeenCalledWith("REQ-1", "the register left the order");
    expect(left.polling()).toBe(false);
  });

  it("the POS refusing the write: the answer says what to key in", async () => {
    const keyIn = {
      status: "key_in" as const,
      orderId: "ORDER-1",
      name: "Price match",
      amountMinor: 150,
      instructions: "Add a $1.50 discount named Price match",
    };
    const { flow } = setup({
      ask: vi.fn(async () => ({ status: "applied" as const, requestId: "REQ-9", amountMinor: 150 })),
      writeBack: vi.fn(async () => keyIn),
    });
    await flow.ask(order, choice);
    expect(flow.state).toEqual({ step: "written", result: keyIn, approved: false });
  });

  it("a refused write or ask is shown with the server's words; switched off is its own state", async () => {
    const refusedWrite = setup({
      ask: vi.fn(async () => ({ status: "applied" as const, requestId: "REQ-9", amountMinor: 150 })),
      writeBack: vi.fn(async () => Promise.reject(new PanelApiError(409, "order_closed", "The order was paid"))),
    });
    await refusedWrite.flow.ask(order, choice);
    expect(refusedWrite.flow.state).toEqual({
      step: "failed",
      message: "The discount was not added to the order: The order was paid",
    });
    const off = setup({ ask: vi.fn(async () => ({ status: "disabled" as const })) });
    await off.flow.ask(order, choice);
    expect(off.flow.state).toEqual({ step: "disabled" });
  });
});
