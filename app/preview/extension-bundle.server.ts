/**
 * The extension bundle the preview runs: built from extensions/register-copilot with the same
 * function `npm run build` uses, but pointed at the page's own origin (or, to show the offline
 * state, at a port nothing listens on).
 */
import fs from "node:fs";
import path from "node:path";
import { buildExtensionTarget } from "../../scripts/build-extension.mjs";
import { env } from "../env.server";
import type { PreviewTarget } from "./types";

/**
 * The repository root. The server bundle lives in build/server, so the source location of this
 * file says nothing at run time; the app is started from the root (npm start, npm run demo).
 */
export function repositoryRoot(): string {
  return path.resolve(process.env.REGISTER_COPILOT_ROOT ?? process.cwd());
}

export function extensionRoot(): string {
  const dir = path.join(repositoryRoot(), "extensions", "register-copilot");
  if (!fs.existsSync(dir)) {
    throw new Error(
      `extensions/register-copilot not found under ${repositoryRoot()}: start the app from the repository root`,
    );
  }
  return dir;
}

/** Loopback port 9 (discard) is closed on any normal machine: fetches fail at once. */
export const UNREACHABLE_BACKEND = "http://127.0.0.1:9";

const cache = new Map<string, Promise<string>>();

export function previewBundle(target: PreviewTarget, appUrl: string): Promise<string> {
  extensionRoot();
  const build = () =>
    buildExtensionTarget({ target, appUrl, root: repositoryRoot(), minify: false }).then((result) => result.code);
  // In development the source changes under us: rebuild every time (esbuild takes ~50 ms).
  if (env().NODE_ENV === "development") return build();
  const key = `${target}|${appUrl}`;
  let code = cache.get(key);
  if (!code) {
    code = build();
    code.catch(() => cache.delete(key));
    cache.set(key, code);
  }
  return code;
}
