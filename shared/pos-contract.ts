/**
 * The contract between the POS extension and `/api/pos/*`. Types only: the extension imports
 * this file, and anything with a runtime (zod) would land in its 64 KB bundle. The server-side
 * schema for the same shapes is shared/pos-contract.schema.ts.
 */
import type { ReceiptKind, ReturnCheckResult, ReturnCondition, ReturnLineRequest, ReturnReasonCode } from "./returns";

/** Where the order-history import stands (latest BackfillRun), null when none ever ran. */
export interface PosBackfillState {
  status: "pending" | "running" | "completed" | "failed" | (string & {});
  ordersImported: number;
  startedAt: string;
  finishedAt: string | null;
}

/** GET /api/pos/status: is the copilot ready for this register's shop? */
export interface PosStatusResponse {
  shop: {
    /** myshopify domain, taken from the verified session token's `dest`. */
    domain: string;
    name: string | null;
    currency: string;
    /** The app has a row for this shop (install hook or demo seed ran). */
    known: boolean;
    /** Known and not uninstalled. */
    installed: boolean;
  };
  catalog: {
    /** Active, not deleted products the copilot can suggest. */
    products: number;
    variants: number;
  };
  /** ISO time of the newest order the copilot has learned from. */
  lastOrderAt: string | null;
  backfill: PosBackfillState | null;
  /** The store paused the copilot at this register's location (or everywhere): show nothing else. */
  paused: boolean;
  /** ISO time the answer was computed, so a stale cached answer can be spotted. */
  checkedAt: string;
}

/** One error shape for every /api/pos/* failure that the app itself answers. */
export interface PosErrorResponse {
  error: { code: string; message: string };
}

/** An id as POS hands it over: a number, a numeric string or a Shopify GID. */
export type PosId = string | number;

/** POST /api/pos/suggestions */
export interface SuggestionsRequest {
  cart: { lineItems: Array<{ variantId: PosId; productId?: PosId; quantity: number }> };
  customerId?: PosId | null;
  /** The register's location; without it, stock is not filtered and shop-wide best sellers are used. */
  locationId?: PosId | null;
  /** 1–5; default from the location's settings. */
  limit?: number;
  /** False for a request whose items the cashier does not see (the tile's count): not logged as shown. */
  record?: boolean;
}

export interface SuggestionItem {
  productId: string;
  variantId: string;
  title: string;
  /** Decimal string in `currency`, e.g. "4.99". */
  price: string;
  currency: string;
  /** A sentence a cashier can say aloud: "Bought together in 23% of baskets with Pasta". */
  reason: string;
  /**
   * A friendlier line for the same suggestion written ahead of time by the shop's language model
   * (at most 90 characters), present only when the shop has AI on and the line is ready.
   */
  pitch?: string;
  /** In [0, 1]. */
  confidence: number;
  inStock: boolean;
}

export interface SuggestionsResponse {
  requestId: string;
  /** Null when the shop has no trained model yet (a training job is queued). */
  modelVersion: string | null;
  /** False when the merchant switched suggestions off for this location. */
  enabled: boolean;
  suggestions: SuggestionItem[];
}

/** POST /api/pos/events: what the cashier did with a suggestion shown in `requestId`. */
export interface SuggestionEventRequest {
  requestId: string;
  variantId: PosId;
  kind: "added" | "dismissed";
}

export interface SuggestionEventResponse {
  recorded: boolean;
  /** False when the same event was already recorded (retries are harmless). */
  created: boolean;
}

/** Where a register request comes from, as the POS session reports it (unsigned: recorded, never proof). */
export interface RegisterOrigin {
  locationId?: PosId | null;
  deviceId?: string | null;
  staffMemberId?: PosId | null;
}

/** POST /api/pos/approvals: a cart discount; applied at once under the limits, else waits for a manager. */
export interface DiscountRequest extends RegisterOrigin {
  cart: { lineItems: Array<{ variantId: PosId; quantity: number }>; subtotalMinor: number };
  /** "percent": value in (0, 100]; "amount": value in the shop currency's minor units. */
  discount: { kind: "percent" | "amount"; value: number };
  reasonCode: string;
  note?: string | null;
}

export type DiscountResponse =
  | { status: "disabled" }
  | { status: "applied"; requestId: string; amountMinor: number }
  | { status: "pending"; requestId: string; amountMinor: number; triggers: string[]; expiresAt: string };

/** POST /api/pos/approvals/:id/decision: a manager's decision, proven by their PIN. */
export interface ApprovalDecisionRequest extends RegisterOrigin {
  decision: "approve" | "decline";
  pin: string;
  approverId: string;
  reason?: string | null;
}

/**
 * The token goes only to the register that asked: a manager deciding on another register (or in
 * the admin) gets `token: null`, and the asking register collects it with POST …/:id/token.
 */
export type ApprovalDecisionResponse =
  | { status: "approved"; token: string | null; expiresAt: string; amountMinor: number }
  | { status: "declined"; reason: string | null };

export type ApprovalStatus = "applied" | "pending" | "approved" | "declined" | "redeemed" | "voided" | "expired";

/** GET /api/pos/approvals/:id: where one request stands (the asking register polls it). */
export interface ApprovalStatusResponse {
  id: string;
  status: ApprovalStatus;
  discount: { kind: "percent" | "amount"; value: number };
  amountMinor: number;
  currency: string;
  /** The manager's reason, for a decline. */
  declineReason: string | null;
  /** Until when a pending request can be decided, or an approval redeemed. */
  expiresAt: string | null;
  /** An approval decided elsewhere whose token this register has not collected yet. */
  tokenWaiting: boolean;
}

