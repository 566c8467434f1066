import { calculateAmounts, computeAmounts, parseCalculateAmountsRequest } from './amounts';
import { CalcContext } from './fee-programs';
import { ProcessorSettings, defaultProcessorSettings } from './processor';

/** The processor behind the spec's sample: 18.000% default tax added to the total, 3.50 service fee. */
const SAMPLE_PROCESSOR: ProcessorSettings = {
  ...defaultProcessorSettings('<processor id>'),
  default_tax_rate_thousandths: 18000,
  add_tax_to_total: true,
  service_fee: { type: 'flat', value: 350 },
};
const PLAIN = defaultProcessorSettings('plain');
const SURCHARGE_3_5 = {
  ...PLAIN,
  id: 'surcharge',
  fee_program: 'surcharge' as const,
  fee_program_rate_thousandths: 3500,
};
const CASH_DISCOUNT_4 = {
  ...PLAIN,
  id: 'cash',
  fee_program: 'cash_discount' as const,
  fee_program_rate_thousandths: 4000,
};
const DUAL_4_TAX = {
  ...PLAIN,
  id: 'dual',
  fee_program: 'dual_pricing' as const,
  fee_program_rate_thousandths: 4000,
  default_tax_rate_thousandths: 8250,
  add_tax_to_total: true,
};
const DUAL_V2_4 = {
  ...PLAIN,
  id: 'dual2',
  fee_program: 'dual_pricing_v2' as const,
  fee_program_rate_thousandths: 4000,
};

const CREDIT = '4005519200000004';
const sale = {
  currency: 'USD',
  payment_method: 'card',
  transaction_type: 'sale',
  state: 'IL',
  cc_bin: CREDIT,
};

function calc(
  body: Record<string, unknown>,
  processor: ProcessorSettings,
  context: CalcContext = {},
) {
  return calculateAmounts(parseCalculateAmountsRequest(body), processor, context);
}

describe('calculateAmounts: the spec sample', () => {
  it('matches the documented response for amount 1000 with 18% default tax and a 3.50 service fee', () => {
    const data = calc(
      {
        processor_id: '<processor id>',
        amount: 1000,
        subtotal: 1000,
        currency: 'USD',
        payment_method: 'card',
        transaction_type: 'sale',
      },
      SAMPLE_PROCESSOR,
    );
    // Copied from the spec ("Amount calculation" response `data`).
    expect(data).toEqual({
      line_items: null,
      shipping_amount: null,
      discount_amount: null,
      freight_amount: null,
      addon_amount: null,
      duty_amount: null,
      tip_amount: null,
      additional_amounts: null,
      tax_amount: 180,
      national_tax_amount: null,
      local_tax_amount: null,
      service_fee: 350,
      surcharge: null,
      processor_id: '<processor id>',
      payment_method: 'card',
      included_amounts: {
        shipping_amount: null,
        discount_amount: null,
        duty_amount: null,
        tip_amount: null,
        tax_amount: 180,
        national_tax_amount: null,
        local_tax_amount: null,
        service_fee: 350,
        surcharge: null,
      },
      subtotal: 1000,
      amount: 1000,
      additional_total: 0,
      total: 1530,
      features: {
        surcharge: false,
        cash_discount: false,
        dual_pricing: false,
        dual_pricing_v2: false,
      },
      display: {
        subtotal: { value: 1000, display: true },
        amount: { value: 1000, display: true },
        shipping: { value: 0, display: false },
        freight: { value: 0, display: false },
        duty: { value: 0, display: false },
        discount: { value: 0, display: false },
        service_fee: { value: 350, display: true },
        surcharge: { value: 0, display: false },
        tax: { value: 180, display: true },
        national_tax: { value: 0, display: false },
        local_tax: { value: 0, display: false },
        tip: { value: 0, display: false },
        total: { value: 1530, display: true },
        consumer_choice: { card: 0, ach: 0, display: false },
      },
      disclaimer: { text: '', html: '', display: false },
    });
  });
});

/**
 * Worked examples. Each row is also in docs/calculation.md ("Worked examples"),
 * with the arithmetic spelled out.
 */
