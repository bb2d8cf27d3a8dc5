/** GET /preview/customers — demo customers for the preview's customer picker (demo mode only). */
import { getDb } from "../db.server";
import { DEMO_SHOP_DOMAIN } from "../env.server";
import { demoCustomers } from "../preview/customers.server";
import { requireDemoMode } from "../preview/demo-mode.server";

export const loader = async () => {
  requireDemoMode();
  return Response.json({ customers: await demoCustomers(getDb(), DEMO_SHOP_DOMAIN) });
};
