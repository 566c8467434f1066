import { ValidationError } from '../platform/errors/errors';
import { parseInvoice } from './invoice-draft';

const address = {
  address_line_1: '123 Some St',
  city: 'Some City',
  state: 'il',
  postal_code: '60000',
  country: 'us',
};
const body = {
  currency: 'usd',
  payable_to: address,
  bill_to: { ...address, email: 'info@somesite.com' },
  date_due: '2019-02-13T06:00:00Z',
  items: [{ name: 'Widget', unit_price: 100, quantity: 1 }],
  payment_methods: ['card', 'card'],
  send_via: 'none',
};

const UTC = { timeZone: 'UTC' };

describe('parseInvoice', () => {
  it.each([
    ['America/Chicago', '2026-12-15T06:00:00.000Z'],
    ['UTC', '2026-12-15T00:00:00.000Z'],
    ['Asia/Tokyo', '2026-12-14T15:00:00.000Z'],
  ])('reads date_due "2026-12-15" as that day in the merchant zone (%s: %s)', (timeZone, due) => {
    expect(
      parseInvoice({ ...body, date_due: '2026-12-15' }, { timeZone }).draft.dateDue.toISOString(),
    ).toBe(due);
  });

  it.each(['2026-02-30', '2026-02-30T00:00:00Z', '2026-13-01', '2026-04-31T10:00:00'])(
    'refuses the calendar-impossible date_due %s, naming the field',
    (date_due) => {
      expect(() => parseInvoice({ ...body, date_due }, UTC)).toThrow(/invalid date_due/);
    },
  );

  it("reads the spec's sample and computes its totals with the calculation core", () => {
    const { draft, totals } = parseInvoice(body, UTC);
    expect(draft).toMatchObject({
      currency: 'USD',
      paymentMethods: ['card'],
      transactionType: 'sale',
      invoiceNumber: null,
      billTo: { kind: 'inline', address: { state: 'IL', country: 'US' } },
    });
    expect(draft.items[0]).toMatchObject({ status: 'pending', unit_price: 100, quantity: 1 });
    expect(totals).toMatchObject({ subtotal: 100, tax: 0, total: 100, amount_due: 100 });
  });

  it('takes a stored address id, with given fields overriding the stored ones', () => {
    const { draft } = parseInvoice(
      { ...body, bill_to: { id: 'addr1', email: 'x@example.com' } },
      UTC,
    );
    expect(draft.billTo).toEqual({
      kind: 'stored',
      id: 'addr1',
      overrides: { email: 'x@example.com' },
    });
  });

  it('lets the billing run leave out the addresses, and the API not', () => {
    const { payable_to: _p, bill_to: _b, ...rest } = body;
    expect(() => parseInvoice(rest, UTC)).toThrow(ValidationError);
    const { draft } = parseInvoice(rest, { requireAddresses: false, timeZone: 'UTC' });
    expect(draft.billTo).toMatchObject({ kind: 'inline', address: { address_line_1: '' } });
  });

  it('names the field in the core validation messages', () => {
    expect(() => parseInvoice({ ...body, items: [{ unit_price: 1.5, quantity: 1 }] }, UTC)).toThrow(
      'invalid items[0].unit_price: must be an integer number of cents (100 = 1.00), got 1.5',
    );
  });
});

describe('currency and locale', () => {
  const messageOf = (b: Record<string, unknown>) => {
    try {
      parseInvoice(b, UTC);
    } catch (err) {
      return (err as ValidationError).message;
    }
    return 'no error';
  };

  it('accepts every active ISO 4217 code, with its minor units', () => {
    for (const currency of ['jpy', 'KWD', 'XOF', 'CLF', 'EUR']) {
      expect(parseInvoice({ ...body, currency }, UTC).draft.currency).toBe(currency.toUpperCase());
    }
  });

  it('refuses codes that are not money or no longer exist', () => {
    expect(messageOf({ ...body, currency: 'XAU' })).toMatch(/currency: XAU is not an active/);
    expect(messageOf({ ...body, currency: 'DEM' })).toMatch(/currency: DEM is not an active/);
  });

  it("keeps the invoice's own locale in canonical form, or none for the merchant's", () => {
    expect(parseInvoice({ ...body, locale: 'de-de' }, UTC).draft.locale).toBe('de-DE');
    expect(parseInvoice({ ...body, locale: '' }, UTC).draft.locale).toBeNull();
    expect(parseInvoice(body, UTC).draft.locale).toBeNull();
    expect(messageOf({ ...body, locale: 'not a locale' })).toMatch(
      /^invalid locale: must be a BCP 47/,
    );
    expect(messageOf({ ...body, locale: 42 })).toMatch(/^invalid locale/);
  });
});
