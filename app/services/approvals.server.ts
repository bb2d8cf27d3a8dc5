/**
 * Manager approvals for cart discounts. A discount under the limits is recorded as applied; above
 * them it waits for a manager, who approves with a PIN on the same register or another one. An
 * approval yields a single-use token (TTL 120 s) bound to the shop, the request, the cart and the
 * exact discount; redeeming it is an atomic compare-and-set, so it works once. Every step is an
 * audit event in the same transaction as the change it records.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../db.server";
import {
  approvalTriggers,
  cartFingerprint,
  DEFAULT_APPROVAL_LIMITS,
  discountAmountMinor,
  type ApprovalLimits,
  type CartDiscount,
  type FingerprintLine,
} from "../../shared/approvals";
import type { ApprovalsAdminForm } from "../../shared/approval-settings";
import type {
  ApprovalsOverviewResponse,
  ApprovalStatus,
  ApprovalStatusResponse,
  ApprovalTokenResponse,
  PendingApproval,
} from "../../shared/pos-contract";
import { appendAudit, inAuditedTransaction, type Tx } from "./audit.server";
import { catalogValueMinor } from "./catalog-value.server";
import { hashPin, verifyPin } from "./pin-hash.server";
import { registerSwitchesFor } from "./register-switches.server";

export const APPROVAL_TOKEN_TTL_MS = 120_000;
/** A request nobody decided on within this time can no longer be approved. */
export const PENDING_TTL_MS = 15 * 60_000;
export const APPROVER_MAX_FAILURES = 5;
export const APPROVER_LOCK_MS = 15 * 60_000;
export const DEVICE_MAX_FAILURES = 10;
export const DEVICE_LOCK_MS = 15 * 60_000;

