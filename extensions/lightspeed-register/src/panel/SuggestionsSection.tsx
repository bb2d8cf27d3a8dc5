/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import type { SuggestionItem, SuggestionsRequest, SuggestionsResponse } from "../../../../shared/pos-contract";
import { addProductMessage, sendToRegister } from "../client-api";
import { cartKey, type SectionProps } from "./types";
import { price } from "./words";

type Answer =
  | { state: "idle" }
  | { state: "loading" }
  | { state: "ready"; response: SuggestionsResponse }
  | { state: "disabled" }
  | { state: "failed"; message: string };

/** A burst of scans is one question to the backend. */
const DEBOUNCE_MS = 250;
const LIMIT = 3;

/**
 * Add-ons for the sale, each with a reason a cashier can say aloud. Add puts it on the sale
 * through the register's `add-product` (the suggestion's variant id is the Lightspeed product
 * id); the register then reports the new sale and the suggestions follow it.
 */
export function SuggestionsSection({ api, cart, currency, register, announce }: SectionProps) {
  const [answer, setAnswer] = useState<Answer>({ state: "idle" });
  /** What the cashier did with each shown suggestion (by request and variant). */
  const [handled, setHandled] = useState<Record<string, "added" | "dismissed">>({});
  const key = cartKey(cart && { ...cart, subtotalMinor: 0 });

  useEffect(() => {
    if (!cart || cart.lineItems.length === 0) {
      setAnswer({ state: "idle" });
      return;
    }
    let cancelled = false;
    setAnswer((previous) => (previous.state === "ready" ? previous : { state: "loading" }));
    const request: SuggestionsRequest = {
      cart: { lineItems: cart.lineItems.map(({ variantId, quantity }) => ({ variantId, quantity })) },
      ...(cart.customerId ? { customerId: cart.customerId } : {}),
      limit: LIMIT,
    };
    const timer = setTimeout(async () => {
      const result = await api.call<SuggestionsResponse>("POST", "/api/pos/suggestions", request);
      if (cancelled) return;
      switch (result.kind) {
        case "ok": {
          if (!result.body.enabled) return setAnswer({ state: "disabled" });
          setAnswer({ state: "ready", response: result.body });
          const count = result.body.suggestions.length;
          announce(
            count ? `${count} suggestion${count === 1 ? "" : "s"} for this sale` : "No suggestions for this sale",
          );
          return;
        }
        case "refused":
          return setAnswer({ state: "failed", message: result.message });
        default:
          // Offline or not paired: the panel's notice says so; the last suggestions stay.
          setAnswer((previous) => (previous.state === "loading" ? { state: "idle" } : previous));
      }
    }, DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // The cart's contents (not its object identity) decide when to ask again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, api]);

  const mark = (requestId: string, item: SuggestionItem, kind: "added" | "dismissed") => {
    setHandled((previous) => ({ ...previous, [`${requestId}:${item.variantId}`]: kind }));
    void api.call("POST", "/api/pos/events", { requestId, variantId: item.variantId, kind });
  };

  const add = (requestId: string, item: SuggestionItem) => {
    sendToRegister(register, addProductMessage(item.variantId, 1));
    mark(requestId, item, "added");
    announce(`Added ${item.title} to the sale`);
  };

  const response = answer.state === "ready" ? answer.response : null;
  const shown = response
    ? response.suggestions.filter((item) => handled[`${response.requestId}:${item.variantId}`] !== "dismissed")
    : [];

  return (
    <section class="rc-section" aria-labelledby="rc-suggestions-heading">
      <h3 id="rc-suggestions-heading">Suggestions</h3>
      {answer.state === "idle" && <p class="rc-muted">Ring up items and suggestions for the sale appear here.</p>}
      {answer.state === "loading" && <p class="rc-muted">Finding suggestions…</p>}
      {answer.state === "disabled" && <p class="rc-muted">Suggestions are switched off at this location.</p>}
      {answer.state === "failed" && <p class="rc-muted">No suggestions for this sale: {answer.message}</p>}
      {response && shown.length === 0 && <p class="rc-muted">No suggestions for this sale.</p>}
      {response && shown.length > 0 && (
        <ul class="rc-list" aria-label="Suggested add-ons">
          {shown.map((item) => {
            const added = handled[`${response.requestId}:${item.variantId}`] === "added";
            return (
              <li class="rc-item" key={item.variantId}>
                <div class="rc-item-text">
                  <span class="rc-item-title">{item.title}</span>
                  <span class="rc-item-reason">
                    {price(item.price, item.currency || currency)}
                    {item.inStock ? "" : " · low or out of stock here"} · {item.pitch ?? item.reason}
                  </span>
                </div>
                <div class="rc-actions">
                  <button
                    type="button"
                    class="rc-primary"
                    aria-label={added ? `Added ${item.title}` : `Add ${item.title}`}
                    disabled={added}
                    onClick={() => add(response.requestId, item)}
                  >
                    {added ? "Added" : "Add"}
                  </button>
                  {!added && (
                    <button
                      type="button"
                      aria-label={`Not now: ${item.title}`}
                      onClick={() => mark(response.requestId, item, "dismissed")}
                    >
                      Not now
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
