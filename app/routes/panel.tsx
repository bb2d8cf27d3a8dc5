/**
 * /panel — the companion register panel for Square and Clover stores: a page on the register
 * tablet (installable, /panel/manifest.webmanifest), paired once with a code from the admin.
 * Not the Shopify admin: no Polaris, no App Bridge, no loader (it starts from its cached shell
 * offline); everything it shows comes from /api/panel/* and /api/pos/* with its own token.
 */
import type { LinksFunction, MetaFunction } from "@remix-run/node";
import { PanelApp } from "../panel/PanelApp";
import styles from "../panel/panel.css?url";
import { PANEL_THEME_COLOR } from "../panel/pwa";

export const meta: MetaFunction = () => [
  { title: "Register Copilot panel" },
  { name: "description", content: "Suggestions, loyalty, discounts and return checks at the register." },
  { name: "theme-color", content: PANEL_THEME_COLOR },
  { name: "mobile-web-app-capable", content: "yes" },
  { name: "apple-mobile-web-app-capable", content: "yes" },
  { name: "apple-mobile-web-app-title", content: "Copilot panel" },
];

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "manifest", href: "/panel/manifest.webmanifest" },
  { rel: "icon", href: "/panel/icon.svg", type: "image/svg+xml" },
  { rel: "apple-touch-icon", href: "/panel/icon.svg" },
];

export default function PanelRoute() {
  return <PanelApp />;
}
