import type { ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { cloverWebhookAuthCode } from "../platforms/clover/config.server";
import { receiveCloverWebhook } from "../platforms/clover/webhooks.server";

/** POST /webhooks/clover: Clover's verification POST and its notifications (X-Clover-Auth, no HMAC). */
export const action = ({ request }: ActionFunctionArgs) =>
  receiveCloverWebhook(request, { db: getDb(), authCode: cloverWebhookAuthCode(), now: new Date() });
