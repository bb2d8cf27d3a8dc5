/**
 * Registers the panel's service worker (app/routes/panel.sw[.]js.tsx), which keeps the panel's
 * shell for a start without a connection. A browser without service workers simply goes without.
 */
export const SERVICE_WORKER_URL = "/panel/sw.js";
export const SERVICE_WORKER_SCOPE = "/panel";

export function registerPanelServiceWorker(): void {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: SERVICE_WORKER_SCOPE }).catch(() => {
    // Not fatal: the panel works online without it (e.g. on plain http other than localhost).
  });
}
