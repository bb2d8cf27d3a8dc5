/** @jsxImportSource preact */
import type { LineItem } from "@shopify/ui-extensions/point-of-sale";
import { formatLineTotal, formatPrice } from "../format";
import type { SectionContext } from "./types";

/** The cart as POS has it right now: what the copilot's suggestions will be about. */
export function CartSection({ cart, cartApi, currency, translate: t, toast }: SectionContext) {
  const itemCount = cart.lineItems.reduce((sum, line) => sum + line.quantity, 0);

  const remove = async (line: LineItem) => {
    const title = line.title ?? t("cart.untitled");
    try {
      await cartApi.removeLineItem(line.uuid);
      toast(t("cart.removed", { title }));
    } catch {
      toast(t("cart.removeFailed", { title }));
    }
  };

  return (
    <s-section heading={t("cart.heading")}>
      {cart.lineItems.length === 0 ? (
        <s-text color="subdued">{t("cart.empty")}</s-text>
      ) : (
        <s-stack direction="block" gap="small">
          {cart.lineItems.map((line) => (
            <s-stack key={line.uuid} direction="inline" gap="small" alignItems="center" justifyContent="space-between">
              <s-stack direction="block" gap="none">
                <s-text type="strong">
                  {t("cart.line", { quantity: line.quantity, title: line.title ?? t("cart.untitled") })}
                </s-text>
                {line.sku ? (
                  <s-text type="small" color="subdued">
                    {line.sku}
                  </s-text>
                ) : null}
              </s-stack>
              <s-stack direction="inline" gap="small" alignItems="center">
                <s-text>{formatLineTotal(line.price, line.quantity, currency)}</s-text>
                <s-button variant="secondary" tone="critical" onClick={() => void remove(line)}>
                  {t("cart.remove")}
                </s-button>
              </s-stack>
            </s-stack>
          ))}
          {cart.customer ? <s-text color="subdued">{t("cart.customer", { id: cart.customer.id })}</s-text> : null}
          {cart.cartDiscount?.discountDescription ? (
            <s-text color="subdued">{t("cart.discount", { title: cart.cartDiscount.discountDescription })}</s-text>
          ) : null}
          <s-stack direction="inline" justifyContent="space-between" alignItems="center">
            <s-text type="strong">
              {t("cart.subtotal")} · {t("cart.items", { count: itemCount })}
            </s-text>
            <s-text type="strong">{formatPrice(cart.subtotal, currency)}</s-text>
          </s-stack>
        </s-stack>
      )}
    </s-section>
  );
}
