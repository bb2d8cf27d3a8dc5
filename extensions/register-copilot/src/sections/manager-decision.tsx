/** @jsxImportSource preact */
import type { PinPadApiContent } from "@shopify/ui-extensions/point-of-sale";
import { useState } from "preact/hooks";
import type { ApprovalFlow, PinOutcome } from "../approval-flow";
import type { Translate } from "./types";

/**
 * POS's PinPad for a manager's decision: each PIN goes to the backend (the proof is checked
 * there, never here); a refusal keeps the pad open with a message that does not say whether the
 * approver or the PIN was wrong. `onAccepted` runs once the pad has closed, as POS asks.
 */
export function askManagerPin(
  pinPad: PinPadApiContent,
  t: Translate,
  options: { title: string; submit: (pin: string) => Promise<PinOutcome>; onAccepted: () => void },
): void {
  pinPad.showPinPad(
    async (digits) => {
      const outcome = await options.submit(digits.join(""));
      return outcome.accepted ? { result: "accept" } : { result: "reject", errorMessage: refusal(outcome, t) };
    },
    {
      title: options.title,
      label: t("discount.pinLabel"),
      masked: true,
      minPinLength: 4,
      maxPinLength: 10,
      onDismissed: (result) => {
        if (result.completed) options.onAccepted();
      },
    },
  );
}

function refusal(outcome: Extract<PinOutcome, { accepted: false }>, t: Translate): string {
  switch (outcome.code) {
    case "pin_refused":
      return t("discount.pinRefused");
    case "approver_locked":
    case "device_locked":
      return t("discount.pinLocked");
    case "offline":
    case "no-permission":
    case "unauthorized":
      return t("discount.pinOffline");
    default:
      return outcome.message;
  }
}

export interface Approver {
  id: string;
  name: string;
}

/**
 * A manager's buttons for one request: "approve with PIN" per approver, or a reason and
 * "decline with PIN" (the cashier is shown the reason, so one is required).
 */
export function ManagerDecision({
  approvers,
  t,
  onApprove,
  onDecline,
}: {
  approvers: Approver[];
  t: Translate;
  onApprove: (approver: Approver) => void;
  onDecline: (approver: Approver, reason: string) => void;
}) {
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState("");
  if (approvers.length === 0) return <s-text color="subdued">{t("discount.noApprovers")}</s-text>;
  if (!declining) {
    return (
      <s-stack direction="inline" gap="small">
        {approvers.map((approver) => (
          <s-button key={approver.id} variant="primary" onClick={() => onApprove(approver)}>
            {t("discount.approveAs", { name: approver.name })}
          </s-button>
        ))}
        <s-button tone="critical" onClick={() => setDeclining(true)}>
          {t("waiting.decline")}
        </s-button>
      </s-stack>
    );
  }
  return (
    <s-stack direction="inline" gap="small" alignItems="end">
      <s-text-field
        label={t("discount.declineReason")}
        value={reason}
        maxLength={200}
        onInput={(event) => setReason(String(event.currentTarget.value ?? ""))}
      />
      {approvers.map((approver) => (
        <s-button
          key={approver.id}
          tone="critical"
          disabled={!reason.trim()}
          onClick={() => onDecline(approver, reason.trim())}
        >
          {t("discount.declineAs", { name: approver.name })}
        </s-button>
      ))}
      <s-button variant="secondary" onClick={() => setDeclining(false)}>
        {t("waiting.back")}
      </s-button>
    </s-stack>
  );
}

/** "30% off ($9.00)" or "$12.00 off". */
export function describeDiscount(
  discount: { kind: "percent" | "amount"; value: number },
  amountMinor: number,
  money: (minor: number) => string,
  t: Translate,
): string {
  return discount.kind === "percent"
    ? t("discount.whatPercent", { percent: discount.value, amount: money(amountMinor) })
    : t("discount.whatAmount", { amount: money(amountMinor) });
}

/** "percentage limit, amount limit". */
export function describeTriggers(triggers: string[], t: Translate): string {
  return triggers.map((trigger) => t(`discount.triggers.${trigger}`)).join(", ");
}

/** A manager's approve/decline for the request an approval flow is waiting on, through the PinPad. */
export function flowDecisions(flow: ApprovalFlow, pinPad: PinPadApiContent, t: Translate) {
  return {
    onApprove: (approver: Approver) =>
      askManagerPin(pinPad, t, {
        title: t("discount.pinTitle", { name: approver.name }),
        submit: (pin) => flow.decideHere(approver.id, pin, "approve"),
        onAccepted: () => void flow.applyApproved(),
      }),
    onDecline: (approver: Approver, reason: string) =>
      askManagerPin(pinPad, t, {
        title: t("discount.pinTitleDecline", { name: approver.name }),
        submit: (pin) => flow.decideHere(approver.id, pin, "decline", reason),
        onAccepted: () => undefined,
      }),
  };
}