/** A refusal the route turns into a status and a code; the message is safe to show. */
export class ApprovalError extends Error {
  constructor(
    readonly status: 403 | 404 | 409 | 429,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RegisterContext {
  shopId: string;
  currency: string;
  locationExternalId: string | null;
  deviceId: string | null;
  /** The signed session token's user (sub). */
  userId: string | null;
  /** From the POS session: recorded, never trusted. */
  staffMemberId: string | null;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The shop's limits ("" row) overridden by the location's row. */
export async function approvalLimitsFor(db: Db | Tx, shopId: string, location: string | null): Promise<ApprovalLimits> {
  const rows = await db.approvalPolicy.findMany({
    where: { shopId, locationExternalId: { in: ["", ...(location ? [location] : [])] } },
  });
  const row = rows.find((r) => r.locationExternalId === location) ?? rows.find((r) => r.locationExternalId === "");
  if (!row) return DEFAULT_APPROVAL_LIMITS;
  return {
    enabled: row.enabled,
    maxPercent: row.maxPercent,
    maxAmountMinor: row.maxAmountMinor,
    shiftLimitMinor: row.shiftLimitMinor,
    shiftHours: row.shiftHours,
  };
}

/** The limits a register works under: switched off too while the copilot is paused there. */
async function registerLimitsFor(db: Db, register: RegisterContext): Promise<ApprovalLimits> {
  const [limits, switches] = await Promise.all([
    approvalLimitsFor(db, register.shopId, register.locationExternalId),
    registerSwitchesFor(db, register.shopId, register.locationExternalId),
  ]);
  return switches.copilot ? limits : { ...limits, enabled: false };
}

const actorOf = (register: RegisterContext) => (register.userId ? `user:${register.userId}` : "register");

function whereOf(register: RegisterContext) {
  return {
    location: register.locationExternalId,
    device: register.deviceId,
    userId: register.userId,
    staffMemberId: register.staffMemberId,
  };
}

/** Manual discounts this person already gave in the shift (signed user id when there is one). */
async function shiftTotalMinor(db: Db, register: RegisterContext, limits: ApprovalLimits, now: Date) {
  const who = register.userId ? { userId: register.userId } : { staffMemberId: register.staffMemberId };
  if (!register.userId && !register.staffMemberId) return 0;
  const since = new Date(now.getTime() - limits.shiftHours * 3_600_000);
  const total = await db.approvalRequest.aggregate({
    where: {
      shopId: register.shopId,
      kind: "discount",
      ...who,
      status: { in: ["applied", "redeemed"] },
      createdAt: { gte: since },
    },
    _sum: { amountMinor: true },
  });
  return total._sum.amountMinor ?? 0;
}

/** The cart's subtotal from our catalog prices when every line is known, else the register's figure. */
async function cartSubtotalMinor(db: Db, shopId: string, lines: FingerprintLine[], reportedMinor: number) {
  return (await catalogValueMinor(db, shopId, lines)) ?? reportedMinor;
}

export interface DiscountAsk {
  lines: FingerprintLine[];
  subtotalMinor: number;
  discount: CartDiscount;
  reasonCode: string;
  note: string | null;
}

export type DiscountOutcome =
  | { status: "disabled" }
  | { status: "applied"; requestId: string; amountMinor: number }
  | { status: "pending"; requestId: string; amountMinor: number; triggers: string[]; expiresAt: string };

/** A cashier's cart discount: applied at once under the limits, else a pending approval request. */
export async function requestDiscount(
  db: Db,
  register: RegisterContext,
  ask: DiscountAsk,
  now: Date,
): Promise<DiscountOutcome> {
  const limits = await registerLimitsFor(db, register);
  if (!limits.enabled) return { status: "disabled" };
  const subtotalMinor = await cartSubtotalMinor(db, register.shopId, ask.lines, ask.subtotalMinor);
  const amountMinor = discountAmountMinor(ask.discount, subtotalMinor);
  const triggers = approvalTriggers(
    limits,
    ask.discount,
    subtotalMinor,
    await shiftTotalMinor(db, register, limits, now),
  );
  const status = triggers.length ? "pending" : "applied";
  const row = await inAuditedTransaction(db, async (tx) => {
    const created = await tx.approvalRequest.create({
      data: {
        shopId: register.shopId,
        locationExternalId: register.locationExternalId,
        deviceId: register.deviceId,
        userId: register.userId,
        staffMemberId: register.staffMemberId,
        cartHash: sha256(cartFingerprint(ask.lines)),
        subtotalMinor,
        discountKind: ask.discount.kind,
        discountValue: ask.discount.value,
        amountMinor,
        currency: register.currency,
        reasonCode: ask.reasonCode,
        note: ask.note,
        status,
        triggers: JSON.stringify(triggers),
        createdAt: now,
      },
      select: { id: true },
    });
    await appendAudit(tx, register.shopId, {
      type: status === "applied" ? "discount.applied" : "approval.requested",
      actor: actorOf(register),
      data: {
        requestId: created.id,
        ...whereOf(register),
        discount: ask.discount,
        amountMinor,
        subtotalMinor,
        currency: register.currency,
        reasonCode: ask.reasonCode,
        note: ask.note,
        triggers,
      },
      at: now,
    });
    return created;
  });
  if (status === "applied") return { status, requestId: row.id, amountMinor };
  return {
    status,
    requestId: row.id,
    amountMinor,
    triggers,
    expiresAt: new Date(now.getTime() + PENDING_TTL_MS).toISOString(),
  };
}

async function findRequest(db: Db, shopId: string, requestId: string) {
  const request = await db.approvalRequest.findUnique({ where: { id: requestId } });
  // Another shop's request is refused like a bad token, without saying it exists.
  if (!request) throw new ApprovalError(404, "approval_not_found", "No such approval request");
  if (request.shopId !== shopId) throw new ApprovalError(403, "approval_refused", "This approval cannot be used here");
  return request;
}

export interface Decision {
  decision: "approve" | "decline";
  pin: string;
  approverId: string;
  reason: string | null;
}

export type DecisionOutcome =
  | { status: "approved"; token: string | null; expiresAt: string; amountMinor: number }
  | { status: "declined"; reason: string | null };

const PIN_REFUSED = "The approver or PIN was not accepted";

/**
 * A manager's decision, proven by their PIN. Wrong PINs count against the approver (5 → locked
 * 15 min) and the device (10 → locked 15 min); an unknown approver, a manager not enrolled at this
 * location and a wrong PIN all get the same answer.
 */
export async function decideApproval(
  db: Db,
  register: RegisterContext,
  requestId: string,
  decision: Decision,
  pepper: string,
  now: Date,
): Promise<DecisionOutcome> {
  const request = await findRequest(db, register.shopId, requestId);
  const deviceKey = register.deviceId ?? (register.userId ? `user:${register.userId}` : "unknown");
  const device = await db.deviceLockout.findUnique({
    where: { shopId_deviceKey: { shopId: register.shopId, deviceKey } },
  });
  if (device?.lockedUntil && device.lockedUntil > now) {
    throw new ApprovalError(429, "device_locked", "Too many wrong PINs on this register; try again later");
  }
  const manager = await db.manager.findFirst({
    where: { id: decision.approverId, shopId: register.shopId, disabledAt: null },
  });
  if (manager?.lockedUntil && manager.lockedUntil > now) {
    throw new ApprovalError(429, "approver_locked", "Too many wrong PINs for this approver; try again later");
  }
  const locations = manager ? (JSON.parse(manager.locations) as string[]) : [];
  const enrolledHere =
    !!manager &&
    (locations.length === 0 || (request.locationExternalId !== null && locations.includes(request.locationExternalId)));
  // The hash is checked even when the approver is unknown, so timing does not tell them apart.
  const pinOk = await verifyPin(decision.pin, pepper, manager?.pinHash ?? (await dummyHash(pepper))).catch(() => false);
  if (!manager || !enrolledHere || !pinOk) {
    await recordPinFailure(db, register, manager?.id ?? null, deviceKey, requestId, now);
    throw new ApprovalError(403, "pin_refused", PIN_REFUSED);
  }

  if (request.status !== "pending") {
    throw new ApprovalError(409, "approval_already_decided", `This request is already ${request.status}`);
  }
  if (now.getTime() - request.createdAt.getTime() > PENDING_TTL_MS) {
    throw new ApprovalError(409, "approval_expired", "This request waited too long; ask again");
  }
  const approve = decision.decision === "approve";
  // The token goes to the register that asked; one decided elsewhere is collected by it later.
  const token = approve && isRequester(request, register) ? randomBytes(32).toString("base64url") : null;
  const expiresAt = new Date(now.getTime() + APPROVAL_TOKEN_TTL_MS);
  await inAuditedTransaction(db, async (tx) => {
    await tx.manager.update({ where: { id: manager.id }, data: { failedPins: 0, lockedUntil: null } });
    await tx.deviceLockout.updateMany({
      where: { shopId: register.shopId, deviceKey },
      data: { failures: 0, lockedUntil: null },
    });
    const claimed = await tx.approvalRequest.updateMany({
      where: { id: request.id, status: "pending" },
      data: {
        status: approve ? "approved" : "declined",
        approverId: manager.id,
        declineReason: approve ? null : decision.reason,
        tokenHash: token ? sha256(token) : null,
        tokenExpiresAt: approve ? expiresAt : null,
        decidedAt: now,
      },
    });
    if (claimed.count === 0) {
      throw new ApprovalError(409, "approval_already_decided", "Another decision was made a moment ago");
    }
    await appendAudit(tx, register.shopId, {
      type: approve ? "approval.approved" : "approval.declined",
      actor: `manager:${manager.id}`,
      data: {
        requestId: request.id,
        approverId: manager.id,
        approverName: manager.name,
        ...whereOf(register),
        amountMinor: request.amountMinor,
        reason: decision.reason,
        remote: !isRequester(request, register),
      },
      at: now,
    });
  });
  return approve
    ? { status: "approved", token, expiresAt: expiresAt.toISOString(), amountMinor: request.amountMinor }
    : { status: "declined", reason: decision.reason };
}

/**
 * Whether this register is the one that asked: the same device, and the same signed user when
 * the request recorded one. Only it receives the approval token.
 */
function isRequester(request: { deviceId: string | null; userId: string | null }, register: RegisterContext) {
  if (!request.deviceId || request.deviceId !== register.deviceId) return false;
  return request.userId === null || request.userId === register.userId;
}

/**
 * The asking register collects the token of an approval a manager gave elsewhere: once, within
 * the approval's 120 s, and only that register.
 */
export async function collectApprovalToken(
  db: Db,
  register: RegisterContext,
  requestId: string,
  now: Date,
): Promise<ApprovalTokenResponse> {
  const request = await findRequest(db, register.shopId, requestId);
  if (request.status === "pending") throw new ApprovalError(409, "approval_pending", "No manager has decided yet");
  if (request.status !== "approved" || !request.tokenExpiresAt) {
    throw new ApprovalError(409, "approval_closed", `This request is already ${request.status}`);
  }
  if (!isRequester(request, register)) {
    throw new ApprovalError(403, "approval_refused", "Only the register that asked can use this approval");
  }
  if (request.tokenExpiresAt <= now) {
    await closeRequest(db, register, request.id, "expired", "the approval was not collected in time", now);
    throw new ApprovalError(403, "approval_refused", "The approval expired; ask again");
  }
  const token = randomBytes(32).toString("base64url");
  await inAuditedTransaction(db, async (tx) => {
    const claimed = await tx.approvalRequest.updateMany({
      where: { id: request.id, status: "approved", tokenHash: null },
      data: { tokenHash: sha256(token) },
    });
    if (claimed.count === 0) {
      throw new ApprovalError(409, "approval_token_collected", "This approval's token was already collected");
    }
    await appendAudit(tx, register.shopId, {
      type: "approval.token_collected",
      actor: actorOf(register),
      data: { requestId: request.id, ...whereOf(register) },
      at: now,
    });
  });
  return { token, expiresAt: request.tokenExpiresAt.toISOString() };
}

/** Where one request stands, as the asking register polls it (reads only; writes nothing). */
export async function approvalStatus(
  db: Db,
  register: RegisterContext,
  requestId: string,
  now: Date,
): Promise<ApprovalStatusResponse> {
  const request = await findRequest(db, register.shopId, requestId);
  const pendingUntil = new Date(request.createdAt.getTime() + PENDING_TTL_MS);
  const lapsed =
    (request.status === "pending" && pendingUntil <= now) ||
    (request.status === "approved" && !!request.tokenExpiresAt && request.tokenExpiresAt <= now);
  const status = (lapsed ? "expired" : request.status) as ApprovalStatus;
  return {
    id: request.id,
    status,
    discount: { kind: request.discountKind as CartDiscount["kind"], value: request.discountValue },
    amountMinor: request.amountMinor,
    currency: request.currency,
    declineReason: request.status === "declined" ? request.declineReason : null,
    expiresAt:
      status === "pending"
        ? pendingUntil.toISOString()
        : status === "approved"
          ? (request.tokenExpiresAt?.toISOString() ?? null)
          : null,
    tokenWaiting: status === "approved" && request.tokenHash === null && isRequester(request, register),
  };
}

// A real hash of a random PIN nobody knows, so an unknown approver costs the same scrypt work.
let dummy: Promise<string> | undefined;
function dummyHash(pepper: string): Promise<string> {
  dummy ??= hashPin(String(randomBytes(4).readUInt32BE(0)).padStart(10, "0"), pepper);
  return dummy;
}

async function recordPinFailure(
  db: Db,
  register: RegisterContext,
  managerId: string | null,
  deviceKey: string,
  requestId: string,
  now: Date,
) {
  await inAuditedTransaction(db, async (tx) => {
    const events: Array<{ type: string; data: Record<string, unknown> }> = [];
    if (managerId) {
      const manager = await tx.manager.update({
        where: { id: managerId },
        data: { failedPins: { increment: 1 } },
        select: { failedPins: true },
      });
      if (manager.failedPins >= APPROVER_MAX_FAILURES) {
        const lockedUntil = new Date(now.getTime() + APPROVER_LOCK_MS);
        await tx.manager.update({ where: { id: managerId }, data: { lockedUntil, failedPins: 0 } });
        events.push({
          type: "lockout.approver",
          data: { approverId: managerId, lockedUntil: lockedUntil.toISOString() },
        });
      }
    }
    const device = await tx.deviceLockout.upsert({
      where: { shopId_deviceKey: { shopId: register.shopId, deviceKey } },
      create: { shopId: register.shopId, deviceKey, failures: 1 },
      update: { failures: { increment: 1 } },
      select: { failures: true },
    });
    if (device.failures >= DEVICE_MAX_FAILURES) {
      const lockedUntil = new Date(now.getTime() + DEVICE_LOCK_MS);
      await tx.deviceLockout.update({
        where: { shopId_deviceKey: { shopId: register.shopId, deviceKey } },
        data: { lockedUntil, failures: 0 },
      });
      events.push({ type: "lockout.device", data: { deviceKey, lockedUntil: lockedUntil.toISOString() } });
    }
    await appendAudit(tx, register.shopId, {
      type: "approval.pin_rejected",
      actor: actorOf(register),
      data: { requestId, approverId: managerId, ...whereOf(register) },
      at: now,
    });
    for (const event of events) {
      await appendAudit(tx, register.shopId, {
        type: event.type,
        actor: "system",
        data: { ...event.data, ...whereOf(register) },
        at: now,
      });
    }
  });
}

export interface Redemption {
  token: string;
  cartFingerprint: string;
  discount?: CartDiscount;
}

/**
 * Consumes an approval: the token must match, be unexpired, and be presented with the approved
 * cart (and, when given, the approved discount). Exactly one redeem succeeds; a second gets 409.
 * Presenting it with another cart voids the approval.
 */
export async function redeemApproval(
  db: Db,
  register: RegisterContext,
  requestId: string,
  redemption: Redemption,
  now: Date,
): Promise<{ status: "redeemed"; discount: CartDiscount; amountMinor: number }> {
  const request = await findRequest(db, register.shopId, requestId);
  if (request.status === "redeemed") {
    await auditRefusedToken(db, register, "approval.token_replayed", request.id, "already redeemed", now);
    throw new ApprovalError(409, "approval_already_redeemed", "Already applied");
  }
  const refused = (reason: string) => new ApprovalError(403, "approval_refused", reason);
  if (request.status !== "approved" || !request.tokenExpiresAt) {
    // A token for a request that was voided or expired: its token was once issued, or is forged.
    if (request.status === "voided" || request.status === "expired") {
      await auditRefusedToken(db, register, "approval.token_replayed", request.id, `request ${request.status}`, now);
    }
    throw refused(`This request is ${request.status}`);
  }
  if (!request.tokenHash) throw refused("Collect this approval's token first");
  if (!sameHash(sha256(redemption.token), request.tokenHash)) {
    await auditRefusedToken(db, register, "approval.token_rejected", request.id, "token does not match", now);
    throw refused("The approval token does not match");
  }
  if (request.tokenExpiresAt <= now) {
    await closeRequest(db, register, request.id, "expired", "the approval token expired", now);
    throw refused("The approval expired; ask again");
  }
  if (!sameHash(sha256(redemption.cartFingerprint), request.cartHash)) {
    // Presented with another cart: the approval is voided, and the event says why.
    await closeRequest(db, register, request.id, "voided", "the cart changed after approval", now, {
      auditType: "approval.token_cart_mismatch",
    });
    throw refused("The cart changed after approval; ask again");
  }
  const approved: CartDiscount = { kind: request.discountKind as CartDiscount["kind"], value: request.discountValue };
  if (
    redemption.discount &&
    (redemption.discount.kind !== approved.kind || redemption.discount.value !== approved.value)
  ) {
    // The right token with a bigger (or other) discount: refused and recorded; the approval stands.
    await auditRefusedToken(
      db,
      register,
      "approval.token_rejected",
      request.id,
      "presented with another discount",
      now,
    );
    throw refused("That is not the discount that was approved");
  }
  await inAuditedTransaction(db, async (tx) => {
    const consumed = await tx.approvalRequest.updateMany({
      where: { id: request.id, status: "approved", tokenHash: request.tokenHash },
      data: { status: "redeemed", redeemedAt: now, tokenHash: null },
    });
    if (consumed.count === 0) throw new ApprovalError(409, "approval_already_redeemed", "Already applied");
    await appendAudit(tx, register.shopId, {
      type: "approval.redeemed",
      actor: actorOf(register),
      data: { requestId: request.id, ...whereOf(register), discount: approved, amountMinor: request.amountMinor },
      at: now,
    });
  });
  return { status: "redeemed", discount: approved, amountMinor: request.amountMinor };
}

/** The register voids a request (its cart changed, or the cashier cancelled). */
export async function voidApproval(db: Db, register: RegisterContext, requestId: string, reason: string, now: Date) {
  const request = await findRequest(db, register.shopId, requestId);
  if (request.status !== "pending" && request.status !== "approved") {
    throw new ApprovalError(409, "approval_closed", `This request is already ${request.status}`);
  }
  await closeRequest(db, register, request.id, "voided", reason, now);
  return { status: "voided" as const };
}

async function closeRequest(
  db: Db,
  register: RegisterContext,
  requestId: string,
  status: "voided" | "expired",
  reason: string,
  now: Date,
  options: { auditType?: string } = {},
) {
  await inAuditedTransaction(db, async (tx) => {
    const closed = await tx.approvalRequest.updateMany({
      where: { id: requestId, status: { in: ["pending", "approved"] } },
      data: { status, tokenHash: null },
    });
    if (closed.count === 0) return;
    await appendAudit(tx, register.shopId, {
      type: options.auditType ?? `approval.${status}`,
      actor: actorOf(register),
      data: { requestId, status, reason, ...whereOf(register) },
      at: now,
    });
  });
}

/**
 * An approval token refused without a state change (replayed after use, or not the one issued):
 * the shop's audit chain says who tried, where and on which request. Never the token itself.
 */
async function auditRefusedToken(
  db: Db,
  register: RegisterContext,
  type: "approval.token_replayed" | "approval.token_rejected",
  requestId: string,
  reason: string,
  now: Date,
) {
  await inAuditedTransaction(db, (tx) =>
    appendAudit(tx, register.shopId, {
      type,
      actor: actorOf(register),
      data: { requestId, reason, ...whereOf(register) },
      at: now,
    }),
  );
}

/**
 * What a register shows for approvals at its location: nothing when switched off, else the
 * limits, the requests waiting for a manager and who can approve them here.
 */
export async function approvalsOverview(
  db: Db,
  register: RegisterContext,
  now: Date,
): Promise<ApprovalsOverviewResponse> {
  const location = register.locationExternalId;
  const limits = await registerLimitsFor(db, register);
  if (!limits.enabled) return { enabled: false };
  const managers = await db.manager.findMany({
    where: { shopId: register.shopId, disabledAt: null },
    select: { id: true, name: true, role: true, locations: true },
    orderBy: { name: "asc" },
  });
  return {
    enabled: true,
    limits: { maxPercent: limits.maxPercent, maxAmountMinor: limits.maxAmountMinor, currency: register.currency },
    pending: await pendingApprovals(db, register.shopId, location, now, register),
    approvers: managers
      .filter((manager) => {
        const locations = JSON.parse(manager.locations) as string[];
        return locations.length === 0 || (location !== null && locations.includes(location));
      })
      .map(({ id, name, role }) => ({ id, name, role })),
  };
}

/** Requests waiting for a manager at this shop (and location, when given), newest first. */
export async function pendingApprovals(
  db: Db,
  shopId: string,
  location: string | null,
  now: Date,
  /** The register asking: marks its own requests (`mine`), which it shows apart. */
  register?: RegisterContext,
): Promise<PendingApproval[]> {
  const rows = await db.approvalRequest.findMany({
    where: {
      shopId,
      status: "pending",
      createdAt: { gt: new Date(now.getTime() - PENDING_TTL_MS) },
      ...(location ? { locationExternalId: location } : {}),
    },
    orderBy: { createdAt: "desc" },
    take: 50,
  });
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind === "return" ? ("return" as const) : ("discount" as const),
    locationId: row.locationExternalId,
    staffMemberId: row.staffMemberId,
    discount: { kind: row.discountKind as CartDiscount["kind"], value: row.discountValue },
    amountMinor: row.amountMinor,
    subtotalMinor: row.subtotalMinor,
    currency: row.currency,
    reasonCode: row.reasonCode,
    note: row.note,
    triggers: JSON.parse(row.triggers) as string[],
    createdAt: row.createdAt.toISOString(),
    mine: register ? isRequester(row, register) : false,
  }));
}

