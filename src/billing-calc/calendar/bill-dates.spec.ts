import {
  billDatesFrom,
  billDatesThrough,
  billingDayInMonth,
  firstBillDate,
  isBillingDate,
  nextBillDate,
  upcomingBillDates,
} from './bill-dates';
import { CalendarInputError, parseBillingSchedule, type BillingSchedule } from './billing-schedule';

const monthly = (days: string, interval = 1) =>
  parseBillingSchedule({
    billing_frequency: 'monthly',
    billing_cycle_interval: interval,
    billing_days: days,
  });
const twiceMonthly = (days: string, interval = 1) =>
  parseBillingSchedule({
    billing_frequency: 'twice_monthly',
    billing_cycle_interval: interval,
    billing_days: days,
  });
const daily = (interval = 1) =>
  parseBillingSchedule({ billing_frequency: 'daily', billing_cycle_interval: interval });

const chain = (schedule: BillingSchedule, first: string, count: number) => [
  ...billDatesFrom(schedule, first, count),
];

describe('billingDayInMonth: where a chosen day lands in each kind of month', () => {
  it.each([
    // [billing day, year, month, day it bills on]
    [28, 2026, 2, 28],
    [29, 2026, 2, 28],
    [30, 2026, 2, 28],
    [31, 2026, 2, 28],
    [0, 2026, 2, 28],
    [28, 2024, 2, 28],
    [29, 2024, 2, 29],
    [30, 2024, 2, 29],
    [31, 2024, 2, 29],
    [0, 2024, 2, 29],
    [29, 2100, 2, 28],
    [0, 2100, 2, 28],
    [29, 2000, 2, 29],
    [0, 2000, 2, 29],
    [29, 2026, 4, 29],
    [30, 2026, 4, 30],
    [31, 2026, 4, 30],
    [0, 2026, 4, 30],
    [30, 2026, 1, 30],
    [31, 2026, 1, 31],
    [0, 2026, 1, 31],
    [1, 2026, 2, 1],
    [15, 2026, 2, 15],
  ])('billing day %i in %i-%i bills on day %i', (billingDay, year, month, expected) => {
    expect(billingDayInMonth(billingDay, year, month)).toBe(expected);
  });
});

describe('monthly schedules at the end of the month', () => {
  it.each([
    [
      'day 31 bills on the last day of short months and goes back to the 31st (Jan 31, Feb 28, Mar 31, Apr 30)',
      '31',
      '2026-01-31',
      ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30'],
    ],
    [
      'day 31 bills on Feb 29 in a leap year',
      '31',
      '2024-01-31',
      ['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30'],
    ],
    [
      'day 31 crosses the year end (Nov 30, Dec 31, Jan 31, Feb 28)',
      '31',
      '2026-11-30',
      ['2026-11-30', '2026-12-31', '2027-01-31', '2027-02-28'],
    ],
    [
      'day 30 bills Feb 28 and then Mar 30',
      '30',
      '2026-01-30',
      ['2026-01-30', '2026-02-28', '2026-03-30', '2026-04-30', '2026-05-30'],
    ],
    [
      'day 29 bills Feb 28 in a common year and then Mar 29',
      '29',
      '2026-01-29',
      ['2026-01-29', '2026-02-28', '2026-03-29'],
    ],
    [
      'day 29 bills Feb 29 in a leap year',
      '29',
      '2024-01-29',
      ['2024-01-29', '2024-02-29', '2024-03-29'],
    ],
    [
      'day 29 bills Feb 28 in 2100, which is not a leap year',
      '29',
      '2100-01-29',
      ['2100-01-29', '2100-02-28', '2100-03-29'],
    ],
    [
      'day 29 bills Feb 29 in 2000, which was a leap year',
      '29',
      '2000-01-29',
      ['2000-01-29', '2000-02-29', '2000-03-29'],
    ],
    [
      'day 28 bills on the 28th of every month',
      '28',
      '2026-01-28',
      ['2026-01-28', '2026-02-28', '2026-03-28'],
    ],
    [
      'billing_days "0" bills on the last day of every month',
      '0',
      '2026-01-31',
      ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30'],
    ],
    [
      'billing_days "0" bills on the last day in February of a leap year',
      '0',
      '2024-01-31',
      ['2024-01-31', '2024-02-29', '2024-03-31'],
    ],
    [
      'billing_days "0" bills Feb 28 in 2100',
      '0',
      '2100-01-31',
      ['2100-01-31', '2100-02-28', '2100-03-31'],
    ],
    [
      'billing_days "0" bills Feb 29 in 2000',
      '0',
      '2000-01-31',
      ['2000-01-31', '2000-02-29', '2000-03-31'],
    ],
  ])('%s', (_scenario, days, first, expected) => {
    expect(chain(monthly(days), first, expected.length)).toEqual(expected);
  });

  it('computes the next date from the chosen day, not from the clamped previous date', () => {
    expect(nextBillDate(monthly('31'), '2026-02-28')).toBe('2026-03-31');
    expect(nextBillDate(monthly('30'), '2026-02-28')).toBe('2026-03-30');
    expect(nextBillDate(monthly('29'), '2026-02-28')).toBe('2026-03-29');
    expect(nextBillDate(monthly('0'), '2026-04-30')).toBe('2026-05-31');
  });
});

