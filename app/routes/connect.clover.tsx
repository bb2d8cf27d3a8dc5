import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { configuredClover } from "../platforms/clover/config.server";
import { beginCloverConnect } from "../platforms/clover/oauth.server";

/** GET /connect/clover: a single-use state, then off to Clover's authorization page. */
export const loader = async (_args: LoaderFunctionArgs) => {
  const config = configuredClover();
  if (!config) return new Response("This app is not set up to connect Clover stores.", { status: 404 });
  const start = await beginCloverConnect(getDb(), config, new Date());
  return new Response(null, {
    status: 302,
    headers: { Location: start.authorizeUrl, "Set-Cookie": start.setCookie, "Cache-Control": "no-store" },
  });
};
