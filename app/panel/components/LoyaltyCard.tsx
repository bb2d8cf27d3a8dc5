/**
 * The customer on the order: their tier, points, progress to the next tier and the best reward
 * for this order. Read-only here; names are not needed (the POS shows who it is).
 */
import { useId } from "react";
import type { PanelOrder } from "../../../shared/panel-contract";
import { money } from "../money";
import { useLoyalty, usePosLoyalty } from "../queries";

const points = (count: number) => `${count.toLocaleString("en-US")} ${count === 1 ? "point" : "points"}`;

export function LoyaltyCard({ order, platform }: { order: PanelOrder | null; platform: string }) {
  const loyalty = useLoyalty(order);
  const posLoyalty = usePosLoyalty(order).data?.loyalty ?? null;
  const progressId = useId();
  const view = loyalty.data;
  return (
    <section className="panel-card panel-area-loyalty" aria-labelledby="loyalty-heading">
      <h2 id="loyalty-heading">Loyalty</h2>
      {!order?.customerId ? (
        <p className="panel-muted">Add a customer to the order in {platform} to see their points and best offer.</p>
      ) : !view ? (
        <p className="panel-muted">
          {loyalty.isError ? "Loyalty is unavailable right now. Selling is not affected." : "Looking up points…"}
        </p>
      ) : !view.enabled ? (
        <p className="panel-muted">Loyalty is switched off at this location.</p>
      ) : (
        <div className="panel-stack" data-testid="panel-loyalty">
          <div className="panel-loyalty-standing">
            <p className="panel-badge panel-badge-info">{view.tier.name}</p>
            <p className="panel-loyalty-points">{points(view.points)}</p>
            {view.tier.perkPercent > 0 ? <p className="panel-hint">{view.tier.perkPercent}% member perk</p> : null}
          </div>
          <div className="panel-field">
            <label htmlFor={progressId}>
              {view.next
                ? `${money(view.next.toNextMinor, view.currency)} more to ${view.next.name}`
                : "Top tier reached"}
            </label>
            <progress id={progressId} className="panel-progress" max={100} value={Math.round(view.progress * 100)}>
              {Math.round(view.progress * 100)}%
            </progress>
          </div>
          {view.bestOffer ? (
            <div className="panel-offer">
              <p className="panel-offer-title">
                Best offer: {view.bestOffer.name} ({money(view.bestOffer.valueMinor, view.currency)} off)
                {view.bestOffer.points > 0 ? ` for ${points(view.bestOffer.points)}` : ", no points needed"}
              </p>
            </div>
          ) : (
            <p className="panel-muted">No reward fits this order yet.</p>
          )}
          <p className="panel-hint">This order earns {points(view.earnOnCart)}.</p>
        </div>
      )}
      {order?.customerId && posLoyalty ? (
        <div className="panel-stack" data-testid="panel-pos-loyalty">
          <p>
            <strong>{posLoyalty.program}:</strong> {posLoyalty.balance.toLocaleString("en-US")}{" "}
            {posLoyalty.balance === 1 ? posLoyalty.unit.one : posLoyalty.unit.other}
          </p>
          {posLoyalty.available.length ? (
            <p className="panel-hint">
              Can redeem in {platform}: {posLoyalty.available.map((reward) => reward.name).join(", ")}
            </p>
          ) : null}
          {posLoyalty.next ? (
            <p className="panel-hint">
              Next: {posLoyalty.next.name} at {posLoyalty.next.points.toLocaleString("en-US")}{" "}
              {posLoyalty.next.points === 1 ? posLoyalty.unit.one : posLoyalty.unit.other}
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
