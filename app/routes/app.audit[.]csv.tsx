/** GET /app/audit.csv — the shop's audit log as CSV (optionally one type or type prefix: ?type=approval.). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdminShop } from "../admin-auth.server";
import { getDb } from "../db.server";
import { auditCsv, listAuditEvents } from "../services/audit.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await requireAdminShop(request);
  const type = new URL(request.url).searchParams.get("type");
  const events = await listAuditEvents(getDb(), shop.id, { type, limit: 10_000 });
  return new Response(auditCsv(events), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
