/**
 * What every register route with a register context (/api/pos/approvals*, returns*, loyalty*)
 * does: the register preamble (POS session token or panel token, method, shop), for a POST a size-capped zod-validated
 * body, the register's context, then one service call whose refusals (ApprovalError,
 * ReturnCheckError, LoyaltyError) become `{ error: { code, message } }` with their status. Routes stay a few
 * lines.
 */
import type { z } from "zod";
import { getDb, type Db } from "./db.server";
import { apiError, apiFailure, parseJsonBody } from "./http.server";
import { authenticatePos, registerDevice, registerLocation } from "./pos-auth.server";
import { ApprovalError, type RegisterContext } from "./services/approvals.server";
import { LoyaltyError } from "./services/loyalty.server";
import { ReturnCheckError } from "./services/returns.server";
import { externalId } from "../shared/ids";
import type { ShopRef } from "../shared/model";
import type { RegisterOrigin } from "../shared/pos-contract";

export const MAX_REGISTER_BODY_BYTES = 64 * 1024;

type Handler<Input> = (
  input: Input & { db: Db; register: RegisterContext; timeZone: string; shop: ShopRef; url: URL; now: Date },
) => Promise<unknown>;

/** POST: the register's origin comes from the validated body. */
export function registerAction<Body extends RegisterOrigin>(
  request: Request,
  schema: z.ZodType<Body>,
  handle: Handler<{ body: Body }>,
): Promise<Response> {
  return run(
    request,
    "POST",
    async () => {
      const body = await parseJsonBody(request, schema, MAX_REGISTER_BODY_BYTES);
      return { origin: body, input: { body } };
    },
    handle,
  );
}

/** GET: the register's origin comes from the query (?locationId=&deviceId=). */
export function registerLoader(request: Request, handle: Handler<object>): Promise<Response> {
  return run(request, "GET", async () => ({ origin: originFromQuery(new URL(request.url)), input: {} }), handle);
}

function originFromQuery(url: URL): RegisterOrigin {
  const location = url.searchParams.get("locationId");
  const device = url.searchParams.get("deviceId");
  if (location !== null && !externalId(location)) {
    throw apiError(400, "invalid_query", "locationId: must be a location id");
  }
  if (device !== null && (device.length === 0 || device.length > 100)) {
    throw apiError(400, "invalid_query", "deviceId: must be 1 to 100 characters");
  }
  return { locationId: location, deviceId: device };
}

async function run<Input extends object>(
  request: Request,
  method: "GET" | "POST",
  read: () => Promise<{ origin: RegisterOrigin; input: Input }>,
  handle: Handler<Input>,
): Promise<Response> {
  const auth = await authenticatePos(request, method);
  if (auth instanceof Response) return auth;
  const { userId, cors } = auth;
  const db = getDb();
  try {
    const { origin, input } = await read();
    const shop = await db.shop.findUnique({
      where: { platform_domain: { platform: auth.shop.platform, domain: auth.shop.domain } },
      select: { id: true, currency: true, timezone: true, uninstalledAt: true },
    });
    if (!shop || shop.uninstalledAt) return cors(apiError(404, "shop_not_installed", "The app is not installed here"));
    const register: RegisterContext = {
      shopId: shop.id,
      currency: shop.currency,
      locationExternalId: registerLocation(auth, origin.locationId),
      deviceId: registerDevice(auth, origin.deviceId),
      userId,
      staffMemberId: origin.staffMemberId != null ? externalId(origin.staffMemberId) : null,
    };
    const answer = await handle({
      ...input,
      db,
      register,
      timeZone: shop.timezone,
      shop: auth.shop,
      url: new URL(request.url),
      now: new Date(),
    });
    return cors(Response.json(answer, { headers: { "Cache-Control": "no-store" } }));
  } catch (error) {
    if (error instanceof ApprovalError || error instanceof ReturnCheckError || error instanceof LoyaltyError) {
      return cors(apiError(error.status, error.code, error.message));
    }
    // A thrown Response as it is; the database locked or down: 503 database_unavailable.
    return cors(apiFailure(error));
  }
}
