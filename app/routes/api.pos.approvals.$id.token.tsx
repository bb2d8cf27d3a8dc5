/** POST /api/pos/approvals/:id/token — the asking register collects a remote approval's token, once. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { registerAction } from "../register-route.server";
import { collectApprovalToken } from "../services/approvals.server";
import { RegisterOriginSchema } from "../../shared/pos-contract.schema";

export const action = ({ request, params }: ActionFunctionArgs) =>
  registerAction(request, RegisterOriginSchema, ({ db, register, now }) =>
    collectApprovalToken(db, register, params.id ?? "", now),
  );
