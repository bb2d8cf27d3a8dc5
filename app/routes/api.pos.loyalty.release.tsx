/** POST /api/pos/loyalty/release — the register removed a reward (or could not apply it): its points come back. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { registerAction } from "../register-route.server";
import { releaseReservation } from "../services/loyalty.server";
import { LoyaltyReleaseRequestSchema } from "../../shared/pos-contract.schema";

export const action = ({ request }: ActionFunctionArgs) =>
  registerAction(request, LoyaltyReleaseRequestSchema, async ({ db, register, body, now }) => ({
    released: await releaseReservation(db, register.shopId, body.reservationId, "removed at the register", now),
  }));
