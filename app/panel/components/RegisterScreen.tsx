/**
 * The paired panel: header with the offline notice, then two views — the open order with its
 * suggestions, loyalty and discount, and the return check. Both stay mounted, so switching
 * views keeps a half-filled form and the order keeps being polled.
 */
import { useRef, useState, type KeyboardEvent } from "react";
import type { PanelOrder } from "../../../shared/panel-contract";
import { PanelApiError } from "../api-client";
import { platformName } from "../discount-form";
import { useOpenOrders, useRegisterStatus, useSession } from "../queries";
import { DiscountCard } from "./DiscountCard";
import { LoyaltyCard } from "./LoyaltyCard";
import { OrderCard } from "./OrderCard";
import { PanelHeader } from "./PanelHeader";
import { ReturnCheckCard } from "./ReturnCheckCard";
import { SuggestionsCard } from "./SuggestionsCard";

const TABS = [
  { id: "order", label: "Open order" },
  { id: "returns", label: "Return check" },
] as const;
type TabId = (typeof TABS)[number]["id"];

export function RegisterScreen({ offline }: { offline: boolean }) {
  const status = useRegisterStatus();
  const [tab, setTab] = useState<TabId>("order");
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
  const onKeyDown = (event: KeyboardEvent) => {
    const index = TABS.findIndex((candidate) => candidate.id === tab);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length]!;
    setTab(next.id);
    tabRefs.current[next.id]?.focus();
  };
  if (status.data?.paused) {
    return (
      <div className="panel-shell">
        <PanelHeader offline={offline} />
        <main>
          <section className="panel-card panel-paused" aria-labelledby="paused-heading">
            <h2 id="paused-heading">Paused by your store</h2>
            <p>
              A manager switched Register Copilot off for this location. Selling is not affected; the panel comes back
              on its own when it is switched on again.
            </p>
          </section>
        </main>
      </div>
    );
  }
  return (
    <div className="panel-shell">
      <PanelHeader offline={offline} />
      <main>
        <div className="panel-tabs" role="tablist" aria-label="Panel views" onKeyDown={onKeyDown}>
          {TABS.map((candidate) => (
            <button
              key={candidate.id}
              ref={(element) => {
                tabRefs.current[candidate.id] = element;
              }}
              type="button"
              role="tab"
              id={`tab-${candidate.id}`}
              aria-selected={tab === candidate.id}
              aria-controls={`view-${candidate.id}`}
              tabIndex={tab === candidate.id ? 0 : -1}
              className="panel-tab"
              onClick={() => setTab(candidate.id)}
            >
              {candidate.label}
            </button>
          ))}
        </div>
        <div role="tabpanel" id="view-order" aria-labelledby="tab-order" hidden={tab !== "order"}>
          <OrderView offline={offline} />
        </div>
        <div role="tabpanel" id="view-returns" aria-labelledby="tab-returns" hidden={tab !== "returns"}>
          <ReturnCheckCard />
        </div>
      </main>
    </div>
  );
}

function OrderView({ offline }: { offline: boolean }) {
  const orders = useOpenOrders();
  const session = useSession();
  // The cashier's pick stays while that order is open; otherwise the most recently changed one.
  const [picked, setPicked] = useState<string | null>(null);
  const list: PanelOrder[] = orders.data?.orders ?? [];
  const order = list.find((candidate) => candidate.id === picked) ?? list[0] ?? null;
  const platform = platformName(orders.data?.platform ?? session.data?.shop.platform);
  return (
    <div className="panel-grid">
      <div className="panel-column">
        <OrderCard
          orders={list}
          order={order}
          loading={orders.isPending}
          failed={orders.isError && !orders.data}
          failure={orders.error instanceof PanelApiError ? orders.error.message : null}
          checkedAt={orders.dataUpdatedAt}
          stale={offline}
          onPick={setPicked}
        />
        {/* One discount flow per order: another order starts from the form. */}
        <DiscountCard key={order?.id ?? "none"} order={order} platform={platform} />
      </div>
      <div className="panel-column">
        <LoyaltyCard order={order} platform={platform} />
        <SuggestionsCard order={order} platform={platform} />
      </div>
    </div>
  );
}
