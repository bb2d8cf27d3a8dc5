/**
 * POST /api/panel/orders/:orderId/discount — put a discount the approval rules allowed onto the
 * open order in the POS (see services/panel-orders.server.ts).
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { apiError, parseJsonBody } from "../http.server";
import { panelRoute } from "../panel-auth.server";
import { registerDevice } from "../pos-auth.server";
import { registerPosFor } from "../platforms/register-pos.server";
import { writeApprovedDiscount } from "../services/panel-orders.server";
import { externalId } from "../../shared/ids";
import type { PanelDiscountRequest } from "../../shared/panel-contract";

const PanelDiscountRequestSchema = z.strictObject({
  requestId: z.string().min(1, "required").max(64, "must be at most 64 characters"),
  token: z.string().min(20, "must be the approval token").max(200, "must be at most 200 characters").optional(),
}) satisfies z.ZodType<PanelDiscountRequest>;

export const action = ({ request, params }: ActionFunctionArgs) =>
  panelRoute(
    request,
    async ({ db, claims, now }) => {
      if (request.method !== "POST") throw apiError(405, "method_not_allowed", "Use POST", { Allow: "POST" });
      const orderId = externalId(params.orderId ?? "");
      if (!orderId) throw apiError(400, "invalid_order", "orderId: must be an order id");
      const body = await parseJsonBody(request, PanelDiscountRequestSchema, 4 * 1024);
      const shop = await db.shop.findUniqueOrThrow({ where: { id: claims!.shop } });
      const register = {
        shopId: shop.id,
        currency: shop.currency,
        locationExternalId: claims!.location,
        deviceId: registerDevice({ panel: claims }, null),
        userId: null,
        staffMemberId: null,
      };
      return writeApprovedDiscount(db, await registerPosFor(db, shop), register, orderId, body, now);
    },
    { authenticated: true },
  );
