/**
 * Connecting a Lightspeed Retail (X-Series) retailer to the add-on (OAuth 2.0 authorization code
 * grant, the only one Lightspeed supports): the authorize URL with a single-use state bound to
 * the browser, then the callback that consumes the state once, exchanges the code at the
 * retailer's own token endpoint (the callback names the retailer by `domain_prefix`), reads the
 * retailer, its outlets and registers with the new token, and records the retailer as a Shop with
 * one Location per outlet and its registers. Nothing is written for the retailer unless Lightspeed answered every call.
 */
import { z } from "zod";
import type { Db } from "../../db.server";
import { enqueueJob } from "../../services/jobs.server";
import {
  acceptCallbackState,
  callbackQuery,
  codeExchangeFailed,
  ConnectError,
  saveConnectedMerchant,
  startConnect,
  type ConnectStart,
} from "../connect.server";
import { oauthStateFlow } from "../oauth-state.server";
import { isTransientLightspeedError, LightspeedApiError, lightspeedClient, type FetchLike } from "./client.server";
import { DOMAIN_PREFIX, LIGHTSPEED_AUTHORIZE_URL, type LightspeedConfig } from "./config.server";
import { locationFromOutlet, retailerDetails, type LightspeedOutlet, type RetailerDetails } from "./normalize";
import {
  enqueueLightspeedBackfillIfNeeded,
  LIGHTSPEED_WEBHOOKS_JOB,
  NO_CURSORS,
  readRegisters,
  scheduleLightspeedReconcile,
  storeRegisters,
} from "./sync.server";
import { requestTokens, scheduleLightspeedTokenRefresh, tokensFromAnswer, type TokenAnswer } from "./tokens.server";

export const LIGHTSPEED_CONNECT_PATH = "/connect/lightspeed";
export const LIGHTSPEED_CALLBACK_PATH = "/connect/lightspeed/callback";
const stateFlow = oauthStateFlow("lightspeed", LIGHTSPEED_CONNECT_PATH);

/**
 * What the copilot reads (docs: scopes). GET /retailer needs `retailer:read` and
 * `payment_types:read`; `webhooks` lets the add-on create its own webhooks.
 */
export const LIGHTSPEED_SCOPES = [
  "retailer:read",
  "payment_types:read",
  "outlets:read",
  "registers:read",
  "products:read",
  "inventory:read",
  "customers:read",
  "sales:read",
  "webhooks",
].join(" ");

export { ConnectError };

// ---------- step 1: send the retailer to Lightspeed ----------

export async function beginLightspeedConnect(
  db: Db,
  config: Pick<LightspeedConfig, "clientId" | "appUrl">,
  now: Date,
): Promise<ConnectStart> {
  const url = new URL(LIGHTSPEED_AUTHORIZE_URL);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", `${config.appUrl}${LIGHTSPEED_CALLBACK_PATH}`);
  url.searchParams.set("scope", LIGHTSPEED_SCOPES);
  return startConnect(url, { db, stateFlow, appUrl: config.appUrl, now });
}

export function clearStateCookie(config: Pick<LightspeedConfig, "appUrl">): string {
  return stateFlow.clearCookie(config.appUrl);
}

// ---------- step 2: Lightspeed sends the retailer back ----------

const domainPrefix = z.string().trim().toLowerCase().regex(DOMAIN_PREFIX, "not a Lightspeed domain_prefix");

export const CallbackQuery = callbackQuery({ domain_prefix: domainPrefix });
export type CallbackQuery = z.infer<typeof CallbackQuery>;

export interface Connected {
  domainPrefix: string;
  shopId: string;
  retailerName: string | null;
  backfillRunId: string | null;
}

