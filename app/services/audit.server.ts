/**
 * The tamper-evident audit log. Each shop's events form a chain: an event's hash is SHA-256 over
 * the previous event's hash and the event's canonical JSON (sequence, type, actor, data, time), so
 * editing, deleting or reordering any row breaks every hash after it. The app only appends;
 * only shop/redact erases a shop's rows.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db.server";
import { isTransientDatabaseError, isUniqueViolation } from "../db.server";

export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export const GENESIS_HASH = "0".repeat(64);

export interface AuditEntry {
  /** What happened, e.g. "approval.requested", "approval.pin_rejected", "policy.changed". */
  type: string;
  /** Who: "user:<id>" (signed session), "manager:<id>", "admin:<id>", "system". */
  actor: string;
  /** Where and what: shop-scoped ids, amounts, reasons. Never a PIN or a token. */
  data: Record<string, unknown>;
  at: Date;
}

/** JSON with object keys sorted at every level, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

export function auditHash(
  prevHash: string,
  row: { seq: number; type: string; actor: string; data: string; createdAt: Date },
): string {
  const body = canonicalJson({
    seq: row.seq,
    type: row.type,
    actor: row.actor,
    data: JSON.parse(row.data) as unknown,
    createdAt: row.createdAt.toISOString(),
  });
  return createHash("sha256").update(prevHash).update("\n").update(body).digest("hex");
}

/** Appends to the shop's chain inside the caller's transaction (see inAuditedTransaction). */
export async function appendAudit(tx: Tx | Db, shopId: string, entry: AuditEntry) {
  const last = await tx.auditEvent.findFirst({
    where: { shopId },
    orderBy: { seq: "desc" },
    select: { seq: true, hash: true },
  });
  const row = {
    seq: (last?.seq ?? 0) + 1,
    type: entry.type,
    actor: entry.actor,
    data: canonicalJson(entry.data),
    createdAt: entry.at,
  };
  const hash = auditHash(last?.hash ?? GENESIS_HASH, row);
  await tx.auditEvent.create({ data: { shopId, ...row, prevHash: last?.hash ?? GENESIS_HASH, hash } });
}

/**
 * Runs `work` in a transaction that appends audit events. Two appends racing for the same
 * sequence number collide on the (shopId, seq) key; the loser's whole transaction rolls back and
 * runs again (bounded), so the state change and its audit event land together or not at all.
 */
export async function inAuditedTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(work);
    } catch (error) {
      const retry = (isUniqueViolation(error) || isTransientDatabaseError(error)) && attempt < 8;
      if (!retry) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt * 5 + Math.random() * 10));
    }
  }
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  /** The first row that does not fit the chain, and why. */
  firstBad: { seq: number; id: string; reason: string } | null;
}

/** Re-computes the shop's chain from the start; names the first row that was changed, removed or inserted. */
export async function verifyAuditChain(db: Db, shopId: string): Promise<ChainVerdict> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  let cursor: number | undefined;
  for (let page = 0; page < 100_000; page++) {
    const rows = await db.auditEvent.findMany({
      where: { shopId, ...(cursor !== undefined ? { seq: { gt: cursor } } : {}) },
      orderBy: { seq: "asc" },
      take: 2_000,
    });
    for (const row of rows) {
      const bad = (reason: string): ChainVerdict => ({
        ok: false,
        checked,
        firstBad: { seq: row.seq, id: row.id, reason },
      });
      if (row.seq !== expectedSeq) return bad(`sequence ${expectedSeq} is missing`);
      if (row.prevHash !== prevHash) return bad("its link to the previous event does not match");
      let computed: string;
      try {
        computed = auditHash(prevHash, row);
      } catch {
        return bad("its data is not valid JSON");
      }
      if (computed !== row.hash) return bad("its content does not match its hash");
      prevHash = row.hash;
      expectedSeq++;
      checked++;
    }
    if (rows.length < 2_000) break;
    cursor = rows[rows.length - 1]!.seq;
  }
  return { ok: true, checked, firstBad: null };
}

export interface AuditFilter {
  type?: string | null;
  since?: Date | null;
  limit?: number;
}

/** The shop's events, newest first, optionally of one type (or type prefix, "approval.") and since a time. */
export async function listAuditEvents(db: Db, shopId: string, filter: AuditFilter = {}) {
  const type = filter.type?.trim();
  const rows = await db.auditEvent.findMany({
    where: {
      shopId,
      ...(type ? (type.endsWith(".") ? { type: { startsWith: type } } : { type }) : {}),
      ...(filter.since ? { createdAt: { gte: filter.since } } : {}),
    },
    orderBy: { seq: "desc" },
    take: Math.min(filter.limit ?? 100, 10_000),
  });
  return rows.map((row) => ({
    seq: row.seq,
    type: row.type,
    actor: row.actor,
    data: JSON.parse(row.data) as Record<string, unknown>,
    createdAt: row.createdAt.toISOString(),
    hash: row.hash,
  }));
}

/** A spreadsheet cannot run a cell as a formula: text starting with = + - @ gets a leading '. */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function auditCsv(events: Awaited<ReturnType<typeof listAuditEvents>>): string {
  const header = ["seq", "time", "type", "actor", "data", "hash"];
  const lines = events.map((event) =>
    [event.seq, event.createdAt, event.type, event.actor, canonicalJson(event.data), event.hash].map(csvCell).join(","),
  );
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
