/** @jsxImportSource preact */
// Hands Preact's Signal to POS so shopify.cart.current & co. are real signals here.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useConnection, useSignalValue } from "./hooks";
import { CartSection } from "./sections/CartSection";
import { ConnectionSection } from "./sections/ConnectionSection";
import { SuggestionsSection } from "./sections/SuggestionsSection";
import type { SectionContext } from "./sections/types";

export default async () => {
  render(<Modal />, document.body);
};

/**
 * One section per feature, in the order a cashier needs them: what to offer the customer first,
 * then the cart, then the copilot's own state. Later issues add loyalty, approvals and returns.
 */
const SECTIONS = [SuggestionsSection, CartSection, ConnectionSection];

function Modal() {
  const { connection, refresh } = useConnection(shopify.session);
  const cart = useSignalValue(shopify.cart.current);
  const connectivity = useSignalValue(shopify.connectivity.current);
  const context: SectionContext = {
    connection,
    refreshConnection: refresh,
    session: shopify.session,
    locationId: shopify.session.currentSession.locationId,
    online: connectivity.internetConnected !== "Disconnected",
    cart,
    cartApi: shopify.cart,
    currency: shopify.session.currentSession.currency,
    translate: (key, options) => shopify.i18n.translate(key, options),
    toast: (message) => shopify.toast.show(message),
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
