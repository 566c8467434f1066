import { calculateAmounts, parseCalculateAmountsRequest } from './amounts';
import { CalcContext, SurchargeSkipReason, decideSurcharge } from './fee-programs';
import { DEFAULT_CALC_POLICY, defaultProcessorSettings } from './processor';

const SURCHARGE_3 = {
  ...defaultProcessorSettings('surcharge'),
  fee_program: 'surcharge' as const,
  fee_program_rate_thousandths: 3000,
};
const sale = {
  subtotal: 10000,
  currency: 'USD',
  payment_method: 'card',
  transaction_type: 'sale',
  state: 'IL',
  cc_bin: '4005519200000004',
};

/** The surcharge exclusion rules; the same table is in docs/calculation.md. */
describe('surcharge exclusion rules', () => {
  it('applies to a credit card sale in Illinois', () => {
    const req = parseCalculateAmountsRequest(sale);
    expect(decideSurcharge(req, SURCHARGE_3, {})).toMatchObject({
      applies: true,
      capThousandths: 3000,
    });
    expect(calculateAmounts(req, SURCHARGE_3).surcharge).toBe(300);
  });

  it.each<[string, Record<string, unknown>, CalcContext, SurchargeSkipReason]>([
    ['an ACH payment', { payment_method: 'ach' }, {}, 'payment_method_ach'],
    ['a refund', { transaction_type: 'refund' }, {}, 'transaction_type'],
    ['a verification', { transaction_type: 'verification' }, {}, 'transaction_type'],
    ['a credit', { transaction_type: 'credit' }, {}, 'transaction_type'],
    ['flags.skip_surcharge', { flags: { skip_surcharge: true } }, {}, 'skip_surcharge_flag'],
    [
      'a surcharge-exempt customer',
      {},
      { customerFlags: { surcharge_exempt: true } },
      'customer_exempt',
    ],
    [
      'a surcharge-exempt payment method',
      {},
      { paymentMethodFlags: { surcharge_exempt: true } },
      'payment_method_exempt',
    ],
    ['billing state CT', { state: 'CT' }, {}, 'state_banned'],
    ['billing state MA', { state: 'MA' }, {}, 'state_banned'],
    ['billing state ME', { state: 'me' }, {}, 'state_banned'],
    ['billing state PR', { state: 'PR' }, {}, 'state_banned'],
    ['a debit card', { cc_bin: '4111111111111111' }, {}, 'card_debit'],
    ['a prepaid card', { cc_bin: '5105105105105100' }, {}, 'card_prepaid'],
    ['no BIN', { cc_bin: null }, {}, 'card_unknown'],
    ['a BIN outside the table', { cc_bin: '4242424242424242' }, {}, 'card_unknown'],
    [
      'the fallback flag without a fallback rate',
      { cc_bin: null, flags: { processor_surcharge_fallback: true } },
      {},
      'card_unknown',
    ],
    [
      'a state banned by a custom policy',
      { state: 'NY' },
      { policy: { ...DEFAULT_CALC_POLICY, surchargeBannedStates: ['NY'] } },
      'state_banned',
    ],
  ])('never surcharges %s', (_scenario, change, context, reason) => {
    const req = parseCalculateAmountsRequest({ ...sale, ...change });
    expect(decideSurcharge(req, SURCHARGE_3, context)).toEqual({ applies: false, reason });
    const data = calculateAmounts(req, SURCHARGE_3, context);
    expect(data.surcharge).toBeNull();
    expect(data.features.surcharge).toBe(false);
    expect(data.display.surcharge).toEqual({ value: 0, display: false });
    expect(data.disclaimer.display).toBe(false);
    expect(data.total).toBe(10000);
  });

  it('applies the rules to a surcharge named in the request too', () => {
    const req = parseCalculateAmountsRequest({
      ...sale,
      cc_bin: '4111111111111111',
      surcharge: { type: 'percentage', value: 2000, include: true },
    });
    expect(calculateAmounts(req, SURCHARGE_3).surcharge).toBeNull();
  });

  it('lets a custom BIN database decide the funding', () => {
    const req = parseCalculateAmountsRequest({ ...sale, cc_bin: '4242424242424242' });
    const context: CalcContext = {
      binLookup: () => ({ brand: 'visa', funding: 'credit', source: 'table' }),
    };
    expect(calculateAmounts(req, SURCHARGE_3, context).surcharge).toBe(300);
  });

  it('ignores a request surcharge when the processor runs a cash discount program', () => {
    const cash = {
      ...SURCHARGE_3,
      fee_program: 'cash_discount' as const,
      fee_program_rate_thousandths: 4000,
    };
    const req = parseCalculateAmountsRequest({
      ...sale,
      surcharge: { type: 'percentage', value: 2000, include: true },
    });
    const data = calculateAmounts(req, cash);
    expect(data.features).toMatchObject({ surcharge: false, cash_discount: true });
    expect(data.surcharge).toBe(400);
  });

  it('a zero rate is no surcharge at all', () => {
    const req = parseCalculateAmountsRequest(sale);
    expect(decideSurcharge(req, { ...SURCHARGE_3, fee_program_rate_thousandths: 0 }, {})).toEqual({
      applies: false,
      reason: 'zero_rate',
    });
  });
});

describe('fee programs never touch ACH or non-sales', () => {
  it.each(['cash_discount', 'dual_pricing'] as const)(
    '%s adds nothing to an ACH payment',
    (program) => {
      const processor = {
        ...SURCHARGE_3,
        fee_program: program,
        fee_program_rate_thousandths: 4000,
      };
      const data = calculateAmounts(
        parseCalculateAmountsRequest({ ...sale, payment_method: 'ach' }),
        processor,
      );
      expect(data.surcharge).toBeNull();
      expect(data.total).toBe(10000);
    },
  );

  it.each(['cash_discount', 'dual_pricing', 'dual_pricing_v2'] as const)(
    '%s does nothing on a refund',
    (program) => {
      const processor = {
        ...SURCHARGE_3,
        fee_program: program,
        fee_program_rate_thousandths: 4000,
      };
      for (const payment_method of ['card', 'ach']) {
        const data = calculateAmounts(
          parseCalculateAmountsRequest({ ...sale, payment_method, transaction_type: 'refund' }),
          processor,
        );
        expect(data.total).toBe(10000);
        expect(Object.values(data.features)).toEqual([false, false, false, false]);
      }
    },
  );

  it('an auth is treated like a sale', () => {
    const data = calculateAmounts(
      parseCalculateAmountsRequest({ ...sale, transaction_type: 'auth' }),
      SURCHARGE_3,
    );
    expect(data.surcharge).toBe(300);
  });
});
