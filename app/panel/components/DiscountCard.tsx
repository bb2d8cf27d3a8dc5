/**
 * The discount card: the form, then the flow's steps (app/panel/discount-flow.ts) — waiting for
 * a manager with the on-screen PIN pad, the discount written to the order in the POS, or what
 * the cashier keys in there.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState, type FormEvent } from "react";
import type { DiscountKind } from "../../../shared/approvals";
import { cartOfOrder, type PanelDiscountResponse, type PanelOrder } from "../../../shared/panel-contract";
import type {
  ApprovalDecisionResponse,
  ApprovalStatusResponse,
  ApprovalTokenResponse,
  DiscountResponse,
} from "../../../shared/pos-contract";
import type { PanelClient } from "../api-client";
import { usePanel } from "../connection";
import { describeTriggers, isReasonCode, parseDiscountValue, REASON_OPTIONS } from "../discount-form";
import {
  createDiscountFlow,
  type DiscountChoice,
  type DiscountFlowApi,
  type DiscountFlowState,
  type WaitingRequest,
} from "../discount-flow";
import { money } from "../money";
import { queryKeys, useApprovalsOverview } from "../queries";
import { ManagerApproval } from "./ManagerApproval";

const approval = (requestId: string) => `/api/pos/approvals/${encodeURIComponent(requestId)}`;

function discountApi(client: PanelClient): DiscountFlowApi {
  return {
    ask: (body) => client.post<DiscountResponse>("/api/pos/approvals", body),
    status: (requestId) => client.get<ApprovalStatusResponse>(approval(requestId)),
    decide: (requestId, body) => client.post<ApprovalDecisionResponse>(`${approval(requestId)}/decision`, body),
    collectToken: (requestId) => client.post<ApprovalTokenResponse>(`${approval(requestId)}/token`, {}),
    void: (requestId, reason) => client.post(`${approval(requestId)}/void`, { reason }),
    writeBack: (orderId, body) =>
      client.post<PanelDiscountResponse>(`/api/panel/orders/${encodeURIComponent(orderId)}/discount`, body),
  };
}

function describeDiscount(discount: WaitingRequest["discount"], amountMinor: number, currency: string) {
  return discount.kind === "percent"
    ? `${discount.value}% off (${money(amountMinor, currency)})`
    : `${money(amountMinor, currency)} off`;
}

/** One per order (the parent keys it by the order's id). */
export function DiscountCard({ order, platform }: { order: PanelOrder | null; platform: string }) {
  const { client, offline } = usePanel();
  const queryClient = useQueryClient();
  const overview = useApprovalsOverview();
  const [state, setState] = useState<DiscountFlowState>({ step: "choosing" });
  const [flow] = useState(() =>
    createDiscountFlow({
      api: discountApi(client),
      onChange: (next) => {
        setState(next);
        // The order shows the discount once written: read it again now rather than at the next poll.
        if (next.step === "written" || next.step === "failed") {
          void queryClient.invalidateQueries({ queryKey: queryKeys.orders });
        }
      },
    }),
  );
  useEffect(() => () => flow.dispose(), [flow]);
  // react-query keeps the same order object while the polled answer is unchanged.
  useEffect(() => flow.orderChanged(order), [flow, order]);

  const currency = order?.currency ?? "USD";
  const enabled = overview.data?.enabled !== false && state.step !== "disabled";
  const limits = overview.data?.enabled ? overview.data.limits : null;
  const approvers = overview.data?.enabled ? overview.data.approvers : [];
  const hasLines = order !== null && cartOfOrder(order).lineItems.length > 0;

  return (
    <section className="panel-card panel-area-discount" aria-labelledby="discount-heading">
      <h2 id="discount-heading">Discount</h2>
      <p role="status" className="panel-visually-hidden">
        {announcement(state, platform)}
      </p>
      <div>
        {!enabled ? (
          <p className="panel-muted">Discounts through the copilot are switched off at this location.</p>
        ) : state.step === "choosing" && !hasLines ? (
          <p className="panel-muted">Ring up items to give a discount on the order.</p>
        ) : state.step === "choosing" ? (
          <DiscountForm
            currency={currency}
            offline={offline}
            limitsText={
              limits
                ? `Above ${limits.maxPercent}% or ${money(limits.maxAmountMinor, limits.currency)}, a manager approves.`
                : null
            }
            onSubmit={(choice) => {
              if (order) void flow.ask(order, choice);
            }}
          />
        ) : state.step === "asking" || state.step === "writing" ? (
          <p className="panel-muted">
            {state.step === "asking"
              ? "Checking the store's discount limits…"
              : `Adding the discount to the order in ${platform}…`}
          </p>
        ) : state.step === "waiting" ? (
          <div className="panel-stack">
            <div className="panel-message panel-message-warning">
              <p className="panel-message-title">Waiting for a manager</p>
              <p>
                {describeDiscount(state.request.discount, state.request.amountMinor, currency)} is over the store&apos;s{" "}
                {describeTriggers(state.request.triggers)}. A manager approves it here with their PIN.
              </p>
            </div>
            <ManagerApproval approvers={approvers} onDecide={flow.decide} />
            <p className="panel-hint">If a manager approves it somewhere else instead, it is added here on its own.</p>
            <button type="button" className="panel-button" onClick={() => flow.cancel()}>
              Cancel request
            </button>
          </div>
        ) : (
          <Outcome state={state} platform={platform} currency={currency} onDone={() => flow.reset()} />
        )}
      </div>
    </section>
  );
}

