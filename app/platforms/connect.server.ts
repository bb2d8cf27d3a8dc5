/**
 * What connecting a merchant through a platform's OAuth code flow (Square, Clover, Lightspeed) has
 * in common: the callback's query, the refusals the merchant's browser is shown, accepting the
 * callback's state, and recording the merchant as a Shop with its connection and locations. The
 * token exchange, and what the platform says about the merchant, stay with each platform.
 */
import { z } from "zod";
import type { Db } from "../db.server";
import type { ShopDetails } from "./normalize";
import type { OAuthStateFlow } from "./oauth-state.server";
import { sealedTokens, type IssuedTokens } from "./token-refresh.server";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** A refusal the merchant's browser is shown, with the status to show it with. */
export class ConnectError extends Error {
  constructor(
    readonly status: 400 | 502,
    message: string,
  ) {
    super(message);
    this.name = "ConnectError";
  }
}

export interface ConnectStart {
  authorizeUrl: string;
  /** Set on the redirect: binds the state to the browser that started (RFC 6749 §10.12). */
  setCookie: string;
}

/**
 * Step 1: sends the merchant to `authorizeUrl` (the platform's authorize page, with its own
 * parameters) carrying a new state, bound to this browser by the Set-Cookie.
 */
export async function startConnect(
  authorizeUrl: URL,
  context: { db: Db; stateFlow: OAuthStateFlow; appUrl: string; now: Date },
): Promise<ConnectStart> {
  const { state, setCookie } = await context.stateFlow.begin(context.db, context.appUrl, context.now);
  authorizeUrl.searchParams.set("state", state);
  return { authorizeUrl: authorizeUrl.toString(), setCookie };
}

/** The callback's query when the merchant declined, or the platform could not authorize. */
export const DeclinedCallbackQuery = z.object({
  error: z.string().max(200),
  error_description: z.string().max(1_000).optional(),
  state: z.string().max(200).optional(),
});
type DeclinedCallbackQuery = z.infer<typeof DeclinedCallbackQuery>;

const GrantedCallbackQuery = z.object({
  code: z.string().min(1).max(2_000),
  state: z.string().min(1).max(200),
});

/**
 * The callback's query (RFC 6749 §4.1.2): the code and state with the fields the platform adds
 * (or narrows), or the merchant's refusal.
 */
export function callbackQuery<Fields extends z.ZodRawShape>(platformFields: Fields) {
  return z.union([GrantedCallbackQuery.extend(platformFields), DeclinedCallbackQuery]);
}

const isDeclined = (query: object): query is DeclinedCallbackQuery => "error" in query;

/**
 * The granted query once its state is accepted: from this browser, live, and now spent. Throws a
 * ConnectError (400) for a declined authorization (spending its state too) or a state that is not.
 */
export async function acceptCallbackState<Granted extends { state: string }>(
  query: Granted | DeclinedCallbackQuery,
  cookieHeader: string | null,
  context: { db: Db; stateFlow: OAuthStateFlow; platformName: string; now: Date },
): Promise<Granted> {
  const { db, stateFlow, platformName, now } = context;
  if (isDeclined(query)) {
    if (query.state) await stateFlow.consume(db, query.state, now);
    throw new ConnectError(
      400,
      query.error === "access_denied"
        ? `The ${platformName} connection was declined. Nothing was connected.`
        : `${platformName} could not authorize the connection (${query.error}${query.error_description ? `: ${query.error_description}` : ""}).`,
    );
  }
  if (!stateFlow.fromThisBrowser(query.state, cookieHeader)) {
    throw new ConnectError(
      400,
      `This ${platformName} connection was not started in this browser. Start again from the app.`,
    );
  }
  if (!(await stateFlow.consume(db, query.state, now))) {
    throw new ConnectError(
      400,
      `This ${platformName} connection link has expired or was already used. Start again from the app.`,
    );
  }
  return query;
}

/**
 * A code exchange the platform failed: not answering is worth another try (502), a refused code
 * means starting over (400). `reason` is the platform's own words.
 */
export function codeExchangeFailed(platformName: string, failure: { transient: boolean; reason: string }) {
  return failure.transient
    ? new ConnectError(502, `${platformName} did not answer (${failure.reason}). Try connecting again.`)
    : new ConnectError(400, `${platformName} refused the authorization (${failure.reason}). Start again from the app.`);
}

export interface ConnectedMerchant {
  platform: string;
  merchantId: string;
  details: ShopDetails;
  tokens: IssuedTokens;
  scopes: string;
  locations: readonly { externalId: string; name: string; active: boolean }[];
}

/**
 * Records the merchant as a Shop (reinstalled if it had been uninstalled), its connection with the
 * new tokens, and its locations. `reconnected`: the shop was known and had been uninstalled.
 */
export async function saveConnectedMerchant(
  tx: Tx,
  merchant: ConnectedMerchant,
  tokenKey: Buffer,
  now: Date,
): Promise<{ shopId: string; reconnected: boolean }> {
  const { platform, merchantId, details } = merchant;
  const connection = {
    ...sealedTokens(merchant.tokens, tokenKey, now),
    scopes: merchant.scopes,
    status: "active",
    lastError: null,
  };
  const before = await tx.shop.findUnique({
    where: { platform_domain: { platform, domain: merchantId } },
    select: { uninstalledAt: true },
  });
  const shop = await tx.shop.upsert({
    where: { platform_domain: { platform, domain: merchantId } },
    create: { platform, domain: merchantId, installedAt: now, ...details },
    update: { ...details, uninstalledAt: null },
    select: { id: true },
  });
  await tx.platformConnection.upsert({
    where: { shopId: shop.id },
    create: { shopId: shop.id, platform, merchantId, ...connection },
    // A new version: a refresh that claimed the old tokens must not overwrite these.
    update: { ...connection, version: { increment: 1 } },
  });
  for (const location of merchant.locations) {
    const data = { name: location.name, active: location.active };
    await tx.location.upsert({
      where: { shopId_externalId: { shopId: shop.id, externalId: location.externalId } },
      create: { shopId: shop.id, externalId: location.externalId, ...data },
      update: data,
    });
  }
  return { shopId: shop.id, reconnected: before !== null && before.uninstalledAt !== null };
}
