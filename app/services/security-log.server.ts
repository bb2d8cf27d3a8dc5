/**
 * The security log (ADR 0019): requests refused before anything in them could be trusted — a
 * webhook whose signature does not verify, a POS session token or a panel token that does not —
 * counted per (kind, claimed shop, source, minute). Such a request cannot name a shop, so it never
 * touches a shop's audit chain, and one upsert per refusal keeps the table's growth bounded by
 * minutes × kinds × sources × our shops, whatever an attacker sends. Recording is best effort: a
 * refusal stays a refusal even when the log cannot be written.
 */
import type { Db } from "../db.server";
import { csvCell } from "./audit.server";
import type { Platform } from "../../shared/model";

export type SecurityEventKind =
  "webhook.signature_invalid" | "webhook.headers_missing" | "session_token.invalid" | "panel_token.invalid";

export interface SecurityRefusal {
  kind: SecurityEventKind;
  /** Which intake refused it, from the code (never from the request): "webhooks/shopify", "api/pos". */
  source: string;
  /**
   * The shop the request claimed (a header, an unverified token claim; panel tokens name it by
   * our id), as given: it may be anything.
   */
  claimedShop: { platform: Platform; domain: string } | { id: string } | null;
  /** A few words: why it was refused. Never the token, signature or body. */
  reason: string;
}

const BUCKET_MS = 60_000;
const MAX_REASON = 120;
const MAX_CLAIM = 255;
export const SECURITY_LOG_RETENTION_MS = 90 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;
let prunedAt = 0;

export const securityBucket = (now: Date) => new Date(Math.floor(now.getTime() / BUCKET_MS) * BUCKET_MS);

/**
 * The claim as we keep it: a shop we know (the same domain, any case), else "". Keeping every
 * claimed name would let a spray of made-up names add a row per name.
 */
async function knownShop(db: Db, claim: SecurityRefusal["claimedShop"]): Promise<string> {
  if (!claim) return "";
  if ("id" in claim) {
    if (typeof claim.id !== "string" || !claim.id || claim.id.length > MAX_CLAIM) return "";
    return (await db.shop.findUnique({ where: { id: claim.id }, select: { domain: true } }))?.domain ?? "";
  }
  const domain = claim.platform === "shopify" ? claim.domain.trim().toLowerCase() : claim.domain.trim();
  if (!domain || domain.length > MAX_CLAIM) return "";
  const shop = await db.shop.findUnique({
    where: { platform_domain: { platform: claim.platform, domain } },
    select: { domain: true },
  });
  return shop?.domain ?? "";
}

/** Counts one refused request. Never throws: a failure to record is logged and swallowed. */
export async function recordSecurityRefusal(db: Db, refusal: SecurityRefusal, now: Date): Promise<void> {
  try {
    const claimedShop = await knownShop(db, refusal.claimedShop);
    const reason = refusal.reason.slice(0, MAX_REASON);
    const bucket = securityBucket(now);
    await db.securityEvent.upsert({
      where: { kind_claimedShop_source_bucket: { kind: refusal.kind, claimedShop, source: refusal.source, bucket } },
      create: {
        kind: refusal.kind,
        claimedShop,
        source: refusal.source,
        bucket,
        count: 1,
        firstSeenAt: now,
        lastSeenAt: now,
        reason,
      },
      update: { count: { increment: 1 }, lastSeenAt: now, reason },
    });
    if (now.getTime() - prunedAt > PRUNE_EVERY_MS) {
      prunedAt = now.getTime();
      await db.securityEvent.deleteMany({
        where: { bucket: { lt: new Date(now.getTime() - SECURITY_LOG_RETENTION_MS) } },
      });
    }
  } catch (error) {
    console.warn(`security log: could not record ${refusal.kind} from ${refusal.source}:`, (error as Error).message);
  }
}

/**
 * Why a session token was refused, read from its unverified parts (only to describe the refusal;
 * nothing here is trusted): the claimed shop, and expired / not yet valid / wrong audience /
 * unsigned / bad signature.
 */
export function describeSessionToken(
  token: string | null,
  apiKey: string,
  now: Date,
): { claimedShop: SecurityRefusal["claimedShop"]; reason: string } {
  if (!token) return { claimedShop: null, reason: "no session token" };
  const [header, payload] = token.split(".").map((part) => {
    try {
      return JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
    } catch {
      return null;
    }
  });
  if (!header || !payload || typeof header !== "object" || typeof payload !== "object") {
    return { claimedShop: null, reason: "not a JWT" };
  }
  let claimedShop: SecurityRefusal["claimedShop"] = null;
  try {
    if (typeof payload.dest === "string") claimedShop = { platform: "shopify", domain: new URL(payload.dest).hostname };
  } catch {
    claimedShop = null;
  }
  const seconds = now.getTime() / 1000;
  const reason =
    header.alg !== "HS256"
      ? `algorithm ${String(header.alg).slice(0, 20)} is not accepted`
      : typeof payload.exp === "number" && payload.exp < seconds
        ? "expired"
        : typeof payload.nbf === "number" && payload.nbf > seconds
          ? "not yet valid"
          : payload.aud !== apiKey
            ? "issued for another app"
            : "signature does not verify";
  return { claimedShop, reason };
}

/** The refusals that claimed this shop (newest minute first), for the merchant's CSV. */
export async function listSecurityEvents(db: Db, domain: string, since: Date) {
  return db.securityEvent.findMany({
    where: { claimedShop: domain, bucket: { gte: since } },
    orderBy: { bucket: "desc" },
    take: 10_000,
    select: { bucket: true, kind: true, source: true, count: true, firstSeenAt: true, lastSeenAt: true, reason: true },
  });
}

export function securityCsv(rows: Awaited<ReturnType<typeof listSecurityEvents>>): string {
  const header = ["minute", "kind", "source", "count", "first_seen", "last_seen", "reason"];
  const lines = rows.map((row) =>
    [
      row.bucket.toISOString(),
      row.kind,
      row.source,
      row.count,
      row.firstSeenAt.toISOString(),
      row.lastSeenAt.toISOString(),
      row.reason,
    ]
      .map(csvCell)
      .join(","),
  );
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
