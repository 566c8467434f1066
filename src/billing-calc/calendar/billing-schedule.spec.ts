import {
  assertBillingSchedule,
  CalendarInputError,
  formatBillingDays,
  parseBillingSchedule,
  type BillingScheduleFields,
} from './billing-schedule';

describe('parseBillingSchedule accepts', () => {
  it.each<[string, BillingScheduleFields, ReturnType<typeof parseBillingSchedule>]>([
    [
      'monthly on the 1st',
      { billing_frequency: 'monthly', billing_cycle_interval: 1, billing_days: '1' },
      { frequency: 'monthly', interval: 1, billingDays: [1] },
    ],
    [
      'monthly on the last day ("0") every 3 months',
      { billing_frequency: 'monthly', billing_cycle_interval: 3, billing_days: '0' },
      { frequency: 'monthly', interval: 3, billingDays: [0] },
    ],
    [
      'monthly on the 31st every 12 months',
      { billing_frequency: 'monthly', billing_cycle_interval: 12, billing_days: '31' },
      { frequency: 'monthly', interval: 12, billingDays: [31] },
    ],
    [
      'monthly when billing_frequency is missing (the API default)',
      { billing_cycle_interval: 1, billing_days: '15' },
      { frequency: 'monthly', interval: 1, billingDays: [15] },
    ],
    [
      'monthly with billing_days given as a number',
      { billing_frequency: 'monthly', billing_cycle_interval: 1, billing_days: 5 },
      { frequency: 'monthly', interval: 1, billingDays: [5] },
    ],
    [
      'twice_monthly "1,15"',
      { billing_frequency: 'twice_monthly', billing_cycle_interval: 1, billing_days: '1,15' },
      { frequency: 'twice_monthly', interval: 1, billingDays: [1, 15] },
    ],
    [
      'twice_monthly "1, 15" with a space, as the API docs write it',
      { billing_frequency: 'twice_monthly', billing_cycle_interval: 1, billing_days: '1, 15' },
      { frequency: 'twice_monthly', interval: 1, billingDays: [1, 15] },
    ],
    [
      'twice_monthly "15,1" put in month order',
      { billing_frequency: 'twice_monthly', billing_cycle_interval: 2, billing_days: '15,1' },
      { frequency: 'twice_monthly', interval: 2, billingDays: [1, 15] },
    ],
    [
      'twice_monthly "15,0" (the 15th and the last day)',
      { billing_frequency: 'twice_monthly', billing_cycle_interval: 1, billing_days: '15,0' },
      { frequency: 'twice_monthly', interval: 1, billingDays: [15, 0] },
    ],
    [
      'twice_monthly "0,15" with the last day sorted after the 15th',
      { billing_frequency: 'twice_monthly', billing_cycle_interval: 1, billing_days: '0,15' },
      { frequency: 'twice_monthly', interval: 1, billingDays: [15, 0] },
    ],
    [
      'twice_monthly "27,0", which never fall on the same date',
      { billing_frequency: 'twice_monthly', billing_cycle_interval: 1, billing_days: '27,0' },
      { frequency: 'twice_monthly', interval: 1, billingDays: [27, 0] },
    ],
    [
      'daily without billing_days',
      { billing_frequency: 'daily', billing_cycle_interval: 7 },
      { frequency: 'daily', interval: 7, billingDays: [] },
    ],
    [
      'daily ignoring whatever billing_days holds',
      { billing_frequency: 'daily', billing_cycle_interval: 1, billing_days: '1,15,99' },
      { frequency: 'daily', interval: 1, billingDays: [] },
    ],
    [
      'the largest interval for monthly (120 months)',
      { billing_frequency: 'monthly', billing_cycle_interval: 120, billing_days: '1' },
      { frequency: 'monthly', interval: 120, billingDays: [1] },
    ],
    [
      'the largest interval for daily (3650 days)',
      { billing_frequency: 'daily', billing_cycle_interval: 3650 },
      { frequency: 'daily', interval: 3650, billingDays: [] },
    ],
  ])('%s', (_scenario, fields, expected) => {
    expect(parseBillingSchedule(fields)).toEqual(expected);
  });
});

