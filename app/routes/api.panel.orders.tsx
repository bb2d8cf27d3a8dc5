/** GET /api/panel/orders — the open orders at this panel's register location, newest change first. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { panelRoute } from "../panel-auth.server";
import { registerPosFor } from "../platforms/register-pos.server";
import { panelOrders } from "../services/panel-orders.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  panelRoute(
    request,
    async ({ db, claims, now }) => {
      const shop = await db.shop.findUniqueOrThrow({ where: { id: claims!.shop } });
      return panelOrders(await registerPosFor(db, shop), claims!.location, now);
    },
    { authenticated: true },
  );
