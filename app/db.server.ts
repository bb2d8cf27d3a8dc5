import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, type Prisma } from "@prisma/client";
import type { ArgType, SqlDriverAdapter, SqlQuery } from "@prisma/driver-adapter-utils";
import { env } from "./env.server";

export type Db = PrismaClient;

/**
 * A driver-level connection through the same Prisma driver adapter, for the few statements on a
 * hot path where Prisma's per-query compile step costs more than the query (webhook intake; see
 * ADR 0006). Statements are still built with `Prisma.sql`, so values are always bound, never
 * spliced into SQL.
 */
export type SqlDriver = SqlDriverAdapter;

/** True when DATABASE_URL (and therefore the generated client) is PostgreSQL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

const SQLITE_BUSY_TIMEOUT_MS = 5000;

export function createDb(url: string): Db {
  if (isPostgresUrl(url)) {
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  }
  const client = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url, timeout: SQLITE_BUSY_TIMEOUT_MS }) });
  // The adapter runs queries one at a time in order, so these settle before any other query.
  // WAL lets the web process read while the worker writes; NORMAL stays durable across a
  // process crash (kill -9), only an OS crash can lose the last commits.
  void client.$queryRawUnsafe("PRAGMA journal_mode = WAL").catch(() => undefined);
  void client.$queryRawUnsafe("PRAGMA synchronous = NORMAL").catch(() => undefined);
  return client;
}

export async function createSqlDriver(url: string): Promise<SqlDriver> {
  if (isPostgresUrl(url)) return new PrismaPg({ connectionString: url, max: 4 }).connect();
  // No busy timeout: better-sqlite3 waits synchronously, with SQLite's sleeps growing to 100 ms,
  // and that freezes every request in the process. executeSqlTransaction retries on its own
  // schedule instead, with the event loop free in between.
  const driver = await new PrismaBetterSQLite3({ url, timeout: 0 }).connect();
  // journal_mode=WAL is stored in the file (createDb sets it); synchronous is per connection.
  await driver.executeScript("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
  return driver;
}

function argType(value: unknown): ArgType {
  if (value instanceof Date) return { scalarType: "datetime", arity: "scalar" };
  if (typeof value === "number") return { scalarType: Number.isInteger(value) ? "int" : "float", arity: "scalar" };
  if (typeof value === "boolean") return { scalarType: "boolean", arity: "scalar" };
  return { scalarType: value === null ? "unknown" : "string", arity: "scalar" };
}

function toQuery(driver: SqlDriver, statement: Prisma.Sql): SqlQuery {
  return {
    // Prisma.sql renders both placeholder styles: `?` for SQLite, `$1` for PostgreSQL.
    sql: driver.provider === "postgres" ? statement.text : statement.sql,
    args: statement.values,
    argTypes: statement.values.map(argType),
  };
}

/** How long a driver transaction retries a busy database before the caller gives up (503). */
const BUSY_RETRY_BUDGET_MS = 5000;

/** Runs one statement inside a driver transaction; returns the affected row count. */
export type SqlRun = (statement: Prisma.Sql) => Promise<number>;

/**
 * Runs `work` in one driver transaction. A busy database (SQLite's other writer, a PostgreSQL
 * serialization failure) rolls back and runs `work` again every few milliseconds, within
 * BUSY_RETRY_BUDGET_MS; then the transient error is thrown. `work` must only touch the database
 * through `run`, so a rerun starts clean.
 */
export async function withSqlTransaction<T>(driver: SqlDriver, work: (run: SqlRun) => Promise<T>): Promise<T> {
  const deadline = performance.now() + BUSY_RETRY_BUDGET_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await sqlTransactionOnce(driver, work);
    } catch (error) {
      if (!isTransientDatabaseError(error) || performance.now() >= deadline) throw error;
      // The other writer's transactions last milliseconds: look again soon.
      await new Promise((resolve) => setTimeout(resolve, Math.min(attempt, 5)));
    }
  }
}

async function sqlTransactionOnce<T>(driver: SqlDriver, work: (run: SqlRun) => Promise<T>): Promise<T> {
  const control = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });
  const tx = await driver.startTransaction();
  // The adapters' commit()/rollback() only release the connection; the SQL is the caller's.
  try {
    const result = await work((statement) => tx.executeRaw(toQuery(driver, statement)));
    await tx.executeRaw(control("COMMIT"));
    await tx.commit();
    return result;
  } catch (error) {
    await tx.executeRaw(control("ROLLBACK")).catch(() => undefined);
    await tx.rollback();
    throw error;
  }
}

/** Most items one group-commit transaction takes; the rest wait for the next. */
const MAX_GROUP_COMMIT = 256;

/**
 * Group commit on the driver connection: an item is written at once when nothing is being
 * written, and otherwise joins the batch that goes next, so one transaction (and, on SQLite, one
 * wait for another process's write lock) serves every item that arrived meanwhile. `write` gets
 * the batch and returns one result per item, in order; each caller's promise settles only after
 * its batch committed, and a failed batch (nothing written) rejects every caller in it.
 */
