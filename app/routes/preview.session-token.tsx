/**
 * POST /preview/session-token — a real POS session token for the preview's register, signed by
 * the demo server (demo mode only). `?appPermission=denied` answers { token: null }, which is
 * what getSessionToken() gives a POS user without the app permission.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { DEMO_SHOP_DOMAIN, env } from "../env.server";
import { signSessionToken } from "../services/demo-session-token.server";
import { requireDemoMode } from "../preview/demo-mode.server";
import { DEMO_USER_ID } from "../preview/register.server";
import type { SessionTokenResponse } from "../preview/types";

// A token is good for a minute: no cache may hand it to anyone else.
const NO_STORE = { "Cache-Control": "no-store" };

const Body = z.object({ sessionId: z.string().regex(/^[A-Za-z0-9-]{8,64}$/) });

export const loader = () => {
  requireDemoMode();
  throw new Response("Use POST", { status: 405, headers: { Allow: "POST" } });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  requireDemoMode();
  if (request.method !== "POST") throw new Response("Use POST", { status: 405, headers: { Allow: "POST" } });
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    return Response.json({ error: { code: "invalid_body", message: z.prettifyError(parsed.error) } }, { status: 400 });
  }
  if (new URL(request.url).searchParams.get("appPermission") === "denied") {
    return Response.json({ token: null } satisfies SessionTokenResponse, { headers: NO_STORE });
  }
  const config = env();
  const token = signSessionToken({
    shopDomain: DEMO_SHOP_DOMAIN,
    apiKey: config.SHOPIFY_API_KEY,
    apiSecret: config.SHOPIFY_API_SECRET,
    userId: DEMO_USER_ID,
    sessionId: parsed.data.sessionId,
  });
  return Response.json({ token } satisfies SessionTokenResponse, { headers: NO_STORE });
};
