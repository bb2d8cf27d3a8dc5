/** POST /api/pos/loyalty/redeem — reserve a reward's points for this cart (exactly once across registers). */
import type { ActionFunctionArgs } from "@remix-run/node";
import { registerAction } from "../register-route.server";
import { catalogValueMinor } from "../services/catalog-value.server";
import { reserveReward } from "../services/loyalty.server";
import { externalId } from "../../shared/ids";
import { LoyaltyRedeemRequestSchema } from "../../shared/pos-contract.schema";

export const action = ({ request }: ActionFunctionArgs) =>
  registerAction(request, LoyaltyRedeemRequestSchema, async ({ db, register, shop, body, now }) =>
    reserveReward(
      db,
      register.shopId,
      {
        shop,
        customerExternalId: externalId(body.customerId) ?? String(body.customerId),
        rewardId: body.rewardId,
        // Our catalog's prices when every line is known, else the register's figure.
        cartSubtotalMinor:
          (body.cart.lineItems.length > 0 ? await catalogValueMinor(db, register.shopId, body.cart.lineItems) : null) ??
          body.cart.subtotalMinor,
        locationExternalId: register.locationExternalId,
        deviceId: register.deviceId,
        userId: register.userId,
      },
      now,
    ),
  );
