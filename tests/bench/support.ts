/**
 * What the load benchmarks share: env knobs, child processes (every one tracked and stopped on
 * the way out), the groceries baskets, a seeded random source, percentiles, and CPU seconds read
 * from /proc. No Vitest import: the benchmarks are tsx scripts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { seededRandom } from "../../shared/recommendations/evaluation";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A failure the benchmark explains itself (printed without a stack). */
export class BenchFailure extends Error {}

export function numberEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(200);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked and stopped on the way out, whatever happens.

export interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
}

const children = new Set<Managed>();

/** A Node process (`node ...args`) run from the repository root, its output in logDir/<name>.log. */
export function startProcess(name: string, args: string[], env: NodeJS.ProcessEnv, logDir: string): Managed {
  const logFile = path.join(logDir, `${name}.log`);
  const log = fs.createWriteStream(logFile);
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    if (stdout.length < 100_000) stdout += chunk.toString("utf8");
    log.write(chunk);
  });
  child.stderr!.on("data", (chunk: Buffer) => log.write(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => {
      log.end();
      resolve({ code, signal });
    });
  });
  const managed: Managed = { name, child, logFile, exited, stdout: () => stdout };
  children.add(managed);
  void exited.then(() => children.delete(managed));
  return managed;
}

export function isRunning(managed: Managed): boolean {
  return managed.child.exitCode === null && managed.child.signalCode === null;
}

export async function stopProcess(managed: Managed, graceMs = 10_000): Promise<string> {
  if (!isRunning(managed)) return "already exited";
  managed.child.kill("SIGTERM");
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
  const result = await Promise.race([managed.exited, timeout]);
  if (result !== "timeout") return result.code === 0 ? "stopped" : `exited ${result.code ?? result.signal}`;
  managed.child.kill("SIGKILL");
  await managed.exited;
  return "killed after SIGTERM timeout";
}

export async function stopAll(): Promise<void> {
  await Promise.all(
    [...children].map(async (managed) => {
      const how = await stopProcess(managed);
      console.log(`  ${managed.name}: ${how}`);
    }),
  );
}

// Last resort if the process dies some other way: no orphans left listening.
process.on("exit", () => {
  for (const managed of children) managed.child.kill("SIGKILL");
});

export function tail(file: string, lines = 25): string {
  try {
    return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export async function waitForOutput(managed: Managed, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pattern.test(managed.stdout())) return;
    if (!isRunning(managed)) break;
    await sleep(50);
  }
  const state = managed.child.exitCode !== null ? `exited with ${managed.child.exitCode}` : "did not get ready";
  throw new BenchFailure(`${managed.name} ${state} (waited for ${pattern}); last log lines:\n${tail(managed.logFile)}`);
}

/** CPU seconds (user + system) a child has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuSeconds(managed: Managed | undefined): number {
  try {
    if (!managed?.child.pid) return Number.NaN;
    const stat = fs.readFileSync(`/proc/${managed.child.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat (utime, stime), counted after the ")" that ends the command name.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Resident set size of a child in bytes (VmRSS in /proc/<pid>/status); NaN once it is gone. */
export function rssBytes(managed: Managed | undefined): number {
  try {
    if (!managed?.child.pid) return Number.NaN;
    const status = fs.readFileSync(`/proc/${managed.child.pid}/status`, "utf8");
    const kilobytes = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kilobytes ? Number(kilobytes) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Stops every tracked child on SIGINT/SIGTERM, then exits 130. */
export function stopOnSignals(beforeExit: () => Promise<void> = async () => undefined): void {
  let interrupted = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      console.log(`\n${signal}: stopping`);
      void stopAll()
        .then(beforeExit)
        .finally(() => process.exit(130));
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Data and statistics.

export function stableHash(text: string): number {
  let hash = 2_166_136_261;
  for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 16_777_619) >>> 0;
  return hash;
}

export const GROCERIES_CSV = path.resolve(ROOT, "../shared/data/groceries.csv");

/** The groceries baskets (distinct items per line), or synthetic ones when the file is missing. */
export function loadBaskets(): string[][] {
  if (fs.existsSync(GROCERIES_CSV)) {
    const baskets = fs
      .readFileSync(GROCERIES_CSV, "utf8")
      .split(/\r?\n/)
      .map((line) => [
        ...new Set(
          line
            .split(",")
            .map((item) => item.trim())
            .filter(Boolean),
        ),
      ])
      .filter((basket) => basket.length > 0);
    if (baskets.length) return baskets;
  }
  console.log(`  ${path.relative(process.cwd(), GROCERIES_CSV)} not found: synthesizing baskets`);
  const rng = seededRandom(7);
  const catalog = Array.from({ length: 169 }, (_, index) => `item ${index + 1}`);
  return Array.from({ length: 9_835 }, () => [
    ...new Set(Array.from({ length: 1 + Math.floor(rng() * 6) }, () => catalog[Math.floor(rng() * catalog.length)]!)),
  ]);
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function round(value: number): number {
  return Math.round(value * 10) / 10;
}
