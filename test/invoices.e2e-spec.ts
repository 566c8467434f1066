import { DataSource } from 'typeorm';
import { HostedUrls } from '../src/invoices/hosted-urls';
import { InvoiceReminders } from '../src/invoices/invoice-reminders.service';
import { InvoicesService } from '../src/invoices/invoices.service';
import {
  Api,
  createMerchant,
  startTestApp,
  TestApp,
  TestMerchant,
  checkedFetch,
} from './support/test-app';

/** The spec's sample invoice (Get Invoice By ID), as a Create Invoice body. */
function sampleInvoice(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    currency: 'USD',
    company_name: 'ACME Inc.',
    company_logo_url: '',
    customer_number: '123Customer',
    payable_to: {
      first_name: 'First',
      last_name: 'Last',
      company: 'Merchant Business',
      address_line_1: '123 Some St',
      address_line_2: '',
      city: 'Some City',
      state: 'IL',
      postal_code: '60000',
      country: 'US',
      phone: '5555555555',
      fax: '5555555555',
      email: 'info@somewebsite.com',
    },
    bill_to: {
      first_name: 'First',
      last_name: 'Last',
      company: 'Some Business',
      address_line_1: '123 Drury Lane',
      address_line_2: '',
      city: 'Some City',
      state: 'IL',
      postal_code: '60000',
      country: 'US',
      phone: '5555555555',
      fax: '5555555555',
      email: 'info@somesite.com',
    },
    date_due: '2019-02-13T06:00:00Z',
    items: [
      {
        name: 'Widget',
        description: 'A widget for processors',
        quantity: 1,
        unit_price: 100,
        status: 'pending',
      },
    ],
    advanced_fields: false,
    tax_percent: '0.00',
    payment_methods: ['card'],
    card_processor_id: '',
    ach_processor_id: '',
    message: 'Thank you for your business!',
    send_via: 'none',
    ...overrides,
  };
}

const DAY = 24 * 60 * 60 * 1000;

