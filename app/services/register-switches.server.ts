/** The kill switch and returns switch in force at a register's location (shared/location-settings.ts). */
import type { Db } from "../db.server";
import { resolveSwitches, type RegisterSwitches } from "../../shared/location-settings";
import type { Tx } from "./audit.server";

export async function registerSwitchesFor(
  db: Db | Tx,
  shopId: string,
  location: string | null,
): Promise<RegisterSwitches> {
  const rows = await db.locationSettings.findMany({
    where: { shopId, locationExternalId: { in: ["", ...(location ? [location] : [])] } },
    select: { locationExternalId: true, copilotEnabled: true, returnsEnabled: true },
  });
  return resolveSwitches(rows, location);
}
