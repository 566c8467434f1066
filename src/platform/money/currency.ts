/**
 * Currencies and locales, from the platform rather than a table kept by hand:
 * - which codes exist and how many minor units each has come from ISO 4217's own list
 *   (list one, as shipped by the `currency-codes` package), so wire amounts are integer
 *   minor units of the currency: JPY has 0 decimals, KWD 3, EUR 2;
 * - how an amount reads (symbol, grouping, decimal separator, where the sign goes) comes
 *   from `Intl.NumberFormat` in the reader's locale.
 *
 * No arithmetic on money happens here: an amount in minor units becomes a decimal string by
 * placing the point (123456 JPY -> "123456", 123456 KWD -> "123.456"), and Intl formats
 * that string exactly (it accepts decimal strings, so no float is ever involved).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The locale used when neither the invoice nor the merchant names one. */
export const DEFAULT_LOCALE = 'en-US';

/**
 * ISO 4217 list one: every active code with its minor units. Entries whose minor unit is
 * "N.A." (gold, silver, the SDR, bond-market units, the testing code XTS, "no currency" XXX)
 * are not money an invoice can be paid in, so they are left out.
 */
function loadIsoList(): ReadonlyMap<string, number> {
  const file = path.join(path.dirname(require.resolve('currency-codes')), 'iso-4217-list-one.xml');
  const xml = readFileSync(file, 'utf8');
  const codes = new Map<string, number>();
  for (const entry of xml.matchAll(/<CcyNtry>([\s\S]*?)<\/CcyNtry>/g)) {
    const body = entry[1] ?? '';
    const code = /<Ccy>([A-Z]{3})<\/Ccy>/.exec(body)?.[1];
    const units = /<CcyMnrUnts>(\d+)<\/CcyMnrUnts>/.exec(body)?.[1];
    if (code !== undefined && units !== undefined) codes.set(code, Number(units));
  }
  if (codes.size < 100) throw new Error(`ISO 4217 list at ${file} looks incomplete`);
  return codes;
}

let isoList: ReadonlyMap<string, number> | null = null;
function iso(): ReadonlyMap<string, number> {
  isoList ??= loadIsoList();
  return isoList;
}

/** Every active ISO 4217 currency code an invoice may be in, sorted. */
export function activeCurrencies(): string[] {
  return [...iso().keys()].sort();
}

export function isActiveCurrency(code: string): boolean {
  return iso().has(code);
}

/** The currency's minor-unit exponent (2 for USD, 0 for JPY, 3 for KWD). */
export function minorUnits(currency: string): number {
  const units = iso().get(currency);
  if (units === undefined) throw new Error(`unknown currency ${currency}`);
  return units;
}

/** The canonical form of a BCP 47 locale Intl has data for ("de-de" -> "de-DE"), else null. */
export function canonicalLocale(value: string): string | null {
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(value)[0] ?? '';
  } catch {
    return null;
  }
  if (canonical === '' || Intl.NumberFormat.supportedLocalesOf([canonical]).length === 0) {
    return null;
  }
  return canonical;
}

/** 123456 minor units of a 2-decimal currency -> "1234.56" (string work on the digits). */
export function minorToDecimalString(minor: number, exponent: number): string {
  if (!Number.isSafeInteger(minor)) throw new Error(`not an integer amount: ${minor}`);
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(digits.length - exponent)}`;
  return `${minor < 0 ? '-' : ''}${whole}${fraction}`;
}

/** How amounts of one currency read in one locale. */
export interface MoneyFormat {
  readonly currency: string;
  readonly locale: string;
  readonly minorUnits: number;
  /** 123456 -> "$1,234.56" (en-US, USD), "1.234,56 €" (de-DE, EUR), "￥123,456" (ja-JP, JPY). */
  money(minor: number): string;
  /** The amount as a person types it in this locale, Latin digits, no symbol or grouping: "1234,56". */
  plain(minor: number): string;
  /** What a person typed ("1.234,56" in de-DE, "$12.5" in en-US) as minor units; null if not an amount. */
  parse(text: string): number | null;
}

const formats = new Map<string, MoneyFormat>();

/** The format for `currency` in `locale` (cached: Intl formatters are costly to build). */
export function moneyFormat(currency: string, locale: string = DEFAULT_LOCALE): MoneyFormat {
  const key = `${currency}|${locale}`;
  let format = formats.get(key);
  if (!format) {
    format = buildFormat(currency, locale);
    formats.set(key, format);
  }
  return format;
}

function buildFormat(currency: string, locale: string): MoneyFormat {
  const exponent = minorUnits(currency);
  // The ISO exponent decides the decimals, also where CLDR would show fewer (it shows HUF and
  // COP without decimals, for cash): the page must never hide a minor unit the amount has.
  const digits = { minimumFractionDigits: exponent, maximumFractionDigits: exponent };
  const withSymbol = new Intl.NumberFormat(locale, { style: 'currency', currency, ...digits });
  // What a person types is in Latin digits (a form field, a keyboard), even where the locale
  // writes amounts in its own digits (ar-EG): separators are the locale's, digits 0-9.
  const latin = { numberingSystem: 'latn' };
  const bare = new Intl.NumberFormat(locale, { ...digits, ...latin, useGrouping: false });
  const parts = new Intl.NumberFormat(locale, latin).formatToParts(1234567.5);
  const group = parts.find((p) => p.type === 'group')?.value ?? ',';
  const decimal = parts.find((p) => p.type === 'decimal')?.value ?? '.';
  // Intl.NumberFormat accepts a decimal string and formats it exactly (ES2023), but its type
  // declaration only lists number and bigint.
  const exact = (f: Intl.NumberFormat, minor: number) =>
    f.format(minorToDecimalString(minor, exponent) as unknown as number);
  return {
    currency,
    locale,
    minorUnits: exponent,
    money: (minor) => exact(withSymbol, minor),
    plain: (minor) => exact(bare, minor),
    parse: (text) => parseAmount(text, exponent, group, decimal),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Reads an amount written the locale's way: digits, optionally grouped in threes by the
 * locale's group separator (any space counts where the locale groups with a space), and the
 * locale's decimal separator. "1.234,56" is 123456 cents in de-DE; "12.5" is refused there
 * rather than guessed (it would be 125 by the locale's grammar).
 */
function parseAmount(
  text: string,
  exponent: number,
  group: string,
  decimal: string,
): number | null {
  const clean = text.trim().replace(/^[^\d]+|[^\d]+$/g, (edge) => (edge.includes('-') ? '-' : ''));
  const g = /\s/.test(group) ? '[\\s\\u00a0\\u202f]' : escapeRegExp(group);
  const d = escapeRegExp(decimal);
  const grammar = new RegExp(`^(\\d{1,3}(?:${g}\\d{3})+|\\d{1,15})(?:${d}(\\d*))?$`);
  const match = grammar.exec(clean);
  if (!match) return null;
  const whole = (match[1] ?? '').replace(/\D/g, '');
  const fraction = match[2] ?? '';
  if (fraction.length > exponent || whole.length > 15) return null;
  const minor = Number(`${whole}${fraction.padEnd(exponent, '0')}`);
  return Number.isSafeInteger(minor) ? minor : null;
}
