/**
 * The merchant console's session (Square and Clover merchants have no Shopify admin): connecting
 * through the platform's OAuth proves who the merchant is, and leaves a signed, HttpOnly cookie
 * naming the shop for 12 hours. Signing in again is connecting again. In demo mode only, the demo
 * Square seller can be entered without OAuth (its platform cannot be reached here).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { redirect } from "@remix-run/node";
import { getDb } from "./db.server";
import { env } from "./env.server";

const COOKIE = "rc_console";
export const CONSOLE_SESSION_MS = 12 * 60 * 60_000;

const sign = (payload: string) =>
  createHmac("sha256", `console-session:${env().SHOPIFY_API_SECRET}`).update(payload).digest("base64url");

function cookieAttributes(maxAgeSeconds: number): string {
  const secure = env().SHOPIFY_APP_URL.startsWith("https://") ? "; Secure" : "";
  return `Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

/** Set-Cookie for a console session of `shopId`, from now. */
export function consoleSessionCookie(shopId: string, now: Date): string {
  const payload = Buffer.from(JSON.stringify({ shop: shopId, exp: now.getTime() + CONSOLE_SESSION_MS })).toString(
    "base64url",
  );
  return `${COOKIE}=${payload}.${sign(payload)}; ${cookieAttributes(CONSOLE_SESSION_MS / 1000)}`;
}

export const clearConsoleSessionCookie = () => `${COOKIE}=; ${cookieAttributes(0)}`;

function sessionShopId(request: Request, now: Date): string | null {
  const raw = (request.headers.get("Cookie") ?? "")
    .split(/;\s*/)
    .find((part) => part.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
  const [payload, signature] = (raw ?? "").split(".");
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { shop?: unknown; exp?: unknown };
    if (typeof claims.shop !== "string" || typeof claims.exp !== "number" || claims.exp <= now.getTime()) return null;
    return claims.shop;
  } catch {
    return null;
  }
}

/** The signed-in merchant's shop (Square or Clover, still installed); else off to sign in. */
export async function requireConsoleShop(request: Request) {
  const shopId = sessionShopId(request, new Date());
  const shop = shopId
    ? await getDb().shop.findUnique({
        where: { id: shopId },
        include: { locations: { where: { active: true }, orderBy: { name: "asc" } } },
      })
    : null;
  if (!shop || shop.uninstalledAt || shop.platform === "shopify") {
    throw redirect("/console/sign-in", { headers: { "Set-Cookie": clearConsoleSessionCookie() } });
  }
  return shop;
}
