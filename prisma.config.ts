// Prisma CLI configuration. The WASM schema engine ("js") works offline; the native one would
// be downloaded at run time. DATABASE_URL picks the provider: file:… → SQLite, postgres… → PostgreSQL.
import path from "node:path";
import { defineConfig } from "prisma/config";

// schema.prisma reads env("DATABASE_URL"); give the CLI the same default the app uses.
process.env.DATABASE_URL ??= "file:./prisma/data/dev.db";
const databaseUrl = process.env.DATABASE_URL;
const isPostgres = /^postgres(ql)?:\/\//.test(databaseUrl);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: isPostgres ? path.join("prisma", "postgres", "schema.prisma") : path.join("prisma", "schema.prisma"),
  async adapter() {
    if (isPostgres) {
      // adapter-pg 6.19 cannot run `migrate deploy` (its introspection trips on `name` columns);
      // the 7.x adapter works for the CLI while the runtime keeps 6.19.
      const { PrismaPg } = await import("prisma-adapter-pg-7");
      return new PrismaPg({ connectionString: databaseUrl });
    }
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url: databaseUrl });
  },
});