export interface CallbackDeps {
  db: Db;
  config: LightspeedConfig;
  fetch: FetchLike;
  now: Date;
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The code for tokens, at the token endpoint of the retailer the callback named. */
async function exchangeCode(deps: CallbackDeps, prefix: string, code: string): Promise<TokenAnswer> {
  try {
    return await requestTokens(deps, prefix, {
      code,
      client_id: deps.config.clientId,
      client_secret: deps.config.clientSecret,
      grant_type: "authorization_code",
      redirect_uri: `${deps.config.appUrl}${LIGHTSPEED_CALLBACK_PATH}`,
    });
  } catch (error) {
    if (!(error instanceof LightspeedApiError)) {
      throw codeExchangeFailed("Lightspeed", { transient: true, reason: "its token answer was incomplete" });
    }
    throw codeExchangeFailed("Lightspeed", { transient: isTransientLightspeedError(error), reason: reason(error) });
  }
}

/**
 * The retailer, its outlets and registers, read with the new token: proof that the token works for
 * this retailer. Registers the grant does not cover (403) are left to reconciliation.
 */
async function readRetailer(deps: CallbackDeps, prefix: string, accessToken: string) {
  const client = lightspeedClient({ domainPrefix: prefix, accessToken: async () => accessToken, fetch: deps.fetch });
  try {
    const details: RetailerDetails = retailerDetails(await client.retailer());
    const outlets: LightspeedOutlet[] = [];
    // Outlets are few; the collection is read to its end (an empty page), a few pages at most.
    for (let after = 0, pages = 0; pages < 10; pages++) {
      const page = await client.outlets({ after, pageSize: 200 });
      if (page.items.length === 0) break;
      outlets.push(...page.items);
      if (page.maxVersion === null || page.maxVersion <= after) break;
      after = page.maxVersion;
    }
    const registers = (await readRegisters(client, 0, 10))?.items ?? [];
    return { details, outlets, registers };
  } catch (error) {
    if (error instanceof LightspeedApiError && (error.status === 401 || error.status === 403)) {
      throw new ConnectError(400, `Lightspeed did not let this authorization read the store ${prefix}.`);
    }
    throw new ConnectError(502, `Lightspeed did not return the store (${reason(error)}). Try connecting again.`);
  }
}

/**
 * The whole callback. Throws ConnectError for anything the retailer must start over from: an
 * unknown, expired or used state (400), a refused code (400), a token issued for another retailer
 * (400), Lightspeed not answering (502).
 */
export async function completeLightspeedConnect(
  deps: CallbackDeps,
  query: CallbackQuery,
  cookieHeader: string | null,
): Promise<Connected> {
  const { db, config, now } = deps;
  const granted = await acceptCallbackState(query, cookieHeader, { db, stateFlow, platformName: "Lightspeed", now });
  const prefix = granted.domain_prefix;
  const answer = await exchangeCode(deps, prefix, granted.code);
  // The token answer names the retailer too; a different one means the redirect was tampered with.
  if (answer.domain_prefix && answer.domain_prefix.toLowerCase() !== prefix) {
    throw new ConnectError(400, `Lightspeed issued this authorization for another store than ${prefix}.`);
  }
  const { details, outlets, registers } = await readRetailer(deps, prefix, answer.access_token);

  return db.$transaction(async (tx) => {
    const { shopId, reconnected } = await saveConnectedMerchant(
      tx,
      {
        platform: "lightspeed",
        merchantId: prefix,
        details,
        tokens: tokensFromAnswer(answer, now),
        scopes: answer.scope ?? LIGHTSPEED_SCOPES,
        locations: outlets.map(locationFromOutlet),
      },
      config.tokenKey,
      now,
    );
    await storeRegisters(tx, shopId, registers);
    const backfillRunId = await enqueueLightspeedBackfillIfNeeded(tx, {
      domainPrefix: prefix,
      shopId,
      reconnected,
      now,
    });
    // Reconciliation normally starts where the backfill ends; without a backfill, from the start.
    await scheduleLightspeedReconcile(tx, prefix, now, NO_CURSORS);
    await scheduleLightspeedTokenRefresh(tx, now);
    await enqueueJob(tx, {
      platform: "lightspeed",
      shopDomain: prefix,
      type: LIGHTSPEED_WEBHOOKS_JOB,
      payload: {},
      runAt: now,
    });
    return { domainPrefix: prefix, shopId, retailerName: details.name, backfillRunId };
  });
}
