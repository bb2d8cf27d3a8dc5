/** @jsxImportSource preact */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { DISCOUNT_REASON_CODES, type DiscountKind, type DiscountReasonCode } from "../../../../shared/approvals";
import { createApprovalFlow, type ApprovalFlowState, type FlowCart } from "../../../register-copilot/src/approval-flow";
import type { SaleCart } from "../client-api";
import { ManagerApproval } from "./ManagerApproval";
import { cartKey, type SectionProps } from "./types";
import { describeTriggers, discountText, failureText, money, parseDiscountValue, price, REASON_LABELS } from "./words";

/**
 * The sale as the shared approval flow's cart. Lightspeed product ids are UUID strings; the flow
 * only fingerprints them and sends them on (both take string ids), but its FlowCart still types
 * them as POS's numbers, hence the one cast.
 */
export function flowCartOf(cart: SaleCart): FlowCart {
  return {
    lineItems: cart.lineItems.map((line) => ({
      variantId: line.variantId,
      quantity: line.quantity,
      ...(line.unitPrice !== null ? { price: line.unitPrice } : {}),
    })),
  } as unknown as FlowCart;
}

/** What the cashier keys in once the rules (or a manager) allowed it. */
interface KeyIn {
  text: string;
  note: string;
}

/**
 * A discount on the sale. The Web Register takes no discount message, so the panel asks the
 * register API (the store's limits, a manager's PIN above them) and only then shows what to key
 * in as the sale's discount: never while a request waits. A change to the sale cancels a
 * waiting request, since the approval is for that sale.
 */