/** POST /api/pos/approvals/:id/token: the asking register collects a remote approval's token, once. */
export interface ApprovalTokenResponse {
  token: string;
  expiresAt: string;
}

export interface PendingApproval {
  id: string;
  /** A cart discount, or a return the policy sends to a manager (amount = the refund). */
  kind: "discount" | "return";
  locationId: string | null;
  staffMemberId: string | null;
  discount: { kind: "percent" | "amount"; value: number };
  amountMinor: number;
  subtotalMinor: number;
  currency: string;
  reasonCode: string;
  note: string | null;
  triggers: string[];
  createdAt: string;
  /** Asked by the register reading the list (it shows its own request in the discount section). */
  mine: boolean;
}

/** GET /api/pos/approvals?locationId=: the register's view of approvals at its location. */
export type ApprovalsOverviewResponse =
  /** The kill switch is off here: the register shows nothing for discounts. */
  | { enabled: false }
  | {
      enabled: true;
      limits: { maxPercent: number; maxAmountMinor: number; currency: string };
      pending: PendingApproval[];
      /** Managers who can approve at this location (name only; their PIN is the proof). */
      approvers: Array<{ id: string; name: string; role: string }>;
    };

/** POST /api/pos/approvals/:id/redeem: consume the single-use token for the approved cart. */
export interface ApprovalRedeemRequest extends RegisterOrigin {
  token: string;
  /** shared/approvals.ts cartFingerprint of the cart the discount is applied to. */
  cartFingerprint: string;
  discount?: { kind: "percent" | "amount"; value: number };
}

export interface ApprovalRedeemResponse {
  status: "redeemed";
  discount: { kind: "percent" | "amount"; value: number };
  amountMinor: number;
}

/** POST /api/pos/approvals/:id/void: the cart changed or the cashier cancelled. */
export interface ApprovalVoidRequest extends RegisterOrigin {
  reason: string;
}

/** POST /api/pos/returns/check: is this return allowed, and how? */
export interface ReturnCheckRequest extends RegisterOrigin {
  /** Order id (number or GID), order name ("#1001" or "1001") or receipt number; null without one. */
  order: string | null;
  receipt: ReceiptKind;
  /** The lines brought back; omitted: every unit still returnable, in `condition`. */
  lines?: ReturnLineRequest[];
  condition?: ReturnCondition;
  reason: { code?: ReturnReasonCode | null; text?: string | null };
  /** Without an order: the variants brought back (valued at today's price). */
  items?: Array<{ variantId: PosId; quantity: number }>;
}

export interface ExchangeOption {
  forLineItemId: string;
  kind: "same_product" | "similar";
  variantId: string;
  title: string;
  priceMinor: number;
  available: number;
}

export interface ReturnCheckResponse {
  checkId: string;
  policyVersion: number;
  currency: string;
  order: {
    id: string;
    name: string;
    processedAt: string;
    lines: Array<{ lineItemId: string; title: string; quantity: number; returnable: number }>;
  } | null;
  result: ReturnCheckResult;
  /** In stock at this location: another variant of the same product, or a similar product. */
  exchanges: ExchangeOption[];
}

/** POST /api/pos/returns/:checkId/approval: a return the policy says a manager must approve. */
export type ReturnApprovalResponse = {
  status: "pending";
  requestId: string;
  amountMinor: number;
  expiresAt: string;
  /** What the register sends as `cartFingerprint` when it redeems the approval. */
  fingerprint: string;
};

/** GET /api/pos/loyalty/:customerId?locationId=&subtotalMinor=: the customer's standing and best offer. */
export type LoyaltyViewResponse =
  /** Loyalty is off for the store or this location: the register shows nothing for it. */
  | { enabled: false }
  | {
      enabled: true;
      customerId: string;
      currency: string;
      points: number;
      tier: { name: string; perkPercent: number };
      next: { name: string; toNextMinor: number } | null;
      /** 0–1 towards the next tier. */
      progress: number;
      /** The single best reward for this cart, within the store's discount limits; null if none. */
      bestOffer: {
        rewardId: string;
        name: string;
        kind: "amount" | "percent";
        value: number;
        points: number;
        valueMinor: number;
      } | null;
      /** Points this cart will earn when paid. */
      earnOnCart: number;
    };

/** POST /api/pos/loyalty/redeem: reserve a reward's points for this cart. */
export interface LoyaltyRedeemRequest extends RegisterOrigin {
  customerId: PosId;
  rewardId: string;
  cart: { lineItems: Array<{ variantId: PosId; quantity: number }>; subtotalMinor: number };
}

export interface LoyaltyRedeemResponse {
  reservationId: string;
  /** Put in the cart discount's title: the order carrying it confirms the reservation. */
  code: string;
  reward: { id: string; name: string; kind: "amount" | "percent"; value: number };
  points: number;
  valueMinor: number;
  expiresAt: string;
  balanceAfter: number;
}

/** POST /api/pos/loyalty/release: the register removed the reward (or could not apply it). */
export interface LoyaltyReleaseRequest extends RegisterOrigin {
  reservationId: string;
}

/** GET /api/pos/customers?q=: customers to put on the cart (name, and a masked email or phone). */
export interface CustomerSearchResponse {
  customers: Array<{ id: string; name: string; hint: string | null }>;
}
