/** GET /api/panel/pos-loyalty/:customerId — the customer's balance in the POS's own loyalty program (Square Loyalty). */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiError } from "../http.server";
import { panelRoute } from "../panel-auth.server";
import { registerPosFor } from "../platforms/register-pos.server";
import { panelPosLoyalty } from "../services/panel-orders.server";
import { externalId } from "../../shared/ids";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  panelRoute(
    request,
    async ({ db, claims }) => {
      const customerId = externalId(params.customerId ?? "");
      if (!customerId) throw apiError(400, "invalid_query", "customerId: must be a customer id");
      const shop = await db.shop.findUniqueOrThrow({ where: { id: claims!.shop } });
      return panelPosLoyalty(await registerPosFor(db, shop), customerId);
    },
    { authenticated: true },
  );
