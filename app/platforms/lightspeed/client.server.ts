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
import { PlatformApiError, restPlatform, type FetchLike, type RestCall } from "../http-client.server";
import { LIGHTSPEED_API_VERSION, retailerOrigin } from "./config.server";
import {
  collectionOf,
  LightspeedCustomerSchema,
  LightspeedInventorySchema,
  LightspeedOutletSchema,
  LightspeedProductSchema,
  LightspeedRegisterSchema,
  LightspeedRetailerSchema,
  LightspeedSaleSchema,
  LightspeedWebhookSubscriptionSchema,
  singleOf,
  type LightspeedCustomer,
  type LightspeedInventory,
  type LightspeedOutlet,
  type LightspeedProduct,
  type LightspeedRegister,
  type LightspeedRetailer,
  type LightspeedSale,
  type LightspeedWebhookType,
} from "./normalize";

export type { FetchLike };

export class LightspeedApiError extends PlatformApiError {
  override name = "LightspeedApiError";
}

const lightspeed = restPlatform({
  name: "Lightspeed",
  label: "lightspeed",
  account: "retailer",
  // The docs have a "User Agent" page (docs: user_agent) whose text could not be read here; the
  // client names itself, as for Clover. JSON in and out, forms for OAuth (docs: request_format).
  userAgent: "RegisterCopilot/1.0 (+lightspeed-adapter)",
  ApiError: LightspeedApiError,
  // Lightspeed's errors are `{ "error": …, "message": … }`; OAuth ones add `error_description`.
  reasonIn: (body) =>
    [body.message, body.error_description, body.error].find((part): part is string => typeof part === "string"),
});

export type CallInit = RestCall;

/**
 * One call to a retailer's host: answer parsed with `schema`, any failure as LightspeedApiError.
 * A 429's Retry-After (docs: rate_limiting) is read as an HTTP date or as seconds, since the
 * stored copy of that page stops before saying which (a summary of it says an HTTP date).
 */
export async function lightspeedRequest<T>(
  http: { domainPrefix: string; fetch: FetchLike; timeoutMs?: number },
  path: string,
  init: CallInit,
  schema: z.ZodType<T>,
): Promise<T> {
  return lightspeed.request(
    {
      url: `${retailerOrigin(http.domainPrefix)}${path}`,
      route: path.split("?")[0]!,
      fetch: http.fetch,
      timeoutMs: http.timeoutMs,
    },
    init,
    schema,
  );
}

/** Rate limits, timeouts, Lightspeed's outages and network failures: worth trying again later. */
export const isTransientLightspeedError = lightspeed.isTransient;

/**
 * The queue's view of a Lightspeed failure: transient ones retry (never a dead letter on a 429),
 * a 401 dead-letters with the reason (the retailer must reconnect; retrying cannot help), and any
 * other refusal dead-letters with Lightspeed's reason.
 */
export const asJobError = lightspeed.asJobError;

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
  /** Deleted registers included, so a deletion is seen. */
  registers(page: PageRequest): Promise<VersionPage<LightspeedRegister>>;
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
    // The 2026-07 reference: GET /registers "returns a paginated list of registers" (registers:read),
    // taking `after`, `before`, `deleted` and `page_size` and answering { data, version: { min, max } },
    // so it pages by version like the other lists.
    registers: (page) => list("/registers", LightspeedRegisterSchema, page, { deleted: "true" }),
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
