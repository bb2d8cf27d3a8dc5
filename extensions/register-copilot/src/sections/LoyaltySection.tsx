/** @jsxImportSource preact */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { formatMinorUnits } from "../../../../shared/money";
import type {
  CustomerSearchResponse,
  LoyaltyRedeemResponse,
  LoyaltyViewResponse,
} from "../../../../shared/pos-contract";
import { cartSubtotalMinor } from "../approval-flow";
import { createLatestLoader } from "../hooks";
import { loyaltyApi } from "../loyalty-api";
import { LoyaltySummary, offerText } from "./LoyaltySummary";
import type { SectionContext } from "./types";

type ViewState =
  { state: "loading" } | { state: "ready"; view: LoyaltyViewResponse } | { state: "failed"; message: string };

/**
 * The customer on the cart: tier, points, progress, and the single best offer for this cart with
 * one-tap Apply (points reserved, the discount put on the cart with the reservation's code).
 * Removing that discount gives the points back. Without a customer, a prompt to add one.
 */
export function LoyaltySection({
  cart,
  cartApi,
  session,
  origin,
  currency,
  online,
  translate: t,
  toast,
}: SectionContext) {
  const customerId = cart.customer?.id;
  // Lines before any cart discount: the reward is worked out on what the customer is buying.
  const subtotalMinor = cartSubtotalMinor(cart, currency);
  const [view, setView] = useState<ViewState>({ state: "loading" });
  const [applied, setApplied] = useState<LoyaltyRedeemResponse | null>(null);
  const [busy, setBusy] = useState(false);

  const loader = useMemo(
    () =>
      createLatestLoader<{ customerId: number; subtotalMinor: number }, ViewState>({
        load: async (input, signal) => {
          const result = await loyaltyApi.view(session, input.customerId, await origin(), input.subtotalMinor, {
            signal,
          });
          if (result.kind === "ok") return { state: "ready", view: result.body };
          return { state: "failed", message: result.kind === "refused" ? result.message : t("loyalty.offline") };
        },
        onResult: (_key, result) => setView(result),
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- t changes each render; the loader must not
    [session, origin],
  );
  useEffect(() => () => loader.dispose(), [loader]);
  useEffect(() => {
    if (customerId === undefined || !online) return;
    loader.request(`${customerId}:${subtotalMinor}`, { customerId, subtotalMinor });
  }, [loader, customerId, subtotalMinor, online]);

  // The reward's discount left the cart (removed, or replaced): give the points back. Only once
  // the cart has shown it: POS may report the new cart after applyCartDiscount resolves, and a
  // reward that never appears is released by the backend's job when the reservation expires.
  const discountTitle = cart.cartDiscount?.discountDescription ?? "";
  const seenOnCart = useRef(false);
  useEffect(() => {
    if (!applied) return;
    if (discountTitle.includes(applied.code)) {
      seenOnCart.current = true;
      return;
    }
    if (!seenOnCart.current) return;
    seenOnCart.current = false;
    const reservationId = applied.reservationId;
    setApplied(null);
    void origin()
      .then((where) => loyaltyApi.release(session, { ...where, reservationId }))
      .then((result) => {
        if (result.kind === "ok" && result.body.released) toast(t("loyalty.released"));
        loader.reload();
      });
  }, [applied, discountTitle, origin, session, loader, toast, t]);

  if (view.state === "ready" && !view.view.enabled) return null;

  /** A tier perk costs no points: it goes straight on the cart, with nothing to reserve. */
  const applyPerk = async (offer: { name: string; value: number }) => {
    try {
      await cartApi.applyCartDiscount("Percentage", offer.name, String(offer.value));
      toast(t("loyalty.perkApplied", { name: offer.name }));
    } catch {
      toast(t("loyalty.applyFailed"));
    }
  };

  const apply = async (rewardId: string) => {
    if (customerId === undefined || busy) return;
    const offer = view.state === "ready" && view.view.enabled ? view.view.bestOffer : null;
    if (offer && offer.points === 0) return applyPerk(offer);
    setBusy(true);
    try {
      const where = await origin();
      const result = await loyaltyApi.redeem(session, {
        ...where,
        customerId,
        rewardId,
        cart: {
          lineItems: cart.lineItems.flatMap((line) =>
            line.variantId === undefined ? [] : [{ variantId: line.variantId, quantity: line.quantity }],
          ),
          subtotalMinor,
        },
      });
      if (result.kind !== "ok") {
        toast(result.kind === "refused" ? result.message : t("loyalty.offline"));
        loader.reload();
        return;
      }
      const reservation = result.body;
      const { reward } = reservation;
      try {
        await cartApi.applyCartDiscount(
          reward.kind === "percent" ? "Percentage" : "FixedAmount",
          t("loyalty.discountTitle", { name: reward.name, code: reservation.code }),
          reward.kind === "percent" ? String(reward.value) : formatMinorUnits(reservation.valueMinor, currency),
        );
      } catch {
        await loyaltyApi.release(session, { ...where, reservationId: reservation.reservationId });
        toast(t("loyalty.applyFailed"));
        return;
      }
      seenOnCart.current = false;
      setApplied(reservation);
      toast(t("loyalty.applied", { name: reward.name, points: reservation.points }));
      loader.reload();
    } finally {
      setBusy(false);
    }
  };

  return (
    <s-section heading={t("loyalty.heading")}>
      {customerId === undefined ? (
        <CustomerFinder context={{ cartApi, session, translate: t, toast }} />
      ) : view.state === "loading" ? (
        <s-stack direction="inline" gap="small" alignItems="center">
          <s-spinner />
          <s-text color="subdued">{t("loyalty.loading")}</s-text>
        </s-stack>
      ) : view.state === "failed" ? (
        <s-text color="subdued">{view.message}</s-text>
      ) : view.view.enabled ? (
        <s-stack direction="block" gap="small">
          <LoyaltySummary view={view.view} t={t} />
          {applied ? (
            <s-banner heading={t("loyalty.appliedBanner", { name: applied.reward.name })} tone="success">
              <s-text>{t("loyalty.appliedBody", { points: applied.points, code: applied.code })}</s-text>
            </s-banner>
          ) : view.view.bestOffer ? (
            <s-stack direction="inline" gap="small" alignItems="center" justifyContent="space-between">
              <s-text type="strong">{offerText(view.view.bestOffer, view.view.currency, t)}</s-text>
              <s-button
                variant="primary"
                loading={busy}
                onClick={() => void apply((view.view as { bestOffer: { rewardId: string } }).bestOffer.rewardId)}
              >
                {t("loyalty.apply")}
              </s-button>
            </s-stack>
          ) : (
            <s-text color="subdued">{t("loyalty.noOffer")}</s-text>
          )}
          <s-text color="subdued">{t("loyalty.earn", { count: view.view.earnOnCart })}</s-text>
        </s-stack>
      ) : null}
    </s-section>
  );
}

/** No customer on the cart: find one by name, email or phone and put them on it. */
function CustomerFinder({ context }: { context: Pick<SectionContext, "cartApi" | "session" | "translate" | "toast"> }) {
  const { cartApi, session, translate: t, toast } = context;
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<CustomerSearchResponse["customers"] | null>(null);
  const [searching, setSearching] = useState(false);
  const search = async () => {
    if (query.trim().length < 2) return;
    setSearching(true);
    const result = await loyaltyApi.searchCustomers(session, query.trim());
    setSearching(false);
    if (result.kind === "ok") setFound(result.body.customers);
    else toast(t("loyalty.offline"));
  };
  const add = async (id: string, name: string) => {
    try {
      await cartApi.setCustomer({ id: Number(id) });
      toast(t("loyalty.customerAdded", { name }));
    } catch {
      toast(t("loyalty.customerFailed"));
    }
  };
  return (
    <s-stack direction="block" gap="small">
      <s-text color="subdued">{t("loyalty.noCustomer")}</s-text>
      <s-stack direction="inline" gap="small" alignItems="end">
        <s-text-field
          label={t("loyalty.findCustomer")}
          value={query}
          maxLength={100}
          onInput={(event) => setQuery(String(event.currentTarget.value ?? ""))}
        />
        <s-button
          variant="secondary"
          loading={searching}
          disabled={query.trim().length < 2}
          onClick={() => void search()}
        >
          {t("loyalty.search")}
        </s-button>
      </s-stack>
      {found?.length === 0 ? <s-text color="subdued">{t("loyalty.noMatch")}</s-text> : null}
      {found?.map((customer) => (
        <s-stack key={customer.id} direction="inline" gap="small" alignItems="center" justifyContent="space-between">
          <s-text>{customer.hint ? `${customer.name} · ${customer.hint}` : customer.name}</s-text>
          <s-button variant="secondary" onClick={() => void add(customer.id, customer.name)}>
            {t("loyalty.addCustomer")}
          </s-button>
        </s-stack>
      ))}
    </s-stack>
  );
}
