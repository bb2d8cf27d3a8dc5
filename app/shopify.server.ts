import "@shopify/shopify-app-remix/adapters/node";
import { shopifyApi } from "@shopify/shopify-api";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { getDb } from "./db.server";
import { env } from "./env.server";

export const API_VERSION = ApiVersion.July26;

const config = env();
const LOG_LEVELS = {
  error: LogSeverity.Error,
  warning: LogSeverity.Warning,
  info: LogSeverity.Info,
  debug: LogSeverity.Debug,
} as const;
// Development shows each authenticated request; elsewhere that is per-request noise and CPU.
const logLevel = LOG_LEVELS[config.SHOPIFY_LOG_LEVEL ?? (config.NODE_ENV === "development" ? "info" : "warning")];

// Webhook subscriptions live in shopify.app.toml (app-specific webhooks), so none are
// registered here; the topic routes under app/routes/webhooks.* receive them.
const shopify = shopifyApp({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: config.SCOPES.split(","),
  appUrl: config.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new PrismaSessionStorage(getDb()),
  distribution: AppDistribution.AppStore,
  logger: { level: logLevel },
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    // Managed install + token exchange: the first authenticated admin load is the install.
    afterAuth: async ({ session, admin }) => {
      const { onShopInstalled } = await import("./services/install.server");
      await onShopInstalled({ db: getDb(), session, admin });
    },
  },
});

/**
 * Webhook verification without authenticate.webhook's offline-session load (ADR 0006): the same
 * library `webhooks.validate` it calls, over the same credentials. Intake never calls the Admin
 * API, and the session read (plus a possible token refresh over the network) tripled its cost.
 */
const webhookVerifier = shopifyApi({
  apiKey: config.SHOPIFY_API_KEY,
  apiSecretKey: config.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: config.SCOPES.split(","),
  hostName: new URL(config.SHOPIFY_APP_URL).host,
  isEmbeddedApp: true,
  logger: { level: logLevel },
});
export const validateWebhook = webhookVerifier.webhooks.validate;

export default shopify;
export const apiVersion = API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
