/** GET /api/pos/approvals/:id?deviceId= — where one request stands; the asking register polls it. */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { registerLoader } from "../register-route.server";
import { approvalStatus } from "../services/approvals.server";

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  registerLoader(request, ({ db, register, now }) => approvalStatus(db, register, params.id ?? "", now));

// Remix sends OPTIONS (the webview's CORS preflight) and other methods to the action: the same
// preamble answers the preflight and refuses the rest with 405.
export const action = loader;
