/** @jsxImportSource preact */
import "@shopify/ui-extensions/preact";
import { render } from "preact";

export default async () => {
  render(<ReturnMenuItem />, document.body);
};

/** "Check return" in an order's action menu: opens the return check for this order. */
function ReturnMenuItem() {
  return (
    <s-button onClick={() => shopify.action.presentModal()}>{shopify.i18n.translate("returns.menuItem")}</s-button>
  );
}
