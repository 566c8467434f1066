/**
 * Pure date and amount rules for one subscription: where billing resumes, what the next
 * billings will charge. The calendar itself is src/billing-calc/calendar.
 */
import {
  billDatesFrom,
  compareLocalDate,
  parseBillingSchedule,
  upcomingBillDates,
  type BillingSchedule,
  type LocalDate,
} from '../billing-calc/calendar';
import { billingAmount, type AttachedAdjustment, type BillingAmount } from '../plans/adjustments';

/** The schedule held by a stored plan or subscription row. */
export function storedSchedule(row: {
  billingFrequency: string;
  billingCycleInterval: number;
  billingDays: string;
}): BillingSchedule {
  return parseBillingSchedule({
    billing_frequency: row.billingFrequency,
    billing_cycle_interval: row.billingCycleInterval,
    billing_days: row.billingDays,
  });
}

/**
 * Where billing resumes when a paused or past-due subscription is activated without a date:
 * the stored next bill date if it has not passed, otherwise the first date of the same chain
 * on or after today.
 * NOTE: dates missed while paused are skipped, not billed on activation; keeping the old date
 * would make the billing run charge every missed cycle at once.
 */
export function resumeBillDate(
  schedule: BillingSchedule,
  nextBillDate: LocalDate,
  today: LocalDate,
): LocalDate {
  for (const date of billDatesFrom(schedule, nextBillDate)) {
    if (compareLocalDate(date, today) >= 0) return date;
  }
  throw new Error('unreachable: a bill date chain has no end');
}

/**
 * The next bill date after the schedule changed: the first date on the new schedule on or
 * after the current next bill date (or today, if that has passed). A schedule change never
 * brings a bill forward, so a customer billed on the 1st is not billed again on the 15th of
 * the same month because the billing day moved.
 */
export function rescheduledBillDate(
  schedule: BillingSchedule,
  currentNextBillDate: LocalDate,
  today: LocalDate,
): LocalDate {
  const from = compareLocalDate(currentNextBillDate, today) >= 0 ? currentNextBillDate : today;
  return upcomingBillDates(schedule, from, 1)[0];
}

/** Billings still to come: Infinity when the duration is 0 (until cancelled). */
export function remainingBillings(duration: number, billingCount: number): number {
  return duration === 0 ? Infinity : Math.max(0, duration - billingCount);
}

export interface UpcomingBilling extends BillingAmount {
  billDate: LocalDate;
}

export interface UpcomingInput {
  schedule: BillingSchedule;
  /** The next bill date: the first date of the projection. */
  from: LocalDate;
  billingCount: number;
  duration: number;
  amount: number;
  addOns: readonly AttachedAdjustment[];
  discounts: readonly AttachedAdjustment[];
}

/**
 * The next `count` billings (fewer when the duration ends first): each date with the amount it
 * will charge, add-on and discount durations applied.
 */
export function upcomingBillings(input: UpcomingInput, count: number): UpcomingBilling[] {
  const n = Math.min(count, remainingBillings(input.duration, input.billingCount));
  const result: UpcomingBilling[] = [];
  let i = 0;
  for (const billDate of billDatesFrom(input.schedule, input.from, n)) {
    const billingNumber = input.billingCount + 1 + i++;
    result.push({
      billDate,
      ...billingAmount(input.amount, input.addOns, input.discounts, billingNumber),
    });
  }
  return result;
}
