/**
 * The platform-neutral model every engine reads. Adapters (app/platforms/*) map Shopify,
 * Square and Clover payloads into these shapes; amounts are integer minor units.
 */
export type Platform = "shopify" | "square" | "clover" | "lightspeed";

/** A shop as its platform names it: the myshopify domain for Shopify, the merchant id elsewhere. */
export interface ShopRef {
  platform: Platform;
  domain: string;
}

export interface NormalizedCustomer {
  externalId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  tags: string[];
}

export interface NormalizedLineItem {
  externalId: string;
  productExternalId: string | null;
  variantExternalId: string | null;
  title: string;
  sku: string | null;
  quantity: number;
  priceMinor: number;
  discountMinor: number;
}

export interface NormalizedRefundLine {
  lineItemExternalId: string;
  quantity: number;
  subtotalMinor: number;
}

export interface NormalizedRefund {
  externalId: string;
  orderExternalId: string;
  amountMinor: number;
  lines: NormalizedRefundLine[];
  createdAt: Date;
}

export interface NormalizedOrder {
  externalId: string;
  name: string;
  currency: string;
  subtotalMinor: number;
  totalMinor: number;
  discountMinor: number;
  financialStatus: string | null;
  sourceName: string | null;
  locationExternalId: string | null;
  customerExternalId: string | null;
  staffMemberId: string | null;
  processedAt: Date;
  cancelledAt: Date | null;
  sourceUpdatedAt: Date;
  lineItems: NormalizedLineItem[];
  refunds: NormalizedRefund[];
  customer: NormalizedCustomer | null;
  /** Titles and codes of the order's discounts (a loyalty reward is found by its code in its title). */
  discountTitles: string[];
}

export interface NormalizedVariant {
  externalId: string;
  title: string;
  sku: string | null;
  priceMinor: number;
  inventoryItemId: string | null;
}

export interface NormalizedProduct {
  externalId: string;
  title: string;
  productType: string;
  vendor: string;
  tags: string[];
  status: "active" | "draft" | "archived";
  variants: NormalizedVariant[];
}

export interface NormalizedInventoryLevel {
  inventoryItemId: string;
  locationExternalId: string;
  available: number;
}
