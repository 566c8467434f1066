import fc from 'fast-check';
import {
  defaultProcessingPlan,
  disputeFee,
  percentOf,
  ProcessingPlan,
  processingFee,
} from './processing-plan';

const flat = defaultProcessingPlan('2026-01-01');
const icPlus: ProcessingPlan = {
  ...flat,
  plan_type: 'INTERCHANGE_PLUS',
  auth_fee: { card: 5, ach: 0 },
  fees: { ...flat.fees, card: { percentage: 300, fixed: 10 }, ach: { percentage: 0, fixed: 25 } },
};

describe('processing fees: worked examples', () => {
  it.each<[string, ProcessingPlan, number, 'card' | 'ach', string | null, number]>([
    ['flat 2.9% + 30¢ on $100.00', flat, 10000, 'card', 'visa', 320],
    ['flat on $10.00', flat, 1000, 'card', 'mastercard', 59],
    ['flat rounds half up: 2.9% of $0.50 is 1.45¢ → 1¢, + 30¢', flat, 50, 'card', 'visa', 31],
    ['flat rounds half up: 2.9% of $12.50 is 36.25¢ → 36¢', flat, 1250, 'card', 'visa', 66],
    ['flat ACH 0.8% of $100.00', flat, 10000, 'ach', null, 80],
    ['never more than the payment', flat, 20, 'card', 'visa', 20],
    [
      'IC+ visa: 1.8% + 10¢ interchange, 0.3% + 10¢ markup, 5¢ auth fee on $100.00',
      icPlus,
      10000,
      'card',
      'visa',
      235,
    ],
    ['IC+ amex: 2.5% + 10¢ + 0.3% + 10¢ + 5¢ on $100.00', icPlus, 10000, 'card', 'amex', 305],
    ['IC+ ACH: 0.5% + 25¢ on $100.00', icPlus, 10000, 'ach', null, 75],
    ['a zero payment costs nothing', flat, 0, 'card', 'visa', 0],
  ])('%s', (_name, plan, amount, paymentType, cardBrand, fee) => {
    expect(processingFee(plan, { amount, paymentType, cardBrand })).toBe(fee);
  });

  it('charges the plan’s dispute fee unless the partner pays it', () => {
    expect(disputeFee(flat)).toBe(1500);
    expect(disputeFee({ ...flat, fees_paid_by_partner: { dispute: true } })).toBe(0);
  });

  it('percentOf rounds half away from zero exactly, even beyond float precision', () => {
    expect(percentOf(5, 10000)).toBe(1); // 0.5 → 1
    expect(percentOf(-5, 10000)).toBe(-1);
    expect(percentOf(9_007_199_254_740, 100000)).toBe(9_007_199_254_740);
  });
});

describe('processing fees: properties', () => {
  it('a fee is a whole number of cents between 0 and the payment, and grows with the amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.constantFrom(flat, icPlus),
        fc.constantFrom<'card' | 'ach'>('card', 'ach'),
        (a, b, plan, paymentType) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const f = (x: number) =>
            processingFee(plan, { amount: x, paymentType, cardBrand: 'visa' });
          expect(Number.isSafeInteger(f(lo))).toBe(true);
          expect(f(lo)).toBeGreaterThanOrEqual(0);
          expect(f(lo)).toBeLessThanOrEqual(lo);
          expect(f(lo)).toBeLessThanOrEqual(f(hi));
        },
      ),
    );
  });
});
