/** @jsxImportSource preact */
import { formatMoney } from "../../../../shared/money";
import type { PendingApproval } from "../../../../shared/pos-contract";
import { approvalsApi } from "../approvals";
import { askManagerPin, describeDiscount, describeTriggers, ManagerDecision } from "./manager-decision";
import type { SectionContext, Translate } from "./types";

/**
 * Requests from other registers at this location waiting for a manager: a manager standing here
 * approves or declines one with their PIN, and the asking register applies it. Shown only when
 * there is something waiting.
 */
export function WaitingApprovalsSection({ session, origin, pinPad, approvals, translate: t, toast }: SectionContext) {
  const overview = approvals.overview;
  if (overview.state !== "ready" || !overview.overview.enabled) return null;
  const others = overview.overview.pending.filter((request) => !request.mine);
  if (others.length === 0) return null;
  const { approvers } = overview.overview;

  const decide = (
    request: PendingApproval,
    approver: { id: string; name: string },
    decision: "approve" | "decline",
    reason = "",
  ) =>
    askManagerPin(pinPad, t, {
      title: t(decision === "approve" ? "discount.pinTitle" : "discount.pinTitleDecline", { name: approver.name }),
      submit: async (pin) => {
        const result = await approvalsApi.decide(session, request.id, {
          ...(await origin()),
          decision,
          pin,
          approverId: approver.id,
          ...(decision === "decline" ? { reason } : {}),
        });
        if (result.kind === "ok") return { accepted: true };
        return result.kind === "refused"
          ? { accepted: false, code: result.code, message: result.message }
          : { accepted: false, code: result.kind, message: result.kind };
      },
      onAccepted: () => {
        toast(t(decision === "approve" ? "waiting.approved" : "waiting.declined"));
        approvals.refresh();
      },
    });

  return (
    <s-section heading={t("waiting.heading", { count: others.length })}>
      <s-stack direction="block" gap="small">
        {others.map((request, index) => (
          <s-stack key={request.id} direction="block" gap="small-300">
            {index === 0 ? null : <s-divider />}
            <RequestSummary request={request} t={t} />
            <ManagerDecision
              approvers={approvers}
              t={t}
              onApprove={(approver) => decide(request, approver, "approve")}
              onDecline={(approver, reason) => decide(request, approver, "decline", reason)}
            />
          </s-stack>
        ))}
      </s-stack>
    </s-section>
  );
}

function RequestSummary({ request, t }: { request: PendingApproval; t: Translate }) {
  const money = (minor: number) => formatMoney({ amountMinor: minor, currency: request.currency });
  const what =
    request.kind === "return"
      ? t("waiting.returnWhat", { amount: money(request.amountMinor) })
      : describeDiscount(request.discount, request.amountMinor, money, t);
  return (
    <s-stack direction="block" gap="none">
      <s-text type="strong">
        {request.kind === "return" ? what : t("waiting.what", { what, subtotal: money(request.subtotalMinor) })}
      </s-text>
      <s-text color="subdued">
        {[
          t(`${request.kind === "return" ? "returns" : "discount"}.reasons.${request.reasonCode}`),
          request.note ? `“${request.note}”` : null,
          describeTriggers(request.triggers, t),
        ]
          .filter(Boolean)
          .join(" · ")}
      </s-text>
    </s-stack>
  );
}
