/**
 * A small typed client for the Lightspeed Retail (X-Series) REST API over `fetch` (Lightspeed
 * publishes no Node SDK). Each retailer has its own host; every call goes to
 * `https://{domain_prefix}.retail.lightspeed.app/api/{LIGHTSPEED_API_VERSION}`, with the token as
 * `Authorization: Bearer`, and every answer is checked with the zod schemas in normalize.ts.
 * Every failure becomes a LightspeedApiError that `asJobError` classifies for the queue: rate
 * limits (429, with Lightspeed's Retry-After), outages and timeouts retry; 401 and other
 * refusals dead-letter with Lightspeed's reason.
 */
import { z } from "zod";
import { RetryLaterError } from "../../services/store.server";
import { retryAfterMs, type FetchLike } from "../clover/client.server";
import { PayloadError } from "../shopify/normalize";
import { LIGHTSPEED_API_VERSION, retailerOrigin } from "./config.server";
import {
  collectionOf,
  LightspeedCustomerSchema,
  LightspeedInventorySchema,
  LightspeedOutletSchema,
  LightspeedProductSchema,
  LightspeedRetailerSchema,
  LightspeedSaleSchema,
  LightspeedWebhookSubscriptionSchema,
  singleOf,
  type LightspeedCustomer,
  type LightspeedInventory,
  type LightspeedOutlet,
  type LightspeedProduct,
  type LightspeedRetailer,
  type LightspeedSale,
  type LightspeedWebhookType,
} from "./normalize";

export type { FetchLike };

/** Longer than Lightspeed should ever take; short enough to fit well inside a job's 60 s lease. */
export const LIGHTSPEED_TIMEOUT_MS = 20_000;
// The docs have a "User Agent" page (docs: user_agent) whose text could not be read here; the
// client names itself, as for Clover. JSON in and out, forms for OAuth (docs: request_format).
const USER_AGENT = "RegisterCopilot/1.0 (+lightspeed-adapter)";

