/** @jsxImportSource preact */
import type { PinPadApiContent } from "@shopify/ui-extensions/point-of-sale";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { formatMoney } from "../../../../shared/money";
import type { RegisterOrigin, ReturnCheckRequest, ReturnCheckResponse } from "../../../../shared/pos-contract";
import {
  RETURN_CONDITIONS,
  RETURN_REASON_CODES,
  type ReceiptKind,
  type ReturnCondition,
  type ReturnReasonCode,
  type ReturnVerdict,
} from "../../../../shared/return-codes";
import { createApprovalFlow, type ApprovalFlowState } from "../approval-flow";
import { bindApprovalsApi } from "../approvals";
import type { SessionTokenSource } from "../backend";
import { returnsApi } from "../returns-api";
import { flowDecisions, ManagerDecision, type Approver } from "./manager-decision";
import type { Translate } from "./types";

export interface ReturnCheckProps {
  /** The order's id, name or receipt number. */
  orderRef: string;
  session: SessionTokenSource;
  origin: () => Promise<RegisterOrigin>;
  pinPad: PinPadApiContent;
  approvers: Approver[];
  currency: string;
  translate: Translate;
}

type Answer =
  | { state: "idle" }
  | { state: "checking" }
  | { state: "ready"; response: ReturnCheckResponse }
  | { state: "failed"; message: string };

const TONE: Record<ReturnVerdict, "success" | "info" | "warning" | "critical"> = {
  approve: "success",
  store_credit: "info",
  exchange_only: "info",
  needs_manager: "warning",
  deny: "critical",
};

/**
 * A return at the register: what comes back (quantity per line, condition, receipt, reason),
 * the verdict per line with the rules that decided it, exchanges in stock here, and, where the
 * policy says so, a manager's approval with their PIN. The staff member decides; this advises.
 */
