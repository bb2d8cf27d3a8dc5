/** @jsxImportSource preact */
// Hands Preact's Signal to POS so shopify.cart.current & co. are real signals here.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { variantNumber, type Connection, type Suggestions } from "./backend";
import {
  APPROVALS_REFRESH_MS,
  useApprovalsOverview,
  useConnection,
  useRegisterOrigin,
  useSignalValue,
  useSuggestions,
} from "./hooks";

export default async () => {
  render(<Tile />, document.body);
};

/** The smart-grid tile: the copilot's state at a glance, and the way into the modal. */
function Tile() {
  const { connection } = useConnection(shopify.session, shopify.session.currentSession.locationId);
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
  const { locationId, staffMemberId } = shopify.session.currentSession;
  const origin = useRegisterOrigin(shopify.device, locationId, staffMemberId);
  // Any register at the location shows that a manager is needed, so one nearby can step in.
  const { overview } = useApprovalsOverview(shopify.session, origin, {
    active: connection.state === "ready",
    refreshMs: APPROVALS_REFRESH_MS.tile,
  });
  const waiting = overview.state === "ready" && overview.overview.enabled ? overview.overview.pending.length : 0;
  return (
    <s-tile
      heading={shopify.i18n.translate("tile.heading")}
      subheading={
        waiting > 0 && connection.state === "ready"
          ? shopify.i18n.translate("tile.approvalsWaiting", { count: waiting })
          : subheading(connection, itemCount, itemCount > 0 ? readyCount(suggestions, cart.lineItems) : 0)
      }
      itemCount={waiting > 0 ? waiting : undefined}
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
    case "paused":
      return t("tile.paused");
    case "no-permission":
      return t("tile.noPermission");
    case "unauthorized":
      return t("tile.unauthorized");
    case "offline":
      return t("tile.offline");
  }
}
