/** @jsxImportSource preact */
import { useEffect, useState } from "preact/hooks";
import type { CustomerSearchResponse, LoyaltyViewResponse } from "../../../../shared/pos-contract";
import { addCustomerMessage, sendToRegister } from "../client-api";
import type { SectionProps } from "./types";
import { money } from "./words";

type Loyalty =
  | { state: "none" }
  | { state: "loading" }
  | { state: "ready"; view: LoyaltyViewResponse }
  | { state: "failed"; message: string };

const DEBOUNCE_MS = 250;

/**
 * The customer on the sale: their loyalty tier, points and best offer for this sale. Without
 * one, the cashier can find a customer and put them on the sale (the register's `add-customer`).
 */
export function CustomerSection({ api, cart, currency, register, announce }: SectionProps) {
  const customerId = cart?.customerId ?? null;
  const subtotalMinor = cart?.subtotalMinor ?? 0;
  const [loyalty, setLoyalty] = useState<Loyalty>({ state: "none" });

  useEffect(() => {
    if (!customerId) {
      setLoyalty({ state: "none" });
      return;
    }
    let cancelled = false;
    setLoyalty((previous) => (previous.state === "ready" ? previous : { state: "loading" }));
    const timer = setTimeout(async () => {
      const result = await api.call<LoyaltyViewResponse>(
        "GET",
        `/api/pos/loyalty/${encodeURIComponent(customerId)}?${new URLSearchParams({ subtotalMinor: String(subtotalMinor) })}`,
      );
      if (cancelled) return;
      if (result.kind === "ok") setLoyalty({ state: "ready", view: result.body });
      else if (result.kind === "refused") setLoyalty({ state: "failed", message: result.message });
    }, DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, customerId, subtotalMinor]);

  return (
    <section class="rc-section" aria-labelledby="rc-customer-heading">
      <h3 id="rc-customer-heading">Customer</h3>
      {customerId ? (
        <LoyaltyView loyalty={loyalty} currency={currency} />
      ) : (
        <CustomerSearch
          api={api}
          onPick={(customer) => {
            sendToRegister(register, addCustomerMessage(customer.id));
            announce(`Asked the register to put ${customer.name} on the sale`);
          }}
        />
      )}
    </section>
  );
}

function LoyaltyView({ loyalty, currency }: { loyalty: Loyalty; currency: string }) {
  if (loyalty.state === "loading") return <p class="rc-muted">Looking up the customer's points…</p>;
  if (loyalty.state === "failed") return <p class="rc-muted">No loyalty details: {loyalty.message}</p>;
  if (loyalty.state !== "ready") return null;
  const { view } = loyalty;
  if (!view.enabled) return <p class="rc-muted">Loyalty is not offered at this location.</p>;
  const points = (count: number) => `${count.toLocaleString("en-US")} point${count === 1 ? "" : "s"}`;
  return (
    <div data-testid="rc-loyalty">
      <p>
        <strong>{view.tier.name}</strong> · <span>{points(view.points)}</span>
      </p>
      {view.next && (
        <>
          <div class="rc-progress" aria-hidden="true">
            <span style={{ width: `${Math.round(view.progress * 100)}%` }} />
          </div>
          <p class="rc-muted">
            {money(view.next.toNextMinor, view.currency || currency)} more to {view.next.name}
          </p>
        </>
      )}
      {view.bestOffer ? (
        <p>
          Best offer: {view.bestOffer.name} ({money(view.bestOffer.valueMinor, view.currency || currency)} off)
          {view.bestOffer.points > 0 ? ` for ${points(view.bestOffer.points)}` : ""}
        </p>
      ) : (
        <p class="rc-muted">No reward to offer on this sale yet.</p>
      )}
      {view.earnOnCart > 0 && <p class="rc-muted">This sale earns {points(view.earnOnCart)}.</p>}
    </div>
  );
}

function CustomerSearch({
  api,
  onPick,
}: {
  api: SectionProps["api"];
  onPick: (customer: CustomerSearchResponse["customers"][number]) => void;
}) {
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<CustomerSearchResponse["customers"] | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const search = async (event: Event) => {
    event.preventDefault();
    const q = query.trim();
    if (q.length < 2) return setMessage("Type at least two letters of a name, an email or a phone number.");
    setMessage(null);
    const result = await api.call<CustomerSearchResponse>("GET", `/api/pos/customers?${new URLSearchParams({ q })}`);
    if (result.kind === "ok") {
      setFound(result.body.customers);
      if (result.body.customers.length === 0) setMessage("No customer found.");
    } else if (result.kind === "refused") {
      setMessage(result.message);
    }
  };

  return (
    <details>
      <summary>No customer on this sale. Find one</summary>
      <form onSubmit={search} role="search" aria-label="Find a customer">
        <div class="rc-field">
          <label for="rc-customer-query">Name, email or phone</label>
          <input
            id="rc-customer-query"
            type="search"
            autocomplete="off"
            value={query}
            onInput={(event) => setQuery((event.target as HTMLInputElement).value)}
          />
        </div>
        <button type="submit">Search</button>
        {message && <p class="rc-muted">{message}</p>}
        {found && found.length > 0 && (
          <ul class="rc-list" aria-label="Customers found">
            {found.map((customer) => (
              <li class="rc-item" key={customer.id}>
                <div class="rc-item-text">
                  <span class="rc-item-title">{customer.name}</span>
                  {customer.hint && <span class="rc-item-reason">{customer.hint}</span>}
                </div>
                <button type="button" aria-label={`Put ${customer.name} on the sale`} onClick={() => onPick(customer)}>
                  Put on sale
                </button>
              </li>
            ))}
          </ul>
        )}
      </form>
    </details>
  );
}
