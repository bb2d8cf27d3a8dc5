/**
 * The admin's way in. With Shopify: `authenticate.admin` (embedded, token exchange).
 * In demo mode (refused at start-up unless the fake demo key is configured) the admin pages
 * open on the demo store without Shopify, so the app can be tried and browser-tested offline.
 */
import { DEMO_SHOP_DOMAIN, env } from "./env.server";
import { authenticate } from "./shopify.server";

export interface AdminContext {
  shopDomain: string;
  demo: boolean;
  /** The signed-in staff user (the session token's sub), for the audit log. */
  userId: string | null;
}

export async function requireAdmin(request: Request): Promise<AdminContext> {
  if (env().DEMO_MODE) return { shopDomain: DEMO_SHOP_DOMAIN, demo: true, userId: "demo-admin" };
  const { session, sessionToken } = await authenticate.admin(request);
  const userId =
    typeof sessionToken?.sub === "string"
      ? sessionToken.sub
      : (session.onlineAccessInfo?.associated_user.id?.toString() ?? null);
  return { shopDomain: session.shop, demo: false, userId };
}
