/** @jsxImportSource preact */
import { formatMoney } from "../../../../shared/money";
import type { LoyaltyViewResponse } from "../../../../shared/pos-contract";
import type { Translate } from "./types";

type View = Extract<LoyaltyViewResponse, { enabled: true }>;

/** Tier, points and progress to the next tier: the same lines in the modal and on customer details. */
export function LoyaltySummary({ view, t }: { view: View; t: Translate }) {
  const money = (minor: number) => formatMoney({ amountMinor: minor, currency: view.currency });
  return (
    <s-stack direction="block" gap="small-300">
      <s-stack direction="inline" gap="small" alignItems="center">
        <s-badge tone="info">{view.tier.name}</s-badge>
        <s-text type="strong">{t("loyalty.points", { count: view.points })}</s-text>
        {view.tier.perkPercent > 0 ? (
          <s-text color="subdued">{t("loyalty.perk", { percent: view.tier.perkPercent })}</s-text>
        ) : null}
      </s-stack>
      <s-text color="subdued">
        {view.next
          ? t("loyalty.toNext", { amount: money(view.next.toNextMinor), tier: view.next.name })
          : t("loyalty.topTier")}
      </s-text>
    </s-stack>
  );
}

export function offerText(offer: NonNullable<View["bestOffer"]>, currency: string, t: Translate): string {
  return t("loyalty.offer", {
    name: offer.name,
    amount: formatMoney({ amountMinor: offer.valueMinor, currency }),
    points: offer.points,
  });
}