describe('calculateAmounts: worked examples', () => {
  type Row = [
    string,
    Record<string, unknown>,
    ProcessorSettings,
    CalcContext,
    Partial<ReturnType<typeof calculateAmounts>>,
  ];
  it.each<Row>([
    [
      'A1 spec sample',
      { amount: 1000, subtotal: 1000, payment_method: 'card', transaction_type: 'sale' },
      SAMPLE_PROCESSOR,
      {},
      { tax_amount: 180, service_fee: 350, total: 1530 },
    ],
    [
      'A2 half a cent rounds away from zero',
      { ...sale, subtotal: 1010, tax_amount: { type: 'percentage', value: 5000, include: true } },
      PLAIN,
      {},
      { tax_amount: 51, total: 1061 },
    ],
    [
      'A3 every step in order',
      {
        ...sale,
        subtotal: 10000,
        discount_amount: [
          { type: 'percentage', value: 10000 },
          { type: 'flat', value: 500 },
        ],
        shipping_amount: { type: 'flat', value: 800, include: true },
        tip_amount: { type: 'percentage', value: 15000, include: true },
        tax_amount: { type: 'percentage', value: 8250, include: true },
        service_fee: { type: 'percentage', value: 2000, include: true },
      },
      SURCHARGE_3_5,
      {},
      {
        discount_amount: 1500,
        shipping_amount: 800,
        tip_amount: 1500,
        tax_amount: 701,
        service_fee: 184,
        surcharge: 276,
        total: 11961,
      },
    ],
    [
      'A4 line items with their own taxes skip the default tax',
      {
        payment_method: 'card',
        transaction_type: 'sale',
        line_items: [
          {
            id: 'rope',
            name: 'Rope',
            unit_price: 1999,
            quantity: 3,
            discount_amount: 500,
            freight_amount: 300,
            taxable: true,
            local_tax_rate: '2.5',
            national_tax_rate: '6.25',
          },
          { id: 'chain', name: 'Chain', unit_price: 250, quantity: 1.5 },
        ],
      },
      SAMPLE_PROCESSOR,
      {},
      {
        subtotal: 6679,
        amount: 6679,
        freight_amount: 300,
        tax_amount: null,
        service_fee: 350,
        total: 7029,
      },
    ],
    [
      'A5 cash discount on a card',
      { ...sale, subtotal: 2500, tax_amount: { type: 'flat', value: 200, include: true } },
      CASH_DISCOUNT_4,
      {},
      { surcharge: 108, total: 2808 },
    ],
    [
      'A6 dual pricing taxes its own fee',
      { ...sale, subtotal: 2500 },
      DUAL_4_TAX,
      {},
      { surcharge: 100, tax_amount: 215, total: 2815 },
    ],
    [
      'A6 dual pricing paid by ACH',
      { ...sale, payment_method: 'ach', subtotal: 2500 },
      DUAL_4_TAX,
      {},
      { surcharge: null, tax_amount: 206, total: 2706 },
    ],
    [
      'A7 dual pricing v2 on a card keeps the posted price',
      { ...sale, subtotal: 1000 },
      DUAL_V2_4,
      {},
      { surcharge: null, discount_amount: null, total: 1000 },
    ],
    [
      'A7 dual pricing v2 paid by ACH gets the cash price',
      { ...sale, payment_method: 'ach', subtotal: 1000 },
      DUAL_V2_4,
      {},
      { surcharge: null, discount_amount: 38, total: 962 },
    ],
    [
      'A8 surcharge capped at 3.000%',
      { ...sale, subtotal: 10000 },
      SURCHARGE_3_5,
      {},
      { surcharge: 300, total: 10300 },
    ],
    [
      'A8 surcharge capped at 2.000% in Colorado',
      { ...sale, subtotal: 10000, state: 'CO' },
      SURCHARGE_3_5,
      {},
      { surcharge: 200, total: 10200 },
    ],
    [
      'A8 surcharge capped by the processor',
      { ...sale, subtotal: 10000 },
      { ...SURCHARGE_3_5, fee_program_cap_thousandths: 2500 },
      {},
      { surcharge: 250, total: 10250 },
    ],
    [
      'A9 surcharge named in the request',
      { ...sale, subtotal: 10000, surcharge: { type: 'percentage', value: 1500, include: true } },
      PLAIN,
      {},
      { surcharge: 150, total: 10150 },
    ],
    [
      'A9 flat surcharge named in the request, capped',
      { ...sale, subtotal: 10000, surcharge: { type: 'flat', value: 500, include: true } },
      PLAIN,
      {},
      { surcharge: 300, total: 10300 },
    ],
    [
      'A10 processor fallback rate for an unknown card',
      { ...sale, cc_bin: null, subtotal: 10000, flags: { processor_surcharge_fallback: true } },
      { ...SURCHARGE_3_5, surcharge_fallback_thousandths: 2000 },
      {},
      { surcharge: 200, total: 10200 },
    ],
    [
      'A11 tax exempt',
      { ...sale, amount: 1000, flags: { tax_exempt: true } },
      SAMPLE_PROCESSOR,
      {},
      { tax_amount: 0, national_tax_amount: 0, local_tax_amount: 0, service_fee: 350, total: 1350 },
    ],
    [
      'A12 default tax not added to the total',
      { ...sale, amount: 1000 },
      { ...PLAIN, default_tax_rate_thousandths: 10000 },
      {},
      { tax_amount: 100, total: 1000 },
    ],
    [
      'A12 default tax added by include_default_tax_to_total',
      { ...sale, amount: 1000, flags: { include_default_tax_to_total: true } },
      { ...PLAIN, default_tax_rate_thousandths: 10000 },
      {},
      { tax_amount: 100, total: 1100 },
    ],
    [
      'A13 skip_service_fee',
      { ...sale, amount: 1000, flags: { skip_service_fee: true } },
      SAMPLE_PROCESSOR,
      {},
      { service_fee: null, total: 1180 },
    ],
    [
      'A14 discounts stop at the subtotal',
      {
        ...sale,
        subtotal: 1000,
        discount_amount: [
          { type: 'percentage', value: 60000 },
          { type: 'percentage', value: 60000 },
        ],
      },
      PLAIN,
      {},
      { discount_amount: 1000, total: 0 },
    ],
    [
      'A15 additional amounts and add-ons',
      {
        ...sale,
        subtotal: 2000,
        addon_amount: [{ type: 'flat', value: 250, include: true }],
        additional_amounts: [
          { type: 'flat', value: 100, include: true },
          { type: 'percentage', value: 5000 },
        ],
      },
      PLAIN,
      {},
      { addon_amount: 250, additional_amounts: [100, 100], additional_total: 200, total: 2350 },
    ],
  ])('%s', (_name, body, processor, context, expected) => {
    expect(calc(body, processor, context)).toMatchObject(expected);
  });
});

