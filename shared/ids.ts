/**
 * One id convention: external ids are stored as the platform's own id string. For Shopify that is
 * the bare numeric string REST uses ("1234"), whether a payload carried a number, a numeric string
 * or a GID ("gid://shopify/Order/1234"); Square, Clover and Lightspeed ids are opaque tokens
 * ("L8GXZ4FNK6V1Y", "CAISENgvlJ6jLWAzERDzjyHVybY", UUIDs) stored as they come.
 */

/** A Shopify id in its stored form, or null for anything else. */
export function shopifyId(value: unknown): string | null {
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

// Letters, digits, "-" and "_": every platform's ids fit, and nothing that could be a path, a
// query or markup does.
const PLATFORM_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** Any platform's id in its stored form (a Shopify GID becomes its number), or null. */
export function externalId(value: unknown): string | null {
  const shopify = shopifyId(value);
  if (shopify !== null || typeof value !== "string") return shopify;
  const trimmed = value.trim();
  return PLATFORM_ID.test(trimmed) ? trimmed : null;
}

/** Shopify GID for an external id, for Admin GraphQL calls. */
export function shopifyGid(resource: string, id: string): string {
  return `gid://shopify/${resource}/${id}`;
}
