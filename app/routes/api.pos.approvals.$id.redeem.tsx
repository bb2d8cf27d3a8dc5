/** POST /api/pos/approvals/:id/redeem — consume the single-use approval token for the approved cart. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { registerAction } from "../register-route.server";
import { redeemApproval } from "../services/approvals.server";
import { ApprovalRedeemRequestSchema } from "../../shared/pos-contract.schema";

export const action = ({ request, params }: ActionFunctionArgs) =>
  registerAction(request, ApprovalRedeemRequestSchema, ({ db, register, body, now }) =>
    redeemApproval(
      db,
      register,
      params.id ?? "",
      { token: body.token, cartFingerprint: body.cartFingerprint, discount: body.discount },
      now,
    ),
  );
