import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { basketsToLongCsv, syntheticStore } from "../../shared/recommendations/synthetic";

const ROOT = path.resolve(__dirname, "../..");
const GROCERIES = path.resolve(ROOT, "../shared/data/groceries.csv");
const TSX = path.resolve(ROOT, "node_modules/tsx/dist/cli.mjs");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "eval-recs-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function evalRecs(...args: string[]) {
  const run = spawnSync(process.execPath, [TSX, "scripts/eval-recs.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("npm run eval:recs", () => {
  it("on groceries prints one JSON object that meets the targets (HR@3 >= 0.21 and >= 1.15 x popularity)", () => {
    const run = evalRecs("--input", GROCERIES, "--json");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]!) as Record<string, number>;
    expect(Object.keys(result).sort()).toEqual(
      ["baskets", "hitRate", "items", "k", "p50Micros", "p99Micros", "popularityHitRate", "queries", "trainMs"].sort(),
    );
    expect(result).toMatchObject({ k: 3, baskets: 9835, items: 169 });
    expect(result.queries).toBeGreaterThan(7000);
    expect(result.hitRate).toBeGreaterThanOrEqual(0.21);
    expect(result.hitRate).toBeGreaterThanOrEqual(1.15 * result.popularityHitRate!);
    expect(result.popularityHitRate).toBeGreaterThan(0.15);
    expect(result.trainMs).toBeGreaterThan(0);
    expect(result.p50Micros).toBeGreaterThan(0);
    expect(result.p99Micros).toBeGreaterThanOrEqual(result.p50Micros!);
  }, 120_000);

  it("splits a long file with timestamps by time, reads quoted names, and beats popularity", () => {
    const baskets = syntheticStore({ products: 300, orderLines: 10_000, seed: 3 });
    const file = path.join(tmp, "long.csv");
    // Names with commas exercise the quoted fields; SQL-style timestamps the second time format.
    fs.writeFileSync(file, basketsToLongCsv(baskets, { timestamps: "sql", itemName: (id) => `Product ${id}, 500g` }));
    const table = evalRecs("--input", file, "--format", "long", "--k", "3");
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/\(long\): \d+ baskets, 300 items/);
    expect(table.stdout).toMatch(/split {8}by time/);
    const json = JSON.parse(evalRecs("--input", file, "--json").stdout) as Record<string, number>;
    expect(json.baskets).toBe(baskets.length);
    expect(json.hitRate).toBeGreaterThan(1.15 * json.popularityHitRate!);
  }, 120_000);

  it("names the problem and exits non-zero for a missing file, a bad format or long CSV columns", () => {
    const missing = evalRecs("--input", path.join(tmp, "nope.csv"));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/input file not found: .*nope\.csv/);

    const badFormat = evalRecs("--input", GROCERIES, "--format", "xlsx");
    expect(badFormat.status).toBe(2);
    expect(badFormat.stderr).toMatch(/--format must be lines or long, got "xlsx"/);

    const noColumns = path.join(tmp, "no-columns.csv");
    fs.writeFileSync(noColumns, "order,product\n1,milk\n1,bread\n");
    const columns = evalRecs("--input", noColumns, "--format", "long");
    expect(columns.status).toBe(2);
    expect(columns.stderr).toMatch(/no transaction_id and item column \(found: order, product\)/);

    const noInput = evalRecs("--k", "3");
    expect(noInput.status).toBe(2);
    expect(noInput.stderr).toMatch(/--input FILE is required/);

    const badK = evalRecs("--input", GROCERIES, "--k", "zero");
    expect(badK.status).toBe(2);
    expect(badK.stderr).toMatch(/--k must be an integer/);
  }, 60_000);
});
