/**
 * One money type: integer minor units plus an ISO 4217 currency. Decimal strings from
 * Shopify ("12.30") are parsed textually, never through floating point.
 */
export interface Money {
  amountMinor: number;
  currency: string;
}

// ISO 4217 minor-unit exponents that differ from the usual 2.
const EXPONENT_OVERRIDES: Record<string, number> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
};

export function currencyExponent(currency: string): number {
  return EXPONENT_OVERRIDES[currency.toUpperCase()] ?? 2;
}

export class MoneyParseError extends Error {}

/** "12.3" in USD → 1230. Rounds half away from zero past the currency's precision. */
export function toMinorUnits(value: string | number, currency: string): number {
  const text = typeof value === "number" ? value.toFixed(6) : value.trim();
  const match = /^(-)?(\d{1,15})(?:\.(\d{1,12}))?$/.exec(text);
  if (!match) throw new MoneyParseError(`not a decimal amount: ${JSON.stringify(value)}`);
  const [, sign, whole, fraction = ""] = match;
  const exponent = currencyExponent(currency);
  const kept = fraction.padEnd(exponent, "0").slice(0, exponent);
  const nextDigit = Number(fraction.charAt(exponent) || "0");
  let minor = Number(whole) * 10 ** exponent + Number(kept || "0");
  if (nextDigit >= 5) minor += 1;
  return sign && minor !== 0 ? -minor : minor;
}

/** 1230 USD → "12.30". */
export function formatMinorUnits(amountMinor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = amountMinor < 0;
  const digits = Math.abs(amountMinor)
    .toString()
    .padStart(exponent + 1, "0");
  const whole = exponent ? digits.slice(0, -exponent) : digits;
  const fraction = exponent ? `.${digits.slice(-exponent)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

/** For people: "$12.30", "¥1,200" in the given locale. */
export function formatMoney(money: Money, locale = "en-US"): string {
  const exponent = currencyExponent(money.currency);
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: money.currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(money.amountMinor / 10 ** exponent);
}
