/** GET /app/overview — the home page's data, polled while the import runs and setup is open. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdmin } from "../admin-auth.server";
import { getDb } from "../db.server";
import { env } from "../env.server";
import { shopOverview } from "../services/admin-overview.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const admin = await requireAdmin(request);
  const overview = await shopOverview(getDb(), admin.shopDomain, env().SHOPIFY_APP_HANDLE, new Date());
  return Response.json(overview, { headers: { "Cache-Control": "no-store" } });
};
