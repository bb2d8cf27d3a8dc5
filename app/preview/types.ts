/** Shapes shared by the preview's server routes and its host page (browser-safe: no server imports). */
export type PreviewTarget =
  | "pos.home.tile.render"
  | "pos.home.modal.render"
  | "pos.order-details.action.menu-item.render"
  | "pos.order-details.action.render"
  | "pos.customer-details.block.render";
export const PREVIEW_TARGETS: readonly PreviewTarget[] = [
  "pos.home.tile.render",
  "pos.home.modal.render",
  "pos.order-details.action.menu-item.render",
  "pos.order-details.action.render",
  "pos.customer-details.block.render",
];

/** A recent order of the demo store, as the preview's Orders screen lists it. */
export interface PreviewOrder {
  id: number;
  name: string;
  processedAt: string;
  totalMinor: number;
  currency: string;
  customerId: number | null;
  lineCount: number;
}

export interface PreviewLocation {
  id: number;
  name: string;
}

export interface PreviewRegister {
  shop: { domain: string; name: string | null; currency: string; seeded: boolean };
  locations: PreviewLocation[];
  /** currentSession without locationId, which the page's location picker supplies. */
  session: {
    shopId: number;
    userId: number;
    shopDomain: string;
    staffMemberId: number;
    currency: string;
    posVersion: string;
  };
  translations: Record<string, unknown>;
  simulate: { appPermissionDenied: boolean; backendOffline: boolean };
}

/** A sellable variant as the preview's product picker and demo cart see it. */
export interface CatalogVariant {
  variantId: number;
  productId: number;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  vendor: string | null;
  priceMinor: number;
  currency: string;
  /** Units on hand at the requested location; null when the variant is not stocked there. */
  available: number | null;
}

export interface CatalogResponse {
  variants: CatalogVariant[];
  total: number;
}

export interface SessionTokenResponse {
  token: string | null;
}
