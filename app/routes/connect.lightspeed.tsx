import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { configuredLightspeed } from "../platforms/lightspeed/config.server";
import { beginLightspeedConnect } from "../platforms/lightspeed/oauth.server";

/** GET /connect/lightspeed: a single-use state, then off to Lightspeed's authorization page. */
export const loader = async (_args: LoaderFunctionArgs) => {
  const config = configuredLightspeed();
  if (!config) return new Response("This app is not set up to connect Lightspeed stores.", { status: 404 });
  const start = await beginLightspeedConnect(getDb(), config, new Date());
  return new Response(null, {
    status: 302,
    headers: { Location: start.authorizeUrl, "Set-Cookie": start.setCookie, "Cache-Control": "no-store" },
  });
};
