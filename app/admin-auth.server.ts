/**
 * The admin's way in. With Shopify: `authenticate.admin` (embedded, token exchange).
 * In demo mode (refused at start-up unless the fake demo key is configured) the admin pages
 * open on the demo store without Shopify, so the app can be tried and browser-tested offline.
 */
import { getDb } from "./db.server";
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

/** The signed-in admin's shop with its locations; 409 while the install has not finished. */
export async function requireAdminShop(request: Request) {
  const admin = await requireAdmin(request);
  const shop = await getDb().shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain: admin.shopDomain } },
    select: {
      id: true,
      currency: true,
      locations: { select: { externalId: true, name: true }, orderBy: { name: "asc" } },
    },
  });
  if (!shop) throw new Response("This shop has not finished installing yet", { status: 409 });
  return { admin, shop };
}
