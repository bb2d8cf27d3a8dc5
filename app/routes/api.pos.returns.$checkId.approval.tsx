/** POST /api/pos/returns/:checkId/approval — a return the policy sends to a manager becomes an approval request. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { registerAction } from "../register-route.server";
import { requestReturnApproval } from "../services/returns.server";
import { RegisterOriginSchema } from "../../shared/pos-contract.schema";

export const action = ({ request, params }: ActionFunctionArgs) =>
  registerAction(request, RegisterOriginSchema, ({ db, register, now }) =>
    requestReturnApproval(db, register, params.checkId ?? "", now),
  );
