import fc from 'fast-check';
import { nextBillDate } from './bill-dates';
import { CalendarInputError, parseBillingSchedule } from './billing-schedule';
import { addDays, daysBetween } from './local-date';
import { trialNoticeDate, trialPeriod } from './trial';

const monthly = (day: string) =>
  parseBillingSchedule({
    billing_frequency: 'monthly',
    billing_days: day,
    billing_cycle_interval: 1,
  });

describe('trialPeriod', () => {
  it('a 14-day trial from Jan 10 ends (first bill) on Jan 24, and monthly billing continues on the 24th', () => {
    const trial = trialPeriod({ schedule: monthly('1'), createdOn: '2027-01-10', trialDays: 14 });
    expect(trial).toMatchObject({ end: '2027-01-24', days: 14 });
    expect(nextBillDate(trial!.schedule, trial!.end)).toBe('2027-02-24');
  });

  it('a 30-day trial from Jan 31 ends Mar 2; a trial_end of Jan 31 + 1 month bills on the 31st, clamped', () => {
    expect(
      trialPeriod({ schedule: monthly('15'), createdOn: '2027-01-31', trialDays: 30 })!.end,
    ).toBe('2027-03-02');
    const t = trialPeriod({
      schedule: monthly('15'),
      createdOn: '2027-01-01',
      trialEnd: '2027-01-31',
    })!;
    expect(t.days).toBe(30);
    expect(nextBillDate(t.schedule, t.end)).toBe('2027-02-28');
  });

  it('twice-monthly keeps its days after the trial', () => {
    const schedule = parseBillingSchedule({
      billing_frequency: 'twice_monthly',
      billing_days: '1,15',
      billing_cycle_interval: 1,
    });
    const t = trialPeriod({ schedule, createdOn: '2027-03-03', trialDays: 7 })!;
    expect(t.end).toBe('2027-03-10');
    expect(nextBillDate(t.schedule, t.end)).toBe('2027-03-15');
  });

  it('no trial fields, or 0 days, is no trial', () => {
    expect(trialPeriod({ schedule: monthly('1'), createdOn: '2027-01-10' })).toBeNull();
    expect(
      trialPeriod({ schedule: monthly('1'), createdOn: '2027-01-10', trialDays: 0 }),
    ).toBeNull();
  });

  it.each([
    [{ trialDays: -1 }, 'trial_days'],
    [{ trialDays: 1.5 }, 'trial_days'],
    [{ trialDays: 731 }, 'trial_days'],
    [{ trialEnd: '2027-02-30' }, 'trial_end'],
    [{ trialEnd: '2027-01-10' }, 'trial_end'],
    [{ trialEnd: '2026-12-31' }, 'trial_end'],
    [{ trialEnd: '2030-01-10' }, 'trial_end'],
  ])('refuses %j naming %s', (fields, field) => {
    try {
      trialPeriod({ schedule: monthly('1'), createdOn: '2027-01-10', ...fields });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(CalendarInputError);
      expect((err as CalendarInputError).field).toBe(field);
    }
  });

  it('the notice goes out N days before the end, but never before the start', () => {
    expect(trialNoticeDate('2027-01-10', '2027-01-24', 3)).toBe('2027-01-21');
    expect(trialNoticeDate('2027-01-10', '2027-01-12', 3)).toBe('2027-01-10');
  });

  it('property: the trial lasts exactly trial_days and the first bill is its end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20000 }),
        fc.integer({ min: 1, max: 730 }),
        (offset, days) => {
          const createdOn = addDays('2000-01-01', offset);
          const t = trialPeriod({ schedule: monthly('0'), createdOn, trialDays: days })!;
          expect(daysBetween(createdOn, t.end)).toBe(days);
          expect(t.days).toBe(days);
        },
      ),
    );
  });
});
