/** Calls a /api/pos/* route the way the register does: a signed POS session token as Bearer. */
import type { ActionFunctionArgs } from "@remix-run/node";
import { API_KEY, API_SECRET_KEY, getJwt } from "@shopify/shopify-api/test-helpers";

export type RouteFunction = (args: ActionFunctionArgs) => Promise<Response>;

export interface PosAnswer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

/** A session token for `shop` (its .myshopify.com domain) and POS user `sub`. */
export async function posToken(shop: string, sub = "501") {
  return (await getJwt(shop.replace(".myshopify.com", ""), API_KEY, API_SECRET_KEY, { sub })).token;
}

async function answer(response: Response): Promise<PosAnswer> {
  return { status: response.status, body: (await response.json()) as PosAnswer["body"] };
}

export async function posGet(
  loader: RouteFunction,
  path: string,
  options: { shop: string; sub?: string; params?: Record<string, string> },
): Promise<PosAnswer> {
  const request = new Request(`https://my-test-app.myshopify.io${path}`, {
    headers: { Authorization: `Bearer ${await posToken(options.shop, options.sub)}` },
  });
  return answer(await loader({ request, params: options.params ?? {}, context: {} }));
}

export async function posPost(
  action: RouteFunction,
  path: string,
  body: unknown,
  options: { shop: string; sub?: string; params?: Record<string, string>; raw?: string; bearer?: string | null },
): Promise<PosAnswer> {
  const headers = new Headers({ "Content-Type": "application/json" });
  const bearer = options.bearer === undefined ? await posToken(options.shop, options.sub) : options.bearer;
  if (bearer) headers.set("Authorization", `Bearer ${bearer}`);
  const request = new Request(`https://my-test-app.myshopify.io${path}`, {
    method: "POST",
    headers,
    body: options.raw ?? JSON.stringify(body),
  });
  return answer(await action({ request, params: options.params ?? {}, context: {} }));
}
