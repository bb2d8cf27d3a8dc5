#!/usr/bin/env node
// Builds the Lightspeed Retail (X-Series) register extension (extensions/lightspeed-register) into
// an unpacked Chromium Manifest V3 extension: background.js (service worker), content.js (the
// panel over the Web Register), options.html/options.js (pairing) and manifest.json.
//   node scripts/build-lightspeed-extension.mjs [--app-url=https://…] [--out=build/lightspeed-extension]
//   node scripts/build-lightspeed-extension.mjs --test-register-origin=http://127.0.0.1:PORT   (tests only)
// The backend URL is baked in (APP_URL_DEFINE) and its origin is the one backend host in
// host_permissions; without --app-url it is SHOPIFY_APP_URL, else application_url from
// shopify.app.toml. --test-register-origin adds a loopback origin to the content script's matches
// and host_permissions so a browser test can serve a stand-in Web Register; a production build
// never has it.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { productionAppUrl } from "./build-extension.mjs";

export const LIGHTSPEED_EXTENSION_DIR = "extensions/lightspeed-register";
/** The build-time constant extensions/lightspeed-register/src/app-url.ts reads. */
export const APP_URL_DEFINE = "__LIGHTSPEED_COPILOT_APP_URL__";
/**
 * Every retailer's Web Register is on its own https://{domain_prefix}.retail.lightspeed.app host
 * (ADR 0017). Lightspeed's Client API pages do not name the register's path, so the content
 * script runs on the whole host and shows its panel only once the page emits a Client API event.
 */
export const LIGHTSPEED_REGISTER_MATCH = "https://*.retail.lightspeed.app/*";

const scriptRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The backend's origin: https, or http on this machine only (the demo and the browser tests). */
export function backendOrigin(appUrl) {
  let url;
  try {
    url = new URL(appUrl);
  } catch {
    throw new Error(`--app-url: not a URL: ${appUrl}`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new Error(`--app-url: must be https (or http on 127.0.0.1/localhost): ${appUrl}`);
  }
  return url.origin;
}

/** A stand-in register for a browser test: http on a loopback address with a port, nothing else. */
export function testRegisterOrigin(value) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--test-register-origin: not a URL: ${value}`);
  }
  if (url.protocol !== "http:" || !LOOPBACK_HOSTS.has(url.hostname) || !url.port || url.origin !== value) {
    throw new Error(`--test-register-origin: must be http://127.0.0.1:<port> (tests only), not ${value}`);
  }
  return url.origin;
}

/**
 * manifest.json from the template: the version, the backend's and Lightspeed's hosts, and the
 * content script's matches (plus the test register's origin when one is given).
 * @param {{ template: Record<string, any>, version: string, appUrl: string, testRegisterOrigin?: string | null }} options
 */
export function lightspeedManifest({ template, version, appUrl, testRegisterOrigin: testOrigin = null }) {
  const backend = backendOrigin(appUrl);
  const test = testOrigin ? testRegisterOrigin(testOrigin) : null;
  const registerMatches = [LIGHTSPEED_REGISTER_MATCH, ...(test ? [`${test}/*`] : [])];
  const [contentScript, ...others] = template.content_scripts ?? [];
  if (!contentScript || others.length > 0) throw new Error("manifest template: exactly one content script expected");
  return {
    ...template,
    version,
    host_permissions: [...new Set([`${backend}/*`, ...registerMatches])],
    content_scripts: [{ ...contentScript, matches: registerMatches }],
  };
}

/**
 * Bundles the three entry points and writes the unpacked extension to outDir (emptied first).
 * Returns the manifest and the written files' sizes.
 * @param {{ appUrl?: string, outDir?: string, testRegisterOrigin?: string | null, root?: string, minify?: boolean }} [options]
 */
export async function buildLightspeedExtension({
  appUrl,
  outDir,
  testRegisterOrigin: testOrigin = null,
  root = scriptRoot,
  minify = true,
} = {}) {
  const url = appUrl ?? process.env.SHOPIFY_APP_URL ?? productionAppUrl(root);
  const out = path.resolve(root, outDir ?? "build/lightspeed-extension");
  if (root.startsWith(out)) throw new Error(`refusing to empty ${out}: it holds the project`);
  const sourceDir = path.join(root, LIGHTSPEED_EXTENSION_DIR);
  const template = JSON.parse(fs.readFileSync(path.join(sourceDir, "manifest.template.json"), "utf8"));
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const manifest = lightspeedManifest({ template, version, appUrl: url, testRegisterOrigin: testOrigin });

  // Loaded on first use, as in build-extension.mjs: nothing imports esbuild unless it builds.
  const esbuild = await import("esbuild");
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: {
      background: path.join(sourceDir, "src/background.ts"),
      content: path.join(sourceDir, "src/content.tsx"),
      options: path.join(sourceDir, "src/options.tsx"),
    },
    outdir: out,
    bundle: true,
    // Content scripts cannot be modules; one format for all three keeps the worker simple too.
    format: "iife",
    platform: "browser",
    target: "chrome120",
    minify,
    legalComments: "none",
    jsx: "automatic",
    jsxImportSource: "preact",
    define: { [APP_URL_DEFINE]: JSON.stringify(url), "process.env.NODE_ENV": '"production"' },
    metafile: true,
    logLevel: "silent",
  });
  fs.copyFileSync(path.join(sourceDir, "options.html"), path.join(out, "options.html"));
  fs.writeFileSync(path.join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const files = Object.fromEntries(fs.readdirSync(out).map((name) => [name, fs.statSync(path.join(out, name)).size]));
  return { outDir: out, manifest, files, inputs: Object.keys(result.metafile.inputs) };
}

async function main() {
  /** @param {string} name */
  const option = (name) => {
    const index = process.argv.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
    if (index < 0) return undefined;
    const arg = process.argv[index];
    return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : process.argv[index + 1];
  };
  const built = await buildLightspeedExtension({
    appUrl: option("app-url"),
    outDir: option("out"),
    testRegisterOrigin: option("test-register-origin") ?? null,
  });
  const sizes = Object.entries(built.files).map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)} KB`);
  console.log(`Lightspeed extension → ${path.relative(process.cwd(), built.outDir) || "."}: ${sizes.join(", ")}`);
  console.log(
    `  backend ${built.manifest.host_permissions[0]}; register ${built.manifest.content_scripts[0].matches.join(", ")}`,
  );
}

const isCli = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isCli) {
  main().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
