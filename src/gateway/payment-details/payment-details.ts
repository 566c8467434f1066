/**
 * Card and bank account details: parsing, validation and the masked forms that are the
 * only ones to leave the service. Pure: the current time is passed in.
 *
 * Messages never contain the number itself (a rejected card number is still a card number).
 */
import { lookupBin } from '../../billing-calc/bin-table';
import { ValidationError } from '../../platform/errors/errors';
import { luhnValid } from '../../platform/logging/redact';

export type CardType = 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';

export interface CardDetails {
  number: string;
  expirationMonth: number;
  expirationYear: number;
  cardType: CardType;
}

export interface AchDetails {
  routingNumber: string;
  accountNumber: string;
  accountType: 'checking' | 'savings';
  secCode: 'web' | 'ccd' | 'ppd' | 'tel';
}

export const ACH_ACCOUNT_TYPES = ['checking', 'savings'] as const;
export const ACH_SEC_CODES = ['web', 'ccd', 'ppd', 'tel'] as const;

/** Digits only, 12 to 19 of them, passing the Luhn check. */
export function parseCardNumber(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') {
    throw new ValidationError(field, 'is required');
  }
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string of digits');
  const digits = value.trim();
  if (!/^\d+$/.test(digits)) throw new ValidationError(field, 'must contain digits only');
  if (digits.length < 12 || digits.length > 19) {
    throw new ValidationError(field, 'must be 12 to 19 digits long');
  }
  if (!luhnValid(digits)) {
    throw new ValidationError(field, 'is not a valid card number (it fails the Luhn check)');
  }
  return digits;
}

/**
 * "MM/YY", "MMYY", "MM/YYYY" or "MMYYYY". A card is good through the last day of its
 * expiration month, so the current month is still ahead; any earlier month is refused.
 */
export function parseExpirationDate(
  value: unknown,
  field: string,
  now: Date,
): { month: number; year: number } {
  if (value === undefined || value === null || value === '') {
    throw new ValidationError(field, 'is required ("MM/YY")');
  }
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string ("MM/YY")');
  const match = /^(\d{2})\s*\/?\s*(\d{2}|\d{4})$/.exec(value.trim());
  if (!match) throw new ValidationError(field, 'must be "MM/YY" or "MMYY"');
  const month = Number(match[1]);
  const year = match[2].length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  if (month < 1 || month > 12) throw new ValidationError(field, 'has a month outside 01 to 12');
  const current = now.getUTCFullYear() * 12 + now.getUTCMonth();
  if (year * 12 + (month - 1) < current) throw new ValidationError(field, 'is in the past');
  if (year > now.getUTCFullYear() + 50) throw new ValidationError(field, 'is too far ahead');
  return { month, year };
}

export function parseCvc(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !/^\d{3,4}$/.test(value.trim())) {
    throw new ValidationError(field, 'must be 3 or 4 digits');
  }
  return value.trim();
}

export function parseCard(
  input: { number: unknown; expiration_date: unknown },
  prefix: string,
  now: Date,
): CardDetails {
  const number = parseCardNumber(input.number, `${prefix}.number`);
  const { month, year } = parseExpirationDate(
    input.expiration_date,
    `${prefix}.expiration_date`,
    now,
  );
  return { number, expirationMonth: month, expirationYear: year, cardType: cardTypeOf(number) };
}

/** The brand from the BIN (calculation core's table, then the networks' prefix ranges). */
export function cardTypeOf(number: string): CardType {
  return lookupBin(number.slice(0, Math.min(number.length, 8))).brand;
}

export function parseRoutingNumber(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') {
    throw new ValidationError(field, 'is required');
  }
  if (typeof value !== 'string' || !/^\d{9}$/.test(value.trim())) {
    throw new ValidationError(field, 'must be 9 digits');
  }
  return value.trim();
}

export function parseAccountNumber(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') {
    throw new ValidationError(field, 'is required');
  }
  if (typeof value !== 'string' || !/^\d{4,17}$/.test(value.trim())) {
    throw new ValidationError(field, 'must be 4 to 17 digits');
  }
  return value.trim();
}

/** "411111******1111": the first six and last four digits, as the spec shows cards. */
export function maskedCard(number: string): string {
  return `${number.slice(0, 6)}${'*'.repeat(Math.max(0, number.length - 10))}${number.slice(-4)}`;
}

/** "******6789": only the last four digits of a bank account. */
export function maskedAccount(number: string): string {
  return `${'*'.repeat(Math.max(0, number.length - 4))}${number.slice(-4)}`;
}

/** "MM/YY", as the transaction response shows a card's expiration. */
export function expirationMmYy(month: number, year: number): string {
  return `${String(month).padStart(2, '0')}/${String(year % 100).padStart(2, '0')}`;
}

/** The spec's vault form: the last instant of the expiration month, "2020-12-31T00:00:00Z". */
export function expirationVaultForm(month: number, year: number): string {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(lastDay).padStart(2, '0')}T00:00:00Z`;
}
