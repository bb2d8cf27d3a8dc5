/**
 * What makes the register panel an installable app: its manifest, its icon and its service
 * worker's source (served by app/routes/panel.*.tsx). The service worker keeps the panel's
 * shell — the /panel page and the build assets it names — so the panel starts without a
 * connection; API answers are never cached (they are always the network's, or an error).
 */
export const PANEL_THEME_COLOR = "#0b3d91";
export const PANEL_SCOPE = "/panel";
export const PANEL_CACHE_PREFIX = "register-copilot-panel-";
/** Bump when the service worker's caching changes: older caches are dropped on activation. */
export const PANEL_CACHE = `${PANEL_CACHE_PREFIX}v1`;

export const PANEL_MANIFEST = {
  name: "Register Copilot panel",
  short_name: "Copilot panel",
  description: "Suggestions, loyalty, discounts and return checks at the register.",
  id: "/panel",
  start_url: "/panel",
  scope: PANEL_SCOPE,
  display: "standalone",
  orientation: "any",
  background_color: "#ffffff",
  theme_color: PANEL_THEME_COLOR,
  icons: [
    { src: "/panel/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
    { src: "/panel/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "maskable" },
  ],
} as const;

/** A register with a spark on the theme blue; fills the square, so it works as a maskable icon. */
export const PANEL_ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">
<title>Register Copilot panel</title>
<rect width="512" height="512" fill="${PANEL_THEME_COLOR}"/>
<rect x="112" y="208" width="288" height="200" rx="28" fill="#ffffff"/>
<rect x="144" y="240" width="224" height="52" rx="10" fill="${PANEL_THEME_COLOR}"/>
<g fill="${PANEL_THEME_COLOR}"><circle cx="172" cy="334" r="13"/><circle cx="218" cy="334" r="13"/><circle cx="264" cy="334" r="13"/><circle cx="172" cy="372" r="13"/><circle cx="218" cy="372" r="13"/><circle cx="264" cy="372" r="13"/></g>
<rect x="300" y="318" width="68" height="66" rx="10" fill="#ffb400"/>
<path d="M256 88l20 52 52 20-52 20-20 52-20-52-52-20 52-20z" fill="#ffb400"/>
</svg>
`;

/** The shell besides the page and its build assets. */
export const PANEL_SHELL_EXTRAS = ["/panel/manifest.webmanifest", "/panel/icon.svg"];

/**
 * The service worker, as the script /panel/sw.js serves. Plain ES2020 (no bundling): the page
 * at /panel is fetched network-first (a fresh copy refreshes the cached shell and the assets it
 * names, dropping the ones it no longer names), build assets cache-first (their names change
 * with their content), and anything else — /api/* above all — is left to the network.
 */
export const PANEL_SERVICE_WORKER = `// Register Copilot panel: offline shell. /api/* is never cached.
const CACHE = ${JSON.stringify(PANEL_CACHE)};
const PREFIX = ${JSON.stringify(PANEL_CACHE_PREFIX)};
const PAGE = ${JSON.stringify(PANEL_SCOPE)};
const EXTRAS = ${JSON.stringify(PANEL_SHELL_EXTRAS)};

function assetsNamedIn(html) {
  const found = new Set();
  for (const match of html.matchAll(/["'(](\\/assets\\/[^"')\\s?#]+)/g)) found.add(match[1]);
  return found;
}

async function keepShell(page) {
  const cache = await caches.open(CACHE);
  const html = await page.clone().text();
  await cache.put(PAGE, page);
  const assets = assetsNamedIn(html);
  await Promise.all(
    [...assets, ...EXTRAS].map(async (url) => {
      if (await cache.match(url)) return;
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok) await cache.put(url, response);
      } catch (error) {
        // Fetched again with the next fresh page.
      }
    }),
  );
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/assets/") && !assets.has(path)) await cache.delete(request);
  }
}

async function fetchPage() {
  const response = await fetch(PAGE, { cache: "no-store", credentials: "same-origin" });
  if (response.ok) await keepShell(response.clone());
  return response;
}

self.addEventListener("install", (event) => {
  event.waitUntil(fetchPage().catch(() => undefined).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith(PREFIX) && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

async function pageNetworkFirst(event) {
  try {
    const response = await fetch(event.request);
    if (response.ok) event.waitUntil(keepShell(response.clone()).catch(() => undefined));
    return response;
  } catch (error) {
    const cached = await caches.match(PAGE, { cacheName: CACHE });
    return cached || Response.error();
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { cacheName: CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The API is always the network's: a cached order, token or approval would be a wrong one.
  if (url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate" && (url.pathname === PAGE || url.pathname === PAGE + "/")) {
    event.respondWith(pageNetworkFirst(event));
    return;
  }
  if (url.pathname.startsWith("/assets/") || EXTRAS.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  }
});
`;
