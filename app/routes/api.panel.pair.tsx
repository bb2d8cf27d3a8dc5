/** POST /api/panel/pair — a register panel redeems its one-time pairing code. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { isPlainText } from "../../shared/text";
import { parseJsonBody } from "../http.server";
import { limitPairingAttempts, panelRoute } from "../panel-auth.server";
import { redeemPairingCode } from "../services/pairing.server";
import type { PanelPairRequest } from "../../shared/panel-contract";

const PairRequestSchema = z.strictObject({
  code: z.string().trim().min(4, "must be the code shown in the admin").max(20, "must be at most 20 characters"),
  deviceName: z
    .string()
    .refine(isPlainText, "must not contain control characters")
    .trim()
    .min(1, "must not be empty")
    .max(60, "must be at most 60 characters"),
}) satisfies z.ZodType<PanelPairRequest>;

export const action = ({ request }: ActionFunctionArgs) =>
  panelRoute(
    request,
    async ({ db, now }) => {
      limitPairingAttempts(request, now);
      const body = await parseJsonBody(request, PairRequestSchema, 8 * 1024);
      return redeemPairingCode(db, body.code, body.deviceName, now);
    },
    { authenticated: false },
  );
