/** @jsxImportSource preact */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { DISCOUNT_REASON_CODES, type DiscountKind, type DiscountReasonCode } from "../../../../shared/approvals";
import { formatMoney, toMinorUnits } from "../../../../shared/money";
import { bindApprovalsApi } from "../approvals";
import { createApprovalFlow, type ApprovalFlowState } from "../approval-flow";
import { flowDecisions, describeDiscount, describeTriggers, ManagerDecision, type Approver } from "./manager-decision";
import type { SectionContext, Translate } from "./types";

/**
 * A cart discount with a reason: applied at once under the store's limits, else a manager
 * approves it here with their PIN (POS PinPad) or on another register or in the admin.
 * Switched off by the merchant, the section is not shown.
 */
export function DiscountSection(context: SectionContext) {
  const { cart, cartApi, session, origin, currency, pinPad, approvals, translate: t, toast } = context;
  const [state, setState] = useState<ApprovalFlowState>({ step: "choosing" });
  // Read through a ref: a new translate function each render must not restart (and void) the flow.
  const translate = useRef(t);
  translate.current = t;
  const flow = useMemo(
    () =>
      createApprovalFlow({
        api: bindApprovalsApi(session),
        origin,
        currency,
        applyCartDiscount: (type, title, amount) => cartApi.applyCartDiscount(type, title, amount),
        title: (reasonCode, approved) =>
          translate.current(approved ? "discount.titleApproved" : "discount.title", {
            reason: translate.current(`discount.reasons.${reasonCode}`),
          }),
        onChange: setState,
      }),
    [session, origin, currency, cartApi],
  );
  useEffect(() => () => flow.dispose(), [flow]);
  useEffect(() => flow.cartChanged(cart), [flow, cart]);

  const overview = approvals.overview;
  if (state.step === "disabled" || (overview.state === "ready" && !overview.overview.enabled)) return null;
  const limits = overview.state === "ready" && overview.overview.enabled ? overview.overview.limits : null;
  const approvers = overview.state === "ready" && overview.overview.enabled ? overview.overview.approvers : [];
  const money = (minor: number) => formatMoney({ amountMinor: minor, currency });

  return (
    <s-section heading={t("discount.heading")}>
      {state.step === "choosing" ? (
        <Chooser
          t={t}
          currency={currency}
          empty={cart.lineItems.length === 0}
          limitsText={
            limits ? t("discount.limits", { percent: limits.maxPercent, amount: money(limits.maxAmountMinor) }) : null
          }
          onSubmit={(choice) => void flow.ask(cart, choice)}
        />
      ) : state.step === "asking" || state.step === "applying" ? (
        <s-stack direction="inline" gap="small" alignItems="center">
          <s-spinner />
          <s-text color="subdued">{t(state.step === "asking" ? "discount.asking" : "discount.applying")}</s-text>
        </s-stack>
      ) : state.step === "waiting" ? (
        <Waiting
          state={state}
          t={t}
          money={money}
          approvers={approvers}
          {...flowDecisions(flow, pinPad, t)}
          onCancel={() => void flow.cancel().then(() => toast(t("discount.cancelled")))}
        />
      ) : (
        <Outcome state={state} t={t} money={money} onDone={() => flow.reset()} />
      )}
    </s-section>
  );
}

const isReason = (value: string): value is DiscountReasonCode =>
  (DISCOUNT_REASON_CODES as readonly string[]).includes(value);

