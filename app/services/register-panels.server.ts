/**
 * Managing a shop's register panels (pairing codes, paired devices, unpairing), the same for the
 * Shopify admin's /app/registers and the Square and Clover merchants' /console.
 */
import { z } from "zod";
import type { Db } from "../db.server";
import { externalId } from "../../shared/ids";
import { issuePairingCode, PairingError, revokeDevice } from "./pairing.server";

export async function pairedPanels(db: Db, shopId: string) {
  return db.registerDevice.findMany({
    where: { shopId, revokedAt: null },
    orderBy: { createdAt: "desc" },
    take: 200,
    select: { id: true, name: true, locationExternalId: true, createdAt: true, lastSeenAt: true },
  });
}

export const RegisterPanelsFormSchema = z.discriminatedUnion("intent", [
  z.strictObject({
    intent: z.literal("issue"),
    locationExternalId: z.string().refine((value) => externalId(value) === value, "choose a location"),
  }),
  z.strictObject({ intent: z.literal("revoke"), deviceId: z.string().min(1, "required").max(64) }),
]);

export type RegisterPanelsResult = {
  code?: string;
  expiresAt?: string;
  revoked?: string;
  fieldErrors?: Record<string, string>;
};

/** Issues a code or unpairs a device; a refusal comes back as the field's error with its status. */
export async function changeRegisterPanels(
  db: Db,
  shop: { id: string; locations: Array<{ externalId: string }> },
  form: z.infer<typeof RegisterPanelsFormSchema>,
  actor: string,
  now: Date,
): Promise<RegisterPanelsResult | Response> {
  try {
    if (form.intent === "revoke") {
      await revokeDevice(db, shop.id, form.deviceId, actor, now);
      return { revoked: form.deviceId };
    }
    const issued = await issuePairingCode(db, shop, form.locationExternalId, actor, now);
    return { code: issued.code, expiresAt: issued.expiresAt.toISOString() };
  } catch (error) {
    if (error instanceof PairingError) {
      const field = form.intent === "revoke" ? "deviceId" : "locationExternalId";
      return Response.json(
        { fieldErrors: { [field]: error.message.replace(/^\w+: /, "") } } satisfies RegisterPanelsResult,
        { status: error.status },
      );
    }
    throw error;
  }
}
