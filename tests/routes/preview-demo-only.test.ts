/**
 * The register preview signs session tokens and opens the demo store without Shopify: outside
 * demo mode (as in these tests, with a real-looking app key) every part of it must be absent.
 */
import { APP_URL } from "@shopify/shopify-api/test-helpers";
import { describe, expect, it } from "vitest";
import { getDb } from "../../app/db.server";
import { loader as catalogLoader } from "../../app/routes/preview.catalog";
import { loader as bundleLoader } from "../../app/routes/preview.extension.$target";
import { action as tokenAction } from "../../app/routes/preview.session-token";
import { loader as pageLoader } from "../../app/routes/preview";
import { action as squareAction, loader as squareLoader } from "../../app/routes/preview_.square";
import { createShop } from "../factories";

async function statusOf(run: () => unknown): Promise<number> {
  try {
    const result = await run();
    return result instanceof Response ? result.status : 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

describe("register preview outside demo mode", () => {
  it("answers 404 for the page, the catalog, the bundles and the token signer", async () => {
    // GIVEN a store with data, so a 404 cannot be mistaken for an empty demo store
    await createShop(getDb(), { domain: "demo-register.myshopify.com" });
    const context = { context: {}, params: {} };

    expect(await statusOf(() => pageLoader({ request: new Request(`${APP_URL}/preview`), ...context }))).toBe(404);
    expect(
      await statusOf(() =>
        catalogLoader({ request: new Request(`${APP_URL}/preview/catalog?location=1`), ...context }),
      ),
    ).toBe(404);
    expect(
      await statusOf(() =>
        bundleLoader({
          request: new Request(`${APP_URL}/preview/extension/pos.home.tile.render.js`),
          context: {},
          params: { target: "pos.home.tile.render.js" },
        }),
      ),
    ).toBe(404);
    const tokenRequest = new Request(`${APP_URL}/preview/session-token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sessionId: "preview-session-1" }),
    });
    expect(await statusOf(() => tokenAction({ request: tokenRequest, ...context }))).toBe(404);
    // The demo Square register: neither its page nor its actions (ring up, issue a pairing code).
    expect(await statusOf(() => squareLoader({ request: new Request(`${APP_URL}/preview/square`), ...context }))).toBe(
      404,
    );
    const pairRequest = new Request(`${APP_URL}/preview/square`, {
      method: "POST",
      body: new URLSearchParams({ intent: "pair", location: "" }),
    });
    expect(await statusOf(() => squareAction({ request: pairRequest, ...context }))).toBe(404);
  });
});
