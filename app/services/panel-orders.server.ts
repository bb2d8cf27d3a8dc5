/**
 * The companion panel's open orders and discount write-back (Square and Clover stores). The POS
 * behind a panel is a `RegisterPos` (app/platforms/register-pos.server.ts picks it): Square's
 * Orders API, Clover's REST API, or the demo register. A discount reaches the order only through
 * the approval rules: one the limits allowed at once (asked from this very panel), or one a
 * manager approved, whose single-use token is consumed here. The cart the approval was given for
 * is re-read from the POS, never taken from the panel.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Db } from "../db.server";
import { cartFingerprint } from "../../shared/approvals";
import type { NormalizedLineItem } from "../../shared/model";
import { formatMinorUnits } from "../../shared/money";
import type {
  PanelDiscountResponse,
  PanelOrder,
  PanelOrdersResponse,
  PanelPlatform,
  PanelPosLoyalty,
  PanelPosLoyaltyResponse,
} from "../../shared/panel-contract";
import { appendAudit, inAuditedTransaction } from "./audit.server";
import { ApprovalError, PENDING_TTL_MS, redeemApproval, type RegisterContext } from "./approvals.server";

/** What the panel needs from the POS it sits beside. */
export interface RegisterPos {
  platform: PanelPlatform;
  /** Open orders at the location, most recently changed first, at most `limit`. */
  openOrders(location: string, limit: number): Promise<PanelOrder[]>;
  /** The order as it is now; null when it does not exist or is no longer open. */
  openOrder(orderId: string, location: string): Promise<PanelOrder | null>;
  /**
   * Adds an order-wide discount of `amountMinor`. Retrying with the same `key` must not add it
   * twice. Throws PosRefusedError when the POS will not take it, PosUnavailableError when it
   * could not be reached.
   */
  addDiscount(order: PanelOrder, discount: { key: string; name: string; amountMinor: number }): Promise<void>;
  /** The customer in the POS's own loyalty program, where the POS has one an app can read. */
  posLoyalty?(customerId: string): Promise<PanelPosLoyalty | null>;
}

/** The POS refused the write (the order cannot be changed from outside, say): key it in by hand. */
export class PosRefusedError extends Error {
  override name = "PosRefusedError";
}

/** The POS did not answer (outage, rate limit, network): try again shortly. */
export class PosUnavailableError extends Error {
  override name = "PosUnavailableError";
}

