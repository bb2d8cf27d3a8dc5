/**
 * The pairing code as the cashier types it: read off the admin's screen, so case, spaces and
 * the dash do not matter ("abcd efgh" is "ABCD-EFGH"). The server normalizes the same way.
 */
export const PAIRING_CODE_LENGTH = 8;

/** Letters and digits only, upper case. */
export function normalizePairingCode(text: string): string {
  return text.toUpperCase().replace(/[^A-Z0-9]/g, "");
}

/** What the code field shows while typing: "ABCD", "ABCD-E", … "ABCD-EFGH" (never longer). */
export function formatPairingCode(text: string): string {
  const raw = normalizePairingCode(text).slice(0, PAIRING_CODE_LENGTH);
  const half = PAIRING_CODE_LENGTH / 2;
  return raw.length > half ? `${raw.slice(0, half)}-${raw.slice(half)}` : raw;
}

export function isCompletePairingCode(text: string): boolean {
  return normalizePairingCode(text).length === PAIRING_CODE_LENGTH;
}
