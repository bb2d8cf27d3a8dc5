/**
 * One id convention: external ids are stored as the bare numeric string Shopify uses in REST
 * ("1234"), whether a payload carried a number, a numeric string or a GID
 * ("gid://shopify/Order/1234"). Returns null for anything else.
 */
export function externalId(value: unknown): string | null {
  if (typeof value === "number") {
    return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  }
  if (typeof value === "bigint") return value >= 0n ? value.toString() : null;
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  if (/^\d{1,30}$/.test(trimmed)) return trimmed;
  const gid = /^gid:\/\/shopify\/[A-Za-z]+\/(\d{1,30})(\?.*)?$/.exec(trimmed);
  return gid ? gid[1]! : null;
}

/** Shopify GID for an external id, for Admin GraphQL calls. */
export function shopifyGid(resource: string, id: string): string {
  return `gid://shopify/${resource}/${id}`;
}
