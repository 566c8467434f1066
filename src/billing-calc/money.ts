/**
 * Money and rate arithmetic for the calculation core.
 *
 * Amounts cross the boundary as integer cents in plain `number`s that are safe
 * integers. Inside, every computation is done in `Money` (a decimal.js
 * constructor with its own configuration) and rounded to the cent exactly once,
 * when a component is computed: HALF AWAY FROM ZERO (decimal.js calls it
 * ROUND_HALF_UP), so 0.5 cent becomes 1 and -0.5 becomes -1.
 *
 * Percentages come in two notations and are converted here and nowhere else:
 * - thousandths of a percent, an integer (3990 = 3.990%, 100000 = 100.000%),
 *   used by the API's `value` fields, add-ons, discounts and processor settings;
 * - rate strings ("10.25" = 10.25%, "8.250"), used by line-item tax rates and
 *   invoice `tax_percent`. A rate string may carry at most 3 significant
 *   decimals, so every rate is exactly representable in thousandths.
 */
import { Decimal } from 'decimal.js';
import { CalcInputError, describeValue } from './errors';

/** decimal.js configured for money: plenty of precision, half away from zero. */
export const Money = Decimal.clone({
  precision: 40,
  rounding: Decimal.ROUND_HALF_UP,
  toExpNeg: -40,
  toExpPos: 40,
});
export type MoneyValue = Decimal;

/** 100.000% expressed in thousandths of a percent. */
export const FULL_PERCENT_THOUSANDTHS = 100_000;

const ZERO = new Money(0);

/** True when `value` is a non-negative safe integer, i.e. valid cents. */
export function isCents(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Validates a non-negative amount in cents. */
export function requireCents(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new CalcInputError(
      field,
      `must be an integer number of cents, got ${describeValue(value)}`,
    );
  }
  if (!Number.isInteger(value)) {
    throw new CalcInputError(
      field,
      `must be an integer number of cents (100 = 1.00), got ${describeValue(value)}`,
    );
  }
  if (value < 0) {
    throw new CalcInputError(field, `must not be negative, got ${describeValue(value)}`);
  }
  if (!Number.isSafeInteger(value)) {
    throw new CalcInputError(field, `is too large, got ${describeValue(value)}`);
  }
  return value;
}

/** Validates an amount in cents that may be negative (an invoice adjustment). */
export function requireSignedCents(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new CalcInputError(
      field,
      `must be an integer number of cents, got ${describeValue(value)}`,
    );
  }
  if (!Number.isSafeInteger(value)) {
    throw new CalcInputError(field, `is too large, got ${describeValue(value)}`);
  }
  return value;
}

/** Validates a percentage in thousandths: an integer from 0 to 100000 (100.000%). */
export function requireThousandths(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new CalcInputError(
      field,
      `must be a percentage in thousandths as an integer (10000 = 10.000%), got ${describeValue(value)}`,
    );
  }
  if (value < 0) {
    throw new CalcInputError(field, `must not be negative, got ${describeValue(value)}`);
  }
  if (value > FULL_PERCENT_THOUSANDTHS) {
    throw new CalcInputError(
      field,
      `must not be above 100.000% (100000 thousandths), got ${describeValue(value)}`,
    );
  }
  return value;
}

/**
 * Parses a rate string ("10.25" = 10.25%) into thousandths of a percent (10250).
 * JSON numbers are accepted too and read by their decimal spelling. The empty
 * string is not a rate; callers that allow "no rate" check for it first.
 */
export function rateStringToThousandths(value: unknown, field: string): number {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else {
    throw new CalcInputError(
      field,
      `must be a percentage string like "10.25", got ${describeValue(value)}`,
    );
  }
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new CalcInputError(
      field,
      `must be a percentage string like "10.25", got ${describeValue(value)}`,
    );
  }
  const thousandths = new Money(text).times(1000);
  if (!thousandths.isInteger()) {
    throw new CalcInputError(
      field,
      `must have at most 3 decimal places (like "8.250"), got ${describeValue(value)}`,
    );
  }
  if (thousandths.greaterThan(FULL_PERCENT_THOUSANDTHS)) {
    throw new CalcInputError(field, `must not be above 100.000%, got ${describeValue(value)}`);
  }
  return thousandths.toNumber();
}

/** A rate string ("10.25") as a fraction (0.1025), for multiplying. */
export function rateStringToDecimal(rate: string, field = 'rate'): MoneyValue {
  return thousandthsToFraction(rateStringToThousandths(rate, field));
}

/** Thousandths of a percent (3990) as a fraction (0.0399). */
export function thousandthsToFraction(thousandths: number): MoneyValue {
  return new Money(thousandths).dividedBy(FULL_PERCENT_THOUSANDTHS);
}

/** Rounds to whole cents, half away from zero, and returns a safe integer. */
export function roundCents(value: MoneyValue, field = 'amount'): number {
  const rounded = value.toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  if (rounded.abs().greaterThan(Number.MAX_SAFE_INTEGER)) {
    throw new CalcInputError(field, 'is too large: the result does not fit in a safe integer');
  }
  // `+ 0` turns a possible -0 into 0.
  return rounded.toNumber() + 0;
}

/** `thousandths` percent of `base` cents, rounded to the cent (half away from zero). */
export function percentOfThousandths(
  base: number | MoneyValue,
  thousandths: number,
  field = 'amount',
): number {
  return roundCents(new Money(base).times(thousandths).dividedBy(FULL_PERCENT_THOUSANDTHS), field);
}

/** Adds integer cents exactly; throws if the sum leaves the safe integer range. */
export function sumCents(values: readonly number[], field = 'total'): number {
  // Safe integers whose running sum stays safe add exactly as numbers (every invoice and
  // renewal total of a billing batch); anything else takes the decimal path below.
  let acc = 0;
  for (const v of values) {
    acc += v;
    if (!Number.isSafeInteger(v) || !Number.isSafeInteger(acc))
      return sumCentsAsDecimal(values, field);
  }
  return acc + 0;
}

function sumCentsAsDecimal(values: readonly number[], field: string): number {
  return roundCents(
    values.reduce((acc, v) => acc.plus(v), ZERO),
    field,
  );
}

/** A unit price times a whole quantity (>= 1), exactly; throws outside the safe integer range. */
export function timesQuantity(unitCents: number, quantity: number, field = 'amount'): number {
  requireCents(unitCents, field);
  if (!Number.isSafeInteger(quantity) || quantity < 1) {
    throw new CalcInputError('quantity', `must be a whole number >= 1, got ${String(quantity)}`);
  }
  return roundCents(new Money(unitCents).times(quantity), field);
}

/** `a - b` in cents, exactly. */
export function subtractCents(a: number, b: number, field = 'total'): number {
  return roundCents(new Money(a).minus(b), field);
}

/** Larger / smaller of two cent amounts (integers compare exactly). */
export function minCents(a: number, b: number): number {
  return a < b ? a : b;
}
export function maxCents(a: number, b: number): number {
  return a > b ? a : b;
}

/** 3990 -> "3.990", for messages and echoes; string work only, no arithmetic. */
export function formatThousandths(thousandths: number): string {
  const digits = String(Math.abs(thousandths)).padStart(4, '0');
  const sign = thousandths < 0 ? '-' : '';
  return `${sign}${digits.slice(0, -3)}.${digits.slice(-3)}`;
}
