/** @jsxImportSource preact */
// Hands Preact's Signal to POS so shopify.cart.current & co. are real signals here.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import type { Connection } from "./backend";
import { useConnection, useSignalValue } from "./hooks";

export default async () => {
  render(<Tile />, document.body);
};

/** The smart-grid tile: the copilot's state at a glance, and the way into the modal. */
function Tile() {
  const { connection } = useConnection(shopify.session);
  const cart = useSignalValue(shopify.cart.current);
  const itemCount = cart.lineItems.reduce((sum, line) => sum + line.quantity, 0);
  return (
    <s-tile
      heading={shopify.i18n.translate("tile.heading")}
      subheading={subheading(connection, itemCount)}
      tone={connection.state === "ready" ? "accent" : "neutral"}
      onClick={() => shopify.action.presentModal()}
    />
  );
}

function subheading(connection: Connection, itemCount: number): string {
  const t = shopify.i18n.translate;
  switch (connection.state) {
    case "checking":
      return t("tile.checking");
    case "ready":
      return itemCount > 0 ? t("tile.readyWithCart", { count: itemCount }) : t("tile.ready");
    case "not-set-up":
      return t("tile.notSetUp");
    case "no-permission":
      return t("tile.noPermission");
    case "unauthorized":
      return t("tile.unauthorized");
    case "offline":
      return t("tile.offline");
  }
}
