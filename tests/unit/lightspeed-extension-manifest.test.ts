/**
 * The Lightspeed extension's manifest and build: Manifest V3, host access limited to the app's
 * backend and Lightspeed's retailer hosts, the content script only on those, and the test-only
 * register origin in a test build and nowhere else.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP_URL_DEFINE,
  buildLightspeedExtension,
  LIGHTSPEED_EXTENSION_DIR,
  LIGHTSPEED_REGISTER_MATCH,
  lightspeedManifest,
} from "../../scripts/build-lightspeed-extension.mjs";

const root = path.resolve(__dirname, "../..");
const template = JSON.parse(
  fs.readFileSync(path.join(root, LIGHTSPEED_EXTENSION_DIR, "manifest.template.json"), "utf8"),
);
const APP = "https://register-copilot.example.com";
const TEST_REGISTER = "http://127.0.0.1:45123";

describe("the manifest", () => {
  it("is Manifest V3 with a service worker, a content script, the options page and storage only", () => {
    const manifest = lightspeedManifest({ template, version: "1.2.3", appUrl: APP });
    expect(manifest).toMatchObject({
      manifest_version: 3,
      version: "1.2.3",
      permissions: ["storage"],
      background: { service_worker: "background.js" },
      options_ui: { page: "options.html" },
    });
    expect(manifest.content_scripts).toEqual([
      { matches: [LIGHTSPEED_REGISTER_MATCH], js: ["content.js"], run_at: "document_start", all_frames: false },
    ]);
  });

  it("reaches only the app's backend and the retailers' Lightspeed hosts", () => {
    const manifest = lightspeedManifest({ template, version: "1.0.0", appUrl: `${APP}/some/path?x=1` });
    expect(LIGHTSPEED_REGISTER_MATCH).toBe("https://*.retail.lightspeed.app/*");
    expect(manifest.host_permissions).toEqual([`${APP}/*`, LIGHTSPEED_REGISTER_MATCH]);
  });

  it("has no test register in a production manifest", () => {
    const text = JSON.stringify(lightspeedManifest({ template, version: "1.0.0", appUrl: APP }));
    expect(text).not.toMatch(/127\.0\.0\.1|localhost|http:\/\//);
  });

  it("adds the test register's origin to the content script and host access only when asked", () => {
    const manifest = lightspeedManifest({ template, version: "1.0.0", appUrl: APP, testRegisterOrigin: TEST_REGISTER });
    expect(manifest.content_scripts[0].matches).toEqual([LIGHTSPEED_REGISTER_MATCH, `${TEST_REGISTER}/*`]);
    expect(manifest.host_permissions).toEqual([`${APP}/*`, LIGHTSPEED_REGISTER_MATCH, `${TEST_REGISTER}/*`]);
  });

  it("refuses a test register that is not a loopback http origin with a port", () => {
    for (const origin of [
      "https://127.0.0.1:45123",
      "http://shop.retail.lightspeed.app:8080",
      "http://127.0.0.1",
      "http://127.0.0.1:45123/webregister",
      "http://evil.example:45123",
      "*",
    ]) {
      expect(
        () => lightspeedManifest({ template, version: "1.0.0", appUrl: APP, testRegisterOrigin: origin }),
        origin,
      ).toThrow(/test-register-origin/);
    }
  });

  it("refuses a backend over plain http unless it is this machine (the demo)", () => {
    expect(() => lightspeedManifest({ template, version: "1.0.0", appUrl: "http://copilot.example.com" })).toThrow(
      /must be https/,
    );
    expect(
      lightspeedManifest({ template, version: "1.0.0", appUrl: "http://127.0.0.1:3000" }).host_permissions[0],
    ).toBe("http://127.0.0.1:3000/*");
  });
});

describe("the production build", () => {
  let outDir: string;
  let built: Awaited<ReturnType<typeof buildLightspeedExtension>>;

  beforeAll(async () => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), "rc-lightspeed-build-"));
    built = await buildLightspeedExtension({ appUrl: APP, outDir, root });
  }, 60_000);
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it("writes an unpacked extension: manifest, worker, content script, options page", () => {
    expect(Object.keys(built.files).sort()).toEqual([
      "background.js",
      "content.js",
      "manifest.json",
      "options.html",
      "options.js",
    ]);
    const manifest = JSON.parse(fs.readFileSync(path.join(outDir, "manifest.json"), "utf8"));
    expect(manifest).toEqual(built.manifest);
    expect(manifest.version).toBe(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version);
  });

  it("bakes in the backend it was built for, and no loopback address anywhere", () => {
    const worker = fs.readFileSync(path.join(outDir, "background.js"), "utf8");
    expect(worker).toContain(APP);
    expect(worker).not.toContain(APP_URL_DEFINE);
    for (const name of Object.keys(built.files)) {
      expect(fs.readFileSync(path.join(outDir, name), "utf8"), name).not.toMatch(/127\.0\.0\.1|localhost/);
    }
  });

  it("leaves zod, React and server code out of the extension", () => {
    const offenders = built.inputs.filter((input) =>
      /node_modules\/(zod|react|react-dom|@remix-run|@prisma)\/|\.server\.|pos-contract\.schema/.test(input),
    );
    expect(offenders).toEqual([]);
  });

  it("keeps the content script small enough to load on every register page", () => {
    expect(built.files["content.js"]).toBeLessThan(80 * 1024);
  });
});
