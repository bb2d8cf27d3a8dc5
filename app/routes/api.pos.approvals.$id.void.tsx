/** POST /api/pos/approvals/:id/void — the cart changed or the cashier cancelled the request. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { registerAction } from "../register-route.server";
import { voidApproval } from "../services/approvals.server";
import { ApprovalVoidRequestSchema } from "../../shared/pos-contract.schema";

export const action = ({ request, params }: ActionFunctionArgs) =>
  registerAction(request, ApprovalVoidRequestSchema, ({ db, register, body, now }) =>
    voidApproval(db, register, params.id ?? "", body.reason, now),
  );
