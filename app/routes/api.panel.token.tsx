/** POST /api/panel/token — a paired panel trades its device secret for a short-lived access token. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { parseJsonBody } from "../http.server";
import { panelRoute, panelSigningKey } from "../panel-auth.server";
import { panelAccessToken } from "../services/pairing.server";
import type { PanelTokenRequest } from "../../shared/panel-contract";

const TokenRequestSchema = z.strictObject({
  deviceId: z.string().min(1, "required").max(64, "must be at most 64 characters"),
  secret: z.string().min(20, "must be the device secret").max(100, "must be at most 100 characters"),
}) satisfies z.ZodType<PanelTokenRequest>;

export const action = ({ request }: ActionFunctionArgs) =>
  panelRoute(
    request,
    async ({ db, now }) => {
      const body = await parseJsonBody(request, TokenRequestSchema, 8 * 1024);
      return panelAccessToken(db, body, panelSigningKey(), now);
    },
    { authenticated: false },
  );