export function ReturnCheck({
  orderRef,
  session,
  origin,
  pinPad,
  approvers,
  currency,
  translate: t,
}: ReturnCheckProps) {
  const [receipt, setReceipt] = useState<Exclude<ReceiptKind, "none">>("receipt");
  const [condition, setCondition] = useState<ReturnCondition>("unopened");
  const [reasonCode, setReasonCode] = useState<ReturnReasonCode>("other");
  const [reasonText, setReasonText] = useState("");
  const [quantities, setQuantities] = useState<Record<string, number>>({});
  const [answer, setAnswer] = useState<Answer>({ state: "idle" });
  const [approval, setApproval] = useState<ApprovalFlowState>({ step: "choosing" });
  const translate = useRef(t);
  translate.current = t;
  const flow = useMemo(
    () =>
      createApprovalFlow({
        api: bindApprovalsApi(session),
        origin,
        currency,
        // A return is completed in POS's own return screen; nothing goes on the cart.
        applyCartDiscount: async () => undefined,
        title: () => "",
        onChange: setApproval,
      }),
    [session, origin, currency],
  );
  useEffect(() => () => flow.dispose(), [flow]);

  const run = async () => {
    setAnswer({ state: "checking" });
    const order = answer.state === "ready" ? answer.response.order : null;
    const body: ReturnCheckRequest = {
      ...(await origin()),
      order: orderRef,
      receipt,
      condition,
      reason: { code: reasonCode, text: reasonText.trim() || null },
      ...(order
        ? {
            lines: order.lines.flatMap((line) => {
              const quantity = quantities[line.lineItemId] ?? line.returnable;
              return quantity > 0 ? [{ lineItemId: line.lineItemId, quantity, condition }] : [];
            }),
          }
        : {}),
    };
    if (body.lines?.length === 0) return setAnswer({ state: "failed", message: t("returns.nothingSelected") });
    const result = await returnsApi.check(session, body);
    if (result.kind === "ok") {
      flow.reset();
      return setAnswer({ state: "ready", response: result.body });
    }
    setAnswer({
      state: "failed",
      message:
        result.kind === "refused"
          ? result.code === "order_not_found"
            ? t("returns.notFound", { order: orderRef })
            : result.message
          : t("returns.offline"),
    });
  };

  const askManager = async (response: ReturnCheckResponse) => {
    const asked = await returnsApi.requestApproval(session, response.checkId, await origin());
    if (asked.kind !== "ok") {
      return setAnswer({ state: "failed", message: asked.kind === "refused" ? asked.message : t("returns.offline") });
    }
    flow.waitFor({
      kind: "return",
      requestId: asked.body.requestId,
      discount: { kind: "amount", value: asked.body.amountMinor },
      amountMinor: asked.body.amountMinor,
      triggers: ["return_policy"],
      reasonCode: response.result.reasonCode,
      fingerprint: asked.body.fingerprint,
    });
  };

  const money = (minor: number) =>
    formatMoney({ amountMinor: minor, currency: answer.state === "ready" ? answer.response.currency : currency });
  const order = answer.state === "ready" ? answer.response.order : null;

  return (
    <s-stack direction="block" gap="small">
      <Choices
        label={t("returns.receipt")}
        options={(["receipt", "gift_receipt"] as const).map((value) => [value, t(`returns.receipts.${value}`)])}
        value={receipt}
        onChange={setReceipt}
      />
      <Choices
        label={t("returns.condition")}
        options={RETURN_CONDITIONS.map((value) => [value, t(`returns.conditions.${value}`)])}
        value={condition}
        onChange={setCondition}
      />
      <Choices
        label={t("returns.reason")}
        options={RETURN_REASON_CODES.map((value) => [value, t(`returns.reasons.${value}`)])}
        value={reasonCode}
        onChange={setReasonCode}
      />
      <s-text-field
        label={t("returns.reasonText")}
        value={reasonText}
        maxLength={500}
        onInput={(event) => setReasonText(String(event.currentTarget.value ?? ""))}
      />
      {order ? (
        <s-stack direction="block" gap="small-300">
          {order.lines.map((line) => {
            const quantity = quantities[line.lineItemId] ?? line.returnable;
            const change = (delta: number) =>
              setQuantities((current) => ({
                ...current,
                [line.lineItemId]: Math.max(0, Math.min(line.returnable, quantity + delta)),
              }));
            return (
              <s-stack key={line.lineItemId} direction="inline" gap="small" alignItems="center">
                <s-button variant="secondary" disabled={quantity <= 0} onClick={() => change(-1)}>
                  −
                </s-button>
                <s-text type="strong">{t("returns.lineQuantity", { quantity, of: line.returnable })}</s-text>
                <s-button variant="secondary" disabled={quantity >= line.returnable} onClick={() => change(1)}>
                  +
                </s-button>
                <s-text>{line.title}</s-text>
              </s-stack>
            );
          })}
        </s-stack>
      ) : null}
      <s-button variant="primary" loading={answer.state === "checking"} onClick={() => void run()}>
        {t(order ? "returns.checkAgain" : "returns.check")}
      </s-button>
      {answer.state === "failed" ? (
        <s-banner heading={t("returns.failed")} tone="critical">
          <s-text>{answer.message}</s-text>
        </s-banner>
      ) : null}
      {answer.state === "ready" ? (
        <Verdict
          response={answer.response}
          money={money}
          t={t}
          approval={approval}
          approvers={approvers}
          onAskManager={() => void askManager(answer.response)}
          {...flowDecisions(flow, pinPad, t)}
        />
      ) : null}
    </s-stack>
  );
}

function Choices<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string;
  options: Array<readonly [T, string]>;
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <s-stack direction="block" gap="small-400">
      <s-text type="strong">{label}</s-text>
      <s-stack direction="inline" gap="small">
        {options.map(([option, text]) => (
          <s-button key={option} variant={value === option ? "primary" : "secondary"} onClick={() => onChange(option)}>
            {text}
          </s-button>
        ))}
      </s-stack>
    </s-stack>
  );
}

