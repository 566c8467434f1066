/**
 * Calendar dates without a time or a zone.
 *
 * Billing happens on days, not instants. Arithmetic here works on year/month/day numbers
 * only (no `Date`, no milliseconds), so a daylight-saving change can never move a bill to
 * another day: adding one day to 2026-03-07 gives 2026-03-08 whatever zone the merchant is in.
 */

/** A calendar date written 'YYYY-MM-DD' (ISO 8601), years 0001–9999. */
export type LocalDate = string;

/** A calendar date split into numbers; `month` is 1–12. */
export interface LocalDateParts {
  year: number;
  month: number;
  day: number;
}

const LOCAL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

export function isLeapYear(year: number): boolean {
  // Gregorian rule: 2000 was a leap year, 2100 will not be.
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new RangeError(
      `daysInMonth needs an integer year and a month 1-12, got ${year}-${month}`,
    );
  }
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** True for a real calendar date in 'YYYY-MM-DD' form ('2026-02-29' is false). */
export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string') return false;
  const match = LOCAL_DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return (
    year >= MIN_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
  );
}

/** Splits a LocalDate into numbers; throws a RangeError for anything that is not a real date. */
export function toLocalDateParts(date: LocalDate): LocalDateParts {
  if (!isLocalDate(date)) {
    throw new RangeError(`expected a calendar date 'YYYY-MM-DD', got ${JSON.stringify(date)}`);
  }
  return {
    year: Number(date.slice(0, 4)),
    month: Number(date.slice(5, 7)),
    day: Number(date.slice(8, 10)),
  };
}

/** Builds a LocalDate from numbers; throws a RangeError if they do not name a real date. */
export function formatLocalDate(year: number, month: number, day: number): LocalDate {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new RangeError(`year ${year} is outside ${MIN_YEAR}-${MAX_YEAR}`);
  }
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`${year}-${month} has no day ${day}`);
  }
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** -1, 0 or 1 as `a` is before, the same as, or after `b`. Usable as an Array#sort comparator. */
export function compareLocalDate(a: LocalDate, b: LocalDate): -1 | 0 | 1 {
  // Fixed-width 'YYYY-MM-DD' strings sort like the dates they name.
  toLocalDateParts(a);
  toLocalDateParts(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The date `days` days after `date` (before it when negative). */
export function addDays(date: LocalDate, days: number): LocalDate {
  if (!Number.isInteger(days)) throw new RangeError(`addDays needs a whole number, got ${days}`);
  const { year, month, day } = toLocalDateParts(date);
  return fromDayNumber(toDayNumber(year, month, day) + days);
}

/** Whole days from `from` to `to`: positive when `to` is later. */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  const a = toLocalDateParts(from);
  const b = toLocalDateParts(to);
  return toDayNumber(b.year, b.month, b.day) - toDayNumber(a.year, a.month, a.day);
}

/** Calendar months from the month of `from` to the month of `to`, ignoring the days. */
export function monthsBetween(from: LocalDate, to: LocalDate): number {
  const a = toLocalDateParts(from);
  const b = toLocalDateParts(to);
  return monthNumber(b.year, b.month) - monthNumber(a.year, a.month);
}

/** Months counted from year 0, so "n months later" is plain addition. */
export function monthNumber(year: number, month: number): number {
  return year * 12 + (month - 1);
}

export function yearAndMonthOf(monthNo: number): { year: number; month: number } {
  return { year: Math.floor(monthNo / 12), month: (monthNo % 12) + 1 };
}

/**
 * Days since 1970-01-01 in the proleptic Gregorian calendar, by integer arithmetic only
 * (H. Hinnant's days_from_civil: counting years from March puts the leap day last).
 */
function toDayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const marchBasedMonth = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * marchBasedMonth + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Inverse of toDayNumber (Hinnant's civil_from_days). */
function fromDayNumber(dayNumber: number): LocalDate {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36524) -
      Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const marchBasedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * marchBasedMonth + 2) / 5) + 1;
  const month = marchBasedMonth < 10 ? marchBasedMonth + 3 : marchBasedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return formatLocalDate(year, month, day);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
