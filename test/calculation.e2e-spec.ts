import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

describe('/api/calculate/amounts and /api/lookup/fees', () => {
  let t: TestApp;
  let m: TestMerchant;
  let other: TestMerchant;
  let taxed: string;
  let surcharging: string;

  beforeAll(async () => {
    t = await startTestApp();
    m = await createMerchant(t.baseUrl);
    other = await createMerchant(t.baseUrl);
    // The spec's sample answers with an 18.000% default tax added to the total and a $3.50 service fee.
    taxed = (
      await m.api.post('/api/processor', {
        name: 'Sample processor',
        default_tax_rate: 18000,
        add_tax_to_total: true,
        service_fee: { type: 'flat', value: 350 },
      })
    ).body.data.id;
    surcharging = (
      await m.api.post('/api/processor', {
        name: 'Surcharge 3.5% (capped at 3%)',
        fee_program: 'surcharge',
        fee_program_rate: 3500,
        surcharge_disclosure: 'A 3% surcharge applies to credit cards.',
      })
    ).body.data.id;
  });
  afterAll(async () => t.close());

  it("answers the spec's sample request with the spec's response", async () => {
    const res = await m.api.post('/api/calculate/amounts', {
      processor_id: taxed,
      amount: 1000,
      subtotal: 1000,
      currency: 'USD',
      payment_method: 'card',
      transaction_type: 'sale',
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'success',
      msg: 'success',
      data: {
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
        processor_id: taxed,
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
      },
    });
  });

  it('uses the default processor when no processor_id is given', async () => {
    const res = await m.api.post('/api/calculate/amounts', {
      amount: 1000,
      currency: 'USD',
      payment_method: 'card',
      transaction_type: 'sale',
    });
    expect(res.status).toBe(200);
    expect(res.body.data.total).toBe(1000);
  });

  it('surcharges a credit card at the 3% cap with the disclosure, and never ACH or a debit card', async () => {
    const base = {
      processor_id: surcharging,
      amount: 10000,
      currency: 'USD',
      transaction_type: 'sale',
      state: 'IL',
    };
    const credit = await m.api.post('/api/calculate/amounts', {
      ...base,
      payment_method: 'card',
      cc_bin: '40055192',
    });
    expect(credit.body.data.surcharge).toBe(300);
    expect(credit.body.data.total).toBe(10300);
    // Six digits, as most clients send: the same card, the same surcharge.
    const six = await m.api.post('/api/calculate/amounts', {
      ...base,
      payment_method: 'card',
      cc_bin: '400551',
    });
    expect(six.body.data.surcharge).toBe(300);
    expect(six.body.data.total).toBe(10300);
    expect(credit.body.data.features.surcharge).toBe(true);
    expect(credit.body.data.disclaimer).toMatchObject({
      display: true,
      text: 'A 3% surcharge applies to credit cards.',
    });

    const ach = await m.api.post('/api/calculate/amounts', { ...base, payment_method: 'ach' });
    expect(ach.body.data.total).toBe(10000);
    expect(ach.body.data.features.surcharge).toBe(false);

    const debit = await m.api.post('/api/calculate/amounts', {
      ...base,
      payment_method: 'card',
      cc_bin: '411111',
    });
    expect(debit.body.data.features.surcharge).toBe(false);
    expect(debit.body.data.total).toBe(10000);

    const banned = await m.api.post('/api/calculate/amounts', {
      ...base,
      payment_method: 'card',
      cc_bin: '40055192',
      state: 'CT',
    });
    expect(banned.body.data.features.surcharge).toBe(false);

    const colorado = await m.api.post('/api/calculate/amounts', {
      ...base,
      payment_method: 'card',
      cc_bin: '40055192',
      state: 'CO',
    });
    expect(colorado.body.data.surcharge).toBe(200);
  });

  it("answers the spec's lookup-fees sample request in the spec's shape", async () => {
    const res = await m.api.post('/api/lookup/fees', {
      type: 'integrations',
      type_id: '',
      state: 'IL',
      bin: '517246700',
      payment_method: 'card',
      base_amount: 1000,
      processor_id: surcharging,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      service_fee: 0,
      payment_adjustment: { value: 0, type: '' },
      requested_amount: 1030,
      discount_amount: null,
      surcharge: 30,
    });
  });

  it('never surcharges a vaulted customer flagged surcharge_exempt, and names unknown vault ids', async () => {
    const exempt = await m.api.post('/api/vault/customer', {
      flags: ['surcharge_exempt'],
      default_payment: { card: { number: '4005519200000004', expiration_date: '12/39' } },
    });
    expect(exempt.status).toBe(200);
    const plain = await m.api.post('/api/vault/customer', {
      default_payment: { card: { number: '4005519200000004', expiration_date: '12/39' } },
    });
    const body = {
      type: 'integrations',
      state: 'IL',
      bin: '40055192',
      payment_method: 'card',
      base_amount: 1000,
      processor_id: surcharging,
    };
    const withFlag = await m.api.post('/api/lookup/fees', {
      ...body,
      customer_id: exempt.body.data.id,
    });
    expect(withFlag.body.data.surcharge).toBe(0);
    expect(withFlag.body.data.requested_amount).toBe(1000);
    const without = await m.api.post('/api/lookup/fees', {
      ...body,
      customer_id: plain.body.data.id,
    });
    expect(without.body.data.surcharge).toBe(30);
    const unknown = await m.api.post('/api/lookup/fees', { ...body, customer_id: 'nobody-here' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.msg).toMatch(/customer_id/);
    const foreign = await other.api.post('/api/lookup/fees', {
      ...body,
      processor_id: undefined,
      customer_id: exempt.body.data.id,
    });
    expect(foreign.status).toBe(400);
  });

  it.each([
    [{ amount: -1, currency: 'USD', payment_method: 'card', transaction_type: 'sale' }, /amount/],
    [{ amount: 10.5, currency: 'USD', payment_method: 'card', transaction_type: 'sale' }, /amount/],
    [
      { amount: 100, currency: 'USD', payment_method: 'cash', transaction_type: 'sale' },
      /payment_method/,
    ],
    [
      { amount: 100, currency: 'USD', payment_method: 'card', transaction_type: 'steal' },
      /transaction_type/,
    ],
    [
      {
        amount: 100,
        currency: 'USD',
        payment_method: 'card',
        transaction_type: 'sale',
        cc_bin: '12',
      },
      /cc_bin/,
    ],
    [
      {
        amount: 100,
        currency: 'USD',
        payment_method: 'card',
        transaction_type: 'sale',
        tax_amount: { type: 'percentage', value: 100001 },
      },
      /tax_amount/,
    ],
    [
      {
        amount: 100,
        currency: 'USD',
        payment_method: 'card',
        transaction_type: 'sale',
        discount_amount: [{ type: 'bogus', value: 1 }],
      },
      /discount_amount\[0\]\.type/,
    ],
    [
      { currency: 'USD', payment_method: 'card', transaction_type: 'sale' },
      /amount|line_items|products/,
    ],
  ])('refuses bad input with a 400 that names the field (%#)', async (body, field) => {
    const res = await m.api.post('/api/calculate/amounts', body);
    expect(res.status).toBe(400);
    expect(res.body.status).toBe('failed');
    expect(res.body.msg).toMatch(field);
  });

  it('refuses a bad lookup-fees request', async () => {
    const res = await m.api.post('/api/lookup/fees', {
      type: 'integrations',
      payment_method: 'card',
      base_amount: 'lots',
    });
    expect(res.status).toBe(400);
    expect(res.body.msg).toMatch(/base_amount/);
  });

  it("does not let a merchant use another merchant's processor", async () => {
    const res = await other.api.post('/api/calculate/amounts', {
      processor_id: taxed,
      amount: 1000,
      currency: 'USD',
      payment_method: 'card',
      transaction_type: 'sale',
    });
    expect(res.status).toBe(404);
  });

  it('refuses a public key', async () => {
    const res = await m.api.withKey(m.publicKey).post('/api/calculate/amounts', { amount: 1 });
    expect(res.status).toBe(401);
  });
});