describe('calculateAmounts: fee program presentation', () => {
  it('shows a surcharge as its own line, with a disclosure and both prices', () => {
    const data = calc({ ...sale, subtotal: 10000 }, SURCHARGE_3_5);
    expect(data.features).toEqual({
      surcharge: true,
      cash_discount: false,
      dual_pricing: false,
      dual_pricing_v2: false,
    });
    expect(data.display.surcharge).toEqual({ value: 300, display: true });
    expect(data.included_amounts.surcharge).toBe(300);
    expect(data.display.consumer_choice).toEqual({ card: 10300, ach: 10000, display: true });
    expect(data.disclaimer).toEqual({
      text:
        'A surcharge of 3.000% is added to payments made by credit card. It is not greater than our cost ' +
        'of accepting credit cards. No surcharge is added to debit card, prepaid card or ACH payments.',
      html:
        '<p>A surcharge of 3.000% is added to payments made by credit card. It is not greater than our cost ' +
        'of accepting credit cards. No surcharge is added to debit card, prepaid card or ACH payments.</p>',
      display: true,
    });
  });

  it("uses the processor's own disclosure text, escaped for HTML", () => {
    const data = calc(
      { ...sale, subtotal: 10000 },
      { ...SURCHARGE_3_5, surcharge_disclosure_text: 'Cards cost 3% <more>' },
    );
    expect(data.disclaimer).toEqual({
      text: 'Cards cost 3% <more>',
      html: '<p>Cards cost 3% &lt;more&gt;</p>',
      display: true,
    });
  });

  it('folds a cash discount fee into the card price instead of a surcharge line', () => {
    const data = calc(
      { ...sale, subtotal: 2500, tax_amount: { type: 'flat', value: 200, include: true } },
      CASH_DISCOUNT_4,
    );
    expect(data.features.cash_discount).toBe(true);
    expect(data.features.surcharge).toBe(false);
    expect(data.display.surcharge).toEqual({ value: 108, display: false });
    expect(data.display.consumer_choice).toEqual({ card: 2808, ach: 2700, display: true });
    expect(data.disclaimer.display).toBe(false);
  });

  it('cash discount applies to debit cards and in surcharge-banning states', () => {
    const data = calc(
      { ...sale, subtotal: 2500, cc_bin: '4111111111111111', state: 'CT' },
      CASH_DISCOUNT_4,
    );
    expect(data.surcharge).toBe(100);
  });

  it('skip_cash_discount turns off cash discount and dual pricing', () => {
    expect(
      calc({ ...sale, subtotal: 2500, flags: { skip_cash_discount: true } }, CASH_DISCOUNT_4)
        .surcharge,
    ).toBeNull();
    expect(
      calc({ ...sale, subtotal: 2500, flags: { skip_cash_discount: true } }, DUAL_4_TAX).total,
    ).toBe(2706);
  });

  it('dual pricing v2 offers the cash price as the consumer choice', () => {
    const data = calc({ ...sale, subtotal: 1000 }, DUAL_V2_4);
    expect(data.features.dual_pricing_v2).toBe(true);
    expect(data.display.consumer_choice).toEqual({ card: 1000, ach: 962, display: true });
  });

  it('skip_consumer_choice hides the card and ACH prices', () => {
    const data = calc(
      { ...sale, subtotal: 10000, flags: { skip_consumer_choice: true } },
      SURCHARGE_3_5,
    );
    expect(data.display.consumer_choice).toEqual({ card: 0, ach: 0, display: false });
  });

  it('reports computed line items, including products', () => {
    const data = calc(
      {
        ...sale,
        products: [{ id: 'p1', name: 'Widget', price: '1000', local_tax: '1.5' }],
      },
      PLAIN,
    );
    expect(data.line_items).toEqual([
      expect.objectContaining({
        id: 'p1',
        unit_price: 1000,
        quantity: 1,
        local_tax_amount: 15,
        tax_amount: 15,
        amount: 1015,
      }),
    ]);
    expect(data.subtotal).toBe(1015);
  });

  it('a request component without include is reported but not added', () => {
    const data = calc(
      { ...sale, subtotal: 1000, shipping_amount: { type: 'flat', value: 500 } },
      PLAIN,
    );
    expect(data.shipping_amount).toBe(500);
    expect(data.included_amounts.shipping_amount).toBeNull();
    expect(data.display.shipping).toEqual({ value: 500, display: false });
    expect(data.total).toBe(1000);
  });

  it('add_tax_to_total adds a request tax given without include', () => {
    const data = calc(
      {
        ...sale,
        subtotal: 1000,
        tax_amount: { type: 'flat', value: 80 },
        flags: { add_tax_to_total: true },
      },
      PLAIN,
    );
    expect(data.total).toBe(1080);
  });

  it('processor_payment_adjustment stands in for the processor service fee', () => {
    const data = calc(
      {
        ...sale,
        amount: 1000,
        processor_payment_adjustment: { type: 'percentage', value: 1000, include: true },
      },
      SAMPLE_PROCESSOR,
    );
    expect(data.service_fee).toBe(12); // 1.000% of (1000 + 180 tax)
  });

  it('exposes the breakdown for other callers', () => {
    const b = computeAmounts(
      parseCalculateAmountsRequest({ ...sale, amount: 1000 }),
      SAMPLE_PROCESSOR,
    );
    expect(b.tax).toEqual({ amount: 180, included: true });
    expect(b.serviceFee).toEqual({ amount: 350, included: true });
  });
});