describe('invoices API', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;
  let db: DataSource;

  const outboxFor = (invoiceId: string) =>
    db.query(
      `SELECT kind, to_address, subject, status FROM email_outbox WHERE subject_id = $1 ORDER BY created_at`,
      [invoiceId],
    );

  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(HostedUrls).setBase(t.baseUrl);
    db = t.app.get(DataSource);
    a = await createMerchant(t.baseUrl, 'America/Chicago');
    b = await createMerchant(t.baseUrl);
  });
  afterAll(async () => t.close());
  afterEach(() => t.clock.reset());

  describe('create and get', () => {
    it("creates the spec's sample invoice with the sample's fields and totals", async () => {
      t.clock.setNow('2019-02-13T22:52:26Z');
      const created = await a.api.post('/api/invoice', sampleInvoice());
      expect(created.status).toBe(200);
      expect(created.body).toMatchObject({ status: 'success', msg: 'success' });
      const id = created.body.data.id;
      const got = await a.api.get(`/api/invoice/${id}`);
      expect(got.status).toBe(200);
      const data = got.body.data;
      // Every field of the spec's sample response is there.
      for (const key of [
        'id',
        'currency',
        'company_name',
        'company_logo_url',
        'customer_number',
        'payable_to',
        'bill_to',
        'created_at',
        'date_due',
        'items',
        'advanced_fields',
        'subtotal',
        'tax_percent',
        'tax',
        'total',
        'amount_paid',
        'adjustment',
        'amount_due',
        'payment_methods',
        'card_processor_id',
        'ach_processor_id',
        'status',
        'message',
        'reject_message',
        'send_via',
        'last_sent_at',
        'updated_at',
        'public_url',
        'hosted_url',
      ]) {
        expect(data).toHaveProperty(key);
      }
      expect(data).toMatchObject({
        currency: 'USD',
        company_name: 'ACME Inc.',
        customer_number: '123Customer',
        created_at: '2019-02-13T22:52:26Z',
        date_due: '2019-02-13T06:00:00Z',
        subtotal: 100,
        tax: 0,
        total: 100,
        amount_paid: 0,
        adjustment: 0,
        amount_due: 100,
        payment_methods: ['card'],
        status: 'pending', // due that same day (UTC): on time until the day ends
        message: 'Thank you for your business!',
        reject_message: '',
        send_via: 'none',
        last_sent_at: '0001-01-01T00:00:00Z',
      });
      expect(data.items[0]).toMatchObject({
        name: 'Widget',
        description: 'A widget for processors',
        quantity: 1,
        quantity_shipped: 0,
        unit_price: 100,
        discount: 0,
        discount_type: '$',
        taxable: false,
        tax_amount: 0,
        amount: 100,
        status: 'pending',
      });
      expect(data.items[0].id).toMatch(/^[0-9a-v]{20}$/);
      expect(data.payable_to).toMatchObject({
        id: '',
        company: 'Merchant Business',
        state: 'IL',
        country: 'US',
      });
      expect(data.public_url).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(data.hosted_url).toBe(`${t.baseUrl}/invoice/${data.public_url}`);
      expect(data.id).toHaveLength(17);
    });

    it('computes totals with the calculation core: tax percent, shipping, discount, adjustment', async () => {
      const res = await a.api.post(
        '/api/invoice',
        sampleInvoice({
          date_due: '2030-01-01T00:00:00Z',
          items: [
            { name: 'A', unit_price: 1000, quantity: 2, status: 'pending' },
            { name: 'B', unit_price: 550, quantity: 1, discount_amount: 50, status: 'pending' },
          ],
          enable_tax: true,
          tax_percent: '8.250',
          enable_shipping: true,
          shipping: 500,
          adjustment: -100,
        }),
      );
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        subtotal: 2500,
        tax: 206,
        shipping: 500,
        adjustment: -100,
        total: 3106,
        amount_due: 3106,
        status: 'pending',
      });
      expect(res.body.data.items.map((i: { amount: number }) => i.amount)).toEqual([2000, 500]);
    });

    it('reads tax as a flat amount when tax_percent is "0.000", and counts amount already paid', async () => {
      const res = await a.api.post(
        '/api/invoice',
        sampleInvoice({
          date_due: '2030-01-01T00:00:00Z',
          items: [{ unit_price: 2500, quantity: 1 }],
          enable_tax: true,
          tax_percent: '0.000',
          tax: 300,
          amount_paid: 800,
        }),
      );
      expect(res.body.data).toMatchObject({
        subtotal: 2500,
        tax: 300,
        total: 2800,
        amount_paid: 800,
        amount_due: 2000,
      });
      expect(res.body.data.status).toBe('partially_paid');
    });

    it('applies item-level taxes with advanced_fields', async () => {
      const res = await a.api.post(
        '/api/invoice',
        sampleInvoice({
          date_due: '2030-01-01T00:00:00Z',
          advanced_fields: true,
          items: [
            {
              name: 'Taxed',
              unit_price: 1000,
              quantity: 1,
              freight_amount: 200,
              taxable: true,
              local_tax_rate: '1.000',
              national_tax_rate: '2.500',
              unit_of_measure: 'kg',
              quantity_shipped: 1,
            },
          ],
        }),
      );
      expect(res.body.data.subtotal).toBe(1242);
      expect(res.body.data.items[0]).toMatchObject({
        local_tax: '1.000',
        national_tax: '2.500',
        local_tax_amount: 12,
        national_tax_amount: 30,
        tax_amount: 42,
        freight_amount: 200,
        unit_of_measure: 'kg',
        quantity_shipped: 1,
        amount: 1242,
      });
    });

    it('fills payable_to from a stored address id', async () => {
      const customer = await a.api.post('/api/vault/customer', {
        description: 'Address owner',
        default_billing_address: {
          first_name: 'Stored',
          last_name: 'Person',
          line_1: '9 Vault Rd',
          city: 'Wichita',
          state: 'KS',
          postal_code: '67202',
          country: 'US',
          email: 'stored@example.com',
        },
      });
      expect(customer.status).toBe(200);
      const address = customer.body.data.data.customer.addresses[0];
      const res = await a.api.post(
        '/api/invoice',
        sampleInvoice({ bill_to: { id: address.id }, customer_id: customer.body.data.id }),
      );
      expect(res.status).toBe(200);
      expect(res.body.data.bill_to).toMatchObject({
        id: address.id,
        first_name: 'Stored',
        address_line_1: '9 Vault Rd',
        city: 'Wichita',
        state: 'KS',
        email: 'stored@example.com',
      });
      expect(res.body.data.customer_id).toBe(customer.body.data.id);
      // Another merchant cannot use it.
      const other = await b.api.post(
        '/api/invoice',
        sampleInvoice({ bill_to: { id: address.id } }),
      );
      expect(other.status).toBe(400);
      expect(other.body.msg).toBe('invalid bill_to.id: no stored address has this id');
    });
  });

  describe('validation', () => {
    const without = (key: string) => {
      const body = sampleInvoice();
      delete body[key];
      return body;
    };
    it.each<[string, Record<string, unknown>, RegExp]>([
      ['no currency', without('currency'), /^invalid currency: is required/],
      [
        'an unknown currency',
        sampleInvoice({ currency: 'XXX' }),
        /^invalid currency: XXX is not an active ISO 4217 currency code/,
      ],
      ['no payable_to', without('payable_to'), /^invalid payable_to: is required/],
      ['no bill_to', without('bill_to'), /^invalid bill_to: is required/],
      [
        'a bill_to without a city',
        sampleInvoice({
          bill_to: { address_line_1: '1 Main', state: 'IL', postal_code: '60000', country: 'US' },
        }),
        /^invalid bill_to.city: is required/,
      ],
      [
        'a state that is not 2 characters',
        sampleInvoice({
          payable_to: { ...(sampleInvoice().payable_to as object), state: 'Illinois' },
        }),
        /^invalid payable_to.state/,
      ],
      [
        'a US postal code that is not one',
        sampleInvoice({ bill_to: { ...(sampleInvoice().bill_to as object), postal_code: 'ABC' } }),
        /^invalid bill_to.postal_code: is not a valid postal code for country US/,
      ],
      [
        'a bad email',
        sampleInvoice({ bill_to: { ...(sampleInvoice().bill_to as object), email: 'nope' } }),
        /^invalid bill_to.email: must be a valid email/,
      ],
      ['no date_due', without('date_due'), /^invalid date_due: is required/],
      ['a malformed date_due', sampleInvoice({ date_due: 'tomorrow' }), /^invalid date_due/],
      ['no items', sampleInvoice({ items: [] }), /^invalid items: must have at least one item/],
      ['items not an array', sampleInvoice({ items: 'x' }), /^invalid items: must be an array/],
      [
        'a negative unit price',
        sampleInvoice({ items: [{ unit_price: -1, quantity: 1 }] }),
        /^invalid items\[0\].unit_price: must not be negative/,
      ],
      [
        'a missing quantity',
        sampleInvoice({ items: [{ unit_price: 100 }] }),
        /^invalid items\[0\].quantity: is required/,
      ],
      [
        'a bad item status',
        sampleInvoice({ items: [{ unit_price: 100, quantity: 1, status: 'done' }] }),
        /^invalid items\[0\].status/,
      ],
      [
        'a malformed tax_percent',
        sampleInvoice({ enable_tax: true, tax_percent: '8%' }),
        /^invalid tax_percent/,
      ],
      ['a fractional adjustment', sampleInvoice({ adjustment: 1.5 }), /^invalid adjustment/],
      [
        'an adjustment below zero total',
        sampleInvoice({ adjustment: -101 }),
        /^invalid adjustment: would make the invoice total negative/,
      ],
      ['no payment_methods', without('payment_methods'), /^invalid payment_methods: is required/],
      [
        'an unknown payment method',
        sampleInvoice({ payment_methods: ['card', 'bitcoin'] }),
        /^invalid payment_methods\[1\]/,
      ],
      ['no send_via', without('send_via'), /^invalid send_via: is required/],
      ['a bad send_via', sampleInvoice({ send_via: 'fax' }), /^invalid send_via: must be one of/],
      ['a bad email_to', sampleInvoice({ email_to: 'x@' }), /^invalid email_to/],
      [
        'email without any address',
        sampleInvoice({
          send_via: 'email',
          bill_to: { ...(sampleInvoice().bill_to as object), email: '' },
        }),
        /^invalid email_to: is required when send_via is "email"/,
      ],
      [
        'a bad transaction_type',
        sampleInvoice({ transaction_type: 'refund' }),
        /^invalid transaction_type/,
      ],
      [
        'an unknown card processor',
        sampleInvoice({ card_processor_id: 'nope' }),
        /^invalid card_processor_id: no processor has this id/,
      ],
      [
        'an unknown customer',
        sampleInvoice({ customer_id: 'no-such-customer' }),
        /^invalid customer_id: no saved customer/,
      ],
      [
        'an unknown stored address',
        sampleInvoice({ payable_to: { id: 'nope' } }),
        /^invalid payable_to.id: no stored address/,
      ],
      [
        'a non-boolean flag',
        sampleInvoice({ allow_partial_payment: 'yes' }),
        /^invalid allow_partial_payment: must be true or false/,
      ],
      [
        'a logo that is not a URL',
        sampleInvoice({ company_logo_url: 'javascript:alert(1)' }),
        /^invalid company_logo_url/,
      ],
      [
        'an invoice number that cannot be an order id',
        sampleInvoice({ invoice_number: 'INV 2024/001' }),
        /^invalid invoice_number: must be up to 17 letters, digits/,
      ],
      [
        'a negative surcharge_paid',
        sampleInvoice({ surcharge_paid: -1 }),
        /^invalid surcharge_paid/,
      ],
    ])('refuses %s with a 400 naming the field', async (_name, body, message) => {
      const res = await a.api.post('/api/invoice', body);
      expect(res.status).toBe(400);
      expect(res.body.status).toBe('failed');
      expect(res.body.msg).toMatch(message);
    });

    it('refuses a body that is not an object', async () => {
      const res = await a.api.post('/api/invoice', [1]);
      expect(res.status).toBe(400);
    });
  });

  describe('invoice numbers', () => {
    it('are unique per merchant, free for other merchants, and freed by deleting', async () => {
      const first = await a.api.post('/api/invoice', sampleInvoice({ invoice_number: 'INV-1001' }));
      expect(first.status).toBe(200);
      const again = await a.api.post('/api/invoice', sampleInvoice({ invoice_number: 'INV-1001' }));
      expect(again.status).toBe(409);
      expect(again.body.msg).toMatch(/invoice_number "INV-1001" is already used/);
      expect(
        (await b.api.post('/api/invoice', sampleInvoice({ invoice_number: 'INV-1001' }))).status,
      ).toBe(200);
      const second = await a.api.post(
        '/api/invoice',
        sampleInvoice({ invoice_number: 'INV-1002' }),
      );
      const renamed = await a.api.post(`/api/invoice/${second.body.data.id}`, {
        invoice_number: 'INV-1001',
      });
      expect(renamed.status).toBe(409);
      expect((await a.api.delete(`/api/invoice/${first.body.data.id}`)).status).toBe(200);
      expect(
        (await a.api.post('/api/invoice', sampleInvoice({ invoice_number: 'INV-1001' }))).status,
      ).toBe(200);
    });
  });

  describe('update, delete, void and their state rules', () => {
    it('updates the given fields and recomputes the totals', async () => {
      const created = await a.api.post(
        '/api/invoice',
        sampleInvoice({ date_due: '2030-01-01T00:00:00Z' }),
      );
      const id = created.body.data.id;
      const itemId = created.body.data.items[0].id;
      const res = await a.api.post(`/api/invoice/${id}`, {
        items: [
          { id: itemId, name: 'Widget', unit_price: 100, quantity: 3 },
          { name: 'Gadget', unit_price: 250, quantity: 1 },
        ],
        message: 'Updated',
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        subtotal: 550,
        total: 550,
        amount_due: 550,
        message: 'Updated',
      });
      expect(res.body.data.items[0].id).toBe(itemId);
      expect(res.body.data.company_name).toBe('ACME Inc.'); // untouched fields stay
      const bad = await a.api.post(`/api/invoice/${id}`, {
        items: [{ unit_price: 'x', quantity: 1 }],
      });
      expect(bad.status).toBe(400);
      expect((await a.api.get(`/api/invoice/${id}`)).body.data.total).toBe(550);
    });

    it('refuses to edit, delete or void a paid invoice, saying why', async () => {
      const created = await a.api.post(
        '/api/invoice',
        sampleInvoice({ date_due: '2030-01-01T00:00:00Z' }),
      );
      const id = created.body.data.id;
      const paid = await a.api.post(`/api/invoice/${id}/mark-as-paid`, {});
      expect(paid.status).toBe(200);
      expect(paid.body.data).toMatchObject({ status: 'paid', amount_paid: 100, amount_due: 0 });
      const edit = await a.api.post(`/api/invoice/${id}`, { message: 'too late' });
      expect(edit.status).toBe(409);
      expect(edit.body.msg).toBe('the invoice is paid and can no longer be edited');
      const del = await a.api.delete(`/api/invoice/${id}`);
      expect(del.status).toBe(409);
      expect(del.body.msg).toBe('the invoice is paid and cannot be deleted');
      expect((await a.api.post(`/api/invoice/${id}/void`)).status).toBe(409);
      expect((await a.api.post(`/api/invoice/${id}/mark-as-paid`, {})).body.msg).toBe(
        'the invoice is already paid',
      );
      expect((await a.api.post(`/api/invoice/${id}/resend`)).status).toBe(409);
    });

    it('keeps an invoice with payments: no delete, but void; a voided invoice cannot change', async () => {
      const created = await a.api.post(
        '/api/invoice',
        sampleInvoice({ date_due: '2030-01-01T00:00:00Z' }),
      );
      const id = created.body.data.id;
      const part = await a.api.post(`/api/invoice/${id}/mark-as-paid`, {
        amount: 40,
        method: 'mail',
        note: 'cheque 12',
      });
      expect(part.body.data).toMatchObject({
        status: 'partially_paid',
        amount_paid: 40,
        amount_due: 60,
      });
      const del = await a.api.delete(`/api/invoice/${id}`);
      expect(del.status).toBe(409);
      expect(del.body.msg).toMatch(/void it instead/);
      const lower = await a.api.post(`/api/invoice/${id}`, {
        items: [{ unit_price: 30, quantity: 1 }],
      });
      expect(lower.status).toBe(409);
      expect(lower.body.msg).toMatch(/less than the 40 already paid/);
      const setPaid = await a.api.post(`/api/invoice/${id}`, { amount_paid: 100 });
      expect(setPaid.status).toBe(409);
      const voided = await a.api.post(`/api/invoice/${id}/void`);
      expect(voided.status).toBe(200);
      expect(voided.body.data.status).toBe('cancelled');
      expect((await a.api.post(`/api/invoice/${id}`, { message: 'x' })).status).toBe(409);
      const payments = await a.api.get(`/api/invoice/${id}/payments`);
      expect(payments.body.data).toEqual([
        expect.objectContaining({
          source: 'mark_as_paid',
          method: 'mail',
          amount: 40,
          status: 'approved',
          response_text: 'cheque 12',
        }),
      ]);
    });

    it('deletes an unpaid invoice: it is gone from the API', async () => {
      const created = await a.api.post('/api/invoice', sampleInvoice());
      const id = created.body.data.id;
      const res = await a.api.delete(`/api/invoice/${id}`);
      expect(res.body).toEqual({ status: 'success', msg: 'success' });
      expect((await a.api.get(`/api/invoice/${id}`)).status).toBe(404);
      expect((await a.api.delete(`/api/invoice/${id}`)).status).toBe(404);
      const search = await a.api.post('/api/invoices/search', { id: { operator: '=', value: id } });
      expect(search.body.total_count).toBe(0);
    });

    it('validates mark-as-paid amounts', async () => {
      const created = await a.api.post(
        '/api/invoice',
        sampleInvoice({ date_due: '2030-01-01T00:00:00Z' }),
      );
      const id = created.body.data.id;
      expect(
        (await a.api.post(`/api/invoice/${id}/mark-as-paid`, { amount: 101 })).body.msg,
      ).toMatch(/^invalid amount: must not exceed the amount due \(100\)/);
      expect((await a.api.post(`/api/invoice/${id}/mark-as-paid`, { amount: 0 })).status).toBe(400);
      expect(
        (await a.api.post(`/api/invoice/${id}/mark-as-paid`, { method: 'barter' })).status,
      ).toBe(400);
    });
  });

  describe('search', () => {
    let ids: string[];
    beforeAll(async () => {
      const m = await createMerchant(t.baseUrl);
      const make = async (body: Record<string, unknown>) =>
        (await m.api.post('/api/invoice', sampleInvoice(body))).body.data.id;
      ids = [
        await make({
          items: [{ unit_price: 1000, quantity: 1 }],
          date_due: '2030-01-10T00:00:00Z',
          customer_number: 'C1',
        }),
        await make({
          items: [{ unit_price: 2000, quantity: 1 }],
          date_due: '2030-02-10T00:00:00Z',
          customer_number: 'C2',
        }),
        await make({
          items: [{ unit_price: 3000, quantity: 1 }],
          date_due: '2020-03-10T00:00:00Z',
          customer_number: 'C2',
        }),
      ];
      await m.api.post(`/api/invoice/${ids[1]}/mark-as-paid`, { amount: 500 });
      searchApi = m.api;
    });
    let searchApi: Api;
    const search = (body: Record<string, unknown>) => searchApi.post('/api/invoices/search', body);

    it('finds by id with = and !=', async () => {
      expect(
        (await search({ id: { operator: '=', value: ids[0] } })).body.data.map(
          (i: { id: string }) => i.id,
        ),
      ).toEqual([ids[0]]);
      const others = await search({ id: { operator: '!=', value: ids[0] } });
      expect(others.body.total_count).toBe(2);
    });

    it('finds by amount_due with each operator', async () => {
      const count = async (operator: string, value: number) =>
        (await search({ amount_due: { operator, value } })).body.total_count;
      expect(await count('=', 1500)).toBe(1);
      expect(await count('!=', 1500)).toBe(2);
      expect(await count('<', 2000)).toBe(2);
      expect(await count('>', 1500)).toBe(1);
    });

    it('finds by a date_due range', async () => {
      const res = await search({
        date_due: { start_date: '2030-01-01T00:00:00Z', end_date: '2030-01-31T00:00:00Z' },
      });
      expect(res.body.data.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
    });

    it('finds by status, overdue included, and by customer number', async () => {
      const by = async (status: unknown) =>
        (await search({ status })).body.data.map((i: { id: string }) => i.id).sort();
      expect(await by('overdue')).toEqual([ids[2]]);
      expect(await by('partially_paid')).toEqual([ids[1]]);
      expect(await by('pending')).toEqual([ids[0]]);
      expect(await by(['pending', 'overdue'])).toEqual([ids[0], ids[2]].sort());
      expect((await search({ customer_number: 'C2' })).body.total_count).toBe(2);
    });

    it('pages with limit and offset and reports the total', async () => {
      const page = await search({ limit: 2, offset: 0 });
      expect(page.body.total_count).toBe(3);
      expect(page.body.data).toHaveLength(2);
      const rest = await search({ limit: 2, offset: 2 });
      expect(rest.body.data).toHaveLength(1);
    });

    it('refuses bad criteria with a 400', async () => {
      expect((await search({ amount_due: { operator: '>=', value: 1 } })).body.msg).toMatch(
        /^invalid amount_due.operator/,
      );
      expect((await search({ limit: 101 })).body.msg).toMatch(/^invalid limit/);
      expect((await search({ status: 'late' })).body.msg).toMatch(/^invalid status/);
      expect((await search({ date_due: { start_date: 'x' } })).status).toBe(400);
    });
  });

  describe('send_via, resend and the outbox', () => {
    it('queues the new-invoice email on create with send_via email, and again on resend', async () => {
      const created = await a.api.post(
        '/api/invoice',
        sampleInvoice({
          send_via: 'email',
          email_to: 'payer@example.com',
          date_due: '2030-01-01T00:00:00Z',
          invoice_number: 'INV-2001',
        }),
      );
      const id = created.body.data.id;
      expect(created.body.data.last_sent_at).not.toBe('0001-01-01T00:00:00Z');
      expect(await outboxFor(id)).toEqual([
        expect.objectContaining({
          kind: 'invoice_new',
          to_address: 'payer@example.com',
          status: 'pending',
        }),
      ]);
      const resent = await a.api.post(`/api/invoice/${id}/resend`);
      expect(resent.status).toBe(200);
      expect((await outboxFor(id)).map((r: { kind: string }) => r.kind)).toEqual([
        'invoice_new',
        'invoice_new',
      ]);
    });

    it('sends nothing with send_via none, and refuses to resend', async () => {
      const created = await a.api.post('/api/invoice', sampleInvoice({ send_via: 'none' }));
      expect(await outboxFor(created.body.data.id)).toEqual([]);
      const resend = await a.api.post(`/api/invoice/${created.body.data.id}/resend`);
      expect(resend.status).toBe(409);
      expect(resend.body.msg).toMatch(/send_via is "none"/);
    });

    it('records send_via text and both, and says no SMS was sent', async () => {
      const text = await a.api.post('/api/invoice', sampleInvoice({ send_via: 'text' }));
      expect(text.status).toBe(200);
      expect(text.body.data.send_via).toBe('text');
      expect(text.body.msg).toMatch(/no text message was sent: SMS needs a provider/);
      expect(await outboxFor(text.body.data.id)).toEqual([]);
      const both = await a.api.post('/api/invoice', sampleInvoice({ send_via: 'both' }));
      expect(both.body.msg).toMatch(/no text message was sent/);
      expect(await outboxFor(both.body.data.id)).toHaveLength(1); // bill_to.email gets the email
    });

    it('queues the reminder before the due date and the overdue notice after it, once each', async () => {
      t.clock.setNow('2031-05-01T12:00:00Z');
      const created = await a.api.post(
        '/api/invoice',
        sampleInvoice({ send_via: 'email', date_due: '2031-05-10T12:00:00Z' }),
      );
      const id = created.body.data.id;
      const reminders = t.app.get(InvoiceReminders);
      await reminders.runOnce({ merchantId: a.id });
      expect((await outboxFor(id)).map((r: { kind: string }) => r.kind)).toEqual(['invoice_new']);
      t.clock.setNow(new Date(Date.parse('2031-05-10T12:00:00Z') - 2 * DAY));
      await reminders.runOnce({ merchantId: a.id });
      await reminders.runOnce({ merchantId: a.id });
      expect((await outboxFor(id)).map((r: { kind: string }) => r.kind)).toEqual([
        'invoice_new',
        'invoice_reminder',
      ]);
      t.clock.setNow('2031-05-11T12:00:00Z');
      expect((await a.api.get(`/api/invoice/${id}`)).body.data.status).toBe('overdue');
      await reminders.runOnce({ merchantId: a.id });
      await reminders.runOnce({ merchantId: a.id });
      const kinds = (await outboxFor(id)).map((r: { kind: string }) => r.kind);
      expect(kinds).toEqual(['invoice_new', 'invoice_reminder', 'invoice_overdue']);
      const overdue = (await outboxFor(id))[2];
      expect(overdue.subject).toMatch(/^Overdue: invoice/);
    });
  });

  describe('pdf', () => {
    it('answers a PDF of the invoice', async () => {
      const created = await a.api.post(
        '/api/invoice',
        sampleInvoice({ invoice_number: 'INV-PDF-1' }),
      );
      const res = await checkedFetch(t.baseUrl, `/api/invoice/${created.body.data.id}/pdf`, {
        headers: { authorization: a.privateKey },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      // Its content is read with PDF.js in test/invoice-documents.e2e-spec.ts.
      const pdf = Buffer.from(await res.arrayBuffer());
      expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
      expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
    });
  });

  describe('tenancy', () => {
    it("keeps merchants out of each other's invoices", async () => {
      const created = await a.api.post(
        '/api/invoice',
        sampleInvoice({ date_due: '2030-01-01T00:00:00Z' }),
      );
      const id = created.body.data.id;
      expect((await b.api.get(`/api/invoice/${id}`)).status).toBe(404);
      expect((await b.api.post(`/api/invoice/${id}`, { message: 'x' })).status).toBe(404);
      expect((await b.api.delete(`/api/invoice/${id}`)).status).toBe(404);
      expect((await b.api.post(`/api/invoice/${id}/resend`)).status).toBe(404);
      expect((await b.api.post(`/api/invoice/${id}/mark-as-paid`, {})).status).toBe(404);
      expect((await b.api.post(`/api/invoice/${id}/void`)).status).toBe(404);
      expect((await b.api.get(`/api/invoice/${id}/payments`)).status).toBe(404);
      expect((await b.api.get(`/api/invoice/${id}/pdf`)).status).toBe(404);
      const search = await b.api.post('/api/invoices/search', { id: { operator: '=', value: id } });
      expect(search.body.total_count).toBe(0);
      expect((await a.api.get(`/api/invoice/${id}`)).body.data.status).toBe('pending');
      expect((await new Api(t.baseUrl).get(`/api/invoice/${id}`)).status).toBe(401);
    });
  });

  describe('for the billing run', () => {
    it('creates one invoice per subscription cycle and records a payment once per transaction', async () => {
      const service = t.app.get(InvoicesService);
      // The billing run may have no addresses to give.
      const body = sampleInvoice({
        date_due: '2030-01-01T00:00:00Z',
        send_via: 'email',
        email_to: 'sub@example.com',
      });
      delete body.payable_to;
      delete body.bill_to;
      const cycle = { subscriptionId: 'sub_test_1', billingCycleKey: '2030-01-01' };
      const first = await db.transaction((em) =>
        service.createForSubscriptionCycle(em, a.id, cycle, body),
      );
      const second = await db.transaction((em) =>
        service.createForSubscriptionCycle(em, a.id, cycle, body),
      );
      expect(first.created).toBe(true);
      expect(second).toMatchObject({ created: false, invoice: { id: first.invoice.id } });
      const got = await a.api.get(`/api/invoice/${first.invoice.id}`);
      expect(got.body.data).toMatchObject({
        subscription_id: 'sub_test_1',
        bill_to: { address_line_1: '' },
      });
      expect(await db.transaction((em) => service.merchantIdOf(em, first.invoice.id))).toBe(a.id);

      const payment = {
        transactionId: 'txn_renewal_1',
        amount: 100,
        method: 'card',
        maskedAccount: '411111******1111',
      };
      await db.transaction((em) => service.recordPayment(em, a.id, first.invoice.id, payment));
      const again = await db.transaction((em) =>
        service.recordPayment(em, a.id, first.invoice.id, payment),
      );
      expect(again).toMatchObject({ status: 'paid', amountPaid: 100, amountDue: 0 });
      const kinds = (await outboxFor(first.invoice.id)).map((r: { kind: string }) => r.kind);
      // A cycle invoice is not announced on creation: only its receipt is sent.
      expect(kinds).toEqual(['invoice_receipt']);
      const payments = await a.api.get(`/api/invoice/${first.invoice.id}/payments`);
      expect(payments.body.data).toEqual([
        expect.objectContaining({
          source: 'recorded',
          transaction_id: 'txn_renewal_1',
          amount: 100,
        }),
      ]);
    });

    it('tells a registered listener about every payment, inside its transaction', async () => {
      const service = t.app.get(InvoicesService);
      const heard: { invoiceId: string; source: string; amount: number; status: string }[] = [];
      service.registerPaymentListener(async (em, event) => {
        const rows = await em.query(`SELECT status FROM invoices WHERE id = $1`, [
          event.invoice.id,
        ]);
        heard.push({
          invoiceId: event.invoice.id,
          source: event.source,
          amount: event.amount,
          status: rows[0].status, // the listener sees the change before it commits
        });
      });
      const created = await a.api.post(
        '/api/invoice',
        sampleInvoice({ date_due: '2030-01-01T00:00:00Z' }),
      );
      await a.api.post(`/api/invoice/${created.body.data.id}/mark-as-paid`, { amount: 30 });
      await a.api.post(`/api/invoice/${created.body.data.id}/mark-as-paid`, {});
      expect(heard.filter((h) => h.invoiceId === created.body.data.id)).toEqual([
        {
          invoiceId: created.body.data.id,
          source: 'mark_as_paid',
          amount: 30,
          status: 'partially_paid',
        },
        { invoiceId: created.body.data.id, source: 'mark_as_paid', amount: 70, status: 'paid' },
      ]);
    });

    it('queues the failed-renewal email with the hosted link, in the caller transaction', async () => {
      const service = t.app.get(InvoicesService);
      const created = await a.api.post(
        '/api/invoice',
        sampleInvoice({ date_due: '2030-01-01T00:00:00Z', send_via: 'email' }),
      );
      const id = created.body.data.id;
      await db
        .transaction(async (em) => {
          await service.enqueueRenewalFailedEmail(em, a.id, id, 'insufficient funds');
          throw new Error('roll back');
        })
        .catch(() => undefined);
      expect((await outboxFor(id)).map((r: { kind: string }) => r.kind)).toEqual(['invoice_new']);
      await db.transaction((em) =>
        service.enqueueRenewalFailedEmail(em, a.id, id, 'insufficient funds', {
          retryOn: '2030-01-04',
        }),
      );
      const rows = await db.query(
        `SELECT text_body FROM email_outbox WHERE subject_id = $1 AND kind = 'renewal_failed'`,
        [id],
      );
      expect(rows[0].text_body).toContain('The payment was declined: insufficient funds.');
      expect(rows[0].text_body).toContain(
        'We will try your payment method again on January 4, 2030.',
      );
      expect(rows[0].text_body).toContain(created.body.data.hosted_url);
    });
  });
});
