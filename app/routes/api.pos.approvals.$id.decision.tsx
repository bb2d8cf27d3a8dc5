/** POST /api/pos/approvals/:id/decision — a manager approves or declines, proven by their PIN. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { registerAction } from "../register-route.server";
import { env } from "../env.server";
import { decideApproval } from "../services/approvals.server";
import { ApprovalDecisionRequestSchema } from "../../shared/pos-contract.schema";

export const action = ({ request, params }: ActionFunctionArgs) =>
  registerAction(request, ApprovalDecisionRequestSchema, ({ db, register, body, now }) =>
    decideApproval(
      db,
      register,
      params.id ?? "",
      { decision: body.decision, pin: body.pin, approverId: body.approverId, reason: body.reason ?? null },
      env().MANAGER_PIN_PEPPER,
      now,
    ),
  );
