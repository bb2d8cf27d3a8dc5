/**
 * A small typed client for Clover's REST API over `fetch` (no official SDK exists on npm). Every
 * answer is checked with zod before the app sees it, and every failure becomes a CloverApiError
 * that `asJobError` classifies for the queue: rate limits, outages and timeouts retry (with
 * Clover's Retry-After), 401 and other refusals dead-letter with Clover's reason.
 */
import { z } from "zod";
import { RetryLaterError } from "../../services/store.server";
import { PayloadError } from "../shopify/normalize";
import type { CloverConfig } from "./config.server";
import {
  CloverCustomerSchema,
  CloverItemSchema,
  CloverItemStockSchema,
  CloverMerchantSchema,
  CloverOrderSchema,
  elementsOf,
  type CloverCustomer,
  type CloverItem,
  type CloverItemStock,
  type CloverMerchant,
  type CloverOrder,
} from "./normalize";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Longer than Clover should ever take; short enough to fit well inside a job's 60 s lease. */
export const CLOVER_TIMEOUT_MS = 20_000;
// Clover requires a User-Agent on every API request (API updates, April 2026).
const USER_AGENT = "RegisterCopilot/1.0 (+clover-adapter)";

export class CloverApiError extends Error {
  override name = "CloverApiError";
  constructor(
    /** Null when no answer came back (network failure, timeout). */
    readonly status: number | null,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** A transient Clover failure for the queue, carrying how long Clover asked us to wait. */
export class CloverRetryLaterError extends RetryLaterError {
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

async function reasonFrom(response: Response): Promise<string> {
  const text = (await response.text().catch(() => "")).slice(0, 2_000);
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown; details?: unknown };
    const detail = [body.message, body.error, body.details].find((part) => typeof part === "string");
    if (detail) return detail as string;
    if (body.error && typeof body.error === "object") {
      const nested = body.error as { message?: unknown };
      if (typeof nested.message === "string") return nested.message;
    }
  } catch {
    // Not JSON: the text itself is Clover's reason.
  }
  return text.trim().slice(0, 300) || response.statusText || "no reason given";
}

export interface CloverHttp {
  apiUrl: string;
  fetch: FetchLike;
  timeoutMs?: number;
}

/** One JSON call to Clover: answer parsed with `schema`, any failure as CloverApiError. */
export async function cloverRequest<T>(
  http: CloverHttp,
  path: string,
  init: { method?: "GET" | "POST"; token?: string; body?: unknown },
  schema: z.ZodType<T>,
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", "User-Agent": USER_AGENT };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await http.fetch(`${http.apiUrl}${path}`, {
      method: init.method ?? "GET",
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(http.timeoutMs ?? CLOVER_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    throw new CloverApiError(null, timedOut ? "Clover did not answer in time" : `Clover unreachable: ${String(error)}`);
  }
  const route = path.split("?")[0]!.replace(/\/merchants\/[^/]+/, "/merchants/{mId}");
  if (!response.ok) {
    const reason = await reasonFrom(response);
    throw new CloverApiError(
      response.status,
      `Clover ${response.status} on ${route}: ${reason}`,
      retryAfterMs(response.headers.get("Retry-After")),
    );
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new CloverApiError(response.status, `Clover answered ${route} with something that is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PayloadError(`clover ${route}: ${issue.path.join(".") || "(root)"} ${issue.message}`);
  }
  return parsed.data;
}

/** Rate limits, timeouts, Clover's outages and network failures: worth trying again later. */
export function isTransientCloverError(error: unknown): boolean {
  if (!(error instanceof CloverApiError)) return false;
  const status = error.status;
  return status === null || status === 408 || status === 429 || status >= 500;
}

/**
 * The queue's view of a Clover failure: transient ones retry (never a dead letter on a 429),
 * a 401 dead-letters with the reason (the merchant must reconnect; retrying cannot help), and
 * any other refusal dead-letters with Clover's reason.
 */
export function asJobError(error: unknown): Error {
  if (error instanceof RetryLaterError || error instanceof PayloadError) return error;
  if (isTransientCloverError(error)) {
    const e = error as CloverApiError;
    return new CloverRetryLaterError(e.message, e.retryAfterMs);
  }
  if (error instanceof CloverApiError && error.status === 401) {
    return new PayloadError(`${error.message} (the token was refused: reconnect the merchant, then retry)`);
  }
  if (error instanceof CloverApiError) return new PayloadError(error.message);
  return error instanceof Error ? error : new Error(String(error));
}

// ---------- the merchant's API ----------

export const ORDER_EXPAND = "lineItems,discounts";

export interface ListPage {
  limit: number;
  offset: number;
  /** Clover filter statements, ANDed ("modifiedTime>=1700000000000"). */
  filters?: string[];
}

function query(params: Record<string, string | number | undefined>, filters: string[] = []): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
  for (const filter of filters) search.append("filter", filter);
  const text = search.toString();
  return text ? `?${text}` : "";
}

export interface CloverClient {
  merchantId: string;
  merchant(): Promise<CloverMerchant>;
  orders(page: ListPage): Promise<CloverOrder[]>;
  order(orderId: string): Promise<CloverOrder>;
  items(page: ListPage): Promise<CloverItem[]>;
  item(itemId: string): Promise<CloverItem>;
  itemStocks(page: ListPage): Promise<CloverItemStock[]>;
  customers(page: ListPage): Promise<CloverCustomer[]>;
  customer(customerId: string): Promise<CloverCustomer>;
  /** Orders still being rung up, the most recently changed first. */
  openOrders(limit: number): Promise<CloverOrder[]>;
  /** POST …/orders/{orderId}/discounts: an order-wide discount of `amount` cents (negative). */
  addOrderDiscount(orderId: string, discount: { name: string; amount: number }): Promise<{ id: string }>;
}

export interface ClientOptions {
  config: Pick<CloverConfig, "apiUrl">;
  merchantId: string;
  /** Asked before every call, so a token about to expire is refreshed first (tokens.server.ts). */
  accessToken: () => Promise<string>;
  fetch: FetchLike;
}

export function cloverClient(options: ClientOptions): CloverClient {
  const http: CloverHttp = { apiUrl: options.config.apiUrl, fetch: options.fetch };
  const base = `/v3/merchants/${encodeURIComponent(options.merchantId)}`;
  const get = async <T>(path: string, schema: z.ZodType<T>) =>
    cloverRequest(http, `${base}${path}`, { token: await options.accessToken() }, schema);
  const list = <T>(path: string, schema: z.ZodType<T>, page: ListPage, expand?: string) =>
    get(
      `${path}${query({ expand, limit: page.limit, offset: page.offset }, page.filters)}`,
      elementsOf(schema, 1_000),
    ).then((answer) => answer.elements ?? []);
  const id = (value: string) => encodeURIComponent(value);
  return {
    merchantId: options.merchantId,
    merchant: () => get(`${query({ expand: "properties" })}`, CloverMerchantSchema),
    orders: (page) => list("/orders", CloverOrderSchema, page, ORDER_EXPAND),
    order: (orderId) => get(`/orders/${id(orderId)}${query({ expand: ORDER_EXPAND })}`, CloverOrderSchema),
    items: (page) => list("/items", CloverItemSchema, page, "categories,tags"),
    item: (itemId) => get(`/items/${id(itemId)}${query({ expand: "categories,tags,itemStock" })}`, CloverItemSchema),
    itemStocks: (page) => list("/item_stocks", CloverItemStockSchema, page),
    customers: (page) => list("/customers", CloverCustomerSchema, page, "emailAddresses,phoneNumbers"),
    customer: (customerId) =>
      get(`/customers/${id(customerId)}${query({ expand: "emailAddresses,phoneNumbers" })}`, CloverCustomerSchema),
    openOrders: (limit) =>
      get(
        `/orders${query({ expand: `${ORDER_EXPAND},customers`, limit, orderBy: "modifiedTime DESC" }, ["state=open"])}`,
        elementsOf(CloverOrderSchema, 1_000),
      ).then((answer) => answer.elements ?? []),
    addOrderDiscount: async (orderId, discount) =>
      cloverRequest(
        http,
        `${base}/orders/${id(orderId)}/discounts`,
        { method: "POST", token: await options.accessToken(), body: discount },
        z.object({ id: z.string().min(1).max(100) }),
      ),
  };
}
