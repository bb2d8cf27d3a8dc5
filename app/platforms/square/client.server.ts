/**
 * Square's settings and the SDK client, in one place. Every Square call in the app goes through
 * `squareClient`, and every failure from it through `asJobError`, so a rate limit or an outage
 * is always a retry and a request Square refuses is always a dead letter with Square's reason.
 */
import { SquareClient, SquareEnvironment, SquareError, SquareTimeoutError } from "square";
import { env } from "../../env.server";
import { RetryLaterError } from "../../services/store.server";
import { secretKey } from "../../services/secret-box.server";
import { PayloadError } from "../normalize";

export interface SquareConfig {
  applicationId: string;
  applicationSecret: string;
  environment: "sandbox" | "production";
  /** Null when webhooks are not set up: the webhook route then refuses everything. */
  webhookSignatureKey: string | null;
  /** The app's public URL (SHOPIFY_APP_URL), without a trailing slash. */
  appUrl: string;
  tokenKey: Buffer;
}

export class SquareNotConfiguredError extends Error {
  override name = "SquareNotConfiguredError";
}

/** Square's settings from the environment; throws when the platform is not configured. */
export function squareConfig(): SquareConfig {
  const e = env();
  if (!e.SQUARE_APPLICATION_ID || !e.SQUARE_APPLICATION_SECRET || !e.TOKEN_ENCRYPTION_KEY) {
    throw new SquareNotConfiguredError(
      "Square is not configured (SQUARE_APPLICATION_ID, SQUARE_APPLICATION_SECRET, TOKEN_ENCRYPTION_KEY)",
    );
  }
  return {
    applicationId: e.SQUARE_APPLICATION_ID,
    applicationSecret: e.SQUARE_APPLICATION_SECRET,
    environment: e.SQUARE_ENVIRONMENT,
    webhookSignatureKey: e.SQUARE_WEBHOOK_SIGNATURE_KEY ?? null,
    appUrl: e.SHOPIFY_APP_URL.replace(/\/+$/, ""),
    tokenKey: secretKey(e.TOKEN_ENCRYPTION_KEY),
  };
}

/** Square's settings, or null when this app is not set up for Square (the routes answer 404). */
export function configuredSquare(): SquareConfig | null {
  try {
    return squareConfig();
  } catch (error) {
    if (error instanceof SquareNotConfiguredError) return null;
    throw error;
  }
}

/** connect.squareup.com or connect.squareupsandbox.com. */
export function squareBaseUrl(config: Pick<SquareConfig, "environment">): string {
  return config.environment === "production" ? SquareEnvironment.Production : SquareEnvironment.Sandbox;
}

export interface ClientOptions {
  /** The merchant's access token; none for the OAuth token endpoint. */
  token?: string;
  /**
   * SDK retries (it honours Retry-After up to 60 s per retry). Jobs pass 0: the queue retries
   * with backoff instead, and an in-process wait that long would outlive the job's 60 s lease.
   */
  maxRetries: number;
}

export function squareClient(config: Pick<SquareConfig, "environment">, options: ClientOptions): SquareClient {
  return new SquareClient({
    environment: squareBaseUrl(config),
    token: options.token,
    maxRetries: options.maxRetries,
    timeoutInSeconds: 30,
  });
}

/** Square's own words for a refused request: "CODE: detail" of its first error. */
export function squareErrorMessage(error: unknown): string {
  if (error instanceof SquareError) {
    const first = error.errors[0];
    const detail = first ? `${first.code}${first.detail ? `: ${first.detail}` : ""}` : error.message;
    return error.statusCode ? `Square ${error.statusCode} ${detail}` : detail;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Rate limits, timeouts, Square's outages and network failures: worth trying again later. */
export function isTransientSquareError(error: unknown): boolean {
  if (error instanceof SquareTimeoutError) return true;
  if (!(error instanceof SquareError)) return false;
  const status = error.statusCode;
  // No status: the SDK's wrapping of a request that never got an answer (refused, reset).
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/**
 * The queue's view of a Square failure: transient ones retry with backoff (a 429 never becomes a
 * dead letter on its first answer), any other refusal dead-letters at once with Square's reason —
 * including 401 (revoked or expired token): retrying will not help until the seller reconnects,
 * and the admin can retry the dead letters then.
 */
export function asJobError(error: unknown): Error {
  if (error instanceof RetryLaterError || error instanceof PayloadError) return error;
  if (isTransientSquareError(error)) return new RetryLaterError(squareErrorMessage(error));
  if (error instanceof SquareError) return new PayloadError(squareErrorMessage(error));
  return error instanceof Error ? error : new Error(String(error));
}
