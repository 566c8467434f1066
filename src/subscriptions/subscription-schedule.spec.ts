import { parseBillingSchedule } from '../billing-calc/calendar';
import type { AttachedAdjustment } from '../plans/adjustments';
import {
  remainingBillings,
  rescheduledBillDate,
  resumeBillDate,
  upcomingBillings,
} from './subscription-schedule';

const monthlyOn1st = parseBillingSchedule({ billing_cycle_interval: 1, billing_days: '1' });
const monthlyOn31st = parseBillingSchedule({ billing_cycle_interval: 1, billing_days: '31' });
const every3Days = parseBillingSchedule({ billing_frequency: 'daily', billing_cycle_interval: 3 });

function adjustment(fields: Partial<AttachedAdjustment>): AttachedAdjustment {
  return {
    sourceId: 'x',
    name: 'x',
    description: '',
    amount: null,
    percentage: null,
    duration: 0,
    attachedAtBilling: 0,
    ...fields,
  };
}

describe('resumeBillDate (activating without a date)', () => {
  it('keeps a next bill date that has not passed', () => {
    expect(resumeBillDate(monthlyOn1st, '2026-02-01', '2026-01-20')).toBe('2026-02-01');
    expect(resumeBillDate(monthlyOn1st, '2026-02-01', '2026-02-01')).toBe('2026-02-01');
  });

  it('skips the dates missed while paused, staying on the same chain', () => {
    expect(resumeBillDate(monthlyOn1st, '2026-02-01', '2026-03-10')).toBe('2026-04-01');
    expect(resumeBillDate(monthlyOn31st, '2026-01-31', '2026-02-28')).toBe('2026-02-28');
    expect(resumeBillDate(monthlyOn31st, '2026-01-31', '2026-03-01')).toBe('2026-03-31');
    // Every 3 days from Jan 30: Feb 2, 5, 8 ... the first on or after Feb 6 is Feb 8.
    expect(resumeBillDate(every3Days, '2026-01-30', '2026-02-06')).toBe('2026-02-08');
  });
});

describe('rescheduledBillDate (after a schedule change)', () => {
  it('never brings the next bill forward of the current next bill date', () => {
    const on15th = parseBillingSchedule({ billing_cycle_interval: 1, billing_days: '15' });
    expect(rescheduledBillDate(on15th, '2026-02-01', '2026-01-20')).toBe('2026-02-15');
  });

  it('starts from today when the current next bill date has passed', () => {
    const on15th = parseBillingSchedule({ billing_cycle_interval: 1, billing_days: '15' });
    expect(rescheduledBillDate(on15th, '2026-01-01', '2026-01-20')).toBe('2026-02-15');
  });
});

describe('remainingBillings', () => {
  it('is unlimited for duration 0 and counts down otherwise', () => {
    expect(remainingBillings(0, 5)).toBe(Infinity);
    expect(remainingBillings(3, 1)).toBe(2);
    expect(remainingBillings(3, 3)).toBe(0);
  });
});

describe('upcomingBillings', () => {
  it('prices each billing with the add-ons and discounts whose durations cover it', () => {
    const rows = upcomingBillings(
      {
        schedule: monthlyOn1st,
        from: '2026-02-01',
        billingCount: 0,
        duration: 0,
        amount: 1000,
        addOns: [adjustment({ sourceId: 'setup', amount: 500, duration: 2 })],
        discounts: [
          adjustment({ sourceId: 'loyalty', percentage: 10000 }),
          adjustment({ sourceId: 'welcome', amount: 300, duration: 1 }),
        ],
      },
      4,
    );
    expect(rows.map((r) => [r.billingNumber, r.billDate, r.total])).toEqual([
      [1, '2026-02-01', 1100],
      [2, '2026-03-01', 1400],
      [3, '2026-04-01', 900],
      [4, '2026-05-01', 900],
    ]);
  });

  it('counts an add-on attached after billing 2 from billing 3', () => {
    const rows = upcomingBillings(
      {
        schedule: monthlyOn1st,
        from: '2026-04-01',
        billingCount: 2,
        duration: 0,
        amount: 1000,
        addOns: [adjustment({ amount: 250, duration: 1, attachedAtBilling: 2 })],
        discounts: [],
      },
      2,
    );
    expect(rows.map((r) => [r.billingNumber, r.totalAddOns, r.total])).toEqual([
      [3, 250, 1250],
      [4, 0, 1000],
    ]);
  });

  it('stops when the subscription reaches its duration', () => {
    const rows = upcomingBillings(
      {
        schedule: every3Days,
        from: '2026-01-30',
        billingCount: 4,
        duration: 6,
        amount: 100,
        addOns: [],
        discounts: [],
      },
      10,
    );
    expect(rows.map((r) => [r.billingNumber, r.billDate])).toEqual([
      [5, '2026-01-30'],
      [6, '2026-02-02'],
    ]);
  });
});
