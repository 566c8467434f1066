/**
 * A plan's or subscription's billing fields (billing_frequency, billing_cycle_interval,
 * billing_days) checked once and turned into a BillingSchedule the calendar can use.
 */

export const BILLING_FREQUENCIES = ['monthly', 'twice_monthly', 'daily'] as const;

/** How often a subscription bills within a cycle ("billing_frequency"). */
export type BillingFrequency = (typeof BILLING_FREQUENCIES)[number];

/** billing_days value meaning "the last day of the month". */
export const LAST_DAY_OF_MONTH = 0;

/** At most ten years between bills; a larger interval is a typo, and would outrun year 9999. */
export const MAX_INTERVAL_MONTHS = 120;
export const MAX_INTERVAL_DAYS = 3650;

export interface BillingSchedule {
  frequency: BillingFrequency;
  /**
   * billing_cycle_interval, >= 1: months between cycles for monthly and twice_monthly,
   * days between bills for daily.
   */
  interval: number;
  /**
   * The chosen day(s) of the month, 1–31 or 0 for the last day: one for monthly, two for
   * twice_monthly in month order (0 sorts last), none for daily. These are the days as chosen,
   * not as clamped into a short month: a 31 stays 31 so that April's bill on the 30th is
   * followed by May 31.
   */
  billingDays: number[];
}

/** The API fields as received (types unchecked: this function does the checking). */
export interface BillingScheduleFields {
  billing_frequency?: unknown;
  billing_cycle_interval?: unknown;
  billing_days?: unknown;
}

/** A billing field that cannot make a schedule. `field` is the API field name to report. */
export class CalendarInputError extends Error {
  readonly code = 'invalid_billing_calendar';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'CalendarInputError';
  }
}

/**
 * Checks the billing fields and returns the schedule, or throws a CalendarInputError naming
 * the field at fault. A missing billing_frequency means "monthly" (the API's default); daily
 * schedules ignore billing_days.
 */
export function parseBillingSchedule(fields: BillingScheduleFields): BillingSchedule {
  const frequency = parseFrequency(fields.billing_frequency);
  const interval = parseInterval(fields.billing_cycle_interval, frequency);
  if (frequency === 'daily') return { frequency, interval, billingDays: [] };

  const billingDays = parseBillingDays(fields.billing_days);
  if (frequency === 'monthly') {
    if (billingDays.length !== 1) {
      throw new CalendarInputError(
        'billing_days',
        `billing_days must be exactly one day for a monthly schedule, got ${JSON.stringify(fields.billing_days)}`,
      );
    }
    return { frequency, interval, billingDays };
  }

  if (billingDays.length !== 2) {
    throw new CalendarInputError(
      'billing_days',
      `billing_days must be two days separated by a comma (e.g. "1,15") for a twice_monthly schedule, got ${JSON.stringify(fields.billing_days)}`,
    );
  }
  const [first, second] = [...billingDays].sort((a, b) => orderInMonth(a) - orderInMonth(b));
  if (first === second) {
    throw new CalendarInputError(
      'billing_days',
      `billing_days must be two different days for a twice_monthly schedule, got ${JSON.stringify(fields.billing_days)}`,
    );
  }
  // NOTE: any two of 28, 29, 30, 31 and 0 ("last day") land on the same date in some month
  // (both are February 28 in 2026), which would bill twice on one day or once in a month
  // that should have two bills. Such pairs are refused rather than silently merged.
  if (orderInMonth(first) >= 28) {
    throw new CalendarInputError(
      'billing_days',
      `billing_days "${first},${second}" would both fall on the same date in a short month; for twice_monthly at most one of the days may be 28-31 or 0`,
    );
  }
  return { frequency, interval, billingDays: [first, second] };
}

/** The billing_days string for a schedule, in the form the API returns: "1,15", "15,0". */
export function formatBillingDays(schedule: BillingSchedule): string {
  return schedule.billingDays.join(',');
}

/**
 * Throws a RangeError when a schedule was built by hand (not by parseBillingSchedule) and
 * breaks its invariants, so a bad stored row fails loudly instead of billing on odd dates.
 */
export function assertBillingSchedule(schedule: BillingSchedule): void {
  const { frequency, interval, billingDays } = schedule;
  const expectedDays = frequency === 'monthly' ? 1 : frequency === 'twice_monthly' ? 2 : 0;
  const maxInterval = frequency === 'daily' ? MAX_INTERVAL_DAYS : MAX_INTERVAL_MONTHS;
  const valid =
    (BILLING_FREQUENCIES as readonly string[]).includes(frequency) &&
    Number.isInteger(interval) &&
    interval >= 1 &&
    interval <= maxInterval &&
    Array.isArray(billingDays) &&
    billingDays.length === expectedDays &&
    billingDays.every((day) => Number.isInteger(day) && day >= 0 && day <= 31) &&
    (frequency !== 'twice_monthly' ||
      (orderInMonth(billingDays[0]) < orderInMonth(billingDays[1]) &&
        orderInMonth(billingDays[0]) < 28));
  if (!valid) throw new RangeError(`invalid billing schedule ${JSON.stringify(schedule)}`);
}

/** Position of a billing day within any month: 0 ("last day") comes after 31. */
function orderInMonth(billingDay: number): number {
  return billingDay === LAST_DAY_OF_MONTH ? 32 : billingDay;
}

function parseFrequency(value: unknown): BillingFrequency {
  if (value === undefined || value === null) return 'monthly';
  if (typeof value === 'string' && (BILLING_FREQUENCIES as readonly string[]).includes(value)) {
    return value as BillingFrequency;
  }
  throw new CalendarInputError(
    'billing_frequency',
    `billing_frequency must be one of ${BILLING_FREQUENCIES.map((f) => `"${f}"`).join(', ')}, got ${JSON.stringify(value)}`,
  );
}

function parseInterval(value: unknown, frequency: BillingFrequency): number {
  const max = frequency === 'daily' ? MAX_INTERVAL_DAYS : MAX_INTERVAL_MONTHS;
  const unit = frequency === 'daily' ? 'days' : 'months';
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new CalendarInputError(
      'billing_cycle_interval',
      `billing_cycle_interval must be a whole number of ${unit} from 1 to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function parseBillingDays(value: unknown): number[] {
  // The API documents a string ("1", "1, 15"); a bare integer is accepted for one day.
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new CalendarInputError(
      'billing_days',
      `billing_days is required: a day of the month 1-31, or 0 for the last day, got ${JSON.stringify(value)}`,
    );
  }
  return text.split(',').map((piece) => {
    const trimmed = piece.trim();
    const day = Number(trimmed);
    if (!/^\d{1,2}$/.test(trimmed) || day > 31) {
      throw new CalendarInputError(
        'billing_days',
        `billing_days must hold whole days of the month 1-31, or 0 for the last day, got ${JSON.stringify(value)}`,
      );
    }
    return day;
  });
}
