import type { Cart, CartApiContent, PinPadApiContent } from "@shopify/ui-extensions/point-of-sale";
import type { RegisterOrigin } from "../../../../shared/pos-contract";
import type { Connection, SessionTokenSource } from "../backend";
import type { ApprovalsOverview } from "../hooks";

/**
 * What every section of the modal receives. A later feature (upsell, loyalty, approvals,
 * returns) is one more component taking this context and one more line in Modal.tsx.
 */
export interface SectionContext {
  connection: Connection;
  refreshConnection: () => void;
  /** Mints the session token for calls to the backend. */
  session: SessionTokenSource;
  /** The register's location (from the POS session). */
  locationId: number | undefined;
  /** POS's own connectivity signal: false when the device has no internet. */
  online: boolean;
  cart: Cart;
  cartApi: CartApiContent;
  currency: string;
  translate: Translate;
  toast: (message: string) => void;
  /** Location, device and staff member of this register, for approvals requests. */
  origin: () => Promise<RegisterOrigin>;
  pinPad: PinPadApiContent;
  /** Approvals at this location (limits, requests waiting, approvers), kept fresh by the modal. */
  approvals: { overview: ApprovalsOverview; refresh: () => void };
}

export type Translate = (key: string, options?: Record<string, string | number>) => string;
