import fc from 'fast-check';
import { CalculateAmountsResponse, calculateAmounts, computeAmounts } from './amounts';
import { CalculateAmountsRequest, parseCalculateAmountsRequest } from './amounts-request';
import { CalcContext } from './fee-programs';
import { percentOfThousandths } from './money';
import {
  DEFAULT_CALC_POLICY,
  FEE_PROGRAMS,
  ProcessorSettings,
  defaultProcessorSettings,
  surchargeCapThousandths,
} from './processor';

const adjustment = fc.record({
  type: fc.constantFrom('flat', 'percentage'),
  value: fc.integer({ min: 0, max: 100_000 }),
  include: fc.boolean(),
});
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const list = fc.option(fc.array(adjustment, { maxLength: 3 }), { nil: undefined, freq: 2 });
const lineItem = fc.record({
  unit_price: fc.integer({ min: 0, max: 100_000 }),
  quantity: fc.constantFrom(0, 1, 2, 1.5, 0.25, 3),
  discount_amount: maybe(fc.integer({ min: 0, max: 5_000 })),
  freight_amount: maybe(fc.integer({ min: 0, max: 1_000 })),
  taxable: fc.boolean(),
  tax_rate: maybe(fc.constantFrom('8.25', '0', '10.000')),
  local_tax_rate: maybe(fc.constantFrom('1.5', '2.125')),
});
const flags = fc.record({
  skip_cash_discount: fc.boolean(),
  skip_surcharge: fc.boolean(),
  skip_service_fee: fc.boolean(),
  skip_consumer_choice: fc.boolean(),
  include_default_tax_to_total: fc.boolean(),
  tax_exempt: fc.boolean(),
  processor_surcharge_fallback: fc.boolean(),
  add_tax_to_total: fc.boolean(),
});

/** A raw request body, as a client would send it. */
const body = fc
  .record({
    payment_method: fc.constantFrom('card', 'ach'),
    transaction_type: fc.constantFrom(
      'sale',
      'sale',
      'auth',
      'refund',
      'verification',
      'void',
      'credit',
    ),
    amount: maybe(fc.integer({ min: 0, max: 10_000_000 })),
    subtotal: maybe(fc.integer({ min: 0, max: 10_000_000 })),
    line_items: fc.option(fc.array(lineItem, { maxLength: 3 }), { nil: undefined, freq: 3 }),
    discount_amount: list,
    addon_amount: list,
    additional_amounts: list,
    shipping_amount: maybe(adjustment),
    duty_amount: maybe(adjustment),
    tip_amount: maybe(adjustment),
    tax_amount: maybe(adjustment),
    national_tax_amount: maybe(adjustment),
    local_tax_amount: maybe(adjustment),
    service_fee: maybe(adjustment),
    surcharge: maybe(adjustment),
    processor_payment_adjustment: maybe(adjustment),
    cc_bin: maybe(
      fc.constantFrom(
        '4005519200000004',
        '5555555555554444',
        '4111111111111111',
        '5105105105105100',
        '4242424242424242',
      ),
    ),
    state: maybe(fc.constantFrom('IL', 'CO', 'CT', 'MA', 'NY', 'co')),
    flags: maybe(flags),
  })
  .map((b) => ({
    ...b,
    amount: b.amount ?? (b.subtotal === undefined && !b.line_items?.length ? 1000 : undefined),
  }));

const processor: fc.Arbitrary<ProcessorSettings> = fc.record({
  id: fc.constant('proc'),
  default_tax_rate_thousandths: fc.constantFrom(0, 8250, 18000),
  add_tax_to_total: fc.boolean(),
  service_fee: fc.option(
    fc.record({
      type: fc.constantFrom('flat' as const, 'percentage' as const),
      value: fc.integer({ min: 0, max: 5_000 }),
    }),
    { nil: null },
  ),
  fee_program: fc.constantFrom(...FEE_PROGRAMS),
  fee_program_rate_thousandths: fc.integer({ min: 0, max: 10_000 }),
  fee_program_cap_thousandths: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: null }),
  surcharge_fallback_thousandths: fc.option(fc.integer({ min: 0, max: 5_000 }), { nil: null }),
  surcharge_disclosure_text: fc.constant(null),
});

const context: fc.Arbitrary<CalcContext> = fc.record({
  customerFlags: fc.record({ surcharge_exempt: fc.boolean() }),
  paymentMethodFlags: fc.record({ surcharge_exempt: fc.boolean() }),
});

const parsed = body.map((b) => parseCalculateAmountsRequest(b));

function numbersIn(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => numbersIn(v, `${path}.${k}`));
}

