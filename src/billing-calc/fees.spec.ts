import { CalcInputError } from './errors';
import { lookupFees, parseLookupFeesRequest } from './fees';
import { DEFAULT_CALC_POLICY, ProcessorSettings, defaultProcessorSettings } from './processor';

const PLAIN = defaultProcessorSettings('plain');
/** The spec sample's body. */
const SAMPLE_BODY = {
  type: 'integrations',
  type_id: '',
  state: 'IL',
  bin: '517246700',
  payment_method: 'card',
  base_amount: 1000,
};

describe('lookupFees', () => {
  it('reproduces the spec sample (surcharge 350 on 1000) only with the 3% cap lifted', () => {
    // 350 on 1000 is 35.000%: the sample's processor charges far above the card networks' 3.000% ceiling.
    const processor = {
      ...PLAIN,
      fee_program: 'surcharge' as const,
      fee_program_rate_thousandths: 35000,
    };
    const uncapped = { policy: { ...DEFAULT_CALC_POLICY, surchargeCapThousandths: 100000 } };
    expect(lookupFees(parseLookupFeesRequest(SAMPLE_BODY), processor, uncapped)).toEqual({
      service_fee: 0,
      payment_adjustment: { value: 0, type: '' },
      requested_amount: 1350,
      discount_amount: null,
      surcharge: 350,
    });
  });

  it('caps the same request at 3.000% under the default policy', () => {
    const processor = {
      ...PLAIN,
      fee_program: 'surcharge' as const,
      fee_program_rate_thousandths: 35000,
    };
    expect(lookupFees(parseLookupFeesRequest(SAMPLE_BODY), processor)).toEqual({
      service_fee: 0,
      payment_adjustment: { value: 0, type: '' },
      requested_amount: 1030,
      discount_amount: null,
      surcharge: 30,
    });
  });

  // Also in docs/calculation.md ("Lookup fees").
  it.each<[string, Record<string, unknown>, ProcessorSettings, Record<string, unknown>]>([
    [
      'F1 surcharge 3.000% with a 1.00 service fee',
      {},
      {
        ...PLAIN,
        fee_program: 'surcharge',
        fee_program_rate_thousandths: 3000,
        service_fee: { type: 'flat', value: 100 },
      },
      {
        service_fee: 100,
        surcharge: 30,
        requested_amount: 1130,
        payment_adjustment: { value: 0, type: '' },
      },
    ],
    [
      'F2 surcharge on ACH',
      { payment_method: 'ach' },
      { ...PLAIN, fee_program: 'surcharge', fee_program_rate_thousandths: 3000 },
      { surcharge: 0, requested_amount: 1000 },
    ],
    [
      'F3 cash discount 4.000%',
      {},
      { ...PLAIN, fee_program: 'cash_discount', fee_program_rate_thousandths: 4000 },
      {
        surcharge: 0,
        payment_adjustment: { value: 40, type: 'flat' },
        requested_amount: 1040,
        discount_amount: null,
      },
    ],
    [
      'F4 dual pricing v2 4.000% paid by ACH',
      { payment_method: 'ach' },
      { ...PLAIN, fee_program: 'dual_pricing_v2', fee_program_rate_thousandths: 4000 },
      { surcharge: 0, discount_amount: 38, requested_amount: 962 },
    ],
    [
      'F5 no tax is added to the base',
      {},
      { ...PLAIN, default_tax_rate_thousandths: 18000, add_tax_to_total: true },
      { requested_amount: 1000 },
    ],
  ])('%s', (_name, change, processor, expected) => {
    expect(
      lookupFees(parseLookupFeesRequest({ ...SAMPLE_BODY, ...change }), processor),
    ).toMatchObject(expected);
  });

  it('honours a surcharge-exempt customer', () => {
    const processor = {
      ...PLAIN,
      fee_program: 'surcharge' as const,
      fee_program_rate_thousandths: 3000,
    };
    const fees = lookupFees(parseLookupFeesRequest(SAMPLE_BODY), processor, {
      customerFlags: { surcharge_exempt: true },
    });
    expect(fees.surcharge).toBe(0);
  });
});

describe('parseLookupFeesRequest', () => {
  it.each([
    [{ ...SAMPLE_BODY, type: 'other' }, 'type', `type must be one of 'integrations', got "other"`],
    [
      { ...SAMPLE_BODY, payment_method: 'cash' },
      'payment_method',
      `payment_method must be one of 'card', 'ach', got "cash"`,
    ],
    [{ ...SAMPLE_BODY, base_amount: undefined }, 'base_amount', 'base_amount is required'],
    [
      { ...SAMPLE_BODY, base_amount: 10.5 },
      'base_amount',
      'base_amount must be an integer number of cents (100 = 1.00), got 10.5',
    ],
    [{ ...SAMPLE_BODY, bin: '1234' }, 'bin', 'bin must be 6 to 19 digits of a card number'],
  ])('rejects %j', (body, field, message) => {
    let caught: unknown;
    try {
      parseLookupFeesRequest(body);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CalcInputError);
    expect((caught as CalcInputError).field).toBe(field);
    expect((caught as CalcInputError).message).toBe(message);
  });
});
