import fc from 'fast-check';
import { CalcInputError } from './errors';
import {
  Money,
  formatThousandths,
  percentOfThousandths,
  rateStringToDecimal,
  rateStringToThousandths,
  requireCents,
  requireThousandths,
  roundCents,
  sumCents,
} from './money';

describe('roundCents', () => {
  it.each([
    ['0.5', 1],
    ['1.5', 2],
    ['2.5', 3],
    ['2.4999', 2],
    ['82.9125', 83],
    ['-0.5', -1],
    ['-2.5', -3],
    ['-0.4', 0],
  ])('rounds %s half away from zero to %d', (input, expected) => {
    expect(roundCents(new Money(input))).toBe(expected);
  });

  it('refuses a result beyond the safe integer range', () => {
    expect(() => roundCents(new Money('9007199254740993'))).toThrow(CalcInputError);
  });
});

describe('percentOfThousandths', () => {
  it.each([
    [1000, 18000, 180], // the spec sample: 18.000% of 10.00
    [1010, 5000, 51], // 50.5 rounds up
    [1005, 8250, 83], // 82.9125
    [9201, 3000, 276], // 276.03
    [10000, 100000, 10000], // 100.000%
    [12345, 0, 0],
  ])('%d cents at %d thousandths is %d cents', (base, thousandths, expected) => {
    expect(percentOfThousandths(base, thousandths)).toBe(expected);
  });

  it('never exceeds the base for a rate of at most 100%', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 100000 }),
        (base, t) => {
          const p = percentOfThousandths(base, t);
          return p >= 0 && p <= base;
        },
      ),
    );
  });
});

describe('rate strings', () => {
  it.each([
    ['10.25', 10250],
    ['8.250', 8250],
    ['8.2500', 8250],
    ['0', 0],
    ['100', 100000],
    [' 6.5 ', 6500],
  ])('%j is %d thousandths', (rate, thousandths) => {
    expect(rateStringToThousandths(rate, 'tax_rate')).toBe(thousandths);
  });

  it('gives the fraction for multiplying', () => {
    expect(rateStringToDecimal('10.25').toString()).toBe('0.1025');
  });

  it.each([
    ['abc', 'tax_rate must be a percentage string like "10.25", got "abc"'],
    ['-1', 'tax_rate must be a percentage string like "10.25", got "-1"'],
    ['8.2555', 'tax_rate must have at most 3 decimal places (like "8.250"), got "8.2555"'],
    ['100.001', 'tax_rate must not be above 100.000%, got "100.001"'],
  ])('rejects %j', (rate, message) => {
    expect(() => rateStringToThousandths(rate, 'tax_rate')).toThrow(message);
  });

  it('formats thousandths back', () => {
    expect(formatThousandths(3990)).toBe('3.990');
    expect(formatThousandths(10250)).toBe('10.250');
    expect(formatThousandths(5)).toBe('0.005');
    expect(formatThousandths(100000)).toBe('100.000');
  });
});

describe('cent and percentage validators', () => {
  it.each([
    [12.5, 'amount must be an integer number of cents (100 = 1.00), got 12.5'],
    [-1, 'amount must not be negative, got -1'],
    ['100', 'amount must be an integer number of cents, got "100"'],
    [2 ** 53, 'amount is too large, got 9007199254740992'],
  ])('requireCents rejects %j', (value, message) => {
    expect(() => requireCents(value, 'amount')).toThrow(message);
  });

  it('names the field on the error', () => {
    try {
      requireThousandths(100001, 'surcharge.value');
      throw new Error('expected a CalcInputError');
    } catch (err) {
      expect(err).toBeInstanceOf(CalcInputError);
      expect((err as CalcInputError).field).toBe('surcharge.value');
      expect((err as CalcInputError).message).toBe(
        'surcharge.value must not be above 100.000% (100000 thousandths), got 100001',
      );
    }
  });

  it('sums cents exactly', () => {
    expect(sumCents([1, 2, 3])).toBe(6);
    expect(sumCents([])).toBe(0);
    expect(Object.is(sumCents([-0]), 0)).toBe(true);
    // A running sum that leaves the safe range and comes back is still exact.
    const max = Number.MAX_SAFE_INTEGER;
    expect(sumCents([max, 1, -2])).toBe(max - 1);
    expect(() => sumCents([max, 1])).toThrow(CalcInputError);
  });

  it('sums like the decimal library, whatever the values (the integer fast path)', () => {
    const cents = fc.oneof(
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
      fc.maxSafeInteger(),
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(cents, { maxLength: 8 }), (values) => {
        const exact = values.reduce((acc, v) => acc.plus(v), new Money(0));
        const rounded = exact.toDecimalPlaces(0, Money.ROUND_HALF_UP);
        if (rounded.abs().greaterThan(Number.MAX_SAFE_INTEGER)) {
          expect(() => sumCents(values)).toThrow(CalcInputError);
        } else {
          expect(sumCents(values)).toBe(rounded.toNumber() + 0);
        }
      }),
    );
  });
});
