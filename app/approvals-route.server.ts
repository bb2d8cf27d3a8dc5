/**
 * What every POST /api/pos/approvals* route does: the POS preamble (session token, method, shop),
 * a size-capped zod-validated body, the register's context, then one approvals service call whose
 * refusals become `{ error: { code, message } }` with their status. Routes stay a few lines.
 */
import type { z } from "zod";
import { getDb, type Db } from "./db.server";
import { apiError, parseJsonBody } from "./http.server";
import { authenticatePosPost } from "./pos-auth.server";
import { ApprovalError, type RegisterContext } from "./services/approvals.server";
import { externalId } from "../shared/ids";
import type { RegisterOrigin } from "../shared/pos-contract";

export const MAX_APPROVAL_BODY_BYTES = 64 * 1024;

export async function approvalAction<Body extends RegisterOrigin>(
  request: Request,
  schema: z.ZodType<Body>,
  handle: (input: { db: Db; register: RegisterContext; body: Body; now: Date }) => Promise<unknown>,
): Promise<Response> {
  const auth = await authenticatePosPost(request);
  if (auth instanceof Response) return auth;
  const { shopDomain, userId, cors } = auth;
  const db = getDb();
  try {
    const body = await parseJsonBody(request, schema, MAX_APPROVAL_BODY_BYTES);
    const shop = await db.shop.findUnique({
      where: { platform_domain: { platform: "shopify", domain: shopDomain } },
      select: { id: true, currency: true, uninstalledAt: true },
    });
    if (!shop || shop.uninstalledAt) return cors(apiError(404, "shop_not_installed", "The app is not installed here"));
    const register: RegisterContext = {
      shopId: shop.id,
      currency: shop.currency,
      locationExternalId: body.locationId != null ? externalId(body.locationId) : null,
      deviceId: body.deviceId ?? null,
      userId,
      staffMemberId: body.staffMemberId != null ? externalId(body.staffMemberId) : null,
    };
    const answer = await handle({ db, register, body, now: new Date() });
    return cors(Response.json(answer, { headers: { "Cache-Control": "no-store" } }));
  } catch (error) {
    if (error instanceof Response) return cors(error);
    if (error instanceof ApprovalError) return cors(apiError(error.status, error.code, error.message));
    throw error;
  }
}
