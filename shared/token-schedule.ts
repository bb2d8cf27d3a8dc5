/**
 * When a paired register (the companion panel, the Lightspeed extension) trades its device
 * secret for a new access token (ADR 0015): about a minute before the current one expires, so a
 * request never leaves with a token that dies on the way. A tablet that slept past its timer, or
 * an extension's service worker that was stopped, is covered too: a token inside that last
 * minute counts as stale and is renewed by the next request. Times are milliseconds on the
 * register's clock (see localTokenExpiry). Pure: no I/O.
 */
export const TOKEN_REFRESH_LEAD_MS = 60_000;
/** A token that lives less than the lead must not turn the timer into a busy loop. */
export const MIN_REFRESH_DELAY_MS = 5_000;

/** Milliseconds from `now` until the token should be refreshed. */
export function tokenRefreshDelay(expiresAt: number, now: number, leadMs = TOKEN_REFRESH_LEAD_MS): number {
  if (!Number.isFinite(expiresAt)) return MIN_REFRESH_DELAY_MS;
  return Math.max(MIN_REFRESH_DELAY_MS, expiresAt - now - leadMs);
}

/** Whether a request may still go out with this token (false inside its last `leadMs`). */
export function tokenIsFresh(expiresAt: number, now: number, leadMs = TOKEN_REFRESH_LEAD_MS): boolean {
  return Number.isFinite(expiresAt) && expiresAt - now > leadMs;
}

/**
 * The token's expiry on the tablet's clock. The server states it on its own clock; with the
 * answer's Date header the lifetime is measured there and counted from now here, so a tablet
 * whose clock is minutes off still refreshes on time. Without the header, the stated time.
 */
export function localTokenExpiry(expiresAt: string, serverDate: string | null, now: number): number {
  const expiry = Date.parse(expiresAt);
  const served = serverDate ? Date.parse(serverDate) : NaN;
  if (!Number.isFinite(expiry)) return now;
  if (!Number.isFinite(served)) return expiry;
  // The Date header has whole seconds, so the lifetime may be a second long; the lead covers it.
  return now + Math.max(0, expiry - served);
}