export function createGroupCommit<Item, Result>(
  driver: SqlDriver,
  write: (run: SqlRun, items: Item[]) => Promise<Result[]>,
): (item: Item) => Promise<Result> {
  let waiting: { item: Item; settle: (result: Promise<Result>) => void }[] = [];
  let writing = false;

  async function writeWaiting() {
    writing = true;
    try {
      while (waiting.length) {
        const batch = waiting.slice(0, MAX_GROUP_COMMIT);
        waiting = waiting.slice(batch.length);
        const results = withSqlTransaction(driver, (run) =>
          write(
            run,
            batch.map((entry) => entry.item),
          ),
        );
        batch.forEach((entry, index) => entry.settle(results.then((all) => all[index]!)));
        await results.catch(() => undefined);
      }
    } finally {
      writing = false;
    }
  }

  return (item) =>
    new Promise<Result>((resolve) => {
      waiting.push({ item, settle: resolve });
      if (!writing) void writeWaiting();
    });
}

type DriverErrorCause = { kind?: unknown; originalCode?: unknown };

/** The driver adapter's error description, from a Prisma raw-query error or the driver error itself. */
function driverErrorCause(error: object): DriverErrorCause | undefined {
  const { meta, cause, name } = error as {
    meta?: { driverAdapterError?: { cause?: DriverErrorCause } };
    cause?: DriverErrorCause;
    name?: unknown;
  };
  if (meta?.driverAdapterError?.cause) return meta.driverAdapterError.cause;
  return name === "DriverAdapterError" ? cause : undefined;
}

/** A unique-key conflict: P2002 from model queries, or the driver's UniqueConstraintViolation. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  if ((error as { code?: unknown }).code === "P2002") return true;
  return driverErrorCause(error)?.kind === "UniqueConstraintViolation";
}

/**
 * A database error that says nothing about the job and goes away on its own: SQLite's
 * "database is locked" (one writer at a time: a deferred transaction that read first cannot
 * upgrade while another process writes, and SQLite fails it at once rather than wait), and
 * PostgreSQL serialization failures and deadlocks (Prisma P2034). The failed transaction was
 * rolled back, and handlers are idempotent (the queue is at-least-once), so running it again is safe.
 * Also what the driver connection throws when SQLite is busy (it never waits; see createSqlDriver).
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === "P2034") return true;
  const cause = driverErrorCause(error);
  const original = typeof cause?.originalCode === "string" ? cause.originalCode : "";
  if (/^SQLITE_(BUSY|LOCKED)/.test(original) || original === "40001" || original === "40P01") return true;
  return typeof message === "string" && /database is locked|database table is locked|SQLITE_BUSY/.test(message);
}

/**
 * The database cannot serve anyone right now, and will again without anyone's help: busy past
 * every wait (isTransientDatabaseError: SQLite's other writer held the lock beyond the busy
 * timeout), or a PostgreSQL server that refuses, drops or ends connections (restarting, shutting
 * down, the database closed to connections, out of connection slots, a failover). Nothing was
 * written by the failed statement; the caller answers 503 so that the register or the webhook
 * sender tries again later.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isTransientDatabaseError(error)) return true;
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  // Prisma's own: server unreachable, timed out, closed the connection, no pooled connection in time.
  if (typeof code === "string" && ["P1001", "P1002", "P1008", "P1017", "P2024"].includes(code)) return true;
  const cause = driverErrorCause(error);
  if (typeof cause?.kind === "string" && UNAVAILABLE_KINDS.has(cause.kind)) return true;
  const original = typeof cause?.originalCode === "string" ? cause.originalCode : "";
  // Class 08 (connection exception), 57P01-57P03 (admin/crash shutdown, cannot connect now),
  // 53300 (too many connections).
  if (/^08|^57P0[123]$|^53300$/.test(original)) return true;
  return typeof message === "string" && UNAVAILABLE_MESSAGE.test(message);
}

/** The pg driver adapter's names for a connection that could not be made or was lost. */
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

/** What pg and PostgreSQL say when a connection is refused or lost (some errors carry no code). */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|terminating connection due to administrator command|is not currently accepting connections|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|ECONNREFUSED|ECONNRESET|Can't reach database server/;

declare global {
  var __registerCopilotDb: Db | undefined;
  var __registerCopilotSqlDriver: Promise<SqlDriver> | undefined;
}

/** The process-wide client (kept on globalThis so dev reloads do not open new pools). */
export function getDb(): Db {
  globalThis.__registerCopilotDb ??= createDb(env().DATABASE_URL);
  return globalThis.__registerCopilotDb;
}

/** The process-wide driver connection (see SqlDriver). */
export function getSqlDriver(): Promise<SqlDriver> {
  globalThis.__registerCopilotSqlDriver ??= createSqlDriver(env().DATABASE_URL);
  return globalThis.__registerCopilotSqlDriver;
}
