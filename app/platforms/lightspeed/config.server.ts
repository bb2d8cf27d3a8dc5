/**
 * Lightspeed Retail (X-Series) settings from the app's environment (env.server.ts:
 * LIGHTSPEED_CLIENT_ID, LIGHTSPEED_CLIENT_SECRET) and the documented hosts. Every retailer has its
 * own host, `https://{domain_prefix}.retail.lightspeed.app`, which serves both the token endpoint
 * (/api/1.0/token) and the REST API (/api/{version}/…); only the authorize page is shared.
 * Tokens are sealed with TOKEN_ENCRYPTION_KEY.
 */
import { env, parseEnv } from "../../env.server";
import { secretKey } from "../../services/secret-box.server";

/** Where the retailer authorizes the add-on (docs: authorization, "Step 1"). */
export const LIGHTSPEED_AUTHORIZE_URL = "https://secure.retail.lightspeed.app/connect";

/**
 * The date-based API version every call uses (docs: versioning-strategy; each version is
 * supported for at least 12 months). The response shapes in normalize.ts are this version's.
 */
export const LIGHTSPEED_API_VERSION = "2026-07";

/**
 * A retailer's domain_prefix, as the callback and the token answer name it. It becomes a host
 * name, so only a DNS label is accepted (the docs call it "the subdomain … for this retailer").
 */
export const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function retailerOrigin(domainPrefix: string): string {
  if (!DOMAIN_PREFIX.test(domainPrefix)) throw new Error(`not a Lightspeed domain_prefix: ${domainPrefix}`);
  return `https://${domainPrefix}.retail.lightspeed.app`;
}

export interface LightspeedConfig {
  clientId: string;
  /** Also the key Lightspeed signs add-on webhooks with. */
  clientSecret: string;
  /** The app's public URL (SHOPIFY_APP_URL), without a trailing slash. */
  appUrl: string;
  tokenKey: Buffer;
}

export class LightspeedNotConfiguredError extends Error {
  override name = "LightspeedNotConfiguredError";
}

/**
 * Lightspeed's settings; throws LightspeedNotConfiguredError when the platform is not set up.
 * `source` (tests) overrides the process's variables; the app's one schema validates them either way.
 */
export function lightspeedConfig(source?: Record<string, string | undefined>): LightspeedConfig {
  const e = source ? parseEnv({ ...process.env, ...source }) : env();
  if (!e.LIGHTSPEED_CLIENT_ID || !e.LIGHTSPEED_CLIENT_SECRET || !e.TOKEN_ENCRYPTION_KEY) {
    throw new LightspeedNotConfiguredError(
      "Lightspeed is not configured (LIGHTSPEED_CLIENT_ID, LIGHTSPEED_CLIENT_SECRET, TOKEN_ENCRYPTION_KEY)",
    );
  }
  return {
    clientId: e.LIGHTSPEED_CLIENT_ID,
    clientSecret: e.LIGHTSPEED_CLIENT_SECRET,
    appUrl: e.SHOPIFY_APP_URL.replace(/\/+$/, ""),
    tokenKey: secretKey(e.TOKEN_ENCRYPTION_KEY),
  };
}

/** Lightspeed's settings, or null when this app is not set up for Lightspeed (the routes answer 404). */
export function configuredLightspeed(): LightspeedConfig | null {
  try {
    return lightspeedConfig();
  } catch (error) {
    if (error instanceof LightspeedNotConfiguredError) return null;
    throw error;
  }
}