describe('monthly schedules with intervals', () => {
  it.each([
    [
      'interval 1 bills every month on the 15th',
      monthly('15', 1),
      '2026-11-15',
      ['2026-11-15', '2026-12-15', '2027-01-15'],
    ],
    [
      'interval 2 on day 31 bills every other month, Sep 30 and Nov 30 then Jan 31',
      monthly('31', 2),
      '2026-01-31',
      [
        '2026-01-31',
        '2026-03-31',
        '2026-05-31',
        '2026-07-31',
        '2026-09-30',
        '2026-11-30',
        '2027-01-31',
      ],
    ],
    [
      'interval 3 on day 31 bills quarterly: Jan 31, Apr 30, Jul 31, Oct 31',
      monthly('31', 3),
      '2026-01-31',
      ['2026-01-31', '2026-04-30', '2026-07-31', '2026-10-31', '2027-01-31'],
    ],
    [
      'interval 3 on day 30 crosses the year end into February',
      monthly('30', 3),
      '2025-11-30',
      ['2025-11-30', '2026-02-28', '2026-05-30', '2026-08-30'],
    ],
    [
      'interval 12 on day 29 bills Feb 29 in leap years and Feb 28 otherwise',
      monthly('29', 12),
      '2024-02-29',
      ['2024-02-29', '2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29'],
    ],
    [
      'interval 12 on the last day bills Feb 28 in 2100 but Feb 29 in 2096',
      monthly('0', 12),
      '2096-02-29',
      ['2096-02-29', '2097-02-28', '2098-02-28', '2099-02-28', '2100-02-28'],
    ],
    [
      'interval 12 on the last day bills Feb 29 in 2000',
      monthly('0', 12),
      '1999-02-28',
      ['1999-02-28', '2000-02-29', '2001-02-28'],
    ],
  ])('%s', (_scenario, schedule, first, expected) => {
    expect(chain(schedule, first, expected.length)).toEqual(expected);
  });
});