export class PanelOrderError extends Error {
  constructor(
    readonly status: 403 | 404 | 409 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const OPEN_ORDERS_SHOWN = 10;
/** A write-back claimed longer ago than this was a writer that died: the next call may take it. */
export const WRITE_CLAIM_MS = 60_000;

/** An open order as each platform's normalizer gives it (SquareCart, CloverCart). */
export interface OpenCart {
  externalId: string;
  customerExternalId: string | null;
  currency: string;
  subtotalMinor: number;
  orderDiscounts: Array<{ name: string; amountMinor: number }>;
  lineItems: NormalizedLineItem[];
  updatedAt: Date | null;
}

/** An open order as the panel shows it. */
export function panelOrderOf(cart: OpenCart): PanelOrder {
  return {
    id: cart.externalId,
    customerId: cart.customerExternalId,
    currency: cart.currency,
    subtotalMinor: cart.subtotalMinor,
    discounts: cart.orderDiscounts.map(({ name, amountMinor }) => ({ name, amountMinor })),
    lines: cart.lineItems.map((line) => ({
      lineId: line.externalId,
      productId: line.productExternalId,
      variantId: line.variantExternalId,
      title: line.title,
      quantity: line.quantity,
      unitPriceMinor: line.priceMinor,
    })),
    updatedAt: cart.updatedAt?.toISOString() ?? null,
  };
}

export async function panelOrders(pos: RegisterPos, location: string, now: Date): Promise<PanelOrdersResponse> {
  try {
    const orders = await pos.openOrders(location, OPEN_ORDERS_SHOWN);
    return { platform: pos.platform, orders, fetchedAt: now.toISOString() };
  } catch (error) {
    throw unavailable(error);
  }
}

/** The customer's balance in the POS's own program; null where there is none. */
export async function panelPosLoyalty(pos: RegisterPos, customerId: string): Promise<PanelPosLoyaltyResponse> {
  if (!pos.posLoyalty) return { loyalty: null };
  try {
    return { loyalty: await pos.posLoyalty(customerId) };
  } catch (error) {
    throw unavailable(error);
  }
}

function unavailable(error: unknown): unknown {
  if (error instanceof PosUnavailableError) {
    return new PanelOrderError(503, "pos_unavailable", `The POS did not answer: ${error.message}`);
  }
  return error;
}

/** The name the discount carries on the order: says what it is and which request allowed it. */
export function discountName(requestId: string, discount: { kind: string; value: number }): string {
  const what = discount.kind === "percent" ? `${discount.value}% off` : "Discount";
  return `${what} (Register Copilot ${requestId.slice(-6)})`;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Writes the discount of approval request `requestId` onto open order `orderId`. A request under
 * the limits ("applied") must come from this panel, within 15 minutes, for the order's cart as it
 * is now; an approved one is redeemed with its token (once). A write the POS refused is settled as
 * "key_in" (what to key in by hand; never written on top later); one that did not reach the POS
 * leaves the request redeemed but unwritten, and the same call again retries it.
 */
export async function writeApprovedDiscount(
  db: Db,
  pos: RegisterPos,
  register: RegisterContext & { locationExternalId: string },
  orderId: string,
  input: { requestId: string; token?: string },
  now: Date,
): Promise<PanelDiscountResponse> {
  const request = await db.approvalRequest.findUnique({ where: { id: input.requestId } });
  // A return's approval (a refund) is not a discount: redeeming it here would void it.
  if (!request || request.shopId !== register.shopId || request.kind !== "discount") {
    throw new ApprovalError(404, "approval_not_found", "requestId: no such approval request");
  }
  const name = discountName(request.id, { kind: request.discountKind, value: request.discountValue });
  const answer = (status: "written" | "key_in"): PanelDiscountResponse =>
    status === "written"
      ? { status, orderId, name, amountMinor: request.amountMinor }
      : { status, orderId, name, amountMinor: request.amountMinor, instructions: keyInInstructions(request, pos) };
  const fromThisPanel = request.deviceId !== null && request.deviceId === register.deviceId;
  const settled = (row: { writeOutcome: string | null; writtenOrderId: string | null }) => {
    // Only the panel that asked learns where its discount went.
    if (!fromThisPanel) throw new ApprovalError(403, "approval_refused", "This discount was asked for elsewhere");
    if (row.writtenOrderId !== orderId) {
      throw new PanelOrderError(409, "already_written", "This discount already went to another order");
    }
    return answer(row.writeOutcome === "key_in" ? "key_in" : "written");
  };
  if (request.writeOutcome) return settled(request);

  let order: PanelOrder | null;
  try {
    order = await pos.openOrder(orderId, register.locationExternalId);
  } catch (error) {
    throw unavailable(error);
  }
  if (!order) throw new PanelOrderError(404, "order_not_open", "orderId: no open order with that id at this register");
  const fingerprint = cartFingerprint(
    order.lines.flatMap((line) => (line.variantId ? [{ variantId: line.variantId, quantity: line.quantity }] : [])),
  );
  const sameCart = sameHash(sha256(fingerprint), request.cartHash);

  if (request.status === "applied") {
    // Under the limits there is no token: only the panel that asked may use it, for that cart, soon.
    if (!fromThisPanel) throw new ApprovalError(403, "approval_refused", "This discount was asked for elsewhere");
    if (now.getTime() - request.createdAt.getTime() > PENDING_TTL_MS) {
      throw new ApprovalError(403, "approval_refused", "This discount was asked for too long ago; ask again");
    }
    if (!sameCart)
      throw new ApprovalError(409, "cart_changed", "The order changed since the discount was asked for; ask again");
  } else if (request.status === "redeemed") {
    // Redeemed here before, but the POS write did not go through: retry it from the same panel.
    if (!fromThisPanel) throw new ApprovalError(409, "approval_already_redeemed", "Already applied");
    if (!sameCart)
      throw new ApprovalError(409, "cart_changed", "The order changed since the discount was approved; ask again");
  } else if (!input.token) {
    throw new ApprovalError(403, "approval_refused", "token: a manager's approval token is required");
  }

  // One write of a request at a time, across processes: a double tap must not add the discount
  // twice (Clover takes no idempotency key). A claim older than a minute is a dead writer's.
  const claimed = await db.approvalRequest.updateMany({
    where: {
      id: request.id,
      writeOutcome: null,
      OR: [{ writingSince: null }, { writingSince: { lt: new Date(now.getTime() - WRITE_CLAIM_MS) } }],
    },
    data: { writingSince: now },
  });
  if (claimed.count !== 1) {
    const current = await db.approvalRequest.findUniqueOrThrow({ where: { id: request.id } });
    if (current.writeOutcome) return settled(current);
    throw new PanelOrderError(409, "write_in_progress", "This discount is being written; try again in a moment");
  }

  let outcome: "written" | "key_in" = "written";
  let refusal: string | null = null;
  try {
    if (request.status !== "applied" && request.status !== "redeemed") {
      await redeemApproval(db, register, request.id, { token: input.token!, cartFingerprint: fingerprint }, now);
    }
    await pos.addDiscount(order, { key: `rc-${request.id}`, name, amountMinor: request.amountMinor });
  } catch (error) {
    if (!(error instanceof PosRefusedError)) {
      await db.approvalRequest.updateMany({
        where: { id: request.id, writingSince: now },
        data: { writingSince: null },
      });
      throw unavailable(error);
    }
    outcome = "key_in";
    refusal = error.message;
  }
  // Settled once: a repeat answers the same, and a keyed-in discount is never written on top.
  await inAuditedTransaction(db, async (tx) => {
    await tx.approvalRequest.update({
      where: { id: request.id },
      data: { writeOutcome: outcome, writtenOrderId: orderId, writtenAt: now, writingSince: null },
    });
    await appendAudit(tx, register.shopId, {
      type: outcome === "written" ? "discount.written" : "discount.key_in",
      actor: register.deviceId ?? "register",
      data: {
        requestId: request.id,
        platform: pos.platform,
        orderId,
        amountMinor: request.amountMinor,
        ...(refusal ? { refused: refusal } : {}),
      },
      at: now,
    });
  });
  return answer(outcome);
}

function keyInInstructions(
  request: { discountKind: string; discountValue: number; amountMinor: number; currency: string },
  pos: RegisterPos,
): string {
  const where = pos.platform === "clover" ? "Clover" : "Square";
  const amount = formatMinorUnits(request.amountMinor, request.currency);
  const what = request.discountKind === "percent" ? `${request.discountValue}% (${amount})` : amount;
  return `${where} did not take the discount from here. On the register, add an order discount of ${what}.`;
}
