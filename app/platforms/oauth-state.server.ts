/**
 * The single-use `state` of a platform's OAuth authorization (Square, Clover, Lightspeed): stored for 10
 * minutes and bound to the browser that started by an HttpOnly cookie (RFC 6749 §10.12). The
 * callback accepts it only from that browser, and only once, however many requests race.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../db.server";

export const OAUTH_STATE_TTL_MS = 10 * 60 * 1000;

export interface OAuthStateFlow {
  /** Stores a new state; returns it and the Set-Cookie that binds it to this browser. */
  begin(db: Db, appUrl: string, now: Date): Promise<{ state: string; setCookie: string }>;
  /** The Set-Cookie that removes the binding once the callback has used it. */
  clearCookie(appUrl: string): string;
  /** Whether the callback's state came from this browser. */
  fromThisBrowser(state: string, cookieHeader: string | null): boolean;
  /** Deletes the state if it is live: true exactly once per state. */
  consume(db: Db, state: string, now: Date): Promise<boolean>;
}

export function oauthStateFlow(
  platform: string,
  connectPath: string,
  newState: () => string = () => randomBytes(32).toString("base64url"),
): OAuthStateFlow {
  const cookieName = `${platform}_oauth_state`;
  const secure = (appUrl: string) => (appUrl.startsWith("https:") ? "; Secure" : "");
  return {
    async begin(db, appUrl, now) {
      const state = newState();
      await db.$transaction([
        // States abandoned on the platform's page pile up otherwise.
        db.oAuthState.deleteMany({ where: { platform, expiresAt: { lte: now } } }),
        db.oAuthState.create({
          data: { platform, state, expiresAt: new Date(now.getTime() + OAUTH_STATE_TTL_MS), createdAt: now },
        }),
      ]);
      const maxAge = OAUTH_STATE_TTL_MS / 1000;
      return {
        state,
        setCookie: `${cookieName}=${state}; Path=${connectPath}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure(appUrl)}`,
      };
    },
    clearCookie(appUrl) {
      return `${cookieName}=; Path=${connectPath}; Max-Age=0; HttpOnly; SameSite=Lax${secure(appUrl)}`;
    },
    fromThisBrowser(state, cookieHeader) {
      let bound: string | null = null;
      for (const part of (cookieHeader ?? "").split(";")) {
        const [name, ...value] = part.trim().split("=");
        if (name === cookieName) bound = value.join("=") || null;
      }
      if (!bound) return false;
      const left = Buffer.from(bound);
      const right = Buffer.from(state);
      return left.length === right.length && timingSafeEqual(left, right);
    },
    async consume(db, state, now) {
      const consumed = await db.oAuthState.deleteMany({ where: { platform, state, expiresAt: { gt: now } } });
      return consumed.count === 1;
    },
  };
}
