/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import type { SuggestionItem } from "../../../../shared/pos-contract";
import { recordSuggestionEvent, variantNumber, type Suggestions } from "../backend";
import { formatPrice } from "../format";
import { useSuggestions } from "../hooks";
import type { SectionContext, Translate } from "./types";

/**
 * Add-ons to offer for the cart on the register: each with its price, stock and a reason the
 * cashier can say aloud, one tap to add. Switched off by the merchant, the section is not shown.
 */
export function SuggestionsSection(context: SectionContext) {
  const { cart, cartApi, session, locationId, online, translate: t, toast } = context;
  const { suggestions, reload } = useSuggestions(session, cart, { locationId, active: true, online });
  // Variants the cashier added or waved away from this screen: hidden at once, not on the next answer.
  const [handled, setHandled] = useState<ReadonlySet<string>>(new Set());
  const [adding, setAdding] = useState<string | null>(null);
  // An emptied cart is the next customer: what the last one declined may suit them.
  const emptyCart = cart.lineItems.length === 0;
  useEffect(() => {
    if (emptyCart) setHandled((current) => (current.size === 0 ? current : new Set()));
  }, [emptyCart]);

  if (suggestions.state === "disabled") return null;

  const inCart = new Set(cart.lineItems.map((line) => String(line.variantId)));
  const requestId = suggestions.state === "ready" ? suggestions.response.requestId : "";
  const visible =
    suggestions.state === "ready"
      ? suggestions.response.suggestions.filter(
          (item) => !inCart.has(String(variantNumber(item.variantId))) && !handled.has(item.variantId),
        )
      : [];
  const hide = (item: SuggestionItem) => setHandled((current) => new Set(current).add(item.variantId));

  const add = async (item: SuggestionItem) => {
    const variantId = variantNumber(item.variantId);
    if (variantId === null || adding) return;
    setAdding(item.variantId);
    try {
      await cartApi.addLineItem(variantId, 1);
    } catch {
      toast(t("suggestions.addFailed", { title: item.title }));
      return;
    } finally {
      setAdding(null);
    }
    hide(item);
    toast(t("suggestions.added", { title: item.title }));
    void recordSuggestionEvent(session, { requestId, variantId: item.variantId, kind: "added" });
  };

  const dismiss = (item: SuggestionItem) => {
    hide(item);
    void recordSuggestionEvent(session, { requestId, variantId: item.variantId, kind: "dismissed" });
  };

  return (
    <s-section heading={t("suggestions.heading")}>
      {suggestions.state === "ready" && suggestions.response.modelVersion !== null && visible.length > 0 ? (
        <s-stack direction="block" gap="small">
          {visible.map((item, index) => (
            <SuggestionRow
              key={item.variantId}
              item={item}
              first={index === 0}
              busy={adding === item.variantId}
              t={t}
              onAdd={() => void add(item)}
              onDismiss={() => dismiss(item)}
            />
          ))}
        </s-stack>
      ) : (
        <Notice suggestions={suggestions} t={t} onRetry={reload} />
      )}
    </s-section>
  );
}

function SuggestionRow({
  item,
  first,
  busy,
  t,
  onAdd,
  onDismiss,
}: {
  item: SuggestionItem;
  first: boolean;
  busy: boolean;
  t: Translate;
  onAdd: () => void;
  onDismiss: () => void;
}) {
  return (
    <s-stack direction="block" gap="small-300">
      {first ? null : <s-divider />}
      <s-stack direction="inline" gap="small" alignItems="center" justifyContent="space-between">
        <s-stack direction="block" gap="small-400">
          <s-stack direction="inline" gap="small" alignItems="center">
            <s-text type="strong">{item.title}</s-text>
            <s-badge tone={item.inStock ? "success" : "warning"}>
              {t(item.inStock ? "suggestions.inStock" : "suggestions.outOfStock")}
            </s-badge>
          </s-stack>
          <s-text color="subdued">{item.pitch ?? item.reason}</s-text>
        </s-stack>
        <s-stack direction="inline" gap="small" alignItems="center">
          <s-text type="strong">{formatPrice(item.price, item.currency)}</s-text>
          <s-button variant="secondary" onClick={onDismiss}>
            {t("suggestions.dismiss")}
          </s-button>
          <s-button variant="primary" loading={busy} disabled={!item.inStock} onClick={onAdd}>
            {t("suggestions.add")}
          </s-button>
        </s-stack>
      </s-stack>
    </s-stack>
  );
}

/** Every state without suggestions to show, said plainly. */
function Notice({ suggestions, t, onRetry }: { suggestions: Suggestions; t: Translate; onRetry: () => void }) {
  switch (suggestions.state) {
    case "loading":
      return (
        <s-stack direction="inline" gap="small" alignItems="center">
          <s-spinner />
          <s-text color="subdued">{t("suggestions.loading")}</s-text>
        </s-stack>
      );
    case "ready":
      return (
        <s-text color="subdued">
          {t(suggestions.response.modelVersion === null ? "suggestions.learning" : "suggestions.empty")}
        </s-text>
      );
    case "offline":
      return (
        <s-stack direction="inline" gap="small" alignItems="center" justifyContent="space-between">
          <s-text color="subdued">{t("suggestions.offline")}</s-text>
          <s-button variant="secondary" onClick={onRetry}>
            {t("suggestions.retry")}
          </s-button>
        </s-stack>
      );
    case "no-permission":
      return <s-text color="subdued">{t("suggestions.noPermission")}</s-text>;
    case "unauthorized":
      return <s-text color="subdued">{t("suggestions.unauthorized")}</s-text>;
    case "failed":
      return (
        <s-text color="subdued">
          {suggestions.httpStatus === 413
            ? t("suggestions.tooLarge")
            : t("suggestions.failed", { message: suggestions.message })}
        </s-text>
      );
    case "disabled":
      return null;
  }
}
