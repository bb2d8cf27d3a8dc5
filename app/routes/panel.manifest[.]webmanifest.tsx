/** /panel/manifest.webmanifest — makes the register panel installable (home screen, full screen). */
import { PANEL_MANIFEST } from "../panel/pwa";

export const loader = () =>
  Response.json(PANEL_MANIFEST, {
    headers: { "Content-Type": "application/manifest+json; charset=utf-8", "Cache-Control": "public, max-age=3600" },
  });
