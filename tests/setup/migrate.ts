/**
 * Applies the committed migration SQL (the same files `prisma migrate deploy` applies) to a
 * test database directly: much faster than the CLI, and it proves the migrations themselves.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";

const root = path.resolve(__dirname, "../..");

function migrationFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((entry) => /^\d/.test(entry))
    .sort()
    .map((entry) => path.join(dir, entry, "migration.sql"));
}

export async function applyMigrations(url: string): Promise<void> {
  if (url.startsWith("file:")) {
    const sqlite = new Database(url.slice("file:".length));
    try {
      sqlite.pragma("journal_mode = WAL");
      for (const file of migrationFiles(path.join(root, "prisma/migrations")))
        sqlite.exec(fs.readFileSync(file, "utf8"));
    } finally {
      sqlite.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const file of migrationFiles(path.join(root, "prisma/postgres/migrations"))) {
      await client.query(fs.readFileSync(file, "utf8"));
    }
  } finally {
    await client.end();
  }
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createPostgresDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(serverUrl, name);
}

export async function dropPostgresDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