export class LightspeedApiError extends Error {
  override name = "LightspeedApiError";
  constructor(
    /** Null when no answer came back (network failure, timeout). */
    readonly status: number | null,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** A transient Lightspeed failure for the queue, carrying how long Lightspeed asked us to wait. */
export class LightspeedRetryLaterError extends RetryLaterError {
  override name = "RetryLaterError";
  constructor(
    message: string,
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/** Lightspeed's errors are `{ "error": …, "message": … }`; OAuth ones add `error_description`. */
async function reasonFrom(response: Response): Promise<string> {
  const text = (await response.text().catch(() => "")).slice(0, 2_000);
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const detail = [body.message, body.error_description, body.error].find((part) => typeof part === "string");
    if (detail) return detail as string;
  } catch {
    // Not JSON: the text itself is the reason.
  }
  return text.trim().slice(0, 300) || response.statusText || "no reason given";
}

export interface CallInit {
  method?: "GET" | "POST";
  token?: string;
  /** A JSON body. */
  json?: unknown;
  /** An application/x-www-form-urlencoded body (the token endpoint). */
  form?: Record<string, string>;
}

/** One call to a retailer's host: answer parsed with `schema`, any failure as LightspeedApiError. */
export async function lightspeedRequest<T>(
  http: { domainPrefix: string; fetch: FetchLike; timeoutMs?: number },
  path: string,
  init: CallInit,
  schema: z.ZodType<T>,
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", "User-Agent": USER_AGENT };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(init.json);
  } else if (init.form) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(init.form).toString();
  }
  const route = path.split("?")[0]!;
  let response: Response;
  try {
    response = await http.fetch(`${retailerOrigin(http.domainPrefix)}${path}`, {
      method: init.method ?? "GET",
      headers,
      body,
      signal: AbortSignal.timeout(http.timeoutMs ?? LIGHTSPEED_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
    throw new LightspeedApiError(
      null,
      timedOut ? "Lightspeed did not answer in time" : `Lightspeed unreachable: ${String(error)}`,
    );
  }
  if (!response.ok) {
    // Retry-After on a 429 (docs: rate_limiting): read as an HTTP date or as seconds, since the
    // stored copy of that page stops before saying which (a summary of it says an HTTP date).
    throw new LightspeedApiError(
      response.status,
      `Lightspeed ${response.status} on ${route}: ${await reasonFrom(response)}`,
      retryAfterMs(response.headers.get("Retry-After")),
    );
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new LightspeedApiError(response.status, `Lightspeed answered ${route} with something that is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PayloadError(`lightspeed ${route}: ${issue.path.join(".") || "(root)"} ${issue.message}`);
  }
  return parsed.data;
}

/** Rate limits, timeouts, Lightspeed's outages and network failures: worth trying again later. */
export function isTransientLightspeedError(error: unknown): boolean {
  if (!(error instanceof LightspeedApiError)) return false;
  const status = error.status;
  return status === null || status === 408 || status === 429 || status >= 500;
}

/**
 * The queue's view of a Lightspeed failure: transient ones retry (never a dead letter on a 429),
 * a 401 dead-letters with the reason (the retailer must reconnect; retrying cannot help), and any
 * other refusal dead-letters with Lightspeed's reason.
 */
export function asJobError(error: unknown): Error {
  if (error instanceof RetryLaterError || error instanceof PayloadError) return error;
  if (isTransientLightspeedError(error)) {
    const e = error as LightspeedApiError;
    return new LightspeedRetryLaterError(e.message, e.retryAfterMs);
  }
  if (error instanceof LightspeedApiError && error.status === 401) {
    return new PayloadError(`${error.message} (the token was refused: reconnect the retailer, then retry)`);
  }
  if (error instanceof LightspeedApiError) return new PayloadError(error.message);
  return error instanceof Error ? error : new Error(String(error));
}

// ---------- the retailer's API ----------

/**
 * One page of a version-paged collection (docs: pagination): the items with a version greater
 * than `after`, and the highest version among them, which is the next page's `after`. The
 * collection is exhausted when a page comes back empty.
 */
export interface VersionPage<T> {
  items: T[];
  maxVersion: number | null;
}

export interface PageRequest {
  after: number;
  pageSize: number;
}

const InventoryAnswer = z.union([
  z.array(LightspeedInventorySchema).max(10_000),
  collectionOf(LightspeedInventorySchema).transform((answer) => answer.data),
]);

function highestVersion(items: readonly { version?: number | null }[]): number | null {
  const versions = items.flatMap((item) => (item.version == null ? [] : [item.version]));
  return versions.length ? Math.max(...versions) : null;
}

export interface LightspeedClient {
  domainPrefix: string;
  retailer(): Promise<LightspeedRetailer>;
  outlets(page: PageRequest): Promise<VersionPage<LightspeedOutlet>>;
  /** With `deleted`, deleted products come too (as reconciliation needs them). */
  products(page: PageRequest & { deleted?: boolean }): Promise<VersionPage<LightspeedProduct>>;
  product(productId: string): Promise<LightspeedProduct>;
  inventory(page: PageRequest): Promise<VersionPage<LightspeedInventory>>;
  /** A product's stock at every outlet. */
  productInventory(productId: string): Promise<LightspeedInventory[]>;
  customers(page: PageRequest): Promise<VersionPage<LightspeedCustomer>>;
  customer(customerId: string): Promise<LightspeedCustomer>;
  sales(page: PageRequest): Promise<VersionPage<LightspeedSale>>;
  sale(saleId: string): Promise<LightspeedSale>;
  webhooks(): Promise<Array<z.infer<typeof LightspeedWebhookSubscriptionSchema>>>;
  createWebhook(webhook: { url: string; type: LightspeedWebhookType; active: boolean }): Promise<void>;
}

export interface ClientOptions {
  domainPrefix: string;
  /** Asked before every call, so a token about to expire is refreshed first (tokens.server.ts). */
  accessToken: () => Promise<string>;
  fetch: FetchLike;
}

export function lightspeedClient(options: ClientOptions): LightspeedClient {
  const http = { domainPrefix: options.domainPrefix, fetch: options.fetch };
  const base = `/api/${LIGHTSPEED_API_VERSION}`;
  const call = async <T>(path: string, schema: z.ZodType<T>, init: Omit<CallInit, "token"> = {}) =>
    lightspeedRequest(http, `${base}${path}`, { ...init, token: await options.accessToken() }, schema);
  const list = async <T extends object>(
    path: string,
    schema: z.ZodType<T>,
    page: PageRequest,
    extra: Record<string, string> = {},
  ): Promise<VersionPage<T>> => {
    const query = new URLSearchParams({ after: String(page.after), page_size: String(page.pageSize), ...extra });
    const answer = await call(`${path}?${query}`, collectionOf(schema));
    return { items: answer.data, maxVersion: answer.version?.max ?? null };
  };
  const id = (value: string) => encodeURIComponent(value);
  return {
    domainPrefix: options.domainPrefix,
    retailer: async () => (await call("/retailer", singleOf(LightspeedRetailerSchema))).data,
    outlets: (page) => list("/outlets", LightspeedOutletSchema, page, { deleted: "true" }),
    products: (page) =>
      list("/products", LightspeedProductSchema, page, {
        ...(page.deleted ? { deleted: "true" } : {}),
        include_images: "false",
      }),
    product: async (productId) => (await call(`/products/${id(productId)}`, singleOf(LightspeedProductSchema))).data,
    inventory: async (page) => {
      // POST /inventory takes its filters in the body and answers with the records themselves.
      const items = await call("/inventory", InventoryAnswer, {
        method: "POST",
        json: { after: page.after, size: page.pageSize, sort_direction: "asc", include_deleted: true },
      });
      return { items, maxVersion: highestVersion(items) };
    },
    productInventory: (productId) => call(`/inventory/${id(productId)}?include_deleted=true`, InventoryAnswer),
    customers: (page) => list("/customers", LightspeedCustomerSchema, page),
    customer: async (customerId) =>
      (await call(`/customers/${id(customerId)}`, singleOf(LightspeedCustomerSchema))).data,
    sales: (page) => list("/sales", LightspeedSaleSchema, page),
    sale: async (saleId) => (await call(`/sales/${id(saleId)}`, singleOf(LightspeedSaleSchema))).data,
    webhooks: async () =>
      (await call("/webhooks", z.object({ data: z.array(LightspeedWebhookSubscriptionSchema).max(1_000).nullish() })))
        .data ?? [],
    createWebhook: async (webhook) => {
      try {
        await call("/webhooks", z.unknown(), { method: "POST", json: webhook });
      } catch (error) {
        // "A webhook with this type and URL already exists": what was wanted.
        if (!(error instanceof LightspeedApiError && error.status === 409)) throw error;
      }
    },
  };
}
