/** POST /api/pos/approvals/:id/token — the asking register collects a remote approval's token, once. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { approvalAction } from "../approvals-route.server";
import { collectApprovalToken } from "../services/approvals.server";
import { ApprovalTokenRequestSchema } from "../../shared/pos-contract.schema";

export const action = ({ request, params }: ActionFunctionArgs) =>
  approvalAction(request, ApprovalTokenRequestSchema, ({ db, register, now }) =>
    collectApprovalToken(db, register, params.id ?? "", now),
  );
