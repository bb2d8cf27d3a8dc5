import type { ActionFunctionArgs } from "@remix-run/node";
import { getDb } from "../db.server";
import { configuredLightspeed } from "../platforms/lightspeed/config.server";
import { receiveLightspeedWebhook } from "../platforms/lightspeed/webhooks.server";

/** POST /webhooks/lightspeed: Lightspeed's deliveries, signed with the add-on's client secret (X-Signature). */
export const action = ({ request }: ActionFunctionArgs) =>
  receiveLightspeedWebhook(request, {
    db: getDb(),
    clientSecret: configuredLightspeed()?.clientSecret ?? null,
    now: new Date(),
  });
