import type { LoaderFunctionArgs } from "@remix-run/node";
import { consoleSessionCookie } from "../console-auth.server";
import { getDb } from "../db.server";
import { connectPage } from "../platforms/connect-page.server";
import { configuredSquare, squareClient } from "../platforms/square/client.server";
import { CallbackQuery, clearStateCookie, completeSquareConnect, ConnectError } from "../platforms/square/oauth.server";

/** GET /connect/square/callback: Square sends the seller back here with a code (or a refusal). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const config = configuredSquare();
  if (!config) return connectPage(404, "Square is not set up", "This app is not set up to connect Square stores.");
  const cleared = { cookies: [clearStateCookie(config)] };
  const query = CallbackQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) {
    return connectPage(
      400,
      "Square connection failed",
      "The link from Square is incomplete. Start again from the app.",
      cleared,
    );
  }
  try {
    const connected = await completeSquareConnect(
      {
        db: getDb(),
        config,
        oauthClient: squareClient(config, { maxRetries: 1 }),
        clientFor: (token) => squareClient(config, { token, maxRetries: 1 }),
        now: new Date(),
      },
      query.data,
      request.headers.get("Cookie"),
    );
    const who = connected.businessName ?? connected.merchantId;
    return connectPage(
      200,
      "Square connected",
      `${who} is connected. Its sales history is being imported now; you can close this page.`,
      {
        cookies: [...cleared.cookies, consoleSessionCookie(connected.shopId, new Date())],
        link: { href: "/console", text: "Set up register panels" },
      },
    );
  } catch (error) {
    if (error instanceof ConnectError)
      return connectPage(error.status, "Square connection failed", error.message, cleared);
    throw error;
  }
};
