/**
 * Currencies an invoice may be in, with their minor-unit exponent (ISO 4217): cents are
 * stored as integers, and this table alone says where the decimal point goes when an
 * amount is shown or typed in.
 */
const MINOR_UNITS: Readonly<Record<string, number>> = {
  USD: 2,
  CAD: 2,
  MXN: 2,
  EUR: 2,
  GBP: 2,
  AUD: 2,
  NZD: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  BRL: 2,
  INR: 2,
  SGD: 2,
  HKD: 2,
  ZAR: 2,
  ILS: 2,
  PHP: 2,
  CNY: 2,
  JPY: 0,
  KRW: 0,
  CLP: 0,
  ISK: 0,
  VND: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
};

const SYMBOLS: Readonly<Record<string, string>> = {
  USD: '$',
  CAD: 'CA$',
  MXN: 'MX$',
  EUR: '€',
  GBP: '£',
  AUD: 'A$',
  NZD: 'NZ$',
  JPY: '¥',
  INR: '₹',
  KRW: '₩',
  ILS: '₪',
  BRL: 'R$',
};

export const SUPPORTED_CURRENCIES: readonly string[] = Object.keys(MINOR_UNITS);

export function isSupportedCurrency(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(MINOR_UNITS, code);
}

export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency] ?? 2;
}

/** 123456 USD -> "1,234.56": digits placed by the currency's exponent; no arithmetic. */
export function formatAmount(cents: number, currency: string): string {
  const exponent = minorUnits(currency);
  const negative = cents < 0;
  const digits = String(Math.abs(cents)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(digits.length - exponent)}`;
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${fraction}`;
}

/** 123456 USD -> "$1,234.56"; currencies without a symbol here read "1,234.56 SEK". */
export function formatMoney(cents: number, currency: string): string {
  const symbol = SYMBOLS[currency];
  const amount = formatAmount(Math.abs(cents), currency);
  const sign = cents < 0 ? '-' : '';
  return symbol === undefined ? `${sign}${amount} ${currency}` : `${sign}${symbol}${amount}`;
}

/**
 * What a customer typed ("12.5", "1,234.56", "12") as integer minor units, by string work on
 * the digits; null when it is not an amount in this currency (too many decimals, letters).
 */
export function parseAmount(text: string, currency: string): number | null {
  const exponent = minorUnits(currency);
  const clean = text
    .trim()
    .replace(/,/g, '')
    .replace(/^[^\d.-]+/, '');
  const match = /^(\d{1,13})(?:\.(\d*))?$/.exec(clean);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > exponent) return null;
  const minor = Number(`${match[1]}${fraction.padEnd(exponent, '0')}`);
  return Number.isSafeInteger(minor) ? minor : null;
}
