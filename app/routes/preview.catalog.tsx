/**
 * GET /preview/catalog?location=<id>&q=<text> — the product picker's search over the demo
 * catalog (in stock at that location), or ?variantId=<id>&variantId=… to look variants up.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "../db.server";
import { DEMO_SHOP_DOMAIN } from "../env.server";
import { searchCatalog } from "../preview/catalog.server";
import { requireDemoMode } from "../preview/demo-mode.server";

const numericId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Query = z.object({
  location: numericId,
  q: z.string().max(100).optional(),
  variantId: z.array(numericId).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  requireDemoMode();
  const params = new URL(request.url).searchParams;
  const parsed = Query.safeParse({
    location: params.get("location"),
    q: params.get("q") ?? undefined,
    variantId: params.has("variantId") ? params.getAll("variantId") : undefined,
    limit: params.get("limit") ?? undefined,
  });
  if (!parsed.success) {
    return Response.json({ error: { code: "invalid_query", message: z.prettifyError(parsed.error) } }, { status: 400 });
  }
  const { location, q, variantId, limit } = parsed.data;
  return Response.json(
    await searchCatalog(getDb(), {
      shopDomain: DEMO_SHOP_DOMAIN,
      locationId: location,
      query: q,
      variantIds: variantId,
      limit,
    }),
  );
};
