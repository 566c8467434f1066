/**
 * Small readers for untrusted request bodies. Each takes the value and the
 * field path used in error messages, and either returns a typed value or
 * throws a CalcInputError naming that path. `null` and a missing key both
 * mean "not given" for optional fields, as in the API's documentation.
 */
import { CalcInputError, describeValue } from './errors';
import { rateStringToThousandths, requireCents, requireThousandths } from './money';

export type JsonObject = Record<string, unknown>;

export function fieldPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

export function isAbsent(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

export function requireObject(value: unknown, field: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CalcInputError(field, `must be an object, got ${describeValue(value)}`);
  }
  return value as JsonObject;
}

export function optionalObject(value: unknown, field: string): JsonObject | null {
  return isAbsent(value) ? null : requireObject(value, field);
}

export function optionalArray(value: unknown, field: string): unknown[] | null {
  if (isAbsent(value)) return null;
  if (!Array.isArray(value)) {
    throw new CalcInputError(field, `must be an array, got ${describeValue(value)}`);
  }
  return value;
}

export function optionalBoolean(value: unknown, field: string): boolean | null {
  if (isAbsent(value)) return null;
  if (typeof value !== 'boolean') {
    throw new CalcInputError(field, `must be true or false, got ${describeValue(value)}`);
  }
  return value;
}

export function optionalString(value: unknown, field: string): string | null {
  if (isAbsent(value)) return null;
  if (typeof value !== 'string') {
    throw new CalcInputError(field, `must be a string, got ${describeValue(value)}`);
  }
  return value;
}

export function requireOneOf<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  const list = allowed.map((a) => `'${a}'`).join(', ');
  if (isAbsent(value)) throw new CalcInputError(field, `is required and must be one of ${list}`);
  throw new CalcInputError(field, `must be one of ${list}, got ${describeValue(value)}`);
}

export function optionalCents(value: unknown, field: string): number | null {
  return isAbsent(value) ? null : requireCents(value, field);
}

/** Cents that may also arrive as a string of digits ("1000"), as products[].price does. */
export function requireCentsOrDigits(value: unknown, field: string): number {
  if (typeof value === 'string') {
    const text = value.trim();
    if (!/^\d+$/.test(text)) {
      throw new CalcInputError(
        field,
        `must be an integer number of cents (like "1000" for 10.00), got ${describeValue(value)}`,
      );
    }
    return requireCents(Number(text), field);
  }
  return requireCents(value, field);
}

export function optionalThousandths(value: unknown, field: string): number | null {
  return isAbsent(value) ? null : requireThousandths(value, field);
}

/** A rate string ("10.25") as thousandths; "" and null mean no rate. */
export function optionalRate(value: unknown, field: string): number | null {
  if (isAbsent(value)) return null;
  if (typeof value === 'string' && value.trim() === '') return null;
  return rateStringToThousandths(value, field);
}

/** A non-negative count (durations, billing numbers). */
export function requireCount(value: unknown, field: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new CalcInputError(
      field,
      `must be an integer of at least ${min}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** A quantity: a finite, non-negative number, possibly fractional (1.5 kg). */
export function requireQuantity(value: unknown, field: string): number {
  let quantity: number | null = null;
  if (typeof value === 'number' && Number.isFinite(value)) quantity = value;
  else if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) {
    quantity = Number(value.trim());
  }
  if (quantity === null) {
    throw new CalcInputError(field, `must be a number, got ${describeValue(value)}`);
  }
  if (quantity < 0) {
    throw new CalcInputError(field, `must not be negative, got ${describeValue(value)}`);
  }
  return quantity;
}
