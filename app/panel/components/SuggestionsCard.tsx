/**
 * Add-ons for the shown order, with a reason the cashier can say aloud. The panel cannot add to
 * a Square or Clover order, so each one says what to ring up there; "Rung up" and "Not now"
 * record what happened (POST /api/pos/events) and take the suggestion off the list.
 */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { PanelOrder } from "../../../shared/panel-contract";
import type { SuggestionEventRequest, SuggestionItem, SuggestionsResponse } from "../../../shared/pos-contract";
import { toMinorUnits } from "../../../shared/money";
import { PanelApiError } from "../api-client";
import { usePanel } from "../connection";
import { money } from "../money";
import { useSuggestions } from "../queries";

export function SuggestionsCard({ order, platform }: { order: PanelOrder | null; platform: string }) {
  const { client } = usePanel();
  const suggestions = useSuggestions(order);
  // Handled here (per order): hidden at once, whatever the next answer says.
  const [handled, setHandled] = useState<{ orderId: string | null; variants: ReadonlySet<string> }>({
    orderId: null,
    variants: new Set(),
  });
  const hidden = handled.orderId === (order?.id ?? null) ? handled.variants : new Set<string>();
  const record = useMutation({
    mutationFn: (event: SuggestionEventRequest) => client.post("/api/pos/events", event),
  });

  const act = (item: SuggestionItem, response: SuggestionsResponse, kind: SuggestionEventRequest["kind"]) => {
    setHandled({ orderId: order?.id ?? null, variants: new Set(hidden).add(item.variantId) });
    record.mutate({ requestId: response.requestId, variantId: item.variantId, kind });
  };

  const inOrder = new Set(order?.lines.map((line) => line.variantId).filter((id): id is string => id !== null));
  const response = suggestions.data;
  const visible =
    response?.suggestions.filter((item) => !inOrder.has(item.variantId) && !hidden.has(item.variantId)) ?? [];

  return (
    <section className="panel-card panel-area-suggestions" aria-labelledby="suggestions-heading">
      <h2 id="suggestions-heading">Suggestions</h2>
      {!order || order.lines.length === 0 ? (
        <p className="panel-muted">Ring up items and add-ons for the order appear here.</p>
      ) : suggestions.isPending && suggestions.fetchStatus !== "idle" ? (
        <p className="panel-muted">Finding add-ons for this order…</p>
      ) : suggestions.isError && !response ? (
        <div className="panel-stack">
          <p className="panel-muted">
            {suggestions.error instanceof PanelApiError
              ? `Couldn't get suggestions for this order (${suggestions.error.message}).`
              : "Suggestions are unavailable right now. Selling is not affected."}
          </p>
          <button type="button" className="panel-button" onClick={() => void suggestions.refetch()}>
            Try again
          </button>
        </div>
      ) : !response ? (
        <p className="panel-muted">Suggestions appear when the copilot is back.</p>
      ) : !response.enabled ? (
        <p className="panel-muted">Suggestions are switched off at this location.</p>
      ) : response.modelVersion === null ? (
        <p className="panel-muted">Learning from your sales — suggestions appear soon.</p>
      ) : visible.length === 0 ? (
        <p className="panel-muted">No add-ons to suggest for this order right now.</p>
      ) : (
        <>
          <p className="panel-hint">
            Offer these. If the customer wants one, ring it up in {platform}, then tap Rung up.
          </p>
          <ul className="panel-suggestions" aria-label="Suggested add-ons">
            {visible.map((item) => (
              <li key={item.variantId} className="panel-suggestion">
                <div className="panel-suggestion-body">
                  <p className="panel-suggestion-title">
                    <span>{item.title}</span>
                    <span className="panel-suggestion-price">{priceText(item)}</span>
                  </p>
                  <p className="panel-suggestion-ring">
                    <span>
                      Ring up in {platform}: <strong>{item.title}</strong>
                    </span>
                    <span
                      className={item.inStock ? "panel-badge panel-badge-success" : "panel-badge panel-badge-warning"}
                    >
                      {item.inStock ? "In stock" : "Out of stock here"}
                    </span>
                  </p>
                  {item.pitch ? <p className="panel-suggestion-pitch">“{item.pitch}”</p> : null}
                  <p className="panel-suggestion-reason">{item.reason}</p>
                </div>
                <div className="panel-suggestion-actions">
                  <button
                    type="button"
                    className="panel-button panel-button-primary"
                    aria-label={`Rung up ${item.title}`}
                    onClick={() => act(item, response, "added")}
                  >
                    Rung up
                  </button>
                  <button
                    type="button"
                    className="panel-button"
                    aria-label={`Not now: ${item.title}`}
                    onClick={() => act(item, response, "dismissed")}
                  >
                    Not now
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The suggestion's decimal price through the one money type. */
function priceText(item: SuggestionItem): string {
  try {
    return money(toMinorUnits(item.price, item.currency), item.currency);
  } catch {
    return `${item.price} ${item.currency}`;
  }
}
