import fc from 'fast-check';
import { CalcInputError } from './errors';
import { RecurringAdjustment, appliesToBilling, recurringChargeLines } from './recurring-amount';

const flat = (
  id: string,
  amount: number,
  duration = 0,
  attachedAtBilling = 0,
): RecurringAdjustment => ({
  id,
  name: id,
  amount,
  duration,
  attachedAtBilling,
});
const percent = (
  id: string,
  percentage: number,
  duration = 0,
  attachedAtBilling = 0,
): RecurringAdjustment => ({
  id,
  name: id,
  percentage,
  duration,
  attachedAtBilling,
});

describe('appliesToBilling', () => {
  it.each([
    [0, 0, 1, true],
    [0, 0, 100, true],
    [3, 0, 3, true],
    [3, 0, 4, false],
    [2, 2, 2, false],
    [2, 2, 3, true],
    [2, 2, 4, true],
    [2, 2, 5, false],
    [0, 5, 5, false],
    [0, 5, 6, true],
  ])(
    'duration %d attached after billing %d applies to billing %d: %s',
    (duration, attachedAtBilling, k, applies) => {
      expect(appliesToBilling({ duration, attachedAtBilling }, k)).toBe(applies);
    },
  );
});

/** Worked examples; also in docs/calculation.md ("Recurring amount"). */
describe('recurringChargeLines: worked examples', () => {
  it.each<[string, Parameters<typeof recurringChargeLines>[0], number[], number]>([
    [
      'R1 the spec plan: 1.00 + 1.00 add-on - 0.50 discount',
      {
        baseAmount: 100,
        addOns: [flat('addon', 100)],
        discounts: [flat('disc', 50)],
        billingNumber: 1,
      },
      [100, 100, 50],
      150,
    ],
    [
      'R2 a 10% discount for the first 3 billings, billing 1',
      {
        baseAmount: 2000,
        addOns: [flat('a', 500)],
        discounts: [percent('d', 10000, 3)],
        billingNumber: 1,
      },
      [2000, 500, 200],
      2300,
    ],
    [
      'R2 the same at billing 4',
      {
        baseAmount: 2000,
        addOns: [flat('a', 500)],
        discounts: [percent('d', 10000, 3)],
        billingNumber: 4,
      },
      [2000, 500],
      2500,
    ],
    [
      'R3 an add-on attached after billing 2 for 2 billings, billing 2',
      { baseAmount: 1000, addOns: [flat('a', 300, 2, 2)], discounts: [], billingNumber: 2 },
      [1000],
      1000,
    ],
    [
      'R3 the same at billing 3',
      { baseAmount: 1000, addOns: [flat('a', 300, 2, 2)], discounts: [], billingNumber: 3 },
      [1000, 300],
      1300,
    ],
    [
      'R3 the same at billing 5',
      { baseAmount: 1000, addOns: [flat('a', 300, 2, 2)], discounts: [], billingNumber: 5 },
      [1000],
      1000,
    ],
    [
      'R4 a 12.500% add-on rounds half away from zero',
      { baseAmount: 999, addOns: [percent('a', 12500)], discounts: [], billingNumber: 1 },
      [999, 125],
      1124,
    ],
    [
      'R5 discounts beyond the price are scaled down to it',
      {
        baseAmount: 1000,
        addOns: [],
        discounts: [flat('x', 700), flat('y', 500)],
        billingNumber: 1,
      },
      [1000, 583, 417],
      0,
    ],
  ])('%s', (_name, input, amounts, total) => {
    const charge = recurringChargeLines(input);
    expect(charge.lines.map((l) => l.amount)).toEqual(amounts);
    expect(charge.total).toBe(total);
  });

  it('labels the lines', () => {
    const charge = recurringChargeLines({
      baseAmount: 100,
      baseName: 'Gold plan',
      addOns: [flat('addon', 100)],
      discounts: [flat('disc', 50)],
      billingNumber: 1,
    });
    expect(charge.lines).toEqual([
      { kind: 'base', id: null, name: 'Gold plan', amount: 100 },
      { kind: 'add_on', id: 'addon', name: 'addon', amount: 100 },
      { kind: 'discount', id: 'disc', name: 'disc', amount: 50 },
    ]);
  });

  it.each<[string, Parameters<typeof recurringChargeLines>[0], string]>([
    [
      'both amount and percentage',
      {
        baseAmount: 100,
        addOns: [{ ...flat('a', 1), percentage: 1000 }],
        discounts: [],
        billingNumber: 1,
      },
      'addOns[0] must have either amount or percentage, not both',
    ],
    [
      'neither amount nor percentage',
      {
        baseAmount: 100,
        addOns: [],
        discounts: [{ id: 'd', name: 'd', duration: 0, attachedAtBilling: 0 }],
        billingNumber: 1,
      },
      'discounts[0] must have an amount or a percentage',
    ],
    [
      'a percentage above 100%',
      { baseAmount: 100, addOns: [], discounts: [percent('d', 100001)], billingNumber: 1 },
      'discounts[0].percentage must not be above 100.000% (100000 thousandths), got 100001',
    ],
    [
      'a negative duration',
      { baseAmount: 100, addOns: [flat('a', 1, -1)], discounts: [], billingNumber: 1 },
      'addOns[0].duration must be an integer of at least 0, got -1',
    ],
    [
      'billing number 0',
      { baseAmount: 100, addOns: [], discounts: [], billingNumber: 0 },
      'billingNumber must be an integer of at least 1, got 0',
    ],
    [
      'a fractional base amount',
      { baseAmount: 99.5, addOns: [], discounts: [], billingNumber: 1 },
      'baseAmount must be an integer number of cents (100 = 1.00), got 99.5',
    ],
  ])('rejects %s', (_name, input, message) => {
    expect(() => recurringChargeLines(input)).toThrow(CalcInputError);
    expect(() => recurringChargeLines(input)).toThrow(message);
  });
});