function Verdict({
  response,
  money,
  t,
  approval,
  approvers,
  onAskManager,
  onApprove,
  onDecline,
}: {
  response: ReturnCheckResponse;
  money: (minor: number) => string;
  t: Translate;
  approval: ApprovalFlowState;
  approvers: Approver[];
  onAskManager: () => void;
  onApprove: (approver: Approver) => void;
  onDecline: (approver: Approver, reason: string) => void;
}) {
  const { result } = response;
  return (
    <s-stack direction="block" gap="small">
      <s-banner
        heading={t(`returns.verdicts.${result.verdict}`, { amount: money(result.refundableMinor) })}
        tone={TONE[result.verdict]}
      >
        <s-text>
          {t("returns.summary", {
            order: response.order?.name ?? t("returns.noOrder"),
            amount: money(result.refundableMinor),
            version: response.policyVersion,
          })}
        </s-text>
      </s-banner>
      {result.lines.map((line) => (
        <s-stack key={line.lineItemId} direction="block" gap="small-400">
          <s-stack direction="inline" gap="small" alignItems="center">
            <s-badge tone={TONE[line.verdict]}>{t(`returns.badges.${line.verdict}`)}</s-badge>
            <s-text type="strong">{t("cart.line", { quantity: line.quantity, title: line.title })}</s-text>
            <s-text>{money(line.refundableMinor)}</s-text>
          </s-stack>
          {line.rules.map((rule) => (
            <s-text key={rule.code} color="subdued">
              · {rule.text}
            </s-text>
          ))}
          {response.exchanges
            .filter((option) => option.forLineItemId === line.lineItemId)
            .map((option) => (
              <s-text key={option.variantId}>
                {t(option.kind === "same_product" ? "returns.exchangeSame" : "returns.exchangeSimilar", {
                  title: option.title,
                  price: money(option.priceMinor),
                  count: option.available,
                })}
              </s-text>
            ))}
        </s-stack>
      ))}
      {result.problems.map((problem) => (
        <s-text key={problem.lineItemId} color="subdued">
          {problem.text}
        </s-text>
      ))}
      {result.signals.length > 0 ? (
        <s-banner heading={t("returns.advice")} tone="info">
          <s-text>{result.signals.map((signal) => signal.text).join(" · ")}</s-text>
        </s-banner>
      ) : null}
      {result.verdict === "needs_manager" ? (
        <ManagerStep approval={approval} approvers={approvers} money={money} t={t} onAsk={onAskManager}>
          <ManagerDecision approvers={approvers} t={t} onApprove={onApprove} onDecline={onDecline} />
        </ManagerStep>
      ) : null}
    </s-stack>
  );
}

function ManagerStep({
  approval,
  money,
  t,
  onAsk,
  children,
}: {
  approval: ApprovalFlowState;
  approvers: Approver[];
  money: (minor: number) => string;
  t: Translate;
  onAsk: () => void;
  children: preact.ComponentChildren;
}) {
  switch (approval.step) {
    case "choosing":
      return (
        <s-button variant="primary" onClick={onAsk}>
          {t("returns.askManager")}
        </s-button>
      );
    case "waiting":
      return (
        <s-stack direction="block" gap="small">
          <s-text type="strong">{t("returns.waiting")}</s-text>
          {children}
          <s-text color="subdued">{t("discount.elsewhere")}</s-text>
        </s-stack>
      );
    case "applied":
      return (
        <s-banner heading={t("returns.approved", { amount: money(approval.amountMinor) })} tone="success">
          <s-text>{t("returns.approvedBody")}</s-text>
        </s-banner>
      );
    case "declined":
      return (
        <s-banner heading={t("returns.declined")} tone="critical">
          {approval.reason ? <s-text>{t("discount.declinedReason", { reason: approval.reason })}</s-text> : null}
        </s-banner>
      );
    case "voided":
      return <s-text color="subdued">{t(`discount.voided.${approval.why}`)}</s-text>;
    case "failed":
      return <s-text color="subdued">{approval.message}</s-text>;
    default:
      return <s-spinner />;
  }
}
