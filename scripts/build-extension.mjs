#!/usr/bin/env node
// Bundles the POS extension, one minified ES module per target, the way Shopify's own build
// does (esbuild, Preact automatic JSX), so its size can be measured offline and so the register
// preview can run the very same code.
//   node scripts/build-extension.mjs [--app-url=https://…] [--out=build/extension]
// The backend URL is baked in at build time (APP_URL_DEFINE); without --app-url it is
// SHOPIFY_APP_URL when set, else application_url from shopify.app.toml.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const EXTENSION_DIR = "extensions/register-copilot";
/** Shopify rejects a POS UI extension bundle over 64 KB. */
export const BUNDLE_LIMIT_BYTES = 64 * 1024;
/** The build-time constant extensions/register-copilot/src/backend.ts reads. */
export const APP_URL_DEFINE = "__REGISTER_COPILOT_APP_URL__";

const scriptRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * [{ target, module }] from shopify.extension.toml, in file order. A tiny reader for the two
 * keys we need: no TOML parser is installed, and the file is ours.
 */
export function extensionTargets(root = scriptRoot) {
  const toml = fs.readFileSync(path.join(root, EXTENSION_DIR, "shopify.extension.toml"), "utf8");
  const blocks = toml.split(/^\s*\[\[extensions\.targeting\]\]\s*$/m).slice(1);
  const targets = blocks.map((block) => {
    const target = /^\s*target\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    const module = /^\s*module\s*=\s*"([^"]+)"/m.exec(block)?.[1];
    if (!target || !module)
      throw new Error(`shopify.extension.toml: a [[extensions.targeting]] lacks target or module`);
    return { target, module };
  });
  if (targets.length === 0) throw new Error("shopify.extension.toml declares no targets");
  return targets;
}

/** application_url from shopify.app.toml: what a production bundle talks to. */
export function productionAppUrl(root = scriptRoot) {
  const file = path.join(root, "shopify.app.toml");
  const url = fs.existsSync(file)
    ? /^\s*application_url\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(file, "utf8"))?.[1]
    : undefined;
  if (!url) throw new Error("shopify.app.toml has no application_url");
  return url;
}

/**
 * Bundles one target. Returns the code and its sizes, plus the source files that went in (so a
 * test can prove zod, React or server code never reach the register).
 * @param {{ target: string, appUrl: string, root?: string, minify?: boolean }} options
 */
export async function buildExtensionTarget({ target, appUrl, root = scriptRoot, minify = true }) {
  const entry = extensionTargets(root).find((candidate) => candidate.target === target);
  if (!entry) throw new Error(`unknown extension target ${target}`);
  // Loaded on first use: the app's server bundles this module, and only the demo-mode preview
  // ever builds at run time, so a production server must not need esbuild to start.
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [path.join(root, EXTENSION_DIR, entry.module)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    // POS runs extensions in the device's webview (iOS 16+/Android Chrome); ES2020 runs on all.
    target: "es2020",
    minify,
    legalComments: "none",
    jsx: "automatic",
    jsxImportSource: "preact",
    define: { [APP_URL_DEFINE]: JSON.stringify(appUrl), "process.env.NODE_ENV": '"production"' },
    metafile: true,
    logLevel: "silent",
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error(`esbuild produced no output for ${target}`);
  const code = output.text;
  return {
    target,
    module: entry.module,
    code,
    bytes: Buffer.byteLength(code),
    gzipBytes: gzipSync(code).length,
    inputs: Object.keys(result.metafile.inputs),
  };
}

/**
 * Every target, in parallel; optionally written to outDir/<target>.js.
 * @param {{ appUrl?: string, root?: string, outDir?: string }} [options]
 */
export async function buildExtension({ appUrl, root = scriptRoot, outDir } = {}) {
  const url = appUrl ?? process.env.SHOPIFY_APP_URL ?? productionAppUrl(root);
  const results = await Promise.all(
    extensionTargets(root).map(({ target }) => buildExtensionTarget({ target, appUrl: url, root })),
  );
  if (outDir) {
    fs.mkdirSync(outDir, { recursive: true });
    for (const result of results) fs.writeFileSync(path.join(outDir, `${result.target}.js`), result.code);
  }
  return results;
}

/** @param {number} bytes */
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/**
 * The size table printed by the CLI and the bundle test.
 * @param {{ target: string, bytes: number, gzipBytes: number }[]} results
 */
export function sizeTable(results) {
  const rows = results.map((r) => [
    r.target,
    kb(r.bytes),
    kb(r.gzipBytes),
    r.bytes <= BUNDLE_LIMIT_BYTES ? "ok" : "OVER",
  ]);
  const header = ["target", "minified", "gzip", `limit ${kb(BUNDLE_LIMIT_BYTES)}`];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  /** @param {string[]} cells */
  const line = (cells) => cells.map((cell, column) => cell.padEnd(widths[column])).join("  ");
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

async function main() {
  /** @param {string} name */
  const option = (name) =>
    process.argv
      .find((arg) => arg.startsWith(`--${name}=`))
      ?.split("=")
      .slice(1)
      .join("=");
  const outDir = path.resolve(scriptRoot, option("out") ?? "build/extension");
  const results = await buildExtension({ appUrl: option("app-url"), outDir });
  console.log(sizeTable(results));
  console.log(`wrote ${results.length} bundle(s) to ${path.relative(process.cwd(), outDir) || "."}`);
  if (results.some((result) => result.bytes > BUNDLE_LIMIT_BYTES)) {
    console.error(`a bundle is over Shopify's ${kb(BUNDLE_LIMIT_BYTES)} limit`);
    process.exitCode = 1;
  }
}

// No top-level await: the app's server build bundles this module (for the register preview).
const isCli = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isCli) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
