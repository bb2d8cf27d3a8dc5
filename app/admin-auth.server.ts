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
}

export async function requireAdmin(request: Request): Promise<AdminContext> {
  if (env().DEMO_MODE) return { shopDomain: DEMO_SHOP_DOMAIN, demo: true };
  const { session } = await authenticate.admin(request);
  return { shopDomain: session.shop, demo: false };
}
