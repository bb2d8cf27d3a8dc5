import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { configuredClover } from "../platforms/clover/config.server";
import { CallbackQuery, clearStateCookie, completeCloverConnect, ConnectError } from "../platforms/clover/oauth.server";

function page(status: number, title: string, message: string, headers: Record<string, string> = {}): Response {
  const escape = (text: string) =>
    text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)}</title></head><body><main><h1>${escape(title)}</h1><p>${escape(message)}</p></main></body></html>`;
  return new Response(html, {
    status,
    headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

/** GET /connect/clover/callback: Clover sends the merchant back with a code and merchant_id (or a refusal). */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const config = configuredClover();
  if (!config) return page(404, "Clover is not set up", "This app is not set up to connect Clover stores.");
  const cleared = { "Set-Cookie": clearStateCookie(config) };
  const query = CallbackQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) {
    return page(
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
    return page(
      200,
      "Clover connected",
      `${who} is connected. Its sales history is being imported now; you can close this page.`,
      cleared,
    );
  } catch (error) {
    if (error instanceof ConnectError) return page(error.status, "Clover connection failed", error.message, cleared);
    throw error;
  }
};
