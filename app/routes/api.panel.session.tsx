/** GET /api/panel/session — who this panel is paired with: shop, location, and until when its token works. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { panelRoute } from "../panel-auth.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  panelRoute(
    request,
    async ({ db, claims }) => {
      const [shop, location] = await Promise.all([
        db.shop.findUniqueOrThrow({
          where: { id: claims!.shop },
          select: { name: true, domain: true, platform: true, currency: true },
        }),
        db.location.findFirst({
          where: { shopId: claims!.shop, externalId: claims!.location },
          select: { externalId: true, name: true },
        }),
      ]);
      return {
        device: claims!.device,
        shop,
        location: location ?? { externalId: claims!.location, name: claims!.location },
        expiresAt: new Date(claims!.exp).toISOString(),
      };
    },
    { authenticated: true },
  );
