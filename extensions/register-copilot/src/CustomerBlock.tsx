/** @jsxImportSource preact */
// Hands Preact's Signal to POS so its signals are real signals here.
import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { LoyaltyViewResponse } from "../../../shared/pos-contract";
import { useRegisterOrigin } from "./hooks";
import { loyaltyApi } from "./loyalty-api";
import { LoyaltySummary, offerText } from "./sections/LoyaltySummary";

export default async () => {
  render(<CustomerBlock />, document.body);
};

/** On a customer's details: their tier, points, progress and the best reward they can take now. */
function CustomerBlock() {
  const { locationId, staffMemberId } = shopify.session.currentSession;
  const origin = useRegisterOrigin(shopify.device, locationId, staffMemberId);
  const [view, setView] = useState<LoyaltyViewResponse | null>(null);
  const [failed, setFailed] = useState(false);
  const t = (key: string, options?: Record<string, string | number>) => shopify.i18n.translate(key, options);
  const customerId = shopify.customer.id;
  useEffect(() => {
    let live = true;
    // No cart here: the best offer is the best reward for a cart that reaches its minimum spend.
    void origin()
      .then((where) => loyaltyApi.view(shopify.session, customerId, where, 1_000_000))
      .then((result) => {
        if (!live) return;
        if (result.kind === "ok") setView(result.body);
        else setFailed(true);
      });
    return () => {
      live = false;
    };
  }, [customerId, origin]);
  if (view && !view.enabled) return null;
  return (
    <s-pos-block heading={t("loyalty.heading")}>
      {failed ? (
        <s-text color="subdued">{t("loyalty.offline")}</s-text>
      ) : !view ? (
        <s-spinner />
      ) : (
        <s-stack direction="block" gap="small">
          <LoyaltySummary view={view} t={t} />
          {view.bestOffer ? (
            <s-text>{t("loyalty.canRedeem", { offer: offerText(view.bestOffer, view.currency, t) })}</s-text>
          ) : null}
        </s-stack>
      )}
    </s-pos-block>
  );
}
