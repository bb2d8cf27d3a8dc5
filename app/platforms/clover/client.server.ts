/**
 * A small typed client for Clover's REST API over `fetch` (no official SDK exists on npm). Every
 * answer is checked with zod before the app sees it, and every failure becomes a CloverApiError
 * that `asJobError` classifies for the queue: rate limits, outages and timeouts retry (with
 * Clover's Retry-After), 401 and other refusals dead-letter with Clover's reason. The call itself
 * is http-client.server's, as for every REST platform.
 */
import { z } from "zod";
import { PlatformApiError, restPlatform, type FetchLike } from "../http-client.server";
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

export type { FetchLike };

export class CloverApiError extends PlatformApiError {
  override name = "CloverApiError";
}

const clover = restPlatform({
  name: "Clover",
  label: "clover",
  account: "merchant",
  // Clover requires a User-Agent on every API request (API updates, April 2026).
  userAgent: "RegisterCopilot/1.0 (+clover-adapter)",
  ApiError: CloverApiError,
  reasonIn(body) {
    const detail = [body.message, body.error, body.details].find((part) => typeof part === "string");
    if (detail) return detail as string;
    if (body.error && typeof body.error === "object") {
      const nested = body.error as { message?: unknown };
      if (typeof nested.message === "string") return nested.message;
    }
    return undefined;
  },
});

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
  const route = path.split("?")[0]!.replace(/\/merchants\/[^/]+/, "/merchants/{mId}");
  return clover.request(
    { url: `${http.apiUrl}${path}`, route, fetch: http.fetch, timeoutMs: http.timeoutMs },
    { method: init.method, token: init.token, json: init.body },
    schema,
  );
}

/** Rate limits, timeouts, Clover's outages and network failures: worth trying again later. */
export const isTransientCloverError = clover.isTransient;

/**
 * The queue's view of a Clover failure: transient ones retry (never a dead letter on a 429),
 * a 401 dead-letters with the reason (the merchant must reconnect; retrying cannot help), and
 * any other refusal dead-letters with Clover's reason.
 */
export const asJobError = clover.asJobError;

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