// ---------- admin ----------

type PolicyForm = Extract<ApprovalsAdminForm, { intent: "policy" }>;
type EnrolForm = Extract<ApprovalsAdminForm, { intent: "enrol" }>;

/** Saves a location's (or the shop's) limits; the change, and a kill-switch flip, are audited. */
export async function saveApprovalPolicy(db: Db, shopId: string, form: PolicyForm, actor: string, now: Date) {
  await inAuditedTransaction(db, (tx) => writeApprovalPolicy(tx, shopId, form, actor, now));
}

/** saveApprovalPolicy's writes, inside the caller's transaction. */
export async function writeApprovalPolicy(
  tx: Tx,
  shopId: string,
  form: Omit<PolicyForm, "intent">,
  actor: string,
  now: Date,
) {
  const before = await approvalLimitsFor(tx, shopId, form.locationExternalId || null);
  const data = {
    enabled: form.enabled,
    maxPercent: form.maxPercent,
    maxAmountMinor: form.maxAmount,
    shiftLimitMinor: form.shiftLimit,
    shiftHours: form.shiftHours,
  };
  await tx.approvalPolicy.upsert({
    where: { shopId_locationExternalId: { shopId, locationExternalId: form.locationExternalId } },
    create: { shopId, locationExternalId: form.locationExternalId, ...data },
    update: data,
  });
  const location = form.locationExternalId || null;
  if (before.enabled !== form.enabled) {
    await appendAudit(tx, shopId, {
      type: "killswitch.changed",
      actor,
      data: { feature: "approvals", location, enabled: form.enabled },
      at: now,
    });
  }
  await appendAudit(tx, shopId, {
    type: "policy.changed",
    actor,
    data: { feature: "approvals", location, before, after: { ...data } },
    at: now,
  });
}

