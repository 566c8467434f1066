/**
 * The shell's readers for request fields: what the route schema (route-schema.ts) cannot say,
 * or what is read without one (CSV rows of a file batch, hosted page forms, bodies a service
 * builds for another). Each takes the raw value and the field's path as the API writes it
 * (`add_ons[0].id`, `payment_method.card`), and returns a typed value or throws.
 *
 * One convention for every reader (docs/api-contract.md, "The input kit"):
 *  - **Not given** is `undefined` or `null`: an optional reader returns `undefined` for both,
 *    a required one throws `is required`. Readers of ids, choices and dates also count `""` as
 *    not given; a plain string reader returns `""` as given (callers decide what empty means).
 *  - **Errors** are a ValidationError (400): `invalid <field>: <problem>`.
 *  - **The problem never repeats the rejected value**: it may be a card or account number.
 *  - Strings are trimmed unless the rule says `trim: false` (`optionalText` keeps the text as
 *    given).
 *
 * The calculation core (src/billing-calc) keeps its own checks (src/billing-calc/input.ts): it
 * is called without HTTP. `asValidation` turns its errors into the API's 400.
 */
import { CalendarInputError, isLocalDate, type LocalDate } from '../../billing-calc/calendar';
import { CalcInputError } from '../../billing-calc/errors';
import { DomainError, ValidationError } from '../errors/errors';

export type Body = Record<string, unknown>;

/** The largest amount accepted anywhere: $999,999,999.99, far from any overflow. */
export const MAX_CENTS = 99_999_999_999;
/** The longest id a request may name. */
export const MAX_ID_LENGTH = 100;

export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

export function isGiven(value: unknown): boolean {
  return !isAbsent(value);
}

/**
 * Runs `read` and turns the calculation core's input errors (CalcInputError, CalendarInputError)
 * into a 400 that keeps their message and field, so the message names the field once.
 */
export function asValidation<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof CalcInputError || err instanceof CalendarInputError) {
      throw new DomainError('bad_request', err.message, err.field);
    }
    throw err;
  }
}

export function optionalObject(value: unknown, field: string): Body | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  return value as Body;
}

export function requiredObject(value: unknown, field: string): Body {
  const obj = optionalObject(value, field);
  if (obj === undefined) throw new ValidationError(field, 'is required');
  return obj;
}

export interface StringRule {
  max?: number;
  pattern?: RegExp;
  /** What the pattern demands, for the message: "letters and digits only". */
  patternText?: string;
  /** Trim surrounding whitespace first (default true). */
  trim?: boolean;
}

/** A string (trimmed unless `trim: false`); `""` is returned as given. */
export function optionalString(
  value: unknown,
  field: string,
  rule: StringRule = {},
): string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const text = rule.trim === false ? value : value.trim();
  if (rule.max !== undefined && text.length > rule.max) {
    throw new ValidationError(field, `must be at most ${rule.max} characters`);
  }
  if (rule.pattern !== undefined && text !== '' && !rule.pattern.test(text)) {
    throw new ValidationError(field, `must be ${rule.patternText ?? 'well formed'}`);
  }
  return text;
}

/** A non-empty string; absent and `""` are "is required". */
export function requiredString(value: unknown, field: string, rule: StringRule = {}): string {
  const text = optionalString(value, field, rule);
  if (text === undefined || text === '') throw new ValidationError(field, 'is required');
  return text;
}

/** Free text of at most `max` characters, kept as given (names, descriptions). */
export function optionalText(value: unknown, field: string, max: number): string | undefined {
  return optionalString(value, field, { max, trim: false });
}

/** An id naming an existing resource: trimmed; `""` counts as not given. */
export function optionalId(value: unknown, field: string, max = MAX_ID_LENGTH): string | undefined {
  const text = optionalString(value, field, { max, trim: false })?.trim();
  return text === '' ? undefined : text;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'boolean') throw new ValidationError(field, 'must be true or false');
  return value;
}

/** Integer cents, 0 to `max` (MAX_CENTS unless the domain says less or more). */
export function optionalCents(value: unknown, field: string, max = MAX_CENTS): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, 'must be a whole number of cents, 0 or more (1299 = $12.99)');
  }
  if (value > max) throw new ValidationError(field, `must be at most ${max} cents`);
  return value;
}

/** A whole number from `min` to `max` in a JSON body (query strings: optionalQueryInteger). */
export function optionalInteger(
  value: unknown,
  field: string,
  min: number,
  max: number,
): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function choices(allowed: readonly string[]): string {
  return allowed.map((a) => `"${a}"`).join(', ');
}

/** One of a fixed set of strings; `""` counts as not given. */
export function optionalOneOf<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T | undefined {
  if (isAbsent(value) || value === '') return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, `must be one of ${choices(allowed)}`);
  }
  return value as T;
}

export function requiredOneOf<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T {
  const v = optionalOneOf(value, field, allowed);
  if (v === undefined) throw new ValidationError(field, `is required: one of ${choices(allowed)}`);
  return v;
}

/** Safe in a mail header too: no spaces, angle brackets, quotes, commas or semicolons. */
const EMAIL = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/** An email address (trimmed); `""` is returned as given. */
export function optionalEmail(value: unknown, field: string): string | undefined {
  return optionalString(value, field, {
    max: 254,
    pattern: EMAIL,
    patternText: 'a valid email address ("user@example.com")',
  });
}

/** A calendar date `YYYY-MM-DD` (in the merchant's time zone); `""` counts as not given. */
export function optionalLocalDate(value: unknown, field: string): LocalDate | undefined {
  if (isAbsent(value) || value === '') return undefined;
  if (typeof value !== 'string' || !isLocalDate(value)) {
    throw new ValidationError(field, 'must be a date in the form YYYY-MM-DD');
  }
  return value;
}

/** Refuses fields a body may not carry, so a typo is not silently ignored. */
export function refuseUnknownFields(body: Body, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new ValidationError(`${prefix}${key}`, 'is not a known field');
    }
  }
}

/** A whole number from a query string (or a number), between min and max. */
export function optionalQueryInteger(
  value: unknown,
  field: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text =
    typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new ValidationError(field, `must be a whole number from ${min} to ${max}`);
  }
  return Number(text);
}

/** `limit` and `offset` query parameters. Without a limit, `defaultLimit` applies (null = all). */
export function readPaging(
  query: Record<string, unknown>,
  defaultLimit: number | null,
  maxLimit: number,
): { limit: number | null; offset: number } {
  const limit = optionalQueryInteger(query.limit, 'limit', 1, maxLimit) ?? defaultLimit;
  const offset = optionalQueryInteger(query.offset, 'offset', 0, 1_000_000) ?? 0;
  return { limit, offset };
}
