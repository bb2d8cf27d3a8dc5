/**
 * What the preview's simulated register knows about itself: the demo shop, its locations and
 * the POS session (the numbers Shopify POS would put in `shopify.session.currentSession`).
 */
import fs from "node:fs";
import path from "node:path";
import type { Db } from "../db.server";
import { DEMO_SHOP_DOMAIN } from "../env.server";
import { extensionRoot } from "./extension-bundle.server";
import type { PreviewRegister } from "./types";

// Stand-ins for ids Shopify would assign; the preview's session token carries DEMO_USER_ID.
export const DEMO_SHOP_ID = 74_210_000_001;
export const DEMO_USER_ID = 110_000_000_001;
export const DEMO_STAFF_MEMBER_ID = 120_000_000_001;
/** The POS app version the preview stands in for (reported in currentSession.posVersion). */
export const PREVIEW_POS_VERSION = "10.14.0 (register preview)";

export async function previewRegister(
  db: Db,
  options: { appPermissionDenied: boolean; backendOffline: boolean },
): Promise<PreviewRegister> {
  const shop = await db.shop.findUnique({
    where: { platform_domain: { platform: "shopify", domain: DEMO_SHOP_DOMAIN } },
    select: {
      name: true,
      currency: true,
      // A stable order by id, so the default register location does not move between loads.
      locations: { where: { active: true }, orderBy: { externalId: "asc" }, select: { externalId: true, name: true } },
    },
  });
  const locations = (shop?.locations ?? [])
    .filter((location) => /^\d+$/.test(location.externalId))
    .map((location) => ({ id: Number(location.externalId), name: location.name }));
  return {
    shop: {
      domain: DEMO_SHOP_DOMAIN,
      name: shop?.name ?? null,
      currency: shop?.currency ?? "USD",
      seeded: Boolean(shop),
    },
    locations,
    session: {
      shopId: DEMO_SHOP_ID,
      userId: DEMO_USER_ID,
      shopDomain: DEMO_SHOP_DOMAIN,
      staffMemberId: DEMO_STAFF_MEMBER_ID,
      currency: shop?.currency ?? "USD",
      posVersion: PREVIEW_POS_VERSION,
    },
    translations: readTranslations(),
    simulate: options,
  };
}

/** The extension's default locale file, for the preview's shopify.i18n.translate. */
function readTranslations(): Record<string, unknown> {
  const file = path.join(extensionRoot(), "locales", "en.default.json");
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}
