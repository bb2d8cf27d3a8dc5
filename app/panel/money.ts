import { formatMoney } from "../../shared/money";

/** 1250, "USD" → "$12.50"; a currency Intl does not know falls back to "12.50 XYZ". */
export function money(amountMinor: number, currency: string): string {
  try {
    return formatMoney({ amountMinor, currency });
  } catch {
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}
