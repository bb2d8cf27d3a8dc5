/**
 * What the REST clients over `fetch` (Clover, Lightspeed) have in common: one JSON call with a
 * timeout, its answer checked with zod, and every failure as the platform's ApiError, which
 * `asJobError` classifies for the queue: rate limits (with the platform's Retry-After), outages,
 * timeouts and network failures retry; 401 and other refusals dead-letter with the platform's
 * reason. Where the call goes, how a platform words its errors and what it is called stay with
 * each platform (`restPlatform`'s options).
 */
import type { z } from "zod";
import { RetryLaterError } from "../services/store.server";
import { parsePayload, PayloadError } from "./normalize";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Looked up at call time, so a fetch patched after this module loads (msw in tests) is used. */
export const globalFetch: FetchLike = (input, init) => fetch(input, init);

/** Longer than a platform should ever take; short enough to fit well inside a job's 60 s lease. */
export const REST_TIMEOUT_MS = 20_000;

/** A platform's answer that is not a success, or no answer at all. */
export class PlatformApiError extends Error {
  override name = "PlatformApiError";
  constructor(
    /** Null when no answer came back (network failure, timeout). */
    readonly status: number | null,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** A transient platform failure for the queue, carrying how long the platform asked us to wait. */
export class PlatformRetryLaterError extends RetryLaterError {
  override name = "RetryLaterError";
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/** Retry-After is seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d{1,7}$/.test(header.trim())) return Number(header.trim()) * 1_000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Rate limits, timeouts, outages and network failures (no status): worth trying again later. */
const isTransientStatus = (status: number | null) =>
  status === null || status === 408 || status === 429 || status >= 500;

export interface RestCall {
  method?: "GET" | "POST";
  token?: string;
  /** A JSON body. */
  json?: unknown;
  /** An application/x-www-form-urlencoded body (token endpoints). */
  form?: Record<string, string>;
}

export interface RestTarget {
  /** The full URL of the call. */
  url: string;
  /** The call as messages name it: the path without its query (and without account ids). */
  route: string;
  fetch: FetchLike;
  timeoutMs?: number;
}

export interface RestPlatformOptions<E extends PlatformApiError> {
  /** "Clover": how messages name the platform. */
  name: string;
  /** "clover": how a PayloadError's message starts. */
  label: string;
  /** Who must reconnect when a token is refused: "merchant", "retailer". */
  account: string;
  userAgent: string;
  /** The platform's own error class. */
  ApiError: new (status: number | null, message: string, retryAfterMs?: number | null) => E;
  /** The reason in an error body the platform sent as JSON; undefined when it has none. */
  reasonIn(body: Record<string, unknown>): string | undefined;
}

export function restPlatform<E extends PlatformApiError>(options: RestPlatformOptions<E>) {
  const { name, label, account, userAgent, ApiError } = options;

  async function reasonFrom(response: Response): Promise<string> {
    const text = (await response.text().catch(() => "")).slice(0, 2_000);
    try {
      const detail = options.reasonIn(JSON.parse(text) as Record<string, unknown>);
      if (detail) return detail;
    } catch {
      // Not JSON: the text itself is the platform's reason.
    }
    return text.trim().slice(0, 300) || response.statusText || "no reason given";
  }

  /** One call: the answer parsed with `schema`, any failure as the platform's ApiError (PayloadError for a shape). */
  async function request<T>(target: RestTarget, init: RestCall, schema: z.ZodType<T>): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json", "User-Agent": userAgent };
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    let response: Response;
    try {
      response = await target.fetch(target.url, {
        method: init.method ?? "GET",
        headers,
        body,
        signal: AbortSignal.timeout(target.timeoutMs ?? REST_TIMEOUT_MS),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new ApiError(null, timedOut ? `${name} did not answer in time` : `${name} unreachable: ${String(error)}`);
    }
    if (!response.ok) {
      throw new ApiError(
        response.status,
        `${name} ${response.status} on ${target.route}: ${await reasonFrom(response)}`,
        retryAfterMs(response.headers.get("Retry-After")),
      );
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new ApiError(response.status, `${name} answered ${target.route} with something that is not JSON`);
    }
    return parsePayload(schema, json, `${label} ${target.route}`);
  }

  const isApiError = (error: unknown): error is E => error instanceof ApiError;

  /** Rate limits, timeouts, the platform's outages and network failures: worth trying again later. */
  const isTransient = (error: unknown): boolean => isApiError(error) && isTransientStatus(error.status);

  /**
   * The queue's view of a failure: transient ones retry (never a dead letter on a 429), a 401
   * dead-letters with the reason (the account must reconnect; retrying cannot help), and any
   * other refusal dead-letters with the platform's reason.
   */
  function asJobError(error: unknown): Error {
    if (error instanceof RetryLaterError || error instanceof PayloadError) return error;
    if (isApiError(error)) {
      if (isTransientStatus(error.status)) return new PlatformRetryLaterError(error.message, error.retryAfterMs);
      if (error.status === 401) {
        return new PayloadError(`${error.message} (the token was refused: reconnect the ${account}, then retry)`);
      }
      return new PayloadError(error.message);
    }
    return error instanceof Error ? error : new Error(String(error));
  }

  return { request, isApiError, isTransient, asJobError };
}
