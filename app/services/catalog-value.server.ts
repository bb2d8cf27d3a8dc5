/** What a set of variants is worth at the catalog's current prices (the server's figure, not the register's). */
import type { Db } from "../db.server";
import { externalId } from "../../shared/ids";

/** Σ price × quantity in minor units, or null when any variant is not this shop's. */
export async function catalogValueMinor(
  db: Db,
  shopId: string,
  lines: Array<{ variantId: string | number; quantity: number }>,
): Promise<number | null> {
  const ids = lines.map((line) => externalId(line.variantId));
  if (ids.some((id) => id === null)) return null;
  const variants = await db.variant.findMany({
    where: { shopId, externalId: { in: ids as string[] } },
    select: { externalId: true, priceMinor: true },
  });
  const price = new Map(variants.map((variant) => [variant.externalId, variant.priceMinor]));
  let total = 0;
  for (const [index, line] of lines.entries()) {
    const unit = price.get(ids[index]!);
    if (unit === undefined) return null;
    total += unit * line.quantity;
  }
  return total;
}
