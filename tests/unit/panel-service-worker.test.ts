/**
 * The panel's service worker, run against fake caches and network: it keeps the /panel page and
 * the build assets the page names for an offline start, serves them when the network is gone,
 * drops assets a newer page no longer names, and never touches /api/*.
 */
import { describe, expect, it } from "vitest";
import { PANEL_CACHE, PANEL_MANIFEST, PANEL_SERVICE_WORKER } from "../../app/panel/pwa";

const ORIGIN = "http://tablet.test";
const absolute = (url: string | { url: string }) => new URL(typeof url === "string" ? url : url.url, ORIGIN).href;

const page = (assets: string[]) =>
  `<!DOCTYPE html><html><head><link rel="stylesheet" href="${assets[0]}"/>` +
  `<link rel="modulepreload" href="${assets[1]}"/></head><body><script>import("${assets[2]}")</script></body></html>`;

function fakeWorld() {
  const stores = new Map<string, Map<string, Response>>();
  const openStore = (name: string) => {
    if (!stores.has(name)) stores.set(name, new Map());
    const store = stores.get(name)!;
    return {
      put: async (key: string | Request, response: Response) => void store.set(absolute(key), response),
      match: async (key: string | Request) => store.get(absolute(key))?.clone(),
      keys: async () => [...store.keys()].map((url) => ({ url })),
      delete: async (key: string | { url: string }) => store.delete(absolute(key)),
    };
  };
  const caches = {
    open: async (name: string) => openStore(name),
    keys: async () => [...stores.keys()],
    delete: async (name: string) => stores.delete(name),
    match: async (key: string | Request, options?: { cacheName?: string }) =>
      options?.cacheName ? openStore(options.cacheName).match(key) : undefined,
  };
  const network = { online: true, html: page(["/assets/panel-1.css", "/assets/entry-1.js", "/assets/route-1.js"]) };
  const fetched: string[] = [];
  const fetchImpl = async (input: string | Request) => {
    const url = absolute(input);
    fetched.push(url);
    if (!network.online) throw new TypeError("Failed to fetch");
    const path = new URL(url).pathname;
    if (path === "/panel") return new Response(network.html, { headers: { "Content-Type": "text/html" } });
    return new Response(`body of ${path}`);
  };
  const listeners: Record<string, (event: unknown) => void> = {};
  const self = {
    location: new URL("/panel/sw.js", ORIGIN),
    addEventListener: (type: string, listener: (event: unknown) => void) => (listeners[type] = listener),
    skipWaiting: async () => undefined,
    clients: { claim: async () => undefined },
  };
  new Function("self", "caches", "fetch", PANEL_SERVICE_WORKER)(self, caches, fetchImpl);

  const lifecycle = async (type: "install" | "activate") => {
    const waits: Promise<unknown>[] = [];
    listeners[type]!({ waitUntil: (promise: Promise<unknown>) => waits.push(promise) });
    await Promise.all(waits);
  };
  /** A fetch event; the worker's answer, or null when it leaves the request to the network. */
  const request = async (path: string, init: { method?: string; mode?: string } = {}) => {
    const answer: { current: Promise<Response> | null } = { current: null };
    const waits: Promise<unknown>[] = [];
    listeners.fetch!({
      request: { url: absolute(path), method: init.method ?? "GET", mode: init.mode ?? "cors" },
      respondWith: (promise: Promise<Response>) => (answer.current = promise),
      waitUntil: (promise: Promise<unknown>) => waits.push(promise),
    });
    const response = answer.current ? await answer.current : null;
    await Promise.all(waits);
    return response;
  };
  const cached = async () => [...(stores.get(PANEL_CACHE)?.keys() ?? [])].map((url) => new URL(url).pathname).sort();
  return { network, fetched, lifecycle, request, cached, stores };
}

describe("panel service worker", () => {
  it("keeps the page, the assets it names, the manifest and the icon when installed", async () => {
    const world = fakeWorld();
    await world.lifecycle("install");
    await world.lifecycle("activate");
    expect(await world.cached()).toEqual([
      "/assets/entry-1.js",
      "/assets/panel-1.css",
      "/assets/route-1.js",
      "/panel",
      "/panel/icon.svg",
      "/panel/manifest.webmanifest",
    ]);
  });

  it("starts offline from the kept page and assets", async () => {
    const world = fakeWorld();
    await world.lifecycle("install");
    world.network.online = false;
    const shell = await world.request("/panel", { mode: "navigate" });
    expect(await shell!.text()).toContain("/assets/entry-1.js");
    expect(await (await world.request("/assets/entry-1.js"))!.text()).toBe("body of /assets/entry-1.js");
  });

  it("never answers /api/* itself: every call goes to the network, online or not", async () => {
    const world = fakeWorld();
    await world.lifecycle("install");
    for (const path of ["/api/panel/orders", "/api/panel/session", "/api/pos/approvals/r1"]) {
      expect(await world.request(path)).toBeNull();
    }
    expect(await world.request("/api/panel/token", { method: "POST" })).toBeNull();
    world.network.online = false;
    expect(await world.request("/api/panel/orders")).toBeNull();
    expect((await world.cached()).some((path) => path.startsWith("/api/"))).toBe(false);
  });

  it("a newer page online replaces the kept shell and drops assets it no longer names", async () => {
    const world = fakeWorld();
    await world.lifecycle("install");
    world.network.html = page(["/assets/panel-2.css", "/assets/entry-2.js", "/assets/route-1.js"]);
    const fresh = await world.request("/panel", { mode: "navigate" });
    expect(await fresh!.text()).toContain("entry-2.js");
    expect(await world.cached()).toEqual([
      "/assets/entry-2.js",
      "/assets/panel-2.css",
      "/assets/route-1.js",
      "/panel",
      "/panel/icon.svg",
      "/panel/manifest.webmanifest",
    ]);
  });

  it("leaves other pages of the app alone", async () => {
    const world = fakeWorld();
    expect(await world.request("/app", { mode: "navigate" })).toBeNull();
    expect(await world.request("/preview/square", { mode: "navigate" })).toBeNull();
  });

  it("the manifest starts the installed app on /panel, standalone, with an icon", () => {
    expect(PANEL_MANIFEST).toMatchObject({
      name: "Register Copilot panel",
      start_url: "/panel",
      display: "standalone",
    });
    expect(PANEL_MANIFEST.icons.length).toBeGreaterThan(0);
  });
});
