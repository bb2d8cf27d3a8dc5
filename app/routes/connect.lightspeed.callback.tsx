import type { LoaderFunctionArgs } from "@remix-run/node";
import { consoleSessionCookie } from "../console-auth.server";
import { getDb } from "../db.server";
import { connectPage } from "../platforms/connect-page.server";
import { configuredLightspeed } from "../platforms/lightspeed/config.server";
import {
  CallbackQuery,
  clearStateCookie,
  completeLightspeedConnect,
  ConnectError,
} from "../platforms/lightspeed/oauth.server";

/** GET /connect/lightspeed/callback: Lightspeed sends the retailer back with a code and domain_prefix (or a refusal). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const config = configuredLightspeed();
  if (!config) {
    return connectPage(404, "Lightspeed is not set up", "This app is not set up to connect Lightspeed stores.");
  }
  const cleared = { cookies: [clearStateCookie(config)] };
  const query = CallbackQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) {
    return connectPage(
      400,
      "Lightspeed connection failed",
      "The link from Lightspeed is incomplete. Start again from the app.",
      cleared,
    );
  }
  try {
    const connected = await completeLightspeedConnect(
      { db: getDb(), config, fetch: (input, init) => fetch(input, init), now: new Date() },
      query.data,
      request.headers.get("Cookie"),
    );
    const who = connected.retailerName ?? connected.domainPrefix;
    return connectPage(
      200,
      "Lightspeed connected",
      `${who} is connected. Its sales history is being imported now; you can close this page.`,
      {
        cookies: [...cleared.cookies, consoleSessionCookie(connected.shopId, new Date())],
        link: { href: "/console", text: "Set up register panels" },
      },
    );
  } catch (error) {
    if (error instanceof ConnectError) {
      return connectPage(error.status, "Lightspeed connection failed", error.message, cleared);
    }
    throw error;
  }
};
