import {
  optionalAdjustmentRefs,
  optionalAmountOrPercentage,
  optionalPercentage,
  reattach,
} from './adjustments';

describe('recurring request fields', () => {
  it('accepts a percentage of 0 or from 0.1% to 100% in thousandths, nothing between', () => {
    expect(optionalPercentage(0, 'percentage')).toBe(0);
    expect(optionalPercentage(100, 'percentage')).toBe(100);
    expect(optionalPercentage(100000, 'percentage')).toBe(100000);
    expect(() => optionalPercentage(99, 'percentage')).toThrow(/invalid percentage: must be 0 or/);
    expect(() => optionalPercentage(100001, 'percentage')).toThrow(/percentage must not be above/);
    expect(() => optionalPercentage(10.5, 'percentage')).toThrow(/percentage/);
  });

  it('takes an amount or a percentage, never both, and neither means "unchanged"', () => {
    expect(optionalAmountOrPercentage({ amount: 100 })).toEqual({ amount: 100, percentage: null });
    expect(optionalAmountOrPercentage({ percentage: 5000, amount: null })).toEqual({
      amount: null,
      percentage: 5000,
    });
    expect(optionalAmountOrPercentage({})).toBeUndefined();
    expect(() =>
      optionalAmountOrPercentage({ amount: 1, percentage: 1000 }, 'add_ons[2].'),
    ).toThrow('invalid add_ons[2].amount: either amount or percentage may be given, not both');
  });

  it('refuses a recurring amount too large to price safely', () => {
    expect(() => optionalAmountOrPercentage({ amount: 1_000_000_000_000 })).toThrow(
      /amount: must be at most 999999999999 cents/,
    );
  });

  it('reads add_ons[] entries with their overrides and names the entry at fault', () => {
    expect(
      optionalAdjustmentRefs(
        [{ id: 'a1' }, { id: 'a2', name: 'n', amount: 5, duration: 2 }],
        'add_ons',
      ),
    ).toEqual([
      { id: 'a1', name: undefined, description: undefined, price: undefined, duration: undefined },
      {
        id: 'a2',
        name: 'n',
        description: undefined,
        price: { amount: 5, percentage: null },
        duration: 2,
      },
    ]);
    expect(() => optionalAdjustmentRefs([{ id: 'a1' }, null], 'add_ons')).toThrow(/add_ons\[1\]/);
    expect(() => optionalAdjustmentRefs([{ id: 'a1', duration: -1 }], 'discounts')).toThrow(
      /discounts\[0\]\.duration/,
    );
  });
});

describe('reattach (replacing a subscription’s add-ons)', () => {
  const item = (sourceId: string) => ({
    sourceId,
    name: sourceId,
    description: '',
    amount: 100,
    percentage: null,
    duration: 3,
  });

  it('keeps when an add-on already attached was attached, and attaches new ones now', () => {
    const current = [
      { ...item('kept'), attachedAtBilling: 1 },
      { ...item('dropped'), attachedAtBilling: 0 },
    ];
    expect(
      reattach([item('kept'), item('new')], current, 4).map((a) => [
        a.sourceId,
        a.attachedAtBilling,
      ]),
    ).toEqual([
      ['kept', 1],
      ['new', 4],
    ]);
  });
});
