import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { configuredSquare } from "../platforms/square/client.server";
import { beginSquareConnect } from "../platforms/square/oauth.server";

/** GET /connect/square: a single-use state, then off to Square's authorization page. */
export const loader = async (_args: LoaderFunctionArgs) => {
  const config = configuredSquare();
  if (!config) return new Response("This app is not set up to connect Square stores.", { status: 404 });
  const start = await beginSquareConnect(getDb(), config, new Date());
  return new Response(null, {
    status: 302,
    headers: { Location: start.authorizeUrl, "Set-Cookie": start.setCookie, "Cache-Control": "no-store" },
  });
};
