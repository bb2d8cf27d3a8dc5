/**
 * Display helpers. Money goes through shared/money (integer minor units), the app's one money
 * type, so the register shows exactly what the backend computes.
 */
import { formatMoney, toMinorUnits } from "../../../shared/money";

/** POS gives prices as decimal strings (cart totals) or numbers (line prices). */
export function formatPrice(amount: string | number | undefined, currency: string): string {
  if (amount === undefined || amount === "") return "—";
  try {
    return formatMoney({ amountMinor: toMinorUnits(amount, currency), currency });
  } catch {
    return String(amount);
  }
}

/** Unit price × quantity, multiplied in minor units so 3 × 0.10 is 0.30, not 0.30000000000000004. */
export function formatLineTotal(unitPrice: number | undefined, quantity: number, currency: string): string {
  if (unitPrice === undefined) return "—";
  try {
    return formatMoney({ amountMinor: toMinorUnits(unitPrice, currency) * quantity, currency });
  } catch {
    return String(unitPrice * quantity);
  }
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "5 minutes ago", "yesterday", "10 seconds ago". */
export function formatRelativeTime(iso: string, now: Date = new Date(), locale = "en"): string {
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(seconds, "second");
}
