import type { Cart, CartApiContent } from "@shopify/ui-extensions/point-of-sale";
import type { Connection, SessionTokenSource } from "../backend";

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
}

export type Translate = (key: string, options?: Record<string, string | number>) => string;