describe('calculateAmounts: properties', () => {
  it('total is subtotal minus discounts plus every included rounded component', () => {
    fc.assert(
      fc.property(parsed, processor, context, (req, proc, ctx) => {
        const b = computeAmounts(req, proc, ctx);
        const included = [
          ...(b.addons ?? []),
          b.shipping,
          b.duty,
          b.tip,
          ...(b.additional ?? []),
          b.tax,
          b.nationalTax,
          b.localTax,
          b.serviceFee,
          b.programFee,
        ].filter((c) => c !== null && c.included);
        const expected =
          b.subtotal - (b.discount ?? 0) + included.reduce((acc, c) => acc + c!.amount, 0);
        expect(b.total).toBe(expected);

        const r = calculateAmounts(req, proc, ctx);
        expect(r.total).toBe(b.total);
        const inc = r.included_amounts;
        const reported =
          [
            inc.shipping_amount,
            inc.duty_amount,
            inc.tip_amount,
            inc.tax_amount,
            inc.national_tax_amount,
            inc.local_tax_amount,
            inc.service_fee,
            inc.surcharge,
          ].reduce<number>((acc, v) => acc + (v ?? 0), 0) +
          [...(b.addons ?? []), ...(b.additional ?? [])]
            .filter((c) => c.included)
            .reduce((acc, c) => acc + c.amount, 0);
        expect(r.total).toBe(r.subtotal - (r.discount_amount ?? 0) + reported);
        expect(r.additional_total).toBe(
          (r.additional_amounts ?? []).reduce((acc, v) => acc + v, 0),
        );
      }),
    );
  });

  it('no component is negative and every amount is a safe integer', () => {
    fc.assert(
      fc.property(parsed, processor, context, (req, proc, ctx) => {
        for (const [path, n] of numbersIn(calculateAmounts(req, proc, ctx))) {
          if (!Number.isSafeInteger(n) || n < 0) {
            // quantity is echoed and may be fractional
            if (path.endsWith('.quantity') && n >= 0) continue;
            throw new Error(`${path} = ${n}`);
          }
        }
      }),
    );
  });

  it('a fee program with a 0 rate changes nothing', () => {
    fc.assert(
      fc.property(parsed, processor, context, (req, proc, ctx) => {
        const withoutSurcharge: CalculateAmountsRequest = { ...req, surcharge: null };
        const zeroRates = {
          ...proc,
          fee_program_rate_thousandths: 0,
          surcharge_fallback_thousandths: 0,
        };
        const zero = calculateAmounts(withoutSurcharge, zeroRates, ctx);
        const none = calculateAmounts(withoutSurcharge, { ...proc, fee_program: 'none' }, ctx);
        expect(zero).toEqual(none);
        expect(zero.features).toEqual({
          surcharge: false,
          cash_discount: false,
          dual_pricing: false,
          dual_pricing_v2: false,
        });
      }),
    );
  });

  it('a 0% discount or add-on changes no total', () => {
    fc.assert(
      fc.property(parsed, processor, context, (req, proc, ctx) => {
        const zero = { type: 'percentage' as const, value: 0, include: true };
        const before = calculateAmounts(req, proc, ctx);
        const after = calculateAmounts(
          {
            ...req,
            discount_amount: [...(req.discount_amount ?? []), zero],
            addon_amount: [...(req.addon_amount ?? []), zero],
          },
          proc,
          ctx,
        );
        expect(after.total).toBe(before.total);
      }),
    );
  });

  it('ACH never carries a surcharge or any card fee', () => {
    fc.assert(
      fc.property(parsed, processor, context, (req, proc, ctx) => {
        const r = calculateAmounts({ ...req, payment_method: 'ach' }, proc, ctx);
        expect(r.surcharge).toBeNull();
        expect(r.features.surcharge || r.features.cash_discount || r.features.dual_pricing).toBe(
          false,
        );
        expect(r.display.surcharge.display).toBe(false);
      }),
    );
  });

  it('a surcharge never exceeds its cap', () => {
    fc.assert(
      fc.property(parsed, processor, context, (req, proc, ctx) => {
        const r = calculateAmounts(req, proc, ctx);
        if (!r.features.surcharge) return;
        const inc = r.included_amounts;
        const base =
          r.subtotal -
          (r.discount_amount ?? 0) +
          (inc.tax_amount ?? 0) +
          (inc.national_tax_amount ?? 0) +
          (inc.local_tax_amount ?? 0);
        const cap = surchargeCapThousandths(req.state, proc, DEFAULT_CALC_POLICY);
        expect(cap).toBeLessThanOrEqual(req.state === 'CO' ? 2000 : 3000);
        expect(r.surcharge!).toBeLessThanOrEqual(percentOfThousandths(base, cap));
        expect(r.surcharge!).toBeLessThanOrEqual(percentOfThousandths(base, 3000));
      }),
    );
  });

  it('only sales and authorizations carry a fee program', () => {
    fc.assert(
      fc.property(parsed, processor, context, (req, proc, ctx) => {
        fc.pre(req.transaction_type !== 'sale' && req.transaction_type !== 'auth');
        const r = calculateAmounts(req, proc, ctx);
        expect(Object.values(r.features).some(Boolean)).toBe(false);
      }),
    );
  });

  it('does not depend on the order of discounts, add-ons, additional amounts or line items', () => {
    const reversed = <T>(xs: T[] | null) => (xs === null ? null : [...xs].reverse());
    const stable = (r: CalculateAmountsResponse) => ({
      ...r,
      line_items:
        r.line_items === null
          ? null
          : [...r.line_items].sort((a, b) => a.amount - b.amount || a.unit_price - b.unit_price),
      additional_amounts:
        r.additional_amounts === null ? null : [...r.additional_amounts].sort((a, b) => a - b),
    });
    fc.assert(
      fc.property(parsed, processor, context, (req, proc, ctx) => {
        const a = calculateAmounts(req, proc, ctx);
        const b = calculateAmounts(
          {
            ...req,
            discount_amount: reversed(req.discount_amount),
            addon_amount: reversed(req.addon_amount),
            additional_amounts: reversed(req.additional_amounts),
            line_items: reversed(req.line_items),
          },
          proc,
          ctx,
        );
        expect(stable(b)).toEqual(stable(a));
      }),
    );
  });

  it('a processor with no settings charges exactly the subtotal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.constantFrom('card', 'ach'),
        (subtotal, payment_method) => {
          const r = calculateAmounts(
            parseCalculateAmountsRequest({
              subtotal,
              payment_method,
              transaction_type: 'sale',
              cc_bin: '4005519200000004',
            }),
            defaultProcessorSettings('p'),
          );
          expect(r.total).toBe(subtotal);
        },
      ),
    );
  });
});
