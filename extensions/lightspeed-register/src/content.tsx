/** @jsxImportSource preact */
/**
 * The content script on the retailer's Lightspeed pages. It listens for the Web Register's
 * Client API events (src/client-api.ts) and, on the first one, shows the copilot's panel in a
 * shadow root over the register, so the register's CSS cannot break it. Pages that emit no
 * Client API event (the back office on the same domain) get nothing.
 */
import { render } from "preact";
import { chromeApi } from "./chrome";
import { readClientApiEvent } from "./client-api";
import { Panel, type PanelPreferences } from "./panel/Panel";
import { createSaleFeed } from "./panel/sale-feed";
import { PANEL_CSS } from "./panel/styles";

const SIDE_KEY = "registerCopilot.panelSide";
const feed = createSaleFeed();
let mounted = false;

function mount() {
  mounted = true;
  const host = document.createElement("register-copilot-panel");
  const shadow = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = PANEL_CSS;
  const root = document.createElement("div");
  shadow.append(style, root);
  // The documentElement exists from document_start; the register may replace its body.
  document.documentElement.append(host);
  const { runtime, storage } = chromeApi();
  const preferences: PanelPreferences = {
    side: async () => {
      const saved = (await storage.local.get(SIDE_KEY))[SIDE_KEY];
      return saved === "left" || saved === "right" ? saved : null;
    },
    setSide: (side) => storage.local.set({ [SIDE_KEY]: side }),
  };
  render(
    <Panel feed={feed} send={(request) => runtime.sendMessage(request)} register={window} preferences={preferences} />,
    root,
  );
}

window.addEventListener("message", (event) => {
  // Only the register's own top-level window speaks the Client API (as documented).
  if (event.source !== window || event.origin !== window.location.origin) return;
  const clientEvent = readClientApiEvent(event.data);
  if (!clientEvent) return;
  if (!mounted) mount();
  if (clientEvent.name === "sale:update") feed.publish(clientEvent.sale);
  if (clientEvent.name === "outlet:set") feed.publishOutlet(clientEvent.outletId);
});
