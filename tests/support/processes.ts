/**
 * Real child processes for queue tests: TypeScript entry points run with `node --import tsx`
 * (one process, so signals reach the script itself, unlike the `tsx` CLI which forks). Every
 * child is tracked so a test can kill whatever it left behind, and every wait is bounded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  name: string;
  process: ChildProcess;
  /** stdout and stderr so far, for assertions and failure messages. */
  output(): string;
  /** Resolves with the first stdout line matching `pattern`; rejects on exit or after timeoutMs. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves when the process exits; rejects after timeoutMs (the process is left running). */
  waitForExit(timeoutMs: number): Promise<Exit>;
  exited: Promise<Exit>;
}

const live = new Set<ChildProcess>();

export function spawnTs(name: string, script: string, env: Record<string, string | undefined> = {}): Child {
  return spawnNode(name, ["--import", "tsx", path.resolve(ROOT, script)], env);
}

/** Any Node entry point (e.g. the built server, `server.mjs`) as a tracked child. */
export function spawnNode(name: string, args: string[], env: Record<string, string | undefined> = {}): Child {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let stdout = "";
  let stderr = "";
  const lineWaiters = new Set<() => void>();
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    for (const check of lineWaiters) check();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => {
    child.on("exit", (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
      for (const check of lineWaiters) check();
    });
  });
  const output = () => `--- ${name} stdout ---\n${stdout}\n--- ${name} stderr ---\n${stderr}`;

  function waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const done = (error: Error | null, line?: string) => {
        clearTimeout(timer);
        lineWaiters.delete(check);
        if (error) reject(error);
        else resolve(line!);
      };
      const check = () => {
        const line = stdout.split("\n").find((candidate) => pattern.test(candidate));
        if (line !== undefined) done(null, line);
        else if (child.exitCode !== null || child.signalCode !== null) {
          done(new Error(`${name} exited before printing ${pattern}\n${output()}`));
        }
      };
      const timer = setTimeout(
        () => done(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms\n${output()}`)),
        timeoutMs,
      );
      lineWaiters.add(check);
      check();
    });
  }

  function waitForExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${name} did not exit within ${timeoutMs} ms\n${output()}`)),
        timeoutMs,
      );
    });
    return Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
  }

  return { name, process: child, output, waitForLine, waitForExit, exited };
}

/** Kills (SIGKILL, by pid) every child this module started that is still running. */
export async function killAllChildren(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of live) {
    waits.push(new Promise((resolve) => child.once("exit", resolve)));
    child.kill("SIGKILL");
  }
  await Promise.race([Promise.all(waits), new Promise((resolve) => setTimeout(resolve, 5_000))]);
}

/** Polls `probe` until it returns a value other than undefined; bounded by timeoutMs. */
export async function waitFor<T>(
  description: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 100 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
