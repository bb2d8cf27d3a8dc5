/**
 * A return at this register: the order number from the receipt, what comes back and why; the
 * answer per line with the rules that decided it. The cashier decides; this advises. After a
 * first check, the quantities per line can be changed and checked again.
 */
import { useMutation } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import type { ReturnCheckRequest, ReturnCheckResponse } from "../../../shared/pos-contract";
import {
  RETURN_CONDITIONS,
  RETURN_REASON_CODES,
  type ReturnCondition,
  type ReturnReasonCode,
  type ReturnVerdict,
} from "../../../shared/return-codes";
import { PanelApiError, PanelNetworkError } from "../api-client";
import { usePanel } from "../connection";
import { money } from "../money";
import {
  CONDITION_LABELS,
  RETURN_REASON_LABELS,
  VERDICT_BADGES,
  VERDICT_OUTCOME,
  verdictHeading,
} from "../return-verdicts";

const TONE: Record<ReturnVerdict, string> = {
  approve: "success",
  store_credit: "info",
  exchange_only: "info",
  needs_manager: "warning",
  deny: "critical",
};

export function ReturnCheckCard() {
  const { client, offline } = usePanel();
  const [orderRef, setOrderRef] = useState("");
  const [receipt, setReceipt] = useState<"receipt" | "gift_receipt">("receipt");
  const [condition, setCondition] = useState<ReturnCondition>("unopened");
  const [reasonCode, setReasonCode] = useState<ReturnReasonCode>("other");
  const [reasonText, setReasonText] = useState("");
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [touched, setTouched] = useState(false);
  const ids = {
    order: useId(),
    orderHint: useId(),
    receipt: useId(),
    condition: useId(),
    reason: useId(),
    text: useId(),
  };
  const check = useMutation({
    mutationFn: (body: ReturnCheckRequest) => client.post<ReturnCheckResponse>("/api/pos/returns/check", body),
    networkMode: "always",
  });
  const response = check.data;
  // Lines can be chosen once the order is known, and only while that order's number is typed.
  const knownOrder = response?.order && lastChecked(check.variables) === orderRef.trim() ? response.order : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    const order = orderRef.trim();
    if (!order || offline) return;
    const sameOrder = knownOrder !== null;
    const lines = knownOrder
      ? knownOrder.lines.flatMap((line) => {
          const quantity = quantities[line.lineItemId] ?? line.returnable;
          return quantity > 0 ? [{ lineItemId: line.lineItemId, quantity, condition }] : [];
        })
      : undefined;
    if (!sameOrder) setQuantities({});
    if (lines && lines.length === 0) return;
    check.mutate({
      order,
      receipt,
      condition,
      reason: { code: reasonCode, text: reasonText.trim() || null },
      ...(lines ? { lines } : {}),
    });
  };

  const orderMissing = touched && !orderRef.trim();
  const nothingChosen =
    knownOrder !== null && knownOrder.lines.every((line) => (quantities[line.lineItemId] ?? line.returnable) === 0);

  return (
    <section className="panel-card panel-returns" aria-labelledby="returns-heading">
      <h2 id="returns-heading">Return check</h2>
      <form className="panel-form" onSubmit={submit} noValidate aria-label="Check a return">
        <div className="panel-form-row">
          <div className="panel-field">
            <label htmlFor={ids.order}>Order number or receipt</label>
            <input
              id={ids.order}
              className="panel-input"
              value={orderRef}
              autoComplete="off"
              placeholder="#1001"
              onChange={(event) => setOrderRef(event.target.value)}
              aria-invalid={orderMissing}
              aria-describedby={ids.orderHint}
            />
            <p id={ids.orderHint} className={orderMissing ? "panel-hint panel-hint-error" : "panel-hint"}>
              {orderMissing ? "Type the order number from the receipt." : "As printed on the receipt."}
            </p>
          </div>
          <fieldset className="panel-segmented">
            <legend>Proof of purchase</legend>
            {(["receipt", "gift_receipt"] as const).map((option) => (
              <label key={option} className={receipt === option ? "panel-segment panel-segment-on" : "panel-segment"}>
                <input
                  type="radio"
                  name={ids.receipt}
                  value={option}
                  checked={receipt === option}
                  onChange={() => setReceipt(option)}
                />
                {option === "receipt" ? "Receipt or order" : "Gift receipt"}
              </label>
            ))}
          </fieldset>
        </div>
        <div className="panel-form-row">
          <div className="panel-field">
            <label htmlFor={ids.condition}>Condition</label>
            <select
              id={ids.condition}
              className="panel-select"
              value={condition}
              onChange={(event) => setCondition(event.target.value as ReturnCondition)}
            >
              {RETURN_CONDITIONS.map((value) => (
                <option key={value} value={value}>
                  {CONDITION_LABELS[value]}
                </option>
              ))}
            </select>
          </div>
          <div className="panel-field">
            <label htmlFor={ids.reason}>Reason</label>
            <select
              id={ids.reason}
              className="panel-select"
              value={reasonCode}
              onChange={(event) => setReasonCode(event.target.value as ReturnReasonCode)}
            >
              {RETURN_REASON_CODES.map((value) => (
                <option key={value} value={value}>
                  {RETURN_REASON_LABELS[value]}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="panel-field">
          <label htmlFor={ids.text}>The customer&apos;s words (optional)</label>
          <input
            id={ids.text}
            className="panel-input"
            value={reasonText}
            maxLength={500}
            autoComplete="off"
            onChange={(event) => setReasonText(event.target.value)}
          />
        </div>
        {knownOrder ? (
          <fieldset className="panel-return-lines">
            <legend>What comes back from {knownOrder.name}</legend>
            {knownOrder.lines.map((line) => (
              <QuantityPicker
                key={line.lineItemId}
                title={line.title}
                returnable={line.returnable}
                value={quantities[line.lineItemId] ?? line.returnable}
                onChange={(quantity) => setQuantities((current) => ({ ...current, [line.lineItemId]: quantity }))}
              />
            ))}
            {nothingChosen ? <p className="panel-hint panel-hint-error">Choose at least one item to return.</p> : null}
          </fieldset>
        ) : null}
        <button
          type="submit"
          className="panel-button panel-button-primary"
          disabled={check.isPending || offline || nothingChosen}
        >
          {check.isPending ? "Checking…" : knownOrder ? "Check again" : "Check return"}
        </button>
      </form>
      <p role="status" className="panel-visually-hidden">
        {check.isPending
          ? "Checking the return"
          : response && !check.isError
            ? verdictHeading(response.result.verdict, money(response.result.refundableMinor, response.currency))
            : ""}
      </p>
      <div>
        {check.isError ? (
          <p className="panel-message panel-message-critical" role="alert">
            {returnErrorText(check.error, lastChecked(check.variables))}
          </p>
        ) : response ? (
          <ReturnVerdictView response={response} />
        ) : null}
      </div>
    </section>
  );
}

const lastChecked = (body: ReturnCheckRequest | undefined) => body?.order ?? null;

function returnErrorText(error: unknown, order: string | null): string {
  if (error instanceof PanelNetworkError) return "Can't reach the copilot. Check the connection and try again.";
  if (error instanceof PanelApiError) {
    if (error.code === "order_not_found")
      return `No order ${order ?? ""} in this store. Check the number on the receipt.`;
    return error.message;
  }
  return "The return could not be checked. Try again.";
}

function QuantityPicker({
  title,
  returnable,
  value,
  onChange,
}: {
  title: string;
  returnable: number;
  value: number;
  onChange: (value: number) => void;
}) {
  const id = useId();
  return (
    <div className="panel-inline-field">
      <select
        id={id}
        className="panel-select panel-select-narrow"
        value={value}
        onChange={(event) => onChange(Number(event.target.value))}
      >
        {Array.from({ length: returnable + 1 }, (_, quantity) => (
          <option key={quantity} value={quantity}>
            {quantity}
          </option>
        ))}
      </select>
      <label htmlFor={id}>
        of {returnable} · {title}
      </label>
    </div>
  );
}

function ReturnVerdictView({ response }: { response: ReturnCheckResponse }) {
  const { result, currency } = response;
  const amount = (minor: number) => money(minor, currency);
  return (
    <div className="panel-stack" data-testid="panel-return-result">
      <div className={`panel-message panel-message-${TONE[result.verdict]}`}>
        <p className="panel-message-title">{verdictHeading(result.verdict, amount(result.refundableMinor))}</p>
        <p>
          {response.order?.name ?? "No receipt"} · {VERDICT_OUTCOME[result.verdict]} · refundable{" "}
          {amount(result.refundableMinor)} · policy version {response.policyVersion}
        </p>
      </div>
      <ul className="panel-return-verdicts" aria-label="Lines checked">
        {result.lines.map((line) => (
          <li key={line.lineItemId}>
            <p className="panel-return-line">
              <span className={`panel-badge panel-badge-${TONE[line.verdict]}`}>{VERDICT_BADGES[line.verdict]}</span>
              <strong>
                {line.quantity} × {line.title}
              </strong>
              <span>{amount(line.refundableMinor)}</span>
            </p>
            <ul className="panel-rules">
              {line.rules.map((rule) => (
                <li key={rule.code}>{rule.text}</li>
              ))}
            </ul>
            {response.exchanges
              .filter((option) => option.forLineItemId === line.lineItemId)
              .map((option) => (
                <p key={option.variantId} className="panel-hint">
                  {option.kind === "same_product" ? "Exchange for" : "Or similar:"} {option.title} (
                  {amount(option.priceMinor)}, {option.available} here)
                </p>
              ))}
          </li>
        ))}
      </ul>
      {result.problems.map((problem) => (
        <p key={problem.lineItemId} className="panel-hint">
          {problem.text}
        </p>
      ))}
      {result.signals.length > 0 ? (
        <div className="panel-message panel-message-info">
          <p className="panel-message-title">Advice — you decide</p>
          <p>{result.signals.map((signal) => signal.text).join(" · ")}</p>
        </div>
      ) : null}
      {result.verdict === "needs_manager" ? (
        <p className="panel-hint">
          Ask a manager before you refund: the store&apos;s policy sends this return to them. Complete the return in the
          POS once they agree.
        </p>
      ) : null}
    </div>
  );
}
