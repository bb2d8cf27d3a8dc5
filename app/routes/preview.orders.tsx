/** GET /preview/orders — the demo store's recent orders for the preview's Orders screen (demo mode only). */
import { getDb } from "../db.server";
import { DEMO_SHOP_DOMAIN } from "../env.server";
import { requireDemoMode } from "../preview/demo-mode.server";
import { recentOrders } from "../preview/orders.server";

export const loader = async () => {
  requireDemoMode();
  return Response.json({ orders: await recentOrders(getDb(), DEMO_SHOP_DOMAIN) });
};
