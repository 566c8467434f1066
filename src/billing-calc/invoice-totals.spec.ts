import fc from 'fast-check';
import { CalcInputError } from './errors';
import { InvoiceTotalsInput, invoiceTotals } from './invoice-totals';
import { formatThousandths } from './money';

/** Worked examples; also in docs/calculation.md ("Invoice totals"). */
describe('invoiceTotals: worked examples', () => {
  it('I1 tax percent, shipping, a negative adjustment and a partial payment', () => {
    expect(
      invoiceTotals({
        items: [
          { unit_price: 1000, quantity: 2 },
          { unit_price: 550, quantity: 1, discount_amount: 50 },
        ],
        enable_tax: true,
        tax_percent: '8.250',
        enable_shipping: true,
        shipping: 500,
        adjustment: -100,
        amount_paid: 1000,
        discount_credited: 106,
      }),
    ).toEqual({
      items: [
        {
          discount_amount: 0,
          freight_amount: 0,
          local_tax: 0,
          national_tax: 0,
          tax_amount: 0,
          amount: 2000,
        },
        {
          discount_amount: 50,
          freight_amount: 0,
          local_tax: 0,
          national_tax: 0,
          tax_amount: 0,
          amount: 500,
        },
      ],
      subtotal: 2500,
      tax: 206,
      shipping: 500,
      adjustment: -100,
      total: 3106,
      amount_paid: 1000,
      discount_credited: 106,
      amount_due: 2000,
    });
  });

  const taxableItem = {
    unit_price: 1000,
    quantity: 1,
    freight_amount: 200,
    taxable: true,
    local_tax_rate: '1.000',
    national_tax_rate: '2.500',
  };

  it.each<[string, InvoiceTotalsInput, Partial<ReturnType<typeof invoiceTotals>>]>([
    [
      'I2 tax_percent "0.000" reads tax as a flat amount',
      {
        items: [{ unit_price: 2500, quantity: 1 }],
        enable_tax: true,
        tax_percent: '0.000',
        tax: 300,
      },
      { subtotal: 2500, tax: 300, total: 2800, amount_due: 2800 },
    ],
    [
      'I3 tax is ignored unless enable_tax',
      { items: [{ unit_price: 2500, quantity: 1 }], tax_percent: '8.250', tax: 300, shipping: 500 },
      { tax: 0, shipping: 0, total: 2500 },
    ],
    [
      'I4 item-level taxes with advanced_fields',
      { items: [taxableItem], advanced_fields: true },
      { subtotal: 1242, tax: 0, total: 1242 },
    ],
    [
      'I5 invoice-level tax overrides item-level tax',
      { items: [taxableItem], advanced_fields: true, enable_tax: true, tax_percent: '5' },
      { subtotal: 1200, tax: 60, total: 1260 },
    ],
    [
      'I6 item taxes need advanced_fields',
      { items: [taxableItem] },
      { subtotal: 1200, total: 1200 },
    ],
    [
      'I7 a flat item tax',
      {
        items: [{ unit_price: 1000, quantity: 1, taxable: true, local_tax: 25 }],
        advanced_fields: true,
      },
      { subtotal: 1025 },
    ],
    [
      'I8 overpaid: nothing is due',
      { items: [{ unit_price: 1000, quantity: 1 }], amount_paid: 1500 },
      { total: 1000, amount_due: 0 },
    ],
    [
      'I9 a fractional quantity is rounded per line',
      { items: [{ unit_price: 333, quantity: 1.5 }] },
      { subtotal: 500 },
    ],
  ])('%s', (_name, input, expected) => {
    expect(invoiceTotals(input)).toMatchObject(expected);
  });

  it('reports each item tax part', () => {
    expect(invoiceTotals({ items: [taxableItem], advanced_fields: true }).items[0]).toEqual({
      discount_amount: 0,
      freight_amount: 200,
      local_tax: 12,
      national_tax: 30,
      tax_amount: 42,
      amount: 1242,
    });
  });
});

describe('invoiceTotals: validation', () => {
  it.each<[string, unknown, string, string]>([
    ['no items', {}, 'items', 'items is required'],
    [
      'a negative unit price',
      { items: [{ unit_price: -1, quantity: 1 }] },
      'items[0].unit_price',
      'items[0].unit_price must not be negative, got -1',
    ],
    [
      'a missing quantity',
      { items: [{ unit_price: 100 }] },
      'items[0].quantity',
      'items[0].quantity is required',
    ],
    [
      'a malformed tax_percent',
      { items: [], enable_tax: true, tax_percent: '8.25%' },
      'tax_percent',
      'tax_percent must be a percentage string like "10.25", got "8.25%"',
    ],
    [
      'a fractional adjustment',
      { items: [], adjustment: -0.5 },
      'adjustment',
      'adjustment must be an integer number of cents, got -0.5',
    ],
    [
      'an adjustment below the total',
      { items: [{ unit_price: 100, quantity: 1 }], adjustment: -101 },
      'adjustment',
      'adjustment would make the invoice total negative (-1 cents)',
    ],
  ])('rejects %s', (_name, input, field, message) => {
    let caught: unknown;
    try {
      invoiceTotals(input as InvoiceTotalsInput);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CalcInputError);
    expect((caught as CalcInputError).field).toBe(field);
    expect((caught as CalcInputError).message).toBe(message);
  });
});

describe('invoiceTotals: properties', () => {
  const itemArb = fc.record({
    unit_price: fc.integer({ min: 0, max: 1_000_000 }),
    quantity: fc.integer({ min: 0, max: 50 }),
    discount_amount: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
    freight_amount: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
    taxable: fc.boolean(),
    local_tax_rate: fc.option(fc.integer({ min: 0, max: 15000 }).map(formatThousandths), {
      nil: undefined,
    }),
  });
  const inputArb = fc.record({
    items: fc.array(itemArb, { maxLength: 5 }),
    advanced_fields: fc.boolean(),
    enable_tax: fc.boolean(),
    enable_shipping: fc.boolean(),
    tax_percent: fc.constantFrom('0.000', '8.250', '10', undefined),
    tax: fc.integer({ min: 0, max: 10_000 }),
    shipping: fc.integer({ min: 0, max: 10_000 }),
    adjustment: fc.integer({ min: 0, max: 10_000 }),
    amount_paid: fc.integer({ min: 0, max: 5_000_000 }),
    discount_credited: fc.integer({ min: 0, max: 10_000 }),
  });

  it('total is the sum of its parts, nothing is negative, and item order does not matter', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const t = invoiceTotals(input);
        expect(t.total).toBe(t.subtotal + t.tax + t.shipping + t.adjustment);
        expect(t.subtotal).toBe(t.items.reduce((acc, i) => acc + i.amount, 0));
        expect(t.amount_due).toBeGreaterThanOrEqual(0);
        expect(t.amount_due).toBe(Math.max(0, t.total - t.amount_paid - t.discount_credited));
        for (const item of t.items) expect(Object.values(item).every((v) => v >= 0)).toBe(true);
        expect(invoiceTotals({ ...input, items: [...input.items].reverse() }).total).toBe(t.total);
      }),
    );
  });
});
