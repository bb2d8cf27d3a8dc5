import type { LoaderFunctionArgs } from "@remix-run/node";
import { consoleSessionCookie } from "../console-auth.server";
import { getDb } from "../db.server";
import { connectPage } from "../platforms/connect-page.server";
import { configuredClover } from "../platforms/clover/config.server";
import { CallbackQuery, clearStateCookie, completeCloverConnect, ConnectError } from "../platforms/clover/oauth.server";

/** GET /connect/clover/callback: Clover sends the merchant back with a code and merchant_id (or a refusal). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const config = configuredClover();
  if (!config) return connectPage(404, "Clover is not set up", "This app is not set up to connect Clover stores.");
  const cleared = { cookies: [clearStateCookie(config)] };
  const query = CallbackQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) {
    return connectPage(
      400,
      "Clover connection failed",
      "The link from Clover is incomplete. Start again from the app.",
      cleared,
    );
  }
  try {
    const connected = await completeCloverConnect(
      { db: getDb(), config, fetch: (input, init) => fetch(input, init), now: new Date() },
      query.data,
      request.headers.get("Cookie"),
    );
    const who = connected.merchantName ?? connected.merchantId;
    return connectPage(
      200,
      "Clover connected",
      `${who} is connected. Its sales history is being imported now; you can close this page.`,
      {
        cookies: [...cleared.cookies, consoleSessionCookie(connected.shopId, new Date())],
        link: { href: "/console", text: "Set up register panels" },
      },
    );
  } catch (error) {
    if (error instanceof ConnectError)
      return connectPage(error.status, "Clover connection failed", error.message, cleared);
    throw error;
  }
};
