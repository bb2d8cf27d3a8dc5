/** When the panel refreshes its 15-minute token: a minute early, never in a busy loop, on the tablet's clock. */
import { describe, expect, it } from "vitest";
import {
  localTokenExpiry,
  MIN_REFRESH_DELAY_MS,
  TOKEN_REFRESH_LEAD_MS,
  tokenIsFresh,
  tokenRefreshDelay,
} from "../../shared/token-schedule";

const NOW = Date.parse("2026-11-26T10:00:00Z");
const MINUTE = 60_000;

describe("panel token refresh", () => {
  it("refreshes a 15-minute token about a minute before it expires", () => {
    expect(tokenRefreshDelay(NOW + 15 * MINUTE, NOW)).toBe(14 * MINUTE);
    expect(TOKEN_REFRESH_LEAD_MS).toBe(MINUTE);
  });

  it("never schedules sooner than a few seconds, even for a token already inside its last minute", () => {
    expect(tokenRefreshDelay(NOW + 30_000, NOW)).toBe(MIN_REFRESH_DELAY_MS);
    expect(tokenRefreshDelay(NOW - MINUTE, NOW)).toBe(MIN_REFRESH_DELAY_MS);
    expect(tokenRefreshDelay(Number.NaN, NOW)).toBe(MIN_REFRESH_DELAY_MS);
  });

  it("treats a token in its last minute as stale, so a tablet that slept gets a new one first", () => {
    expect(tokenIsFresh(NOW + 2 * MINUTE, NOW)).toBe(true);
    expect(tokenIsFresh(NOW + 59_000, NOW)).toBe(false);
    expect(tokenIsFresh(NOW - 1, NOW)).toBe(false);
  });

  it("counts the token's lifetime on the server's clock, so a tablet clock that is off does not matter", () => {
    // The server answers at 10:00 with a token until 10:15; the tablet's clock runs 20 minutes fast.
    const tabletNow = Date.parse("2026-11-26T10:20:00Z");
    const expiry = localTokenExpiry("2026-11-26T10:15:00.000Z", "Thu, 26 Nov 2026 10:00:00 GMT", tabletNow);
    expect(expiry).toBe(tabletNow + 15 * MINUTE);
    expect(tokenIsFresh(expiry, tabletNow)).toBe(true);
  });

  it("uses the stated expiry when the answer has no Date header", () => {
    expect(localTokenExpiry("2026-11-26T10:15:00.000Z", null, NOW)).toBe(NOW + 15 * MINUTE);
    expect(localTokenExpiry("not a date", null, NOW)).toBe(NOW);
  });
});