export async function enrolManager(db: Db, shopId: string, form: EnrolForm, pepper: string, actor: string, now: Date) {
  const pinHash = await hashPin(form.pin, pepper);
  return inAuditedTransaction(db, async (tx) => {
    const manager = await tx.manager.create({
      data: {
        shopId,
        name: form.name,
        role: form.role,
        staffMemberId: form.staffMemberId || null,
        locations: JSON.stringify(form.locations),
        pinHash,
      },
      select: { id: true },
    });
    await appendAudit(tx, shopId, {
      type: "manager.enrolled",
      actor,
      data: { managerId: manager.id, name: form.name, role: form.role, locations: form.locations },
      at: now,
    });
    return manager;
  });
}

/** A new PIN (also clears a lockout). Returns false when there is no such manager in this shop. */
export async function resetManagerPin(
  db: Db,
  shopId: string,
  managerId: string,
  pin: string,
  pepper: string,
  actor: string,
  now: Date,
) {
  const pinHash = await hashPin(pin, pepper);
  return inAuditedTransaction(db, async (tx) => {
    const updated = await tx.manager.updateMany({
      where: { id: managerId, shopId },
      data: { pinHash, failedPins: 0, lockedUntil: null },
    });
    if (updated.count === 0) return false;
    await appendAudit(tx, shopId, { type: "manager.pin_reset", actor, data: { managerId }, at: now });
    return true;
  });
}

export async function disableManager(db: Db, shopId: string, managerId: string, actor: string, now: Date) {
  return inAuditedTransaction(db, async (tx) => {
    const updated = await tx.manager.updateMany({
      where: { id: managerId, shopId, disabledAt: null },
      data: { disabledAt: now },
    });
    if (updated.count === 0) return false;
    await appendAudit(tx, shopId, { type: "manager.disabled", actor, data: { managerId }, at: now });
    return true;
  });
}
