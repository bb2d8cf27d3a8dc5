/** @jsxImportSource preact */
import { useEffect, useMemo, useState } from "preact/hooks";
import type { ReturnApprovalResponse, ReturnCheckRequest, ReturnCheckResponse } from "../../../../shared/pos-contract";
import {
  RETURN_CONDITIONS,
  RETURN_REASON_CODES,
  type ReturnCondition,
  type ReturnReasonCode,
} from "../../../../shared/return-codes";
import { createApprovalFlow, type ApprovalFlowState } from "../../../register-copilot/src/approval-flow";
import { ManagerApproval } from "./ManagerApproval";
import type { SectionProps } from "./types";
import { failureText, money, RETURN_REASON_LABELS, verdictHeading } from "./words";

type Answer =
  | { state: "idle" }
  | { state: "checking" }
  | { state: "ready"; response: ReturnCheckResponse }
  | { state: "failed"; message: string };

const CONDITION_LABELS: Record<ReturnCondition, string> = {
  unopened: "Unopened",
  used: "Used",
  defective: "Defective",
};

/**
 * A return check, as on the other registers: the store's policy decides each line with the
 * rules that applied; a return the policy sends to a manager is approved here with their PIN,
 * and the cashier completes it on the register.
 */
export function ReturnsSection({ api, currency, overview }: SectionProps) {
  const [order, setOrder] = useState("");
  const [reasonCode, setReasonCode] = useState<ReturnReasonCode>("changed_mind");
  const [condition, setCondition] = useState<ReturnCondition>("unopened");
  const [answer, setAnswer] = useState<Answer>({ state: "idle" });
  const [approval, setApproval] = useState<ApprovalFlowState>({ step: "choosing" });
  const [asking, setAsking] = useState<string | null>(null);

  const flow = useMemo(
    () =>
      createApprovalFlow({
        api: api.approvals,
        origin: async () => ({}),
        currency,
        // A return is completed on the register itself: nothing to key in from here.
        applyCartDiscount: async () => undefined,
        title: () => "",
        onChange: setApproval,
      }),
    [api, currency],
  );
  useEffect(() => () => flow.dispose(), [flow]);

  const check = async (event: Event) => {
    event.preventDefault();
    const ref = order.trim();
    if (!ref) return setAnswer({ state: "failed", message: "Type the order or receipt number." });
    flow.reset();
    setAsking(null);
    setAnswer({ state: "checking" });
    const body: ReturnCheckRequest = { order: ref, receipt: "receipt", condition, reason: { code: reasonCode } };
    const result = await api.call<ReturnCheckResponse>("POST", "/api/pos/returns/check", body);
    if (result.kind === "ok") setAnswer({ state: "ready", response: result.body });
    else if (result.kind === "refused") setAnswer({ state: "failed", message: result.message });
    else setAnswer({ state: "failed", message: "The check could not be made. Try again." });
  };

  const askManager = async (response: ReturnCheckResponse) => {
    setAsking(null);
    const result = await api.call<ReturnApprovalResponse>(
      "POST",
      `/api/pos/returns/${encodeURIComponent(response.checkId)}/approval`,
      {},
    );
    if (result.kind !== "ok") return setAsking(result.kind === "refused" ? result.message : "Try again.");
    flow.waitFor({
      kind: "return",
      requestId: result.body.requestId,
      discount: { kind: "amount", value: result.body.amountMinor },
      amountMinor: result.body.amountMinor,
      triggers: [],
      reasonCode: response.result.reasonCode,
      fingerprint: result.body.fingerprint,
    });
  };

  const response = answer.state === "ready" ? answer.response : null;
  const approvers = overview?.enabled ? overview.approvers : [];

  return (
    <details class="rc-section">
      <summary>
        <h3>Return check</h3>
      </summary>
      <form onSubmit={check} aria-label="Check a return">
        <div class="rc-field">
          <label for="rc-return-order">Order or receipt number</label>
          <input
            id="rc-return-order"
            autocomplete="off"
            value={order}
            onInput={(event) => setOrder((event.target as HTMLInputElement).value)}
          />
        </div>
        <div class="rc-field">
          <label for="rc-return-reason">Reason</label>
          <select
            id="rc-return-reason"
            value={reasonCode}
            onChange={(event) => setReasonCode((event.target as HTMLSelectElement).value as ReturnReasonCode)}
          >
            {RETURN_REASON_CODES.map((code) => (
              <option key={code} value={code}>
                {RETURN_REASON_LABELS[code]}
              </option>
            ))}
          </select>
        </div>
        <div class="rc-field">
          <label for="rc-return-condition">Condition</label>
          <select
            id="rc-return-condition"
            value={condition}
            onChange={(event) => setCondition((event.target as HTMLSelectElement).value as ReturnCondition)}
          >
            {RETURN_CONDITIONS.map((value) => (
              <option key={value} value={value}>
                {CONDITION_LABELS[value]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={answer.state === "checking"}>
          Check return
        </button>
      </form>
      {answer.state === "checking" && <p class="rc-muted">Checking…</p>}
      {answer.state === "failed" && (
        <p class="rc-muted" role="status">
          {answer.message}
        </p>
      )}
      {response && (
        <div role="status" data-testid="rc-return-verdict">
          <p>
            <strong>
              {verdictHeading(response.result.verdict, money(response.result.refundableMinor, response.currency))}
            </strong>
          </p>
          <ul class="rc-list" aria-label="Lines checked">
            {response.result.lines.map((line) => (
              <li key={line.lineItemId}>
                <span class="rc-item-title">
                  {line.quantity} × {line.title}
                </span>
                <span class="rc-item-reason">{line.rules.map((rule) => rule.text).join(" ")}</span>
              </li>
            ))}
          </ul>
          {response.result.problems.map((problem) => (
            <p class="rc-muted" key={problem.lineItemId}>
              {problem.text}
            </p>
          ))}
          {response.result.verdict === "needs_manager" && approval.step === "choosing" && (
            <>
              <button type="button" class="rc-primary" onClick={() => void askManager(response)}>
                Ask a manager
              </button>
              {asking && <p class="rc-muted">{asking}</p>}
            </>
          )}
        </div>
      )}
      {approval.step === "waiting" && (
        <ManagerApproval
          idPrefix="rc-return"
          approvers={approvers}
          decide={(approverId, pin, decision) => flow.decideHere(approverId, pin, decision)}
          onApproved={() => void flow.applyApproved()}
        />
      )}
      {approval.step === "applied" && (
        <p class="rc-keyin" role="status">
          Return approved by a manager: refund {money(approval.amountMinor, currency)}. Complete the return on the
          register.
        </p>
      )}
      {approval.step === "declined" && (
        <p class="rc-notice" role="status">
          The manager declined this return{approval.reason ? `: ${approval.reason}` : "."}
        </p>
      )}
      {approval.step === "voided" && (
        <p class="rc-notice" role="status">
          The return approval was cancelled or expired. Check the return again.
        </p>
      )}
      {approval.step === "failed" && (
        <p class="rc-notice" role="status">
          {failureText(approval)}
        </p>
      )}
    </details>
  );
}
