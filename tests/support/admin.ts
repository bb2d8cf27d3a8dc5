/** An embedded-admin request as Shopify sends it: a stored offline session and a signed session token. */
import { API_KEY, API_SECRET_KEY, getJwt, setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { sessionStorage } from "../../app/shopify.server";

export async function signedInAdminRequest(shop: string, path: string, init: RequestInit = {}, userId = "42") {
  await sessionStorage.storeSession(
    setUpValidSession({
      shop,
      expires: new Date(Date.now() + 3_600_000),
      accessToken: "shpat_test",
      scope: "read_orders",
    }),
  );
  const { token } = await getJwt(shop.replace(".myshopify.com", ""), API_KEY, API_SECRET_KEY, { sub: userId });
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return new Request(`https://my-test-app.myshopify.io${path}`, { ...init, headers });
}
