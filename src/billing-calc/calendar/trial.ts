import { applyChargeOnDay } from './bill-dates';
import {
  CalendarInputError,
  assertBillingSchedule,
  type BillingSchedule,
} from './billing-schedule';
import { addDays, compareLocalDate, daysBetween, isLocalDate, type LocalDate } from './local-date';

/** At most two years of free trial; a longer one is a typo. */
export const MAX_TRIAL_DAYS = 730;

export interface TrialInput {
  schedule: BillingSchedule;
  /** The subscription's creation date, merchant-local. */
  createdOn: LocalDate;
  /** `trial_days` (whole days >= 0), or */
  trialDays?: number | null;
  /** `trial_end`: the first day the customer pays for, merchant-local. Wins over trialDays. */
  trialEnd?: LocalDate | null;
}

export interface Trial {
  /** The first paid day: the first bill date. The trial covers [createdOn, end). */
  end: LocalDate;
  days: number;
  /**
   * The schedule from the trial's end on: a monthly schedule bills on the day of the month the
   * trial ends (as charge_on_day does at creation), so the calendar continues from there;
   * twice_monthly and daily keep their days and continue from the first bill.
   */
  schedule: BillingSchedule;
}

/**
 * The trial of a new subscription, or null when it has none (no trial fields, or 0 days).
 * A trial of N days that starts on day D ends on D + N: created 2027-01-10 with 14 days, the
 * customer first pays on 2027-01-24.
 */
export function trialPeriod(input: TrialInput): Trial | null {
  assertBillingSchedule(input.schedule);
  const { createdOn } = input;
  let end: LocalDate;
  if (input.trialEnd !== undefined && input.trialEnd !== null) {
    if (!isLocalDate(input.trialEnd)) {
      throw new CalendarInputError(
        'trial_end',
        `trial_end must be a date 'YYYY-MM-DD', got ${JSON.stringify(input.trialEnd)}`,
      );
    }
    if (compareLocalDate(input.trialEnd, createdOn) <= 0) {
      throw new CalendarInputError(
        'trial_end',
        `trial_end ${input.trialEnd} must be after the subscription's start ${createdOn}`,
      );
    }
    end = input.trialEnd;
  } else if (input.trialDays !== undefined && input.trialDays !== null) {
    const days = input.trialDays;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 0 || days > MAX_TRIAL_DAYS) {
      throw new CalendarInputError(
        'trial_days',
        `trial_days must be a whole number of days from 0 to ${MAX_TRIAL_DAYS}, got ${JSON.stringify(days)}`,
      );
    }
    if (days === 0) return null;
    end = addDays(createdOn, days);
  } else {
    return null;
  }
  const days = daysBetween(createdOn, end);
  if (days > MAX_TRIAL_DAYS) {
    throw new CalendarInputError(
      'trial_end',
      `a trial may last at most ${MAX_TRIAL_DAYS} days, got ${days}`,
    );
  }
  return { end, days, schedule: applyChargeOnDay(input.schedule, end) };
}

/** The day the "trial will end" notice goes out: `noticeDays` before the end, never before the start. */
export function trialNoticeDate(
  createdOn: LocalDate,
  end: LocalDate,
  noticeDays: number,
): LocalDate {
  const notice = addDays(end, -noticeDays);
  return compareLocalDate(notice, createdOn) < 0 ? createdOn : notice;
}
