/** @jsxImportSource preact */
// Hands Preact's Signal to POS so its signals are real signals here.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { APPROVALS_REFRESH_MS, useApprovalsOverview, useRegisterOrigin } from "./hooks";
import { ReturnCheck } from "./sections/ReturnCheck";

export default async () => {
  render(<ReturnAction />, document.body);
};

/** The return check for the order POS is showing (order details → Check return). */
function ReturnAction() {
  const { locationId, staffMemberId, currency } = shopify.session.currentSession;
  const origin = useRegisterOrigin(shopify.device, locationId, staffMemberId);
  const { overview } = useApprovalsOverview(shopify.session, origin, {
    active: true,
    refreshMs: APPROVALS_REFRESH_MS.modal,
  });
  const approvers = overview.state === "ready" && overview.overview.enabled ? overview.overview.approvers : [];
  const t = (key: string, options?: Record<string, string | number>) => shopify.i18n.translate(key, options);
  return (
    <s-page heading={t("returns.pageHeading", { order: shopify.order.name })}>
      <s-scroll-box>
        <s-section heading={t("returns.heading")}>
          <ReturnCheck
            orderRef={String(shopify.order.id)}
            session={shopify.session}
            origin={origin}
            pinPad={shopify.pinPad}
            approvers={approvers}
            currency={currency}
            translate={t}
          />
        </s-section>
      </s-scroll-box>
    </s-page>
  );
}
