import type { ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { env } from "../env.server";
import { receiveSquareWebhook } from "../platforms/square/webhooks.server";

/** POST /webhooks/square: every Square event type arrives here (Square signs, no Shopify HMAC). */
export const action = ({ request }: ActionFunctionArgs) =>
  receiveSquareWebhook(request, {
    db: getDb(),
    signatureKey: env().SQUARE_WEBHOOK_SIGNATURE_KEY ?? null,
    appUrl: env().SHOPIFY_APP_URL,
    now: new Date(),
  });