export function DiscountSection({ api, cart, currency, announce, overview, refreshOverview }: SectionProps) {
  const [state, setState] = useState<ApprovalFlowState>({ step: "choosing" });
  const [kind, setKind] = useState<DiscountKind>("percent");
  const [valueText, setValueText] = useState("");
  const [reasonCode, setReasonCode] = useState<DiscountReasonCode>("price_match");
  const [note, setNote] = useState("");
  const keyIn = useRef<KeyIn | null>(null);
  const disclosure = useRef<HTMLDetailsElement>(null);

  const flow = useMemo(
    () =>
      createApprovalFlow({
        api: api.approvals,
        // A paired register's location and device are its token's.
        origin: async () => ({}),
        currency,
        applyCartDiscount: async (type, title, amount) => {
          keyIn.current = {
            text: type === "Percentage" ? `${amount}%` : price(amount, currency),
            note: title,
          };
        },
        title: (code, approved) =>
          `${REASON_LABELS[code as DiscountReasonCode] ?? code}${approved ? " (manager approved)" : ""}`,
        onChange: setState,
      }),
    [api, currency],
  );
  useEffect(() => () => flow.dispose(), [flow]);

  const key = cartKey(cart);
  useEffect(() => {
    if (cart) flow.cartChanged(flowCartOf(cart));
    // The sale's contents decide, not the cart object's identity.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, flow]);

  // Closed until the cashier opens it; a request under way or its outcome is never hidden.
  useEffect(() => {
    if (state.step !== "choosing" && disclosure.current) disclosure.current.open = true;
  }, [state.step]);

  useEffect(() => {
    if (state.step === "waiting") announce("Waiting for a manager to approve the discount");
    if (state.step === "applied") announce(`Key in ${keyIn.current?.text ?? "the discount"} as the sale's discount`);
    if (state.step === "declined") announce("The manager declined the discount");
    // The location's waiting requests changed with this one.
    if (["waiting", "applied", "declined", "voided"].includes(state.step)) void refreshOverview();
  }, [state, announce, refreshOverview]);

  if (overview && !overview.enabled) return null;
  const limits = overview?.enabled ? overview.limits : null;
  const approvers = overview?.enabled ? overview.approvers : [];
  const value = parseDiscountValue(kind, valueText, currency);
  const empty = !cart || cart.lineItems.length === 0;

  const ask = (event: Event) => {
    event.preventDefault();
    if (!cart || value === null) return;
    keyIn.current = null;
    void flow.ask(flowCartOf(cart), { discount: { kind, value }, reasonCode, note });
  };

  return (
    <details class="rc-section" ref={disclosure} data-testid="rc-discount">
      <summary>
        <h3>Discount</h3>
        {summaryStatus(state) && <span class="rc-summary-status">{summaryStatus(state)}</span>}
      </summary>
      {state.step === "choosing" && (
        <form onSubmit={ask} aria-label="Ask for a discount">
          <fieldset>
            <legend class="rc-legend">Discount on the sale</legend>
            <div class="rc-choices">
              <label class="rc-choice">
                <input
                  type="radio"
                  name="rc-discount-kind"
                  checked={kind === "percent"}
                  onChange={() => setKind("percent")}
                />
                Percent off
              </label>
              <label class="rc-choice">
                <input
                  type="radio"
                  name="rc-discount-kind"
                  checked={kind === "amount"}
                  onChange={() => setKind("amount")}
                />
                Amount off ({currency})
              </label>
            </div>
          </fieldset>
          <div class="rc-field">
            <label for="rc-discount-value">
              {kind === "percent" ? "Percent off the sale" : `Amount off the sale (${currency})`}
            </label>
            <input
              id="rc-discount-value"
              inputMode="decimal"
              autocomplete="off"
              value={valueText}
              onInput={(event) => setValueText((event.target as HTMLInputElement).value)}
            />
          </div>
          <div class="rc-field">
            <label for="rc-discount-reason">Reason</label>
            <select
              id="rc-discount-reason"
              value={reasonCode}
              onChange={(event) => setReasonCode((event.target as HTMLSelectElement).value as DiscountReasonCode)}
            >
              {DISCOUNT_REASON_CODES.map((code) => (
                <option key={code} value={code}>
                  {REASON_LABELS[code]}
                </option>
              ))}
            </select>
          </div>
          <div class="rc-field">
            <label for="rc-discount-note">Note (optional)</label>
            <input
              id="rc-discount-note"
              autocomplete="off"
              maxLength={500}
              value={note}
              onInput={(event) => setNote((event.target as HTMLInputElement).value)}
            />
          </div>
          <button type="submit" class="rc-primary" disabled={empty || value === null}>
            Ask for discount
          </button>
          <p class="rc-muted">
            {empty
              ? "Ring up items first."
              : limits
                ? `Up to ${limits.maxPercent}% or ${money(limits.maxAmountMinor, limits.currency)} without a manager.`
                : ""}
          </p>
        </form>
      )}
      {state.step === "asking" && <p class="rc-muted">Asking…</p>}
      {state.step === "waiting" && (
        <>
          <div class="rc-notice rc-info" role="status">
            <p>
              <strong>Waiting for a manager</strong>
            </p>
            <p>
              {discountText(state.request.discount, currency)} off ({money(state.request.amountMinor, currency)}) is
              over the store&apos;s {describeTriggers(state.request.triggers)}. Don&apos;t key in a discount yet.
            </p>
          </div>
          <ManagerApproval
            idPrefix="rc-discount"
            approvers={approvers}
            decide={(approverId, pin, decision) => flow.decideHere(approverId, pin, decision)}
            onApproved={() => void flow.applyApproved()}
          />
          <button type="button" class="rc-link" onClick={() => void flow.cancel()}>
            Cancel the request
          </button>
        </>
      )}
      {state.step === "applying" && <p class="rc-muted">Approved. Recording it…</p>}
      {state.step === "applied" && (
        <div class="rc-keyin" role="status" data-testid="rc-key-in">
          <p class="rc-keyin-title">
            {state.approved ? "Approved by a manager: key it in now" : "Allowed: key it in now"}
          </p>
          <p class="rc-keyin-value">{keyIn.current?.text ?? money(state.amountMinor, currency)} off</p>
          <p>
            Key in {keyIn.current?.text ?? money(state.amountMinor, currency)} as the sale&apos;s discount on the
            register ({money(state.amountMinor, currency)} off this sale).
          </p>
          {keyIn.current?.note && <p class="rc-muted">Note: {keyIn.current.note}</p>}
          <button type="button" onClick={() => flow.reset()}>
            Done
          </button>
        </div>
      )}
      {state.step === "declined" && (
        <Outcome text={`The manager declined the discount${state.reason ? `: ${state.reason}` : "."}`} flow={flow} />
      )}
      {state.step === "voided" && (
        <Outcome
          text={
            state.why === "cart-changed"
              ? "The sale changed, so the request was cancelled. Ask again for this sale."
              : state.why === "expired"
                ? "The request expired before a manager decided. Ask again."
                : "The discount request was cancelled."
          }
          flow={flow}
        />
      )}
      {state.step === "failed" && <Outcome text={`No discount: ${failureText(state)}`} flow={flow} />}
      {state.step === "disabled" && <p class="rc-muted">Discount approvals are switched off at this location.</p>}
    </details>
  );
}

/** The request's standing, beside the section's title: seen even while the section is closed. */
function summaryStatus(state: ApprovalFlowState): string | null {
  switch (state.step) {
    case "waiting":
      return "waiting for a manager";
    case "applied":
      return "key it in now";
    case "declined":
      return "declined";
    default:
      return null;
  }
}

function Outcome({ text, flow }: { text: string; flow: { reset(): void } }) {
  return (
    <div class="rc-notice" role="status">
      <p>{text}</p>
      <button type="button" onClick={() => flow.reset()}>
        Back to discounts
      </button>
    </div>
  );
}
