/**
 * Session tokens for the register preview, in exactly the format Shopify POS hands to an
 * extension (an HS256 JWT signed with the app's API secret), so the preview exercises the same
 * `authenticate.public.pos` path as a real register. Only the demo server signs these: the
 * preview's token route is closed outside demo mode, and demo mode refuses a real API key.
 */
import { createHmac, randomUUID } from "node:crypto";

/** Shopify POS tokens live one minute; the extension asks for a fresh one per request. */
export const SESSION_TOKEN_TTL_SECONDS = 60;

export interface SessionTokenClaims {
  iss: string;
  dest: string;
  aud: string;
  sub: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  sid: string;
}

export interface SignSessionTokenInput {
  shopDomain: string;
  apiKey: string;
  apiSecret: string;
  userId: string | number;
  /** Ties tokens of one preview page together, as Shopify's `sid` ties a login session. */
  sessionId: string;
  now?: Date;
}

const base64url = (input: string | Buffer) => Buffer.from(input).toString("base64url");

export function sessionTokenClaims({
  shopDomain,
  apiKey,
  userId,
  sessionId,
  now = new Date(),
}: Omit<SignSessionTokenInput, "apiSecret">): SessionTokenClaims {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return {
    iss: `https://${shopDomain}/admin`,
    dest: `https://${shopDomain}`,
    aud: apiKey,
    sub: String(userId),
    exp: issuedAt + SESSION_TOKEN_TTL_SECONDS,
    nbf: issuedAt,
    iat: issuedAt,
    jti: randomUUID(),
    sid: sessionId,
  };
}

export function signSessionToken(input: SignSessionTokenInput): string {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify(sessionTokenClaims(input)));
  const signature = createHmac("sha256", input.apiSecret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
