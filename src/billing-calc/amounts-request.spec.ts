import { CalcInputError } from './errors';
import { parseCalculateAmountsRequest } from './amounts-request';

const base = { amount: 1000, currency: 'USD', payment_method: 'card', transaction_type: 'sale' };

function errorOf(body: unknown): { field: string; message: string } {
  try {
    parseCalculateAmountsRequest(body);
  } catch (err) {
    if (err instanceof CalcInputError) return { field: err.field, message: err.message };
    throw err;
  }
  throw new Error('expected a CalcInputError');
}

describe('parseCalculateAmountsRequest', () => {
  it('parses the spec sample request', () => {
    const req = parseCalculateAmountsRequest({
      processor_id: 'proc_1',
      amount: 1000,
      subtotal: 1000,
      currency: 'USD',
      payment_method: 'card',
      transaction_type: 'sale',
    });
    expect(req).toMatchObject({
      processor_id: 'proc_1',
      amount: 1000,
      subtotal: 1000,
      currency: 'USD',
    });
    expect(req.flags.tax_exempt).toBe(false);
    expect(req.discount_amount).toBeNull();
  });

  it('defaults include to false and reads flags', () => {
    const req = parseCalculateAmountsRequest({
      ...base,
      shipping_amount: { type: 'flat', value: 500 },
      state: 'co',
      flags: { tax_exempt: true },
    });
    expect(req.shipping_amount).toEqual({ type: 'flat', value: 500, include: false });
    expect(req.state).toBe('CO');
    expect(req.flags.tax_exempt).toBe(true);
    expect(req.flags.skip_surcharge).toBe(false);
  });

  it('reads line items with fractional quantities and rate strings', () => {
    const req = parseCalculateAmountsRequest({
      payment_method: 'card',
      transaction_type: 'sale',
      line_items: [
        { id: 'l1', name: 'Rope', unit_price: 250, quantity: 1.5, taxable: true, tax_rate: '8.25' },
      ],
    });
    expect(req.line_items?.[0]).toMatchObject({
      quantity: 1.5,
      tax_rate_thousandths: 8250,
      status: 'pending',
    });
  });

  // Every validation error the endpoint can answer with. Also listed in docs/calculation.md.
  it.each<[string, Record<string, unknown> | unknown, string, string]>([
    ['a body that is not an object', [1], 'body', 'body must be an object, got an array'],
    [
      'no amount, subtotal, line_items or products',
      { payment_method: 'card', transaction_type: 'sale' },
      'amount',
      'amount is required when subtotal, line_items and products are all missing; send one of them',
    ],
    [
      'a missing payment_method',
      { amount: 1000, transaction_type: 'sale' },
      'payment_method',
      "payment_method is required and must be one of 'card', 'ach'",
    ],
    [
      'an unknown payment_method',
      { ...base, payment_method: 'cash' },
      'payment_method',
      `payment_method must be one of 'card', 'ach', got "cash"`,
    ],
    [
      'an unknown transaction_type',
      { ...base, transaction_type: 'capture' },
      'transaction_type',
      `transaction_type must be one of 'verification', 'auth', 'sale', 'void', 'refund', 'credit', got "capture"`,
    ],
    ['a negative amount', { ...base, amount: -5 }, 'amount', 'amount must not be negative, got -5'],
    [
      'a non-integer subtotal',
      { ...base, subtotal: 10.5 },
      'subtotal',
      'subtotal must be an integer number of cents (100 = 1.00), got 10.5',
    ],
    [
      'an unknown adjustment type',
      {
        ...base,
        discount_amount: [
          { type: 'flat', value: 100 },
          { type: 'fixed', value: 100 },
        ],
      },
      'discount_amount[1].type',
      `discount_amount[1].type must be one of 'flat', 'percentage', got "fixed"`,
    ],
    [
      'a non-integer flat value',
      {
        ...base,
        discount_amount: [
          { type: 'flat', value: 100 },
          { type: 'flat', value: 99.5 },
        ],
      },
      'discount_amount[1].value',
      'discount_amount[1].value must be an integer number of cents (100 = 1.00), got 99.5',
    ],
    [
      'a negative flat value',
      { ...base, shipping_amount: { type: 'flat', value: -100 } },
      'shipping_amount.value',
      'shipping_amount.value must not be negative, got -100',
    ],
    [
      'a percentage above 100.000%',
      { ...base, tax_amount: { type: 'percentage', value: 100001 } },
      'tax_amount.value',
      'tax_amount.value must not be above 100.000% (100000 thousandths), got 100001',
    ],
    [
      'a missing value',
      { ...base, tip_amount: { type: 'flat' } },
      'tip_amount.value',
      'tip_amount.value is required',
    ],
    [
      'a non-boolean include',
      { ...base, service_fee: { type: 'flat', value: 100, include: 'yes' } },
      'service_fee.include',
      'service_fee.include must be true or false, got "yes"',
    ],
    [
      'a BIN of 5 digits',
      { ...base, cc_bin: '41111' },
      'cc_bin',
      'cc_bin must be 6 to 19 digits of a card number',
    ],
    [
      'a BIN with letters',
      { ...base, cc_bin: '4111x1111' },
      'cc_bin',
      'cc_bin must be 6 to 19 digits of a card number',
    ],
    [
      'a non-boolean flag',
      { ...base, flags: { skip_surcharge: 1 } },
      'flags.skip_surcharge',
      'flags.skip_surcharge must be true or false, got 1',
    ],
    [
      'a bad currency',
      { ...base, currency: 'US Dollars' },
      'currency',
      'currency must be a 3-letter ISO 4217 code like "USD", got "US Dollars"',
    ],
    [
      'a line item without unit_price',
      { ...base, line_items: [{ quantity: 1 }] },
      'line_items[0].unit_price',
      'line_items[0].unit_price is required',
    ],
    [
      'a negative quantity',
      { ...base, line_items: [{ unit_price: 100, quantity: -1 }] },
      'line_items[0].quantity',
      'line_items[0].quantity must not be negative, got -1',
    ],
    [
      'a percentage line item',
      { ...base, line_items: [{ unit_price: 100, quantity: 1, type: 'percentage' }] },
      'line_items[0].type',
      "line_items[0].type 'percentage' is not supported for line items; send unit_price in cents with type 'flat'",
    ],
    [
      'an unknown line item status',
      { ...base, line_items: [{ unit_price: 100, quantity: 1, status: 'done' }] },
      'line_items[0].status',
      `line_items[0].status must be one of 'paid', 'pending', 'rejected', got "done"`,
    ],
    [
      'a malformed tax rate',
      { ...base, line_items: [{ unit_price: 100, quantity: 1, tax_rate: '8,25' }] },
      'line_items[0].tax_rate',
      'line_items[0].tax_rate must be a percentage string like "10.25", got "8,25"',
    ],
    [
      'a discount given both as amount and rate',
      {
        ...base,
        line_items: [{ unit_price: 100, quantity: 1, discount_amount: 10, discount_rate: '5' }],
      },
      'line_items[0].discount_rate',
      'line_items[0].discount_rate cannot be combined with discount_amount; send one of them',
    ],
    [
      'a product price in dollars',
      { ...base, products: [{ id: 'p', name: 'P', price: '10.00' }] },
      'products[0].price',
      'products[0].price must be an integer number of cents (like "1000" for 10.00), got "10.00"',
    ],
  ])('rejects %s', (_scenario, body, field, message) => {
    expect(errorOf(body)).toEqual({ field, message });
  });
});
