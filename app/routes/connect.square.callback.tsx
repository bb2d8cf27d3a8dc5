import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { configuredSquare, squareClient } from "../platforms/square/client.server";
import { CallbackQuery, clearStateCookie, completeSquareConnect, ConnectError } from "../platforms/square/oauth.server";

function page(status: number, title: string, message: string, headers: Record<string, string> = {}): Response {
  const escape = (text: string) =>
    text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1><p>${escape(message)}</p></main></body></html>`;
  return new Response(html, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

/** GET /connect/square/callback: Square sends the seller back here with a code (or a refusal). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const config = configuredSquare();
  if (!config) return page(404, "Square is not set up", "This app is not set up to connect Square stores.");
  const cleared = { "Set-Cookie": clearStateCookie(config) };
  const query = CallbackQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) {
    return page(
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
    return page(
      200,
      "Square connected",
      `${who} is connected. Its sales history is being imported now; you can close this page.`,
      cleared,
    );
  } catch (error) {
    if (error instanceof ConnectError) return page(error.status, "Square connection failed", error.message, cleared);
    throw error;
  }
};