describe('twice_monthly schedules', () => {
  it.each([
    [
      '"1,15" bills on the 1st and the 15th of every month',
      twiceMonthly('1,15'),
      '2026-01-01',
      ['2026-01-01', '2026-01-15', '2026-02-01', '2026-02-15', '2026-03-01'],
    ],
    [
      '"15,0" bills on the 15th and the last day (Jan 31, Feb 28, Mar 31, Apr 30)',
      twiceMonthly('15,0'),
      '2026-01-15',
      [
        '2026-01-15',
        '2026-01-31',
        '2026-02-15',
        '2026-02-28',
        '2026-03-15',
        '2026-03-31',
        '2026-04-15',
        '2026-04-30',
      ],
    ],
    [
      '"15,0" bills Feb 29 in a leap year',
      twiceMonthly('15,0'),
      '2024-02-15',
      ['2024-02-15', '2024-02-29', '2024-03-15'],
    ],
    [
      '"15,0" bills Feb 28 in 2100',
      twiceMonthly('15,0'),
      '2100-02-15',
      ['2100-02-15', '2100-02-28', '2100-03-15'],
    ],
    [
      '"15,0" bills Feb 29 in 2000',
      twiceMonthly('15,0'),
      '2000-02-15',
      ['2000-02-15', '2000-02-29', '2000-03-15'],
    ],
    [
      '"14,30" bills Feb 28 in a common year and goes back to Mar 30',
      twiceMonthly('14,30'),
      '2026-02-14',
      ['2026-02-14', '2026-02-28', '2026-03-14', '2026-03-30'],
    ],
    [
      '"1,15" with interval 2 bills twice in every other month',
      twiceMonthly('1,15', 2),
      '2026-01-01',
      ['2026-01-01', '2026-01-15', '2026-03-01', '2026-03-15', '2026-05-01'],
    ],
    [
      '"15,0" with interval 3 crosses the year end into February',
      twiceMonthly('15,0', 3),
      '2026-11-15',
      ['2026-11-15', '2026-11-30', '2027-02-15', '2027-02-28', '2027-05-15', '2027-05-31'],
    ],
    [
      '"1,15" with interval 12 bills twice a year in the same month',
      twiceMonthly('1,15', 12),
      '2026-06-01',
      ['2026-06-01', '2026-06-15', '2027-06-01', '2027-06-15'],
    ],
  ])('%s', (_scenario, schedule, first, expected) => {
    expect(chain(schedule, first, expected.length)).toEqual(expected);
  });
});

describe('daily schedules', () => {
  it.each([
    [
      'interval 1 crosses the year end',
      daily(1),
      '2026-12-30',
      ['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02'],
    ],
    [
      'interval 2 crosses the end of February in a common year',
      daily(2),
      '2026-02-27',
      ['2026-02-27', '2026-03-01', '2026-03-03'],
    ],
    [
      'interval 2 lands on Feb 29 in a leap year',
      daily(2),
      '2024-02-27',
      ['2024-02-27', '2024-02-29', '2024-03-02'],
    ],
    [
      'interval 3 is unaffected by the US spring-forward weekend',
      daily(3),
      '2026-03-07',
      ['2026-03-07', '2026-03-10', '2026-03-13'],
    ],
    [
      'interval 7 crosses the year end',
      daily(7),
      '2026-12-28',
      ['2026-12-28', '2027-01-04', '2027-01-11'],
    ],
    [
      'interval 12 counts days, not months',
      daily(12),
      '2026-01-25',
      ['2026-01-25', '2026-02-06', '2026-02-18', '2026-03-02'],
    ],
    [
      'interval 30 does not follow month ends',
      daily(30),
      '2026-01-31',
      ['2026-01-31', '2026-03-02', '2026-04-01'],
    ],
    [
      'interval 365 over a leap day lands one day early',
      daily(365),
      '2023-03-01',
      ['2023-03-01', '2024-02-29', '2025-02-28'],
    ],
  ])('%s', (_scenario, schedule, first, expected) => {
    expect(chain(schedule, first, expected.length)).toEqual(expected);
  });
});

