/**
 * Shopify rejects a POS UI extension bundle over 64 KB. Build every target exactly as
 * `npm run build` does and hold each one under the limit, printing the sizes for the log.
 */
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  BUNDLE_LIMIT_BYTES,
  buildExtension,
  extensionTargets,
  productionAppUrl,
  sizeTable,
} from "../../scripts/build-extension.mjs";

type Built = Awaited<ReturnType<typeof buildExtension>>;

const root = path.resolve(__dirname, "../..");
let bundles: Built;

beforeAll(async () => {
  bundles = await buildExtension({ appUrl: "https://register-copilot.example.com", root });
  // Printed on purpose: the size trend is worth seeing in every CI log.
  console.log(`POS extension bundles:\n${sizeTable(bundles)}`);
}, 60_000);

describe("POS extension bundle", () => {
  it("builds every target declared in shopify.extension.toml", () => {
    const targets = [
      "pos.home.tile.render",
      "pos.home.modal.render",
      "pos.order-details.action.menu-item.render",
      "pos.order-details.action.render",
      "pos.customer-details.block.render",
    ];
    expect(extensionTargets(root).map((entry) => entry.target)).toEqual(targets);
    expect(bundles.map((bundle) => bundle.target)).toEqual(targets);
  });

  it("keeps every target under Shopify's 64 KB limit", () => {
    for (const bundle of bundles) {
      expect(bundle.bytes, `${bundle.target} is ${bundle.bytes} bytes`).toBeLessThanOrEqual(BUNDLE_LIMIT_BYTES);
    }
  });

  it("leaves zod, React and server code out of the register", () => {
    for (const bundle of bundles) {
      const offenders = bundle.inputs.filter((input) =>
        /node_modules\/(zod|react|react-dom|@remix-run|@prisma)\/|\.server\.|pos-contract\.schema/.test(input),
      );
      expect(offenders, bundle.target).toEqual([]);
    }
  });

  it("exports the render function POS calls, as an ES module", () => {
    for (const bundle of bundles) expect(bundle.code).toMatch(/export\s*\{[^}]*as default\s*\}/);
  });

  it("bakes in the backend URL it was built for", () => {
    // The order menu item only opens the return check: it never calls the backend.
    for (const bundle of bundles.filter((b) => b.target !== "pos.order-details.action.menu-item.render")) {
      expect(bundle.code).toContain('"https://register-copilot.example.com"');
    }
  });

  it("falls back to the production app URL of shopify.app.toml when Shopify CLI builds it", () => {
    // Shopify CLI bundles without our esbuild `define`; backend.ts then uses its constant.
    const backend = fs.readFileSync(path.join(root, "extensions/register-copilot/src/backend.ts"), "utf8");
    const fallback = /PRODUCTION_APP_URL = "([^"]+)"/.exec(backend)?.[1];
    expect(fallback).toBe(productionAppUrl(root));
  });
});
