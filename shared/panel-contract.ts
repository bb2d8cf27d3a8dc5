/**
 * The companion register panel's own endpoints (Square and Clover stores). Everything else the
 * panel does goes through the same register API as the POS extension (shared/pos-contract.ts),
 * with the panel's Bearer token in place of a POS session token: the location and device come
 * from the token, never from the body. Types only, like pos-contract.ts.
 */
import type { PosId } from "./pos-contract";

export type PanelPlatform = "square" | "clover" | "demo";

/** POST /api/panel/pair */
export interface PanelPairRequest {
  code: string;
  deviceName: string;
}
export interface PanelPairResponse {
  deviceId: string;
  deviceSecret: string;
  shopId: string;
  location: string;
}

/** POST /api/panel/token: the device secret from pairing goes in `secret`. */
export interface PanelTokenRequest {
  deviceId: string;
  secret: string;
}
export interface PanelTokenResponse {
  token: string;
  expiresAt: string;
}

/** GET /api/panel/session */
export interface PanelSessionResponse {
  device: string;
  shop: { name: string | null; domain: string; platform: string; currency: string };
  location: { externalId: string; name: string | null };
  expiresAt: string;
}

export interface PanelOrderLine {
  lineId: string;
  productId: string | null;
  variantId: string | null;
  title: string;
  quantity: number;
  /** Per unit, in the order currency's minor units. */
  unitPriceMinor: number;
}

/** An order still being rung up at this panel's location. */
export interface PanelOrder {
  id: string;
  customerId: string | null;
  currency: string;
  /** The lines' total after line discounts, before order discounts: what a cart discount applies to. */
  subtotalMinor: number;
  /** Order-level discounts already on the order. */
  discounts: Array<{ name: string; amountMinor: number }>;
  lines: PanelOrderLine[];
  updatedAt: string | null;
}

/** GET /api/panel/orders: open orders at this location, the most recently changed first (at most 10). */
export interface PanelOrdersResponse {
  platform: PanelPlatform;
  orders: PanelOrder[];
  fetchedAt: string;
}

/**
 * POST /api/panel/orders/:orderId/discount: put a discount the approval rules allowed onto the
 * open order. `requestId` is the POST /api/pos/approvals answer's; `token` is required when a
 * manager approved it (the decision's or POST …/:id/token's token) and consumed here, once.
 */
export interface PanelDiscountRequest {
  requestId: string;
  token?: string;
}

export type PanelDiscountResponse =
  /** The discount is on the order in the POS. */
  | { status: "written"; orderId: string; name: string; amountMinor: number }
  /** The POS refused the write: the cashier keys this in by hand. */
  | { status: "key_in"; orderId: string; name: string; amountMinor: number; instructions: string };

/** The customer's balance in the POS's own loyalty program (Square Loyalty), beside the copilot's. */
export interface PanelPosLoyalty {
  program: string;
  /** What the program calls its points ("Star", "Stars"). */
  unit: { one: string; other: string };
  balance: number;
  /** Rewards the balance already covers, and the next one it does not. */
  available: Array<{ name: string; points: number }>;
  next: { name: string; points: number } | null;
}

/** GET /api/panel/pos-loyalty/:customerId: null when the store runs no loyalty program in its POS. */
export interface PanelPosLoyaltyResponse {
  loyalty: PanelPosLoyalty | null;
}

/** The cart of the register API (suggestions, approvals) built from an open order. */
export function cartOfOrder(order: PanelOrder): {
  lineItems: Array<{ variantId: PosId; quantity: number }>;
  subtotalMinor: number;
} {
  return {
    lineItems: order.lines
      .filter((line): line is PanelOrderLine & { variantId: string } => line.variantId !== null)
      .map((line) => ({ variantId: line.variantId, quantity: line.quantity })),
    subtotalMinor: order.subtotalMinor,
  };
}
