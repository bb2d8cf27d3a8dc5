/**
 * /panel/sw.js — the register panel's service worker (source in app/panel/pwa.ts). Served from
 * /panel/ but controlling the page at /panel itself, hence Service-Worker-Allowed; never cached
 * by the browser, so a new version is picked up at the next start.
 */
import { PANEL_SCOPE, PANEL_SERVICE_WORKER } from "../panel/pwa";

export const loader = () =>
  new Response(PANEL_SERVICE_WORKER, {
    headers: {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "no-cache",
      "Service-Worker-Allowed": PANEL_SCOPE,
    },
  });
