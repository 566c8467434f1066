import fc from 'fast-check';
import {
  billDatesFrom,
  billingDayInMonth,
  firstBillDate,
  isBillingDate,
  nextBillDate,
  upcomingBillDates,
} from './bill-dates';
import { parseBillingSchedule, type BillingSchedule } from './billing-schedule';
import {
  addDays,
  compareLocalDate,
  daysBetween,
  monthsBetween,
  toLocalDateParts,
  type LocalDate,
} from './local-date';

/** Any date from 1900-01-01 to about 2400; covers 1900, 2000 and 2100 Februaries. */
const anyDate = fc.integer({ min: 0, max: 182_000 }).map((offset) => addDays('1900-01-01', offset));
const billingDay = fc.integer({ min: 0, max: 31 });

const monthlySchedule = fc
  .record({ day: billingDay, interval: fc.constantFrom(1, 2, 3, 6, 12, 24) })
  .map(({ day, interval }) =>
    parseBillingSchedule({
      billing_frequency: 'monthly',
      billing_cycle_interval: interval,
      billing_days: String(day),
    }),
  );

/** Pairs that parseBillingSchedule accepts: distinct, and not both in 28–31/0. */
const twiceMonthlySchedule = fc
  .record({
    first: fc.integer({ min: 1, max: 27 }),
    second: billingDay,
    interval: fc.constantFrom(1, 2, 3, 12),
  })
  .filter(({ first, second }) => first !== second)
  .map(({ first, second, interval }) =>
    parseBillingSchedule({
      billing_frequency: 'twice_monthly',
      billing_cycle_interval: interval,
      billing_days: `${second},${first}`,
    }),
  );

const dailySchedule = fc
  .integer({ min: 1, max: 400 })
  .map((interval) =>
    parseBillingSchedule({ billing_frequency: 'daily', billing_cycle_interval: interval }),
  );

const anySchedule = fc.oneof(monthlySchedule, twiceMonthlySchedule, dailySchedule);

const firstOfMonth = (date: LocalDate) => `${date.slice(0, 8)}01`;
const monthOf = (date: LocalDate) => date.slice(0, 7);

/** The subscription's bill dates, starting at the first scheduled date on or after `from`. */
function billDates(schedule: BillingSchedule, from: LocalDate, count: number): LocalDate[] {
  const [first] = upcomingBillDates(schedule, from, 1);
  return [...billDatesFrom(schedule, first, count)];
}

describe('bill date properties', () => {
  it('dates strictly increase for every frequency and interval', () => {
    fc.assert(
      fc.property(anySchedule, anyDate, (schedule, from) => {
        const dates = billDates(schedule, from, 30);
        for (let i = 1; i < dates.length; i++) {
          expect(compareLocalDate(dates[i - 1], dates[i])).toBe(-1);
        }
      }),
    );
  });

  it('monthly: one bill in every cycle month, on the chosen day as it lands in that month, no month skipped or doubled', () => {
    fc.assert(
      fc.property(monthlySchedule, anyDate, (schedule, from) => {
        const dates = billDates(schedule, from, 30);
        const [chosenDay] = schedule.billingDays;
        dates.forEach((date, i) => {
          const { year, month, day } = toLocalDateParts(date);
          expect(day).toBe(billingDayInMonth(chosenDay, year, month));
          expect(monthsBetween(dates[0], date)).toBe(i * schedule.interval);
        });
      }),
    );
  });

  it('twice_monthly: exactly two bills in each cycle month, on its two days, cycle months interval apart', () => {
    fc.assert(
      fc.property(twiceMonthlySchedule, anyDate, (schedule, from) => {
        const dates = billDates(schedule, firstOfMonth(from), 24);
        const months = [...new Set(dates.map(monthOf))];
        expect(months).toHaveLength(12);
        months.forEach((month, i) => {
          const inMonth = dates.filter((date) => monthOf(date) === month);
          const { year, month: monthNo } = toLocalDateParts(inMonth[0]);
          expect(inMonth.map((date) => toLocalDateParts(date).day)).toEqual(
            schedule.billingDays.map((day) => billingDayInMonth(day, year, monthNo)),
          );
          expect(monthsBetween(dates[0], inMonth[0])).toBe(i * schedule.interval);
        });
      }),
    );
  });

  it('daily: every gap equals the interval in days', () => {
    fc.assert(
      fc.property(dailySchedule, anyDate, (schedule, from) => {
        const dates = billDates(schedule, from, 30);
        expect(dates[0]).toBe(from);
        for (let i = 1; i < dates.length; i++) {
          expect(daysBetween(dates[i - 1], dates[i])).toBe(schedule.interval);
        }
      }),
    );
  });

  it('the chain from a first bill date is exactly the dates isBillingDate accepts with that anchor', () => {
    fc.assert(
      fc.property(anySchedule, anyDate, (schedule, from) => {
        const dates = billDates(schedule, from, 6);
        const scanned: LocalDate[] = [];
        for (let date = dates[0]; compareLocalDate(date, dates[5]) <= 0; date = addDays(date, 1)) {
          if (isBillingDate(schedule, date, dates[0])) scanned.push(date);
        }
        expect(scanned).toEqual(dates);
      }),
      { numRuns: 60 },
    );
  });

  it('upcomingBillDates starts at the first billing date on or after from, skipping none', () => {
    fc.assert(
      fc.property(anySchedule, anyDate, (schedule, from) => {
        const [first] = upcomingBillDates(schedule, from, 1);
        expect(compareLocalDate(first, from)).toBeGreaterThanOrEqual(0);
        expect(isBillingDate(schedule, first)).toBe(true);
        for (let date = from; compareLocalDate(date, first) < 0; date = addDays(date, 1)) {
          expect(isBillingDate(schedule, date)).toBe(false);
        }
      }),
    );
  });

  it('without charge_on_day or next_bill_date the first bill is the first billing date on or after creation, within a month', () => {
    fc.assert(
      fc.property(anySchedule, anyDate, (schedule, createdOn) => {
        const { billDate } = firstBillDate({ schedule, createdOn, chargeOnDay: false });
        expect(billDate).toBe(upcomingBillDates(schedule, createdOn, 1)[0]);
        expect(daysBetween(createdOn, billDate)).toBeLessThanOrEqual(31);
      }),
    );
  });

  it('charge_on_day bills on the creation day, and monthly then keeps that day of the month', () => {
    fc.assert(
      fc.property(anySchedule, anyDate, (schedule, createdOn) => {
        const first = firstBillDate({ schedule, createdOn, chargeOnDay: true });
        expect(first.billDate).toBe(createdOn);
        if (schedule.frequency === 'monthly') {
          const next = nextBillDate(first.schedule, first.billDate);
          const { year, month, day } = toLocalDateParts(next);
          expect(day).toBe(billingDayInMonth(toLocalDateParts(createdOn).day, year, month));
          expect(monthsBetween(createdOn, next)).toBe(schedule.interval);
        }
      }),
    );
  });
});
