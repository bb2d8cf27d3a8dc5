/** POST /api/pos/returns/check — is this return allowed, and how? Each check is recorded with its policy version. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { registerAction } from "../register-route.server";
import { checkReturnAtRegister } from "../services/returns.server";
import { ReturnCheckRequestSchema } from "../../shared/pos-contract.schema";

export const action = ({ request }: ActionFunctionArgs) =>
  registerAction(request, ReturnCheckRequestSchema, ({ db, register, timeZone, body, now }) =>
    checkReturnAtRegister(db, { ...register, timeZone }, body, now),
  );
