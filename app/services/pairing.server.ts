/**
 * Pairing a register panel (Square and Clover companion panels, the Lightspeed extension) with a
 * location. No POS session token exists there, so:
 *   1. an admin issues a one-time code for a location (valid 10 minutes, kept only as a hash);
 *   2. the panel redeems it once and receives a device id and a device secret (kept only as a
 *      hash), which it stores;
 *   3. the panel trades the secret for a short-lived signed access token (15 minutes) and sends
 *      that as Bearer on every request; a revoked device gets no new token and its current one is
 *      refused at the next request.
 */
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { Db } from "../db.server";
import { appendAudit, inAuditedTransaction } from "./audit.server";

export const PAIRING_CODE_TTL_MS = 10 * 60_000;
export const PANEL_TOKEN_TTL_MS = 15 * 60_000;
// No 0/O, 1/I/L: a code is read off one screen and typed on another.
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 8;

export class PairingError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 429,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** "abcd-efgh", "ABCDEFGH" and " abcd efgh " are the same code. */
export function normalizePairingCode(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

export async function issuePairingCode(
  db: Db,
  shop: { id: string; locations: Array<{ externalId: string }> },
  locationExternalId: string,
  actor: string,
  now: Date,
) {
  if (!shop.locations.some((location) => location.externalId === locationExternalId)) {
    throw new PairingError(400, "invalid_location", "locationExternalId: not a location of this shop");
  }
  const raw = Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
  const expiresAt = new Date(now.getTime() + PAIRING_CODE_TTL_MS);
  await inAuditedTransaction(db, async (tx) => {
    await tx.pairingCode.create({
      data: { shopId: shop.id, locationExternalId, codeHash: sha256(raw), expiresAt, createdBy: actor, createdAt: now },
    });
    await appendAudit(tx, shop.id, {
      type: "pairing.issued",
      actor,
      data: { location: locationExternalId, expiresAt: expiresAt.toISOString() },
      at: now,
    });
  });
  return { code: `${raw.slice(0, 4)}-${raw.slice(4)}`, expiresAt };
}

/** Consumes the code (exactly once, before it expires) and enrols the device. */
export async function redeemPairingCode(db: Db, code: string, deviceName: string, now: Date) {
  const codeHash = sha256(normalizePairingCode(code));
  const secret = randomBytes(32).toString("base64url");
  const device = await inAuditedTransaction(db, async (tx) => {
    const row = await tx.pairingCode.findUnique({ where: { codeHash } });
    // One answer for unknown, used and expired: a guesser learns nothing from it.
    const refused = new PairingError(400, "invalid_code", "code: unknown, used or expired; ask for a new one");
    if (!row) throw refused;
    const claimed = await tx.pairingCode.updateMany({
      where: { id: row.id, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (claimed.count !== 1) throw refused;
    const created = await tx.registerDevice.create({
      data: {
        shopId: row.shopId,
        locationExternalId: row.locationExternalId,
        name: deviceName,
        secretHash: sha256(secret),
        createdAt: now,
      },
    });
    await appendAudit(tx, row.shopId, {
      type: "pairing.redeemed",
      actor: `device:${created.id}`,
      data: { location: row.locationExternalId, device: deviceName },
      at: now,
    });
    return created;
  });
  return { deviceId: device.id, deviceSecret: secret, shopId: device.shopId, location: device.locationExternalId };
}

export interface PanelClaims {
  device: string;
  shop: string;
  location: string;
  exp: number;
}

const b64 = (value: Buffer | string) => Buffer.from(value).toString("base64url");

function sign(payload: string, key: string): string {
  return createHmac("sha256", `panel-token:${key}`).update(payload).digest("base64url");
}

/** A short-lived access token for a device that proves its secret and is not revoked. */
export async function panelAccessToken(
  db: Db,
  credentials: { deviceId: string; secret: string },
  signingKey: string,
  now: Date,
) {
  const device = await db.registerDevice.findUnique({ where: { id: credentials.deviceId } });
  const given = Buffer.from(sha256(credentials.secret), "hex");
  const stored = Buffer.from(device?.secretHash ?? "0".repeat(64), "hex");
  if (!device || device.revokedAt || !timingSafeEqual(given, stored)) {
    throw new PairingError(401, "unknown_device", "This panel is not paired (or was unpaired); pair it again");
  }
  await db.registerDevice.update({ where: { id: device.id }, data: { lastSeenAt: now } });
  const claims: PanelClaims = {
    device: device.id,
    shop: device.shopId,
    location: device.locationExternalId,
    exp: now.getTime() + PANEL_TOKEN_TTL_MS,
  };
  const payload = b64(JSON.stringify(claims));
  return { token: `${payload}.${sign(payload, signingKey)}`, expiresAt: new Date(claims.exp) };
}

/** The claims of a valid, unexpired token of a device that is still paired; else 401. */
export async function verifyPanelToken(db: Db, token: string, signingKey: string, now: Date): Promise<PanelClaims> {
  const refused = (why: string) => new PairingError(401, "invalid_token", why);
  const [payload, signature] = token.split(".");
  if (!payload || !signature) throw refused("not a panel token");
  const expected = Buffer.from(sign(payload, signingKey));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw refused("bad signature");
  let claims: PanelClaims;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as PanelClaims;
  } catch {
    throw refused("unreadable token");
  }
  if (typeof claims.exp !== "number" || claims.exp <= now.getTime()) throw refused("expired; get a new token");
  const device = await db.registerDevice.findUnique({ where: { id: claims.device }, select: { revokedAt: true } });
  if (!device || device.revokedAt) throw refused("this panel was unpaired");
  return claims;
}

export async function revokeDevice(db: Db, shopId: string, deviceId: string, actor: string, now: Date) {
  return inAuditedTransaction(db, async (tx) => {
    const revoked = await tx.registerDevice.updateMany({
      where: { id: deviceId, shopId, revokedAt: null },
      data: { revokedAt: now },
    });
    if (revoked.count !== 1)
      throw new PairingError(404, "unknown_device", "deviceId: no paired panel with that id here");
    await appendAudit(tx, shopId, { type: "pairing.revoked", actor, data: { device: deviceId }, at: now });
  });
}