function Chooser({
  t,
  currency,
  empty,
  limitsText,
  onSubmit,
}: {
  t: Translate;
  currency: string;
  empty: boolean;
  limitsText: string | null;
  onSubmit: (choice: {
    discount: { kind: DiscountKind; value: number };
    reasonCode: DiscountReasonCode;
    note: string;
  }) => void;
}) {
  const [kind, setKind] = useState<DiscountKind>("percent");
  const [value, setValue] = useState("");
  const [reason, setReason] = useState<DiscountReasonCode | null>(null);
  const [note, setNote] = useState("");

  const parsed = parseValue(kind, value, currency);
  const error =
    value.trim() && parsed === null ? t(kind === "percent" ? "discount.badPercent" : "discount.badAmount") : "";
  const ready = !empty && parsed !== null && reason !== null;

  if (empty) return <s-text color="subdued">{t("discount.emptyCart")}</s-text>;
  return (
    <s-stack direction="block" gap="small">
      <s-stack direction="inline" gap="small">
        {(["percent", "amount"] as const).map((option) => (
          <s-button
            key={option}
            variant={kind === option ? "primary" : "secondary"}
            onClick={() => {
              setKind(option);
              setValue("");
            }}
          >
            {t(option === "percent" ? "discount.percent" : "discount.amount", { currency })}
          </s-button>
        ))}
      </s-stack>
      <s-number-field
        label={t(kind === "percent" ? "discount.percentLabel" : "discount.amountLabel", { currency })}
        value={value}
        min={0}
        max={kind === "percent" ? 100 : undefined}
        error={error}
        onInput={(event) => setValue(String(event.currentTarget.value ?? ""))}
      />
      <s-text type="strong">{t("discount.reason")}</s-text>
      <s-stack direction="inline" gap="small">
        {DISCOUNT_REASON_CODES.map((code) => (
          <s-button
            key={code}
            variant={reason === code ? "primary" : "secondary"}
            onClick={() => setReason(isReason(code) ? code : null)}
          >
            {t(`discount.reasons.${code}`)}
          </s-button>
        ))}
      </s-stack>
      <s-text-field
        label={t("discount.note")}
        value={note}
        maxLength={500}
        onInput={(event) => setNote(String(event.currentTarget.value ?? ""))}
      />
      {limitsText ? <s-text color="subdued">{limitsText}</s-text> : null}
      <s-button
        variant="primary"
        disabled={!ready}
        onClick={() => {
          if (ready) onSubmit({ discount: { kind, value: parsed }, reasonCode: reason, note });
        }}
      >
        {t("discount.apply")}
      </s-button>
    </s-stack>
  );
}

/** "30" → 30 (percent), "12.50" → 1250 (minor units); null when it is not a valid discount. */
export function parseValue(kind: DiscountKind, text: string, currency: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return null;
  if (kind === "percent") {
    const percent = Number(trimmed);
    return percent > 0 && percent <= 100 ? percent : null;
  }
  try {
    const minor = toMinorUnits(trimmed, currency);
    return minor > 0 ? minor : null;
  } catch {
    return null;
  }
}

function Waiting({
  state,
  t,
  money,
  approvers,
  onApprove,
  onDecline,
  onCancel,
}: {
  state: Extract<ApprovalFlowState, { step: "waiting" }>;
  t: Translate;
  money: (minor: number) => string;
  approvers: Approver[];
  onApprove: (approver: Approver) => void;
  onDecline: (approver: Approver, reason: string) => void;
  onCancel: () => void;
}) {
  const { request } = state;
  return (
    <s-stack direction="block" gap="small">
      <s-banner heading={t("discount.waitingTitle")} tone="warning">
        <s-text>
          {t("discount.waitingBody", {
            what: describeDiscount(request.discount, request.amountMinor, money, t),
            limits: describeTriggers(request.triggers, t),
          })}
        </s-text>
      </s-banner>
      <ManagerDecision approvers={approvers} t={t} onApprove={onApprove} onDecline={onDecline} />
      <s-text color="subdued">{t("discount.elsewhere")}</s-text>
      <s-button variant="secondary" onClick={onCancel}>
        {t("discount.cancel")}
      </s-button>
    </s-stack>
  );
}

/** Refusals with their own words for the cashier; anything else shows the backend's message. */
const KNOWN_ERRORS = new Set([
  "offline",
  "no_permission",
  "unauthorized",
  "cart_refused",
  "approval_refused",
  "approval_expired",
  "approval_already_redeemed",
  "approval_already_decided",
]);

function Outcome({
  state,
  t,
  money,
  onDone,
}: {
  state: Exclude<ApprovalFlowState, { step: "choosing" | "asking" | "applying" | "waiting" | "disabled" }>;
  t: Translate;
  money: (minor: number) => string;
  onDone: () => void;
}) {
  const banner = (() => {
    switch (state.step) {
      case "applied":
        return {
          tone: "success",
          heading: t(state.approved ? "discount.appliedApproved" : "discount.applied", {
            amount: money(state.amountMinor),
          }),
          body: null,
        };
      case "declined":
        return {
          tone: "critical",
          heading: t("discount.declined"),
          body: state.reason ? t("discount.declinedReason", { reason: state.reason }) : null,
        };
      case "voided":
        return { tone: "warning", heading: t(`discount.voided.${state.why}`), body: null };
      case "failed":
        return {
          tone: "critical",
          heading: t("discount.failed"),
          body: t(`discount.errors.${KNOWN_ERRORS.has(state.code) ? state.code : "other"}`, { message: state.message }),
        };
    }
  })();
  return (
    <s-stack direction="block" gap="small">
      <s-banner heading={banner.heading} tone={banner.tone as "success" | "critical" | "warning"}>
        {banner.body ? <s-text>{banner.body}</s-text> : null}
      </s-banner>
      <s-button variant="secondary" onClick={onDone}>
        {t(state.step === "applied" ? "discount.another" : "discount.tryAgain")}
      </s-button>
    </s-stack>
  );
}
