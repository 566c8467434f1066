/**
 * Small readers for request bodies. Each throws a ValidationError that names the field
 * (400) and never echoes the rejected value, since it may be a card or account number.
 */
import { ValidationError } from '../platform/errors/errors';

export type Body = Record<string, unknown>;

export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

export function optionalObject(value: unknown, field: string): Body | null {
  if (isAbsent(value)) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError(field, 'must be an object');
  }
  return value as Body;
}

export function requiredObject(value: unknown, field: string): Body {
  const obj = optionalObject(value, field);
  if (obj === null) throw new ValidationError(field, 'is required');
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

export function optionalString(
  value: unknown,
  field: string,
  rule: StringRule = {},
): string | null {
  if (isAbsent(value)) return null;
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

export function requiredString(value: unknown, field: string, rule: StringRule = {}): string {
  const text = optionalString(value, field, rule);
  if (text === null || text === '') throw new ValidationError(field, 'is required');
  return text;
}

export function optionalBoolean(value: unknown, field: string): boolean | null {
  if (isAbsent(value)) return null;
  if (typeof value !== 'boolean') throw new ValidationError(field, 'must be true or false');
  return value;
}

/** The largest amount accepted anywhere: $999,999,999.99, far from any overflow. */
export const MAX_CENTS = 99_999_999_999;

/** Integer cents, 0 to MAX_CENTS. */
export function optionalCents(value: unknown, field: string): number | null {
  if (isAbsent(value)) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(field, 'must be a whole number of cents, 0 or more (1299 = $12.99)');
  }
  if (value > MAX_CENTS) throw new ValidationError(field, `must be at most ${MAX_CENTS} cents`);
  return value;
}

export function optionalOneOf<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T | null {
  if (isAbsent(value) || value === '') return null;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(field, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

export function requiredOneOf<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T {
  const v = optionalOneOf(value, field, allowed);
  if (v === null) {
    throw new ValidationError(
      field,
      `is required: one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
    );
  }
  return v;
}

export function optionalInteger(
  value: unknown,
  field: string,
  min: number,
  max: number,
): number | null {
  if (isAbsent(value)) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function optionalEmail(value: unknown, field: string): string | null {
  return optionalString(value, field, {
    max: 254,
    pattern: EMAIL,
    patternText: 'a valid email address ("user@example.com")',
  });
}

/** Refuses fields a body may not carry, so a typo is not silently ignored. */
export function refuseUnknownFields(body: Body, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) {
      throw new ValidationError(`${prefix}${key}`, 'is not a known field');
    }
  }
}
