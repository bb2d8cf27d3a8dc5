/** @jsxImportSource preact */
// Hands Preact's Signal to POS so shopify.cart.current & co. are real signals here.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { APPROVALS_REFRESH_MS, useApprovalsOverview, useConnection, useRegisterOrigin, useSignalValue } from "./hooks";
import { CartSection } from "./sections/CartSection";
import { ConnectionSection } from "./sections/ConnectionSection";
import { DiscountSection } from "./sections/DiscountSection";
import { LoyaltySection } from "./sections/LoyaltySection";
import { ReturnsSection } from "./sections/ReturnsSection";
import { SuggestionsSection } from "./sections/SuggestionsSection";
import { WaitingApprovalsSection } from "./sections/WaitingApprovalsSection";
import type { SectionContext } from "./sections/types";

export default async () => {
  render(<Modal />, document.body);
};

/**
 * One section per feature, in the order a cashier needs them: another register waiting for a
 * manager (only when one is), the customer's loyalty offer, what to offer them, a discount, the
 * cart, a return looked up by order number, then the copilot's own state.
 */
const SECTIONS = [
  WaitingApprovalsSection,
  LoyaltySection,
  SuggestionsSection,
  DiscountSection,
  CartSection,
  ReturnsSection,
  ConnectionSection,
];

function Modal() {
  const { connection, refresh } = useConnection(shopify.session, shopify.session.currentSession.locationId);
  const cart = useSignalValue(shopify.cart.current);
  const connectivity = useSignalValue(shopify.connectivity.current);
  const { locationId, staffMemberId } = shopify.session.currentSession;
  const origin = useRegisterOrigin(shopify.device, locationId, staffMemberId);
  const approvals = useApprovalsOverview(shopify.session, origin, {
    active: connection.state === "ready",
    refreshMs: APPROVALS_REFRESH_MS.modal,
  });
  const context: SectionContext = {
    connection,
    refreshConnection: refresh,
    session: shopify.session,
    locationId,
    online: connectivity.internetConnected !== "Disconnected",
    cart,
    cartApi: shopify.cart,
    currency: shopify.session.currentSession.currency,
    translate: (key, options) => shopify.i18n.translate(key, options),
    toast: (message) => shopify.toast.show(message),
    origin,
    pinPad: shopify.pinPad,
    approvals,
  };
  return (
    <s-page heading={shopify.i18n.translate("modal.heading")}>
      <s-scroll-box>
        <s-stack direction="block" gap="base">
          {SECTIONS.map((Section, index) => (
            <Section key={index} {...context} />
          ))}
        </s-stack>
      </s-scroll-box>
    </s-page>
  );
}
