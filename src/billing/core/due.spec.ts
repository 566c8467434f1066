import { parseBillingSchedule } from '../../billing-calc/calendar';
import { dueCycles } from './due';

const monthlyOn1st = parseBillingSchedule({
  billing_frequency: 'monthly',
  billing_cycle_interval: 1,
  billing_days: '1',
});

describe('dueCycles: should have billed minus was billed', () => {
  it('owes nothing before the next bill date', () => {
    expect(
      dueCycles({
        schedule: monthlyOn1st,
        nextBillDate: '2027-02-01',
        asOf: '2027-01-31',
        billed: new Set(),
        catchUp: 'each',
      }),
    ).toEqual({ kind: 'none' });
  });

  it('bills the oldest missed date first with catch_up "each", and says how many remain', () => {
    expect(
      dueCycles({
        schedule: monthlyOn1st,
        nextBillDate: '2027-01-01',
        asOf: '2027-03-15',
        billed: new Set(),
        catchUp: 'each',
      }),
    ).toEqual({ kind: 'bill', billDate: '2027-01-01', skipped: [], remaining: 2 });
  });

  it('bills only the latest missed date with catch_up "latest", naming the dates passed over', () => {
    expect(
      dueCycles({
        schedule: monthlyOn1st,
        nextBillDate: '2027-01-01',
        asOf: '2027-03-15',
        billed: new Set(),
        catchUp: 'latest',
      }),
    ).toEqual({
      kind: 'bill',
      billDate: '2027-03-01',
      skipped: ['2027-01-01', '2027-02-01'],
      remaining: 0,
    });
  });

  it('never bills a date twice: a next bill date rewound onto a billed date is blocked', () => {
    expect(
      dueCycles({
        schedule: monthlyOn1st,
        nextBillDate: '2027-01-01',
        asOf: '2027-01-01',
        billed: new Set(['2027-01-01']),
        catchUp: 'each',
      }),
    ).toEqual({ kind: 'blocked', billDate: '2027-01-01' });
  });

  it('skips billed dates when catching up on the latest', () => {
    expect(
      dueCycles({
        schedule: monthlyOn1st,
        nextBillDate: '2027-02-01',
        asOf: '2027-04-01',
        billed: new Set(['2027-04-01']),
        catchUp: 'latest',
      }),
    ).toEqual({ kind: 'bill', billDate: '2027-03-01', skipped: ['2027-02-01'], remaining: 0 });
  });
});