const adjustmentArb = (attachedMax: number, durationMax: number) =>
  fc
    .record({
      id: fc.string({ minLength: 1, maxLength: 4 }),
      name: fc.constant('x'),
      duration: fc.integer({ min: 0, max: durationMax }),
      attachedAtBilling: fc.integer({ min: 0, max: attachedMax }),
      priced: fc.oneof(
        fc.integer({ min: 0, max: 100000 }).map((amount) => ({ amount })),
        fc.integer({ min: 0, max: 100000 }).map((percentage) => ({ percentage })),
      ),
    })
    .map(({ priced, ...rest }): RecurringAdjustment => ({ ...rest, ...priced }));

describe('recurringChargeLines: properties', () => {
  it('with every duration 0 and attached at creation, every billing costs the same', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(adjustmentArb(0, 0), { maxLength: 4 }),
        fc.array(adjustmentArb(0, 0), { maxLength: 4 }),
        fc.integer({ min: 1, max: 500 }),
        (baseAmount, addOns, discounts, k) => {
          const first = recurringChargeLines({ baseAmount, addOns, discounts, billingNumber: 1 });
          const kth = recurringChargeLines({ baseAmount, addOns, discounts, billingNumber: k });
          expect(kth).toEqual(first);
        },
      ),
    );
  });

  it('the total is never negative and the lines add up to it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(adjustmentArb(5, 5), { maxLength: 4 }),
        fc.array(adjustmentArb(5, 5), { maxLength: 6 }),
        fc.integer({ min: 1, max: 12 }),
        (baseAmount, addOns, discounts, k) => {
          const { lines, total } = recurringChargeLines({
            baseAmount,
            addOns,
            discounts,
            billingNumber: k,
          });
          expect(total).toBeGreaterThanOrEqual(0);
          const signed = lines.reduce(
            (acc, l) => (l.kind === 'discount' ? acc - l.amount : acc + l.amount),
            0,
          );
          expect(signed).toBe(total);
          expect(lines.every((l) => l.amount >= 0)).toBe(true);
        },
      ),
    );
  });

  it('does not depend on the order of add-ons and discounts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(adjustmentArb(5, 5), { maxLength: 4 }),
        fc.array(adjustmentArb(5, 5), { maxLength: 6 }),
        fc.integer({ min: 1, max: 12 }),
        (baseAmount, addOns, discounts, k) => {
          const a = recurringChargeLines({ baseAmount, addOns, discounts, billingNumber: k });
          const b = recurringChargeLines({
            baseAmount,
            addOns: [...addOns].reverse(),
            discounts: [...discounts].reverse(),
            billingNumber: k,
          });
          expect(b.total).toBe(a.total);
          const key = (l: { kind: string; id: string | null; amount: number }) =>
            `${l.kind}|${l.id}|${l.amount}`;
          expect(b.lines.map(key).sort()).toEqual(a.lines.map(key).sort());
        },
      ),
    );
  });
});
