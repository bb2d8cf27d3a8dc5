/**
 * The app's backend, baked in at build time by scripts/build-lightspeed-extension.mjs (esbuild
 * `define`, from --app-url or SHOPIFY_APP_URL). Its origin is also the one backend host the
 * manifest's host_permissions grant.
 */
declare const __LIGHTSPEED_COPILOT_APP_URL__: string | undefined;

// Unbundled (unit tests, typecheck) there is no define: the demo server's address.
export const APP_URL: string =
  typeof __LIGHTSPEED_COPILOT_APP_URL__ === "string" ? __LIGHTSPEED_COPILOT_APP_URL__ : "http://127.0.0.1:3000";
