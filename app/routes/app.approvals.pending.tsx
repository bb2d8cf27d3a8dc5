/** GET /app/approvals/pending — the requests waiting for a manager, polled by the admin page. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdminShop } from "../admin-auth.server";
import { getDb } from "../db.server";
import { pendingApprovals } from "../services/approvals.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminShop(request);
  const pending = await pendingApprovals(getDb(), shop.id, null, new Date());
  return Response.json({ pending }, { headers: { "Cache-Control": "no-store" } });
};