describe('firstBillDate for a new subscription', () => {
  it.each([
    [
      'monthly on the 1st, created on the 20th: the 1st of next month',
      monthly('1'),
      '2026-01-20',
      '2026-02-01',
    ],
    [
      'monthly on the 20th, created on the 20th: the same day',
      monthly('20'),
      '2026-01-20',
      '2026-01-20',
    ],
    ['monthly on the 31st, created Feb 10: Feb 28', monthly('31'), '2026-02-10', '2026-02-28'],
    [
      'monthly on the last day, created Feb 28 2026: the same day',
      monthly('0'),
      '2026-02-28',
      '2026-02-28',
    ],
    [
      'monthly on the last day, created Feb 28 2024: Feb 29',
      monthly('0'),
      '2024-02-28',
      '2024-02-29',
    ],
    [
      'monthly on the 15th, created Dec 20: Jan 15 next year',
      monthly('15'),
      '2026-12-20',
      '2027-01-15',
    ],
    [
      'monthly every 3 months on the 1st, created Jan 20: Feb 1, not Apr 1',
      monthly('1', 3),
      '2026-01-20',
      '2026-02-01',
    ],
    [
      'twice_monthly "1,15", created on the 1st: the same day',
      twiceMonthly('1,15'),
      '2026-01-01',
      '2026-01-01',
    ],
    [
      'twice_monthly "1,15", created on the 10th: the 15th',
      twiceMonthly('1,15'),
      '2026-01-10',
      '2026-01-15',
    ],
    [
      'twice_monthly "1,15", created on the 16th: the 1st of next month',
      twiceMonthly('1,15'),
      '2026-01-16',
      '2026-02-01',
    ],
    [
      'twice_monthly "15,0", created Feb 20: Feb 28',
      twiceMonthly('15,0'),
      '2026-02-20',
      '2026-02-28',
    ],
    [
      'twice_monthly "1,15" every 2 months, created Jan 20: Feb 1',
      twiceMonthly('1,15', 2),
      '2026-01-20',
      '2026-02-01',
    ],
    ['daily, created on any day: that day', daily(5), '2026-01-20', '2026-01-20'],
  ])('%s', (_scenario, schedule, createdOn, expected) => {
    const first = firstBillDate({ schedule, createdOn, chargeOnDay: false });
    expect(first).toEqual({ billDate: expected, schedule });
  });

  it('then bills every interval from the first bill: monthly every 3 months, created Jan 20, bills Feb 1, May 1, Aug 1', () => {
    const { billDate, schedule } = firstBillDate({
      schedule: monthly('1', 3),
      createdOn: '2026-01-20',
      chargeOnDay: false,
    });
    expect(chain(schedule, billDate, 3)).toEqual(['2026-02-01', '2026-05-01', '2026-08-01']);
  });

  describe('with an explicit next_bill_date', () => {
    it('honours it for the first bill even off the schedule, then follows the schedule (twice_monthly "1,15": Nov 22, Dec 1, Dec 15)', () => {
      const { billDate, schedule } = firstBillDate({
        schedule: twiceMonthly('1,15'),
        createdOn: '2017-11-20',
        chargeOnDay: false,
        nextBillDate: '2017-11-22',
      });
      expect(chain(schedule, billDate, 3)).toEqual(['2017-11-22', '2017-12-01', '2017-12-15']);
    });

    it('honours it on the creation day (monthly on the 1st, created and first billed 2024-02-19, then Mar 1)', () => {
      const { billDate, schedule } = firstBillDate({
        schedule: monthly('1'),
        createdOn: '2024-02-19',
        chargeOnDay: false,
        nextBillDate: '2024-02-19',
      });
      expect(chain(schedule, billDate, 3)).toEqual(['2024-02-19', '2024-03-01', '2024-04-01']);
    });

    it('bills a monthly schedule once in the month of an off-schedule first bill (day 25, first billed Feb 19, next Mar 25)', () => {
      const { billDate, schedule } = firstBillDate({
        schedule: monthly('25'),
        createdOn: '2026-02-10',
        chargeOnDay: false,
        nextBillDate: '2026-02-19',
      });
      expect(chain(schedule, billDate, 3)).toEqual(['2026-02-19', '2026-03-25', '2026-04-25']);
    });

    it('refuses a next_bill_date before the creation date', () => {
      expect(() =>
        firstBillDate({
          schedule: monthly('1'),
          createdOn: '2026-02-10',
          chargeOnDay: false,
          nextBillDate: '2026-02-09',
        }),
      ).toThrow(/next_bill_date 2026-02-09 is before the subscription's creation date 2026-02-10/);
    });

    it.each(['2026-02-30', '2026-2-1', 'tomorrow'])(
      'refuses the malformed next_bill_date %j, naming the field',
      (nextBillDate) => {
        const call = () =>
          firstBillDate({
            schedule: monthly('1'),
            createdOn: '2026-02-10',
            chargeOnDay: false,
            nextBillDate,
          });
        expect(call).toThrow(CalendarInputError);
        expect(call).toThrow(expect.objectContaining({ field: 'next_bill_date' }));
      },
    );

    it('treats a null next_bill_date as absent', () => {
      expect(
        firstBillDate({
          schedule: monthly('1'),
          createdOn: '2026-02-10',
          chargeOnDay: false,
          nextBillDate: null,
        }).billDate,
      ).toBe('2026-03-01');
    });
  });

  describe('with charge_on_day', () => {
    it('monthly on the 1st, created 2024-02-19: bills that day and moves the billing day to the 19th', () => {
      const { billDate, schedule } = firstBillDate({
        schedule: monthly('1'),
        createdOn: '2024-02-19',
        chargeOnDay: true,
      });
      expect(schedule).toEqual({ frequency: 'monthly', interval: 1, billingDays: [19] });
      expect(chain(schedule, billDate, 3)).toEqual(['2024-02-19', '2024-03-19', '2024-04-19']);
    });

    it('monthly, created on Jan 31: bills on the 31st, clamped to Feb 28, back to Mar 31', () => {
      const { billDate, schedule } = firstBillDate({
        schedule: monthly('1'),
        createdOn: '2026-01-31',
        chargeOnDay: true,
      });
      expect(chain(schedule, billDate, 4)).toEqual([
        '2026-01-31',
        '2026-02-28',
        '2026-03-31',
        '2026-04-30',
      ]);
    });

    it('monthly, created on Feb 28 of a common year: the billing day is the 28th, not the last day', () => {
      const { billDate, schedule } = firstBillDate({
        schedule: monthly('0'),
        createdOn: '2026-02-28',
        chargeOnDay: true,
      });
      expect(chain(schedule, billDate, 3)).toEqual(['2026-02-28', '2026-03-28', '2026-04-28']);
    });

    it('monthly every 2 months: the creation month is the first cycle month', () => {
      const { billDate, schedule } = firstBillDate({
        schedule: monthly('1', 2),
        createdOn: '2026-01-10',
        chargeOnDay: true,
      });
      expect(chain(schedule, billDate, 3)).toEqual(['2026-01-10', '2026-03-10', '2026-05-10']);
    });

    it('twice_monthly "1,15", created on the 10th: bills that day, keeps the days, next bills on the 15th', () => {
      const original = twiceMonthly('1,15');
      const { billDate, schedule } = firstBillDate({
        schedule: original,
        createdOn: '2026-01-10',
        chargeOnDay: true,
      });
      expect(schedule).toEqual(original);
      expect(chain(schedule, billDate, 4)).toEqual([
        '2026-01-10',
        '2026-01-15',
        '2026-02-01',
        '2026-02-15',
      ]);
    });

    it('twice_monthly "1,15" every 2 months, created on the 20th: bills that day, then the 1st two months later', () => {
      const { billDate, schedule } = firstBillDate({
        schedule: twiceMonthly('1,15', 2),
        createdOn: '2026-01-20',
        chargeOnDay: true,
      });
      expect(chain(schedule, billDate, 3)).toEqual(['2026-01-20', '2026-03-01', '2026-03-15']);
    });

    it('daily every 3 days: bills on the creation day and every 3 days after', () => {
      const { billDate, schedule } = firstBillDate({
        schedule: daily(3),
        createdOn: '2026-01-30',
        chargeOnDay: true,
      });
      expect(chain(schedule, billDate, 3)).toEqual(['2026-01-30', '2026-02-02', '2026-02-05']);
    });

    it('with an explicit next_bill_date too: the first bill is next_bill_date, later bills use the creation day', () => {
      const { billDate, schedule } = firstBillDate({
        schedule: monthly('1'),
        createdOn: '2026-01-10',
        chargeOnDay: true,
        nextBillDate: '2026-01-25',
      });
      expect(chain(schedule, billDate, 3)).toEqual(['2026-01-25', '2026-02-10', '2026-03-10']);
    });

    it('does not change the schedule it was given', () => {
      const original = monthly('1');
      firstBillDate({ schedule: original, createdOn: '2026-01-10', chargeOnDay: true });
      expect(original.billingDays).toEqual([1]);
    });
  });
});

describe('nextBillDate after a previous bill that was off the schedule', () => {
  it.each([
    ['twice_monthly "1,15" after Nov 22: Dec 1', twiceMonthly('1,15'), '2017-11-22', '2017-12-01'],
    ['twice_monthly "1,15" after Nov 10: Nov 15', twiceMonthly('1,15'), '2017-11-10', '2017-11-15'],
    [
      'twice_monthly "1,15" every 2 months after Nov 22: Jan 1',
      twiceMonthly('1,15', 2),
      '2017-11-22',
      '2018-01-01',
    ],
    [
      'monthly on the 25th after Feb 19: Mar 25 (one bill per cycle month)',
      monthly('25'),
      '2026-02-19',
      '2026-03-25',
    ],
    ['monthly on the 1st after Feb 19: Mar 1', monthly('1'), '2024-02-19', '2024-03-01'],
  ])('%s', (_scenario, schedule, previous, expected) => {
    expect(nextBillDate(schedule, previous)).toBe(expected);
  });

  it('refuses a previous date that is not a calendar date', () => {
    expect(() => nextBillDate(monthly('1'), '2026-02-29')).toThrow(RangeError);
  });

  it('refuses a hand-built schedule that breaks the rules', () => {
    expect(() =>
      nextBillDate({ frequency: 'monthly', interval: 1, billingDays: [1, 15] }, '2026-01-01'),
    ).toThrow(RangeError);
  });
});

describe('upcomingBillDates', () => {
  it.each([
    [
      'starts with from when it is a billing date',
      monthly('15'),
      '2026-03-15',
      3,
      ['2026-03-15', '2026-04-15', '2026-05-15'],
    ],
    [
      'starts at the next billing date when from is not one',
      monthly('15'),
      '2026-03-16',
      3,
      ['2026-04-15', '2026-05-15', '2026-06-15'],
    ],
    [
      'uses the interval only after the first date',
      monthly('15', 2),
      '2026-03-16',
      3,
      ['2026-04-15', '2026-06-15', '2026-08-15'],
    ],
    [
      'finds the last day of February for "15,0"',
      twiceMonthly('15,0'),
      '2026-02-16',
      3,
      ['2026-02-28', '2026-03-15', '2026-03-31'],
    ],
    [
      'finds Feb 28 for day 31 from Feb 1',
      monthly('31'),
      '2026-02-01',
      2,
      ['2026-02-28', '2026-03-31'],
    ],
    [
      'starts with from for daily',
      daily(10),
      '2026-12-25',
      3,
      ['2026-12-25', '2027-01-04', '2027-01-14'],
    ],
    ['returns nothing for a count of 0', monthly('1'), '2026-01-01', 0, []],
  ])('%s', (_scenario, schedule, from, count, expected) => {
    expect(upcomingBillDates(schedule, from, count)).toEqual(expected);
  });

  it('refuses a negative or fractional count', () => {
    expect(() => upcomingBillDates(monthly('1'), '2026-01-01', -1)).toThrow(RangeError);
    expect(() => upcomingBillDates(monthly('1'), '2026-01-01', 1.5)).toThrow(RangeError);
  });
});

describe('billDatesFrom and billDatesThrough', () => {
  it('yields without end when no count is given', () => {
    const dates: string[] = [];
    for (const date of billDatesFrom(monthly('31'), '2026-01-31')) {
      dates.push(date);
      if (dates.length === 3) break;
    }
    expect(dates).toEqual(['2026-01-31', '2026-02-28', '2026-03-31']);
  });

  it('lists every bill a run owes up to and including today, after missing some days', () => {
    expect(billDatesThrough(monthly('1'), '2026-01-01', '2026-03-15')).toEqual([
      '2026-01-01',
      '2026-02-01',
      '2026-03-01',
    ]);
    expect(billDatesThrough(twiceMonthly('15,0'), '2026-02-15', '2026-02-28')).toEqual([
      '2026-02-15',
      '2026-02-28',
    ]);
  });

  it('owes nothing when the next bill date is after today', () => {
    expect(billDatesThrough(monthly('1'), '2026-04-01', '2026-03-31')).toEqual([]);
  });
});

describe('isBillingDate', () => {
  it.each([
    ['day 31 bills on Apr 30', monthly('31'), '2026-04-30', true],
    ['day 31 does not bill on Apr 29', monthly('31'), '2026-04-29', false],
    ['day 31 bills on Feb 28 in a common year', monthly('31'), '2026-02-28', true],
    ['day 31 does not bill on Feb 28 in a leap year', monthly('31'), '2024-02-28', false],
    ['day 31 bills on Feb 29 in a leap year', monthly('31'), '2024-02-29', true],
    ['"0" bills on Feb 28 in 2100', monthly('0'), '2100-02-28', true],
    ['"0" does not bill on Feb 28 in 2000', monthly('0'), '2000-02-28', false],
    ['"15,0" bills on the 15th', twiceMonthly('15,0'), '2026-06-15', true],
    ['"15,0" bills on Jun 30', twiceMonthly('15,0'), '2026-06-30', true],
    ['"15,0" does not bill on the 1st', twiceMonthly('15,0'), '2026-06-01', false],
    ['daily bills every day without an anchor', daily(3), '2026-06-01', true],
  ])('%s', (_scenario, schedule, date, expected) => {
    expect(isBillingDate(schedule, date)).toBe(expected);
  });

  it.each([
    ['monthly every 2 months from Jan 15 bills on Mar 15', monthly('15', 2), '2026-03-15', true],
    [
      'monthly every 2 months from Jan 15 does not bill on Feb 15',
      monthly('15', 2),
      '2026-02-15',
      false,
    ],
    [
      'monthly every 2 months from Jan 15 counts cycles backwards too (Nov 15)',
      monthly('15', 2),
      '2025-11-15',
      true,
    ],
    [
      'twice_monthly "1,15" every 3 months from Jan 15 bills on Apr 1',
      twiceMonthly('1,15', 3),
      '2026-04-01',
      true,
    ],
    [
      'twice_monthly "1,15" every 3 months from Jan 15 does not bill on Mar 1',
      twiceMonthly('1,15', 3),
      '2026-03-01',
      false,
    ],
    ['daily every 3 days from Jan 15 bills on Jan 18', daily(3), '2026-01-18', true],
    ['daily every 3 days from Jan 15 does not bill on Jan 17', daily(3), '2026-01-17', false],
  ])('with an anchor: %s', (_scenario, schedule, date, expected) => {
    expect(isBillingDate(schedule, date, '2026-01-15')).toBe(expected);
  });
});
