import {
  assertBillingSchedule,
  CalendarInputError,
  LAST_DAY_OF_MONTH,
  type BillingSchedule,
} from './billing-schedule';
import {
  addDays,
  compareLocalDate,
  daysBetween,
  daysInMonth,
  formatLocalDate,
  isLocalDate,
  monthNumber,
  monthsBetween,
  toLocalDateParts,
  yearAndMonthOf,
  type LocalDate,
} from './local-date';

/**
 * Which dates a schedule bills on.
 *
 * A subscription's bills are a chain: the first bill date (firstBillDate), then each next one
 * computed from the previous bill date (nextBillDate). The day of the month always comes from
 * the schedule's chosen day, never from the previous date, because the previous date may have
 * been clamped into a short month: day 31 bills Jan 31, Feb 28, Mar 31, Apr 30.
 */

/**
 * The day of `month` a chosen billing day lands on. 0 is the month's last day.
 * NOTE: a day past the month's end (29, 30, 31) bills on the month's last day rather than
 * spilling into the next month, so every cycle month gets its bill.
 */
export function billingDayInMonth(billingDay: number, year: number, month: number): number {
  const lastDay = daysInMonth(year, month);
  return billingDay === LAST_DAY_OF_MONTH ? lastDay : Math.min(billingDay, lastDay);
}

/**
 * The schedule with charge_on_day applied for a subscription created on `createdOn`.
 *
 * monthly: the billing day becomes the day of the month of `createdOn` (created on the 31st:
 * day 31, clamped in short months; created on Feb 28: day 28, not "last day").
 * twice_monthly: billing_days are kept. Two days form a pair (1 and 15, 15 and the last day)
 * and there is no single billing day to move, so charge_on_day only makes the first bill fall
 * on the creation day; the pair then resumes.
 * daily: unchanged; a daily schedule already bills on the day it starts.
 */
export function applyChargeOnDay(schedule: BillingSchedule, createdOn: LocalDate): BillingSchedule {
  assertBillingSchedule(schedule);
  if (schedule.frequency !== 'monthly') return schedule;
  return { ...schedule, billingDays: [toLocalDateParts(createdOn).day] };
}

export interface FirstBillDateInput {
  schedule: BillingSchedule;
  /** The subscription's creation date in the merchant's zone (see localDateInZone). */
  createdOn: LocalDate;
  chargeOnDay: boolean;
  /** An explicit next_bill_date from the request; on or after createdOn. */
  nextBillDate?: LocalDate | null;
}

export interface FirstBilling {
  /** The date of the subscription's first bill. */
  billDate: LocalDate;
  /**
   * The schedule to store and pass to nextBillDate from now on: with charge_on_day on a
   * monthly schedule its billing day is the creation day.
   */
  schedule: BillingSchedule;
}

/**
 * The first bill of a new subscription, in this order of precedence:
 * 1. an explicit next_bill_date is the first bill date, even if it is not on the schedule;
 * 2. charge_on_day bills on the creation day (and, for monthly, moves the billing day to it);
 * 3. otherwise the first scheduled date on or after the creation day.
 * The interval spaces the bills after the first; it does not delay the first (monthly day 1,
 * every 3 months, created Jan 20: first bill Feb 1, then May 1).
 */
export function firstBillDate(input: FirstBillDateInput): FirstBilling {
  const { createdOn, chargeOnDay, nextBillDate: explicitDate } = input;
  toLocalDateParts(createdOn);
  const schedule = chargeOnDay ? applyChargeOnDay(input.schedule, createdOn) : input.schedule;
  assertBillingSchedule(schedule);

  if (explicitDate !== undefined && explicitDate !== null) {
    if (!isLocalDate(explicitDate)) {
      throw new CalendarInputError(
        'next_bill_date',
        `next_bill_date must be a date 'YYYY-MM-DD', got ${JSON.stringify(explicitDate)}`,
      );
    }
    // A past first bill would be charged at once and then again for every missed cycle.
    if (compareLocalDate(explicitDate, createdOn) < 0) {
      throw new CalendarInputError(
        'next_bill_date',
        `next_bill_date ${explicitDate} is before the subscription's creation date ${createdOn}`,
      );
    }
    return { billDate: explicitDate, schedule };
  }
  if (chargeOnDay) return { billDate: createdOn, schedule };
  return { billDate: firstScheduledOnOrAfter(schedule, createdOn), schedule };
}

