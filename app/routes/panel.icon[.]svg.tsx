/** /panel/icon.svg — the register panel's icon (home screen, tab). */
import { PANEL_ICON_SVG } from "../panel/pwa";

export const loader = () =>
  new Response(PANEL_ICON_SVG, {
    headers: { "Content-Type": "image/svg+xml; charset=utf-8", "Cache-Control": "public, max-age=86400" },
  });
