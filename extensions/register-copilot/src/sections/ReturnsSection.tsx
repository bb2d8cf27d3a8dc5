/** @jsxImportSource preact */
import { useState } from "preact/hooks";
import { ReturnCheck } from "./ReturnCheck";
import type { SectionContext } from "./types";

/** A return for an order looked up by its number (on order details, POS opens the check directly). */
export function ReturnsSection({ session, origin, pinPad, approvals, currency, translate: t }: SectionContext) {
  const [typed, setTyped] = useState("");
  const [orderRef, setOrderRef] = useState<string | null>(null);
  const approvers =
    approvals.overview.state === "ready" && approvals.overview.overview.enabled
      ? approvals.overview.overview.approvers
      : [];
  return (
    <s-section heading={t("returns.heading")}>
      <s-stack direction="block" gap="small">
        <s-stack direction="inline" gap="small" alignItems="end">
          <s-text-field
            label={t("returns.orderNumber")}
            value={typed}
            maxLength={100}
            onInput={(event) => setTyped(String(event.currentTarget.value ?? ""))}
          />
          <s-button variant="secondary" disabled={!typed.trim()} onClick={() => setOrderRef(typed.trim())}>
            {t("returns.lookUp")}
          </s-button>
        </s-stack>
        {orderRef ? (
          <ReturnCheck
            key={orderRef}
            orderRef={orderRef}
            session={session}
            origin={origin}
            pinPad={pinPad}
            approvers={approvers}
            currency={currency}
            translate={t}
          />
        ) : null}
      </s-stack>
    </s-section>
  );
}