/**
 * The bill date that follows `previous`, the subscription's last bill date.
 *
 * monthly: the chosen day in the month `interval` months after the previous bill's month.
 * twice_monthly: the later of the two days in the same month if it is still ahead, otherwise
 * the first day in the month `interval` months later.
 * daily: `interval` days after the previous bill.
 *
 * `previous` also fixes which months are cycle months. If it is off the schedule (an explicit
 * next_bill_date), monthly still bills once in that month: monthly day 25 billed on Feb 19 is
 * next billed on Mar 25, not Feb 25. To ask "the next bill on or after some day" use
 * upcomingBillDates instead.
 */
export function nextBillDate(schedule: BillingSchedule, previous: LocalDate): LocalDate {
  assertBillingSchedule(schedule);
  const { year, month, day } = toLocalDateParts(previous);
  const { frequency, interval, billingDays } = schedule;
  if (frequency === 'daily') return addDays(previous, interval);

  if (frequency === 'twice_monthly') {
    for (const billingDay of billingDays) {
      const dayInMonth = billingDayInMonth(billingDay, year, month);
      if (dayInMonth > day) return formatLocalDate(year, month, dayInMonth);
    }
  }
  return dateInMonth(monthNumber(year, month) + interval, billingDays[0]);
}

/**
 * `first`, then each following bill date: the chain a subscription bills on. Yields `count`
 * dates, or without end when `count` is omitted (stop with `break`).
 */
export function* billDatesFrom(
  schedule: BillingSchedule,
  first: LocalDate,
  count?: number,
): Generator<LocalDate, void, undefined> {
  if (count !== undefined) assertCount(count);
  toLocalDateParts(first);
  let date = first;
  for (let produced = 0; count === undefined || produced < count; produced++) {
    yield date;
    date = nextBillDate(schedule, date);
  }
}

/**
 * The bill dates from `first` (normally the stored next_bill_date) up to and including
 * `through` (today): what a billing run owes, including days it missed. Empty when `first`
 * is after `through`.
 */
export function billDatesThrough(
  schedule: BillingSchedule,
  first: LocalDate,
  through: LocalDate,
): LocalDate[] {
  const dates: LocalDate[] = [];
  for (const date of billDatesFrom(schedule, first)) {
    if (compareLocalDate(date, through) > 0) break;
    dates.push(date);
  }
  return dates;
}

/**
 * The next `count` scheduled dates on or after `from`: starts with `from` itself when it is a
 * billing day, and treats the month of the first date as a cycle month.
 */
export function upcomingBillDates(
  schedule: BillingSchedule,
  from: LocalDate,
  count: number,
): LocalDate[] {
  assertBillingSchedule(schedule);
  assertCount(count);
  if (count === 0) return [];
  return [...billDatesFrom(schedule, firstScheduledOnOrAfter(schedule, from), count)];
}

/**
 * Whether the schedule bills on `date`.
 *
 * Without `anchor` only the day of the month is checked (every date, for daily): whether
 * `date` is one of the chosen days as they land in its month. With `anchor`, a date the
 * subscription is known to bill on (its first bill date), the date must also be a whole
 * number of cycles from it: a cycle month for monthly and twice_monthly, a multiple of the
 * interval in days for daily.
 */
export function isBillingDate(
  schedule: BillingSchedule,
  date: LocalDate,
  anchor?: LocalDate,
): boolean {
  assertBillingSchedule(schedule);
  const { year, month, day } = toLocalDateParts(date);
  const { frequency, interval, billingDays } = schedule;
  if (frequency === 'daily') {
    return anchor === undefined || isMultipleOf(daysBetween(anchor, date), interval);
  }
  const onChosenDay = billingDays.some((d) => billingDayInMonth(d, year, month) === day);
  return (
    onChosenDay && (anchor === undefined || isMultipleOf(monthsBetween(anchor, date), interval))
  );
}

/**
 * The first scheduled date on or after `from`, with no cycle started yet: the next time a
 * chosen day comes round, whatever the interval.
 */
function firstScheduledOnOrAfter(schedule: BillingSchedule, from: LocalDate): LocalDate {
  const { year, month, day } = toLocalDateParts(from);
  if (schedule.frequency === 'daily') return from;
  for (const billingDay of schedule.billingDays) {
    const dayInMonth = billingDayInMonth(billingDay, year, month);
    if (dayInMonth >= day) return formatLocalDate(year, month, dayInMonth);
  }
  return dateInMonth(monthNumber(year, month) + 1, schedule.billingDays[0]);
}

function dateInMonth(monthNo: number, billingDay: number): LocalDate {
  const { year, month } = yearAndMonthOf(monthNo);
  return formatLocalDate(year, month, billingDayInMonth(billingDay, year, month));
}

function isMultipleOf(value: number, divisor: number): boolean {
  return ((value % divisor) + divisor) % divisor === 0;
}

function assertCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`count must be a whole number >= 0, got ${count}`);
  }
}
