import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@prisma/client";
import { env } from "./env.server";

export type Db = PrismaClient;

/** True when DATABASE_URL (and therefore the generated client) is PostgreSQL. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

export function createDb(url: string): Db {
  if (isPostgresUrl(url)) {
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  }
  const client = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url, timeout: 5000 }) });
  // The adapter runs queries one at a time in order, so these settle before any other query.
  // WAL lets the web process read while the worker writes; NORMAL stays durable across a
  // process crash (kill -9), only an OS crash can lose the last commits.
  void client.$queryRawUnsafe("PRAGMA journal_mode = WAL").catch(() => undefined);
  void client.$queryRawUnsafe("PRAGMA synchronous = NORMAL").catch(() => undefined);
  return client;
}

declare global {
  var __registerCopilotDb: Db | undefined;
}

/** The process-wide client (kept on globalThis so dev reloads do not open new pools). */
export function getDb(): Db {
  globalThis.__registerCopilotDb ??= createDb(env().DATABASE_URL);
  return globalThis.__registerCopilotDb;
}
