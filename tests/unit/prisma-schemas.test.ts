import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

describe("database schemas", () => {
  it("keeps the PostgreSQL schema generated from the SQLite one (node scripts/db.mjs schema)", () => {
    const generated = read("prisma/postgres/schema.prisma").replace(/^\/\/ GENERATED.*\n/, "");
    expect(generated).toBe(read("prisma/schema.prisma").replace('provider = "sqlite"', 'provider = "postgresql"'));
  });

  it("has the same migrations, by name, for both databases", () => {
    const names = (dir: string) => fs.readdirSync(path.join(root, dir)).filter((entry) => /^\d/.test(entry));
    expect(names("prisma/postgres/migrations")).toEqual(names("prisma/migrations"));
  });
});