/** What a screen reader hears when the flow moves on (errors and key-in instructions are alerts). */
function announcement(state: DiscountFlowState, platform: string): string {
  switch (state.step) {
    case "asking":
      return "Checking the store's discount limits";
    case "waiting":
      return "Waiting for a manager to approve the discount";
    case "writing":
      return `Adding the discount to the order in ${platform}`;
    case "written":
      return state.result.status === "written"
        ? `${state.approved ? "Approved discount" : "Discount"} added to the order in ${platform}`
        : "";
    case "declined":
      return "The manager declined this discount";
    case "closed":
      return state.message;
    default:
      return "";
  }
}

function Outcome({
  state,
  platform,
  currency,
  onDone,
}: {
  state: Extract<DiscountFlowState, { step: "written" | "declined" | "closed" | "failed" | "disabled" }>;
  platform: string;
  currency: string;
  onDone: () => void;
}) {
  const body = (() => {
    switch (state.step) {
      case "written": {
        const { result } = state;
        if (result.status === "written") {
          return (
            <div className="panel-message panel-message-success">
              <p className="panel-message-title">
                {state.approved ? "Approved discount added" : "Discount added"} to the order in {platform}
              </p>
              <p>
                {result.name}: −{money(result.amountMinor, currency)}
              </p>
            </div>
          );
        }
        return (
          <div className="panel-keyin" role="alert">
            <p className="panel-message-title">Key this discount in on {platform}</p>
            <p className="panel-keyin-instructions">{result.instructions}</p>
            <p>
              {result.name}: −{money(result.amountMinor, currency)}. {platform} did not take the discount from the
              copilot, so it is not on the order until you key it in.
            </p>
          </div>
        );
      }
      case "declined":
        return (
          <div className="panel-message panel-message-critical">
            <p className="panel-message-title">The manager declined this discount</p>
            {state.reason ? <p>Reason: {state.reason}</p> : null}
          </div>
        );
      case "closed":
        return <p className="panel-message panel-message-warning">{state.message}</p>;
      case "failed":
        return (
          <p className="panel-message panel-message-critical" role="alert">
            {state.message}
          </p>
        );
      case "disabled":
        return <p className="panel-muted">Discounts through the copilot are switched off at this location.</p>;
    }
  })();
  return (
    <div className="panel-stack">
      {body}
      <button type="button" className="panel-button" onClick={onDone}>
        {state.step === "written" ? "Another discount" : "OK"}
      </button>
    </div>
  );
}

function DiscountForm({
  currency,
  offline,
  limitsText,
  onSubmit,
}: {
  currency: string;
  offline: boolean;
  limitsText: string | null;
  onSubmit: (choice: DiscountChoice) => void;
}) {
  const [kind, setKind] = useState<DiscountKind>("percent");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState("");
  const [note, setNote] = useState("");
  const [touched, setTouched] = useState(false);
  const ids = {
    kind: useId(),
    value: useId(),
    valueHint: useId(),
    reason: useId(),
    reasonHint: useId(),
    note: useId(),
  };

  const parsed = parseDiscountValue(kind, value, currency);
  const valueError =
    touched && parsed === null
      ? kind === "percent"
        ? "Enter a percentage above 0 and at most 100."
        : "Enter an amount above 0, like 12.50."
      : null;
  const reasonError = touched && !isReasonCode(reason) ? "Choose why the customer gets this discount." : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (parsed === null || !isReasonCode(reason) || offline) return;
    onSubmit({ kind, value: parsed, reasonCode: reason, note });
  };

  return (
    <form className="panel-form" onSubmit={submit} noValidate aria-label="Discount on the order">
      <fieldset className="panel-segmented">
        <legend>Type of discount</legend>
        {(["percent", "amount"] as const).map((option) => (
          <label key={option} className={kind === option ? "panel-segment panel-segment-on" : "panel-segment"}>
            <input
              type="radio"
              name={ids.kind}
              value={option}
              checked={kind === option}
              onChange={() => {
                setKind(option);
                setValue("");
                setTouched(false);
              }}
            />
            {option === "percent" ? "Percent off" : `Amount off (${currency})`}
          </label>
        ))}
      </fieldset>
      <div className="panel-form-row">
        <div className="panel-field">
          <label htmlFor={ids.value}>{kind === "percent" ? "Percent off the order" : `Amount off (${currency})`}</label>
          <input
            id={ids.value}
            className="panel-input"
            inputMode="decimal"
            autoComplete="off"
            value={value}
            onChange={(event) => setValue(event.target.value)}
            placeholder={kind === "percent" ? "10" : "5.00"}
            aria-invalid={valueError !== null}
            aria-describedby={ids.valueHint}
          />
          <p id={ids.valueHint} className={valueError ? "panel-hint panel-hint-error" : "panel-hint"}>
            {valueError ?? (kind === "percent" ? "A number up to 100." : "In the order's currency.")}
          </p>
        </div>
        <div className="panel-field">
          <label htmlFor={ids.reason}>Reason</label>
          <select
            id={ids.reason}
            className="panel-select"
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            aria-invalid={reasonError !== null}
            aria-describedby={ids.reasonHint}
          >
            <option value="">Choose a reason</option>
            {REASON_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
          <p id={ids.reasonHint} className={reasonError ? "panel-hint panel-hint-error" : "panel-hint"}>
            {reasonError ?? "Recorded with the discount."}
          </p>
        </div>
      </div>
      <div className="panel-field">
        <label htmlFor={ids.note}>Note (optional)</label>
        <input
          id={ids.note}
          className="panel-input"
          value={note}
          maxLength={500}
          autoComplete="off"
          onChange={(event) => setNote(event.target.value)}
        />
      </div>
      {limitsText ? <p className="panel-hint">{limitsText}</p> : null}
      <button type="submit" className="panel-button panel-button-primary" disabled={offline}>
        Add discount
      </button>
      {offline ? <p className="panel-hint">Discounts need the connection to the store.</p> : null}
    </form>
  );
}
