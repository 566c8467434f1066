import {
  DEFAULT_CALC_POLICY,
  assertProcessorSettings,
  defaultProcessorSettings,
  surchargeCapThousandths,
} from './processor';

describe('processor settings', () => {
  it('defaults to no tax, no fees and no fee program', () => {
    expect(defaultProcessorSettings('proc_1')).toEqual({
      id: 'proc_1',
      default_tax_rate_thousandths: 0,
      add_tax_to_total: false,
      service_fee: null,
      fee_program: 'none',
      fee_program_rate_thousandths: 0,
      fee_program_cap_thousandths: null,
      surcharge_fallback_thousandths: null,
      surcharge_disclosure_text: null,
    });
  });

  it('accepts valid settings and rejects a rate above 100%', () => {
    expect(() => assertProcessorSettings(defaultProcessorSettings('p'))).not.toThrow();
    expect(() =>
      assertProcessorSettings({
        ...defaultProcessorSettings('p'),
        fee_program_rate_thousandths: 100001,
      }),
    ).toThrow('processor.fee_program_rate_thousandths must not be above 100.000%');
    expect(() =>
      assertProcessorSettings({
        ...defaultProcessorSettings('p'),
        service_fee: { type: 'flat', value: 1.5 },
      }),
    ).toThrow('processor.service_fee.value must be an integer number of cents');
  });
});

describe('surcharge cap', () => {
  const processor = defaultProcessorSettings('p');

  it.each([
    ['IL', null, 3000],
    [null, null, 3000],
    ['CO', null, 2000],
    ['IL', 2500, 2500],
    ['CO', 2500, 2000],
    ['CO', 1000, 1000],
    ['IL', 4000, 3000],
  ])('in %s with a processor cap of %s it is %d thousandths', (state, own, cap) => {
    expect(
      surchargeCapThousandths(
        state,
        { ...processor, fee_program_cap_thousandths: own },
        DEFAULT_CALC_POLICY,
      ),
    ).toBe(cap);
  });

  it('bans CT, MA, ME and PR by default', () => {
    expect(DEFAULT_CALC_POLICY.surchargeBannedStates).toEqual(['CT', 'MA', 'ME', 'PR']);
  });
});
