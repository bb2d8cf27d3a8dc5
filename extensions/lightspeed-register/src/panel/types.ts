/** What every section of the panel is given. */
import type { ApprovalsOverviewResponse } from "../../../../shared/pos-contract";
import type { SaleCart } from "../client-api";
import type { WorkerApi } from "../worker-api";

/** The register's window, where Client API methods are posted. */
export type RegisterTarget = Pick<Window, "postMessage" | "location">;

export interface SectionProps {
  api: WorkerApi;
  /** The sale as the register last reported it; null before its first `sale:update`. */
  cart: SaleCart | null;
  currency: string;
  register: RegisterTarget;
  /** Says something through the panel's polite live region. */
  announce: (text: string) => void;
  /** Limits, waiting requests and approvers at this location; null until loaded. */
  overview: ApprovalsOverviewResponse | null;
  refreshOverview: () => Promise<void>;
}

/** One identity for the cart's contents: what a request is about. */
export const cartKey = (cart: SaleCart | null) =>
  cart
    ? JSON.stringify([cart.customerId, cart.subtotalMinor, cart.lineItems.map((l) => [l.variantId, l.quantity])])
    : "";
