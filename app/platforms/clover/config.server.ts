/**
 * Clover's settings from the app's environment (env.server.ts: CLOVER_APP_ID, CLOVER_APP_SECRET,
 * CLOVER_ENVIRONMENT, CLOVER_WEBHOOK_AUTH_CODE) with the hosts of the chosen environment. Tokens
 * are sealed with TOKEN_ENCRYPTION_KEY.
 */
import { env, parseEnv } from "../../env.server";
import { secretKey } from "../../services/secret-box.server";

/** Clover's documented hosts: the merchant signs in on the web host, everything else is the API host. */
export const CLOVER_HOSTS = {
  sandbox: { webUrl: "https://sandbox.dev.clover.com", apiUrl: "https://apisandbox.dev.clover.com" },
  "production-na": { webUrl: "https://www.clover.com", apiUrl: "https://api.clover.com" },
  "production-eu": { webUrl: "https://www.eu.clover.com", apiUrl: "https://api.eu.clover.com" },
  "production-la": { webUrl: "https://www.la.clover.com", apiUrl: "https://api.la.clover.com" },
} as const;
export type CloverEnvironment = keyof typeof CLOVER_HOSTS;

export interface CloverConfig {
  appId: string;
  appSecret: string;
  environment: CloverEnvironment;
  /** Where the merchant authorizes (/oauth/v2/authorize). */
  webUrl: string;
  /** The REST API and the token endpoints (/oauth/v2/token, /oauth/v2/refresh). */
  apiUrl: string;
  /** The app's public URL (SHOPIFY_APP_URL), without a trailing slash. */
  appUrl: string;
  tokenKey: Buffer;
}

export class CloverNotConfiguredError extends Error {
  override name = "CloverNotConfiguredError";
}

/**
 * Clover's settings; throws CloverNotConfiguredError when the platform is not set up. `source`
 * (tests) overrides the process's variables; the app's one schema validates them either way.
 */
export function cloverConfig(source?: Record<string, string | undefined>): CloverConfig {
  const e = source ? parseEnv({ ...process.env, ...source }) : env();
  if (!e.CLOVER_APP_ID || !e.CLOVER_APP_SECRET || !e.TOKEN_ENCRYPTION_KEY) {
    throw new CloverNotConfiguredError(
      "Clover is not configured (CLOVER_APP_ID, CLOVER_APP_SECRET, TOKEN_ENCRYPTION_KEY)",
    );
  }
  return {
    appId: e.CLOVER_APP_ID,
    appSecret: e.CLOVER_APP_SECRET,
    environment: e.CLOVER_ENVIRONMENT,
    ...CLOVER_HOSTS[e.CLOVER_ENVIRONMENT],
    appUrl: e.SHOPIFY_APP_URL.replace(/\/+$/, ""),
    tokenKey: secretKey(e.TOKEN_ENCRYPTION_KEY),
  };
}

/** Clover's settings, or null when this app is not set up for Clover (the routes answer 404). */
export function configuredClover(): CloverConfig | null {
  try {
    return cloverConfig();
  } catch (error) {
    if (error instanceof CloverNotConfiguredError) return null;
    throw error;
  }
}

/**
 * The Clover Auth Code the dashboard shows once the webhook URL is verified; null before that.
 * The webhook route needs only this (the verification handshake must work before it exists).
 */
export function cloverWebhookAuthCode(): string | null {
  return env().CLOVER_WEBHOOK_AUTH_CODE ?? null;
}
