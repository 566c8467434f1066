/**
 * The billing calendar: pure functions from billing fields and calendar dates to bill dates.
 * No clock, no I/O; the caller turns "now" into a LocalDate with localDateInZone.
 * Rules and worked examples: docs/billing-calendar.md.
 */
export {
  type LocalDate,
  type LocalDateParts,
  addDays,
  compareLocalDate,
  daysBetween,
  daysInMonth,
  formatLocalDate,
  isLeapYear,
  isLocalDate,
  monthsBetween,
  toLocalDateParts,
} from './local-date';
export { isValidTimeZone, localDateInZone } from './time-zone';
export { type DateInputResult, overdueFrom, readDateInput, startOfLocalDay } from './date-input';
export {
  type BillingFrequency,
  type BillingSchedule,
  type BillingScheduleFields,
  BILLING_FREQUENCIES,
  CalendarInputError,
  LAST_DAY_OF_MONTH,
  MAX_INTERVAL_DAYS,
  MAX_INTERVAL_MONTHS,
  assertBillingSchedule,
  formatBillingDays,
  parseBillingSchedule,
} from './billing-schedule';
export {
  type FirstBillDateInput,
  type FirstBilling,
  applyChargeOnDay,
  billDatesFrom,
  billDatesThrough,
  billingDayInMonth,
  firstBillDate,
  isBillingDate,
  nextBillDate,
  upcomingBillDates,
} from './bill-dates';
export { type Trial, type TrialInput, MAX_TRIAL_DAYS, trialNoticeDate, trialPeriod } from './trial';