describe('parseBillingSchedule refuses', () => {
  const monthly = { billing_frequency: 'monthly', billing_cycle_interval: 1 };
  const twice = { billing_frequency: 'twice_monthly', billing_cycle_interval: 1 };

  it.each<[string, BillingScheduleFields, string]>([
    ['two days for monthly', { ...monthly, billing_days: '1,15' }, 'billing_days'],
    ['missing billing_days for monthly', { ...monthly }, 'billing_days'],
    ['null billing_days for monthly', { ...monthly, billing_days: null }, 'billing_days'],
    ['empty billing_days for monthly', { ...monthly, billing_days: '' }, 'billing_days'],
    ['one day for twice_monthly', { ...twice, billing_days: '15' }, 'billing_days'],
    ['three days for twice_monthly', { ...twice, billing_days: '1,10,20' }, 'billing_days'],
    ['the same day twice for twice_monthly', { ...twice, billing_days: '15,15' }, 'billing_days'],
    ['"0,0" for twice_monthly', { ...twice, billing_days: '0,0' }, 'billing_days'],
    ['"30,0", both the last day in April', { ...twice, billing_days: '30,0' }, 'billing_days'],
    [
      '"31,0", both the last day in every month',
      { ...twice, billing_days: '31,0' },
      'billing_days',
    ],
    ['"28,29", both Feb 28 in a common year', { ...twice, billing_days: '28,29' }, 'billing_days'],
    ['a trailing comma', { ...twice, billing_days: '1,' }, 'billing_days'],
    ['day 32', { ...monthly, billing_days: '32' }, 'billing_days'],
    ['a negative day', { ...monthly, billing_days: '-1' }, 'billing_days'],
    ['a fractional day in a string', { ...monthly, billing_days: '1.5' }, 'billing_days'],
    ['a fractional day as a number', { ...monthly, billing_days: 1.5 }, 'billing_days'],
    ['a day that is not a number', { ...monthly, billing_days: 'first' }, 'billing_days'],
    ['a day with a unit', { ...monthly, billing_days: '1st' }, 'billing_days'],
    ['billing_days as an array', { ...monthly, billing_days: [1] }, 'billing_days'],
    [
      'interval 0',
      { ...monthly, billing_cycle_interval: 0, billing_days: '1' },
      'billing_cycle_interval',
    ],
    [
      'a negative interval',
      { ...monthly, billing_cycle_interval: -1, billing_days: '1' },
      'billing_cycle_interval',
    ],
    [
      'a fractional interval',
      { ...monthly, billing_cycle_interval: 1.5, billing_days: '1' },
      'billing_cycle_interval',
    ],
    [
      'an interval given as a string',
      { ...monthly, billing_cycle_interval: '2', billing_days: '1' },
      'billing_cycle_interval',
    ],
    [
      'a missing interval',
      { billing_frequency: 'monthly', billing_days: '1' },
      'billing_cycle_interval',
    ],
    [
      'a null interval',
      { ...monthly, billing_cycle_interval: null, billing_days: '1' },
      'billing_cycle_interval',
    ],
    [
      'a monthly interval over 120 months',
      { ...monthly, billing_cycle_interval: 121, billing_days: '1' },
      'billing_cycle_interval',
    ],
    [
      'a daily interval over 3650 days',
      { billing_frequency: 'daily', billing_cycle_interval: 3651 },
      'billing_cycle_interval',
    ],
    [
      'an unknown frequency "weekly"',
      { ...monthly, billing_frequency: 'weekly', billing_days: '1' },
      'billing_frequency',
    ],
    [
      'a frequency in the wrong case',
      { ...monthly, billing_frequency: 'Monthly', billing_days: '1' },
      'billing_frequency',
    ],
    [
      'a frequency that is not a string',
      { ...monthly, billing_frequency: 1, billing_days: '1' },
      'billing_frequency',
    ],
  ])('%s, naming the field %s', (_scenario, fields, field) => {
    let error: unknown;
    try {
      parseBillingSchedule(fields);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CalendarInputError);
    expect((error as CalendarInputError).field).toBe(field);
    expect((error as CalendarInputError).message).toContain(field);
  });

  it('throws an Error subclass with a stable name and code', () => {
    const error = (() => {
      try {
        parseBillingSchedule({ billing_frequency: 'weekly', billing_cycle_interval: 1 });
      } catch (caught) {
        return caught as CalendarInputError;
      }
    })();
    expect(error).toBeInstanceOf(Error);
    expect(error?.name).toBe('CalendarInputError');
    expect(error?.code).toBe('invalid_billing_calendar');
    expect(error?.message).toBe(
      'billing_frequency must be one of "monthly", "twice_monthly", "daily", got "weekly"',
    );
  });
});

describe('formatBillingDays', () => {
  it('writes the days as the API returns them', () => {
    const schedule = parseBillingSchedule({
      billing_frequency: 'twice_monthly',
      billing_cycle_interval: 1,
      billing_days: '0, 15',
    });
    expect(formatBillingDays(schedule)).toBe('15,0');
  });
});

describe('assertBillingSchedule', () => {
  it('accepts a parsed schedule', () => {
    expect(() =>
      assertBillingSchedule({ frequency: 'twice_monthly', interval: 2, billingDays: [1, 15] }),
    ).not.toThrow();
  });

  it.each([
    [
      'a monthly schedule with two days',
      { frequency: 'monthly', interval: 1, billingDays: [1, 15] },
    ],
    [
      'twice_monthly days out of order',
      { frequency: 'twice_monthly', interval: 1, billingDays: [15, 1] },
    ],
    [
      'twice_monthly days that collide',
      { frequency: 'twice_monthly', interval: 1, billingDays: [30, 0] },
    ],
    ['interval 0', { frequency: 'daily', interval: 0, billingDays: [] }],
    ['an unknown frequency', { frequency: 'weekly', interval: 1, billingDays: [] }],
  ])('refuses a hand-built schedule with %s', (_scenario, schedule) => {
    expect(() => assertBillingSchedule(schedule as never)).toThrow(RangeError);
  });
});
