/**
 * Readers for the recurring API's request fields (add-ons, discounts, plans, subscriptions).
 * Each takes the raw JSON value and the field name used in error messages, and returns a typed
 * value or throws a 400 naming the field. `null` and a missing key both mean "not given".
 */
import { CalcInputError, describeValue } from '../billing-calc/errors';
import * as calcInput from '../billing-calc/input';
import { requireCents, requireThousandths } from '../billing-calc/money';
import { CalendarInputError, isLocalDate, type LocalDate } from '../billing-calc/calendar';
import { DomainError, ValidationError } from '../platform/errors/errors';
import {
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MAX_RECURRING_CENTS,
  MIN_NONZERO_PERCENTAGE,
} from './recurring.schemas';

export type AdjustmentKind = 'add_on' | 'discount';

/** How a kind is called in messages and in request fields. */
export const ADJUSTMENT_LABEL: Record<AdjustmentKind, string> = {
  add_on: 'add-on',
  discount: 'discount',
};
export const ADJUSTMENT_FIELD: Record<AdjustmentKind, 'add_ons' | 'discounts'> = {
  add_on: 'add_ons',
  discount: 'discounts',
};

export {
  MAX_DESCRIPTION_LENGTH,
  MAX_NAME_LENGTH,
  MAX_RECURRING_CENTS,
  MIN_NONZERO_PERCENTAGE,
} from './recurring.schemas';
const MAX_ID_LENGTH = 100;

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

export function isGiven(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A string of at most `max` characters, or undefined when not given. */
export function optionalText(value: unknown, field: string, max: number): string | undefined {
  const text = asValidation(() => calcInput.optionalString(value, field));
  if (text === null) return undefined;
  if (text.length > max) throw new ValidationError(field, `must be at most ${max} characters`);
  return text;
}

/** An id: a non-empty string, or undefined when not given. "" counts as not given. */
export function optionalId(value: unknown, field: string): string | undefined {
  const text = optionalText(value, field, MAX_ID_LENGTH);
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

export function optionalCents(value: unknown, field: string): number | undefined {
  if (!isGiven(value)) return undefined;
  const cents = asValidation(() => requireCents(value, field));
  if (cents > MAX_RECURRING_CENTS) {
    throw new ValidationError(field, `must be at most ${MAX_RECURRING_CENTS} cents`);
  }
  return cents;
}

/** A percentage in thousandths: 0, or 100 (0.1%) to 100000 (100%). */
export function optionalPercentage(value: unknown, field: string): number | undefined {
  if (!isGiven(value)) return undefined;
  const thousandths = asValidation(() => requireThousandths(value, field));
  if (thousandths !== 0 && thousandths < MIN_NONZERO_PERCENTAGE) {
    throw new ValidationError(
      field,
      `must be 0 or from 100 (0.1%) to 100000 (100%) in thousandths of a percent, got ${thousandths}`,
    );
  }
  return thousandths;
}

/** A number of billings: a whole number >= 0 (0 = until cancelled). */
export function optionalDuration(value: unknown, field: string): number | undefined {
  if (!isGiven(value)) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(
      field,
      `must be a whole number of billings, 0 or more (0 = until cancelled), got ${describeValue(value)}`,
    );
  }
  if (value > 100_000) throw new ValidationError(field, 'must be at most 100000 billings');
  return value;
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  return asValidation(() => calcInput.optionalBoolean(value, field)) ?? undefined;
}

export function optionalObject(value: unknown, field: string): Record<string, unknown> | undefined {
  return asValidation(() => calcInput.optionalObject(value, field)) ?? undefined;
}

/** A calendar date 'YYYY-MM-DD', or undefined when not given. */
export function optionalLocalDate(value: unknown, field: string): LocalDate | undefined {
  if (!isGiven(value) || value === '') return undefined;
  if (typeof value !== 'string' || !isLocalDate(value)) {
    throw new ValidationError(
      field,
      `must be a date in the form YYYY-MM-DD, got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * An amount or a percentage, never both. Returns undefined when neither is given (an update
 * that keeps the current values).
 */
export function optionalAmountOrPercentage(
  body: Record<string, unknown>,
  prefix = '',
): { amount: number | null; percentage: number | null } | undefined {
  const amount = optionalCents(body.amount, `${prefix}amount`);
  const percentage = optionalPercentage(body.percentage, `${prefix}percentage`);
  if (amount !== undefined && percentage !== undefined) {
    throw new ValidationError(
      `${prefix}amount`,
      `either amount or percentage may be given, not both`,
    );
  }
  if (amount !== undefined) return { amount, percentage: null };
  if (percentage !== undefined) return { amount: null, percentage };
  return undefined;
}

/** One entry of a plan's or subscription's add_ons[] / discounts[]: a catalog id and overrides. */
export interface AdjustmentRef {
  id: string;
  name?: string;
  description?: string;
  /** Set when the entry overrides the catalog item's amount or percentage. */
  price?: { amount: number | null; percentage: number | null };
  duration?: number;
}

/** add_ons[] or discounts[] from a request; undefined when the key is absent or null. */
export function optionalAdjustmentRefs(value: unknown, field: string): AdjustmentRef[] | undefined {
  if (!isGiven(value)) return undefined;
  if (!Array.isArray(value)) {
    throw new ValidationError(field, `must be an array of objects, got ${describeValue(value)}`);
  }
  if (value.length > 100) throw new ValidationError(field, 'may hold at most 100 entries');
  const seen = new Set<string>();
  return value.map((entry, index) => {
    const at = `${field}[${index}]`;
    const item = optionalObject(entry, at);
    if (!item) throw new ValidationError(at, 'must be an object with an id');
    const id = optionalId(item.id, `${at}.id`);
    if (id === undefined) throw new ValidationError(`${at}.id`, 'is required');
    if (seen.has(id)) throw new ValidationError(`${at}.id`, `${id} is listed more than once`);
    seen.add(id);
    return {
      id,
      name: optionalText(item.name, `${at}.name`, MAX_NAME_LENGTH),
      description: optionalText(item.description, `${at}.description`, MAX_DESCRIPTION_LENGTH),
      price: optionalAmountOrPercentage(item, `${at}.`),
      duration: optionalDuration(item.duration, `${at}.duration`),
    };
  });
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

/** A whole number from a query string, between min and max. */
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
