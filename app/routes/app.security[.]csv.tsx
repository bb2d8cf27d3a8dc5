/**
 * GET /app/security.csv — refused requests that claimed this shop over the last 90 days (forged
 * webhooks, bad register tokens), counted per minute (ADR 0019).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAdminShop } from "../admin-auth.server";
import { getDb } from "../db.server";
import { listSecurityEvents, SECURITY_LOG_RETENTION_MS, securityCsv } from "../services/security-log.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin } = await requireAdminShop(request);
  const now = new Date();
  const rows = await listSecurityEvents(getDb(), admin.shopDomain, new Date(now.getTime() - SECURITY_LOG_RETENTION_MS));
  return new Response(securityCsv(rows), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="security-${now.toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
