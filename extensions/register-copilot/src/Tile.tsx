/** @jsxImportSource preact */
// Hands Preact's Signal to POS so shopify.cart.current & co. are real signals here.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { variantNumber, type Connection, type Suggestions } from "./backend";
import { useConnection, useSignalValue, useSuggestions } from "./hooks";

export default async () => {
  render(<Tile />, document.body);
};

/** The smart-grid tile: the copilot's state at a glance, and the way into the modal. */
function Tile() {
  const { connection } = useConnection(shopify.session);
  const cart = useSignalValue(shopify.cart.current);
  const connectivity = useSignalValue(shopify.connectivity.current);
  const itemCount = cart.lineItems.reduce((sum, line) => sum + line.quantity, 0);
  // Only for a cart with items, and only once the copilot answers: the home screen stays cheap.
  const { suggestions } = useSuggestions(shopify.session, cart, {
    locationId: shopify.session.currentSession.locationId,
    active: connection.state === "ready" && itemCount > 0,
    online: connectivity.internetConnected !== "Disconnected",
    debounceFirst: true,
    record: false,
  });
  return (
    <s-tile
      heading={shopify.i18n.translate("tile.heading")}
      subheading={subheading(connection, itemCount, itemCount > 0 ? readyCount(suggestions, cart.lineItems) : 0)}
      tone={connection.state === "ready" ? "accent" : "neutral"}
      onClick={() => shopify.action.presentModal()}
    />
  );
}

/** Suggestions the modal would show now: those for this cart, minus what is already in it. */
function readyCount(suggestions: Suggestions, lineItems: { variantId?: number }[]): number {
  if (suggestions.state !== "ready" || suggestions.response.modelVersion === null) return 0;
  const inCart = new Set(lineItems.map((line) => String(line.variantId)));
  return suggestions.response.suggestions.filter((item) => !inCart.has(String(variantNumber(item.variantId)))).length;
}

function subheading(connection: Connection, itemCount: number, suggestionCount: number): string {
  const t = shopify.i18n.translate;
  switch (connection.state) {
    case "checking":
      return t("tile.checking");
    case "ready":
      if (suggestionCount > 0) return t("tile.suggestions", { count: suggestionCount });
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
