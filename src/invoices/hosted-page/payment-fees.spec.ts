import { moneyFormat } from '../../platform/money/currency';

const USD = moneyFormat('USD', 'en-US');
import { defaultProcessorSettings, ProcessorSettings } from '../../billing-calc';
import { chargeFor, feeNotice } from './payment-fees';

const plain = defaultProcessorSettings('p_plain');
const surcharging: ProcessorSettings = {
  ...defaultProcessorSettings('p_surcharge'),
  fee_program: 'surcharge',
  fee_program_rate_thousandths: 3000,
  surcharge_disclosure_text: 'A 3% surcharge applies to credit cards.',
};

describe('hosted page fees', () => {
  it('shows nothing when the processor charges no fees', () => {
    expect(feeNotice(25000, USD, plain, plain, 'IL')).toEqual({
      show: false,
      lines: [],
      disclosure: '',
      cardTotal: '$250.00',
      achTotal: '$250.00',
    });
  });

  it('shows the credit card surcharge and its disclosure before paying', () => {
    const notice = feeNotice(25000, USD, surcharging, plain, 'IL');
    expect(notice.show).toBe(true);
    expect(notice.lines).toEqual([
      'Credit cards: a surcharge of $7.50 is added ($257.50 in all). Debit and prepaid cards carry no surcharge.',
    ]);
    expect(notice.disclosure).toBe('A 3% surcharge applies to credit cards.');
  });

  it('never shows a surcharge where the state forbids it', () => {
    expect(feeNotice(25000, USD, surcharging, null, 'CT').show).toBe(false);
  });

  it('charges the surcharge on a credit card only', () => {
    expect(
      chargeFor(25000, { kind: 'card', cardNumber: '4005519200000004' }, surcharging, 'IL'),
    ).toEqual({
      amount: 25000,
      surcharge: 750,
      serviceFee: 0,
      charged: 25750,
    });
    expect(
      chargeFor(25000, { kind: 'card', cardNumber: '4111111111111111' }, surcharging, 'IL').charged,
    ).toBe(25000);
    expect(chargeFor(25000, { kind: 'ach' }, surcharging, 'IL').charged).toBe(25000);
  });
});
