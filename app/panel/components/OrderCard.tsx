/**
 * The order being rung up at this register, as the POS has it: lines, subtotal and the order
 * discounts already on it. Several open orders: a picker, the most recently changed first.
 */
import { useId } from "react";
import type { PanelOrder } from "../../../shared/panel-contract";
import { money } from "../money";

export const EMPTY_ORDER_TEXT = "No open order at this register. Ring up items in Square/Clover and they appear here.";

function orderLabel(order: PanelOrder, index: number): string {
  const items = order.lines.reduce((sum, line) => sum + line.quantity, 0);
  const at = order.updatedAt
    ? new Date(order.updatedAt).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" })
    : null;
  return `${index === 0 ? "Latest" : `Order ${index + 1}`}: ${items} ${items === 1 ? "item" : "items"}, ${money(order.subtotalMinor, order.currency)}${at ? `, changed ${at}` : ""}`;
}

export function OrderCard({
  orders,
  order,
  loading,
  failed,
  failure,
  checkedAt,
  stale,
  onPick,
}: {
  orders: PanelOrder[];
  order: PanelOrder | null;
  loading: boolean;
  failed: boolean;
  /** Why the orders could not be read, when the copilot said (e.g. the POS did not answer). */
  failure: string | null;
  /** When the orders were last read (ms), for the note shown while they cannot be refreshed. */
  checkedAt: number;
  stale: boolean;
  onPick: (orderId: string) => void;
}) {
  const pickerId = useId();
  const discountsMinor = order?.discounts.reduce((sum, discount) => sum + discount.amountMinor, 0) ?? 0;
  return (
    <section className="panel-card panel-area-order" aria-labelledby="order-heading">
      <div className="panel-card-head">
        <h2 id="order-heading">Open order</h2>
        {orders.length > 1 ? (
          <div className="panel-inline-field">
            <label htmlFor={pickerId}>Order</label>
            <select
              id={pickerId}
              className="panel-select"
              value={order?.id ?? ""}
              onChange={(event) => onPick(event.target.value)}
            >
              {orders.map((candidate, index) => (
                <option key={candidate.id} value={candidate.id}>
                  {orderLabel(candidate, index)}
                </option>
              ))}
            </select>
          </div>
        ) : null}
      </div>
      {order ? (
        <div data-testid="panel-order">
          <table className="panel-lines">
            <caption className="panel-visually-hidden">Lines of the open order</caption>
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col" className="panel-num">
                  Qty
                </th>
                <th scope="col" className="panel-num">
                  Price
                </th>
                <th scope="col" className="panel-num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {order.lines.map((line) => (
                <tr key={line.lineId}>
                  <th scope="row">{line.title}</th>
                  <td className="panel-num">{line.quantity}</td>
                  <td className="panel-num">{money(line.unitPriceMinor, order.currency)}</td>
                  <td className="panel-num">{money(line.unitPriceMinor * line.quantity, order.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <dl className="panel-totals">
            <div>
              <dt>Subtotal</dt>
              <dd>{money(order.subtotalMinor, order.currency)}</dd>
            </div>
            {order.discounts.map((discount, index) => (
              <div key={`${discount.name}-${index}`} className="panel-totals-discount">
                <dt>{discount.name}</dt>
                <dd>−{money(discount.amountMinor, order.currency)}</dd>
              </div>
            ))}
            {order.discounts.length > 0 ? (
              <div className="panel-totals-total">
                <dt>After discounts</dt>
                <dd>{money(Math.max(0, order.subtotalMinor - discountsMinor), order.currency)}</dd>
              </div>
            ) : null}
          </dl>
          <p className="panel-hint">
            {order.customerId ? "A customer is on this order." : "No customer on this order."}
          </p>
          {stale && checkedAt > 0 ? (
            <p className="panel-hint panel-hint-stale">
              As of {new Date(checkedAt).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" })}: not
              updating while offline.
            </p>
          ) : null}
        </div>
      ) : loading ? (
        <p className="panel-muted">
          {stale ? "The open order appears when the connection is back." : "Looking for the open order…"}
        </p>
      ) : failed ? (
        <p className="panel-muted">
          The open order can&apos;t be shown right now{failure ? ` (${failure})` : ""}. It appears as soon as it can be
          read.
        </p>
      ) : (
        <p className="panel-empty">{EMPTY_ORDER_TEXT}</p>
      )}
    </section>
  );
}
