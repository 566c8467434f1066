import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * One rule for an unknown id in a body (docs/api-compatibility.md, "Unknown ids"): a 400 that
 * names the field, whether the id exists nowhere or belongs to another merchant, and nothing
 * changes. Every reference is checked against the caller's merchant.
 */

const address = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  address_line_1: '1 Main St',
  city: 'Chicago',
  state: 'IL',
  postal_code: '60601',
  country: 'US',
  email: 'ada@example.com',
};

describe('references in bodies', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;
  let customerA: string;
  let addressA: string;
  let customerB: string;
  let addressB: string;
  let otherCustomerAddressA: string;
  let processorB: string;
  let planB: string;

  async function customerWithAddress(m: TestMerchant): Promise<{ id: string; address: string }> {
    const created = await m.api.post('/api/vault/customer', {
      default_payment: { card: { number: '4111111111111111', expiration_date: '12/39' } },
    });
    expect(created.status).toBe(200);
    const id = created.body.data.id;
    const withAddress = await m.api.post(`/api/vault/customer/${id}/address`, address);
    expect(withAddress.status).toBe(200);
    return { id, address: withAddress.body.data.data.customer.addresses[0].id };
  }

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    b = await createMerchant(t.baseUrl);
    ({ id: customerA, address: addressA } = await customerWithAddress(a));
    ({ address: otherCustomerAddressA } = await customerWithAddress(a));
    ({ id: customerB, address: addressB } = await customerWithAddress(b));
    processorB = (await b.api.post('/api/processor', { name: 'B only' })).body.data.id;
    planB = (
      await b.api.post('/api/recurring/plan', {
        name: 'B plan',
        amount: 1000,
        billing_frequency: 'monthly',
        billing_cycle_interval: 1,
        billing_days: '1',
        duration: 0,
      })
    ).body.data.id;
  });
  afterAll(async () => t.close());

  const subscription = (
    overrides: Record<string, unknown>,
    customer: Record<string, unknown> = {},
  ) => ({
    amount: 1000,
    billing_frequency: 'monthly',
    billing_cycle_interval: 1,
    billing_days: '1',
    duration: 0,
    customer: { id: customerA, ...customer },
    ...overrides,
  });

  it("accepts the customer's own billing and shipping addresses", async () => {
    const res = await a.api.post(
      '/api/recurring/subscription',
      subscription({}, { billing_address_id: addressA, shipping_address_id: addressA }),
    );
    expect(res.status).toBe(200);
  });

  it.each([
    [
      'plan_id: unknown',
      () => subscription({ plan_id: 'nosuchplan0000000000' }),
      /invalid plan_id/,
    ],
    ["plan_id: another merchant's", () => subscription({ plan_id: planB }), /invalid plan_id/],
    [
      'processor_id: unknown',
      () => subscription({ processor_id: 'nosuchproc0000000000' }),
      /invalid processor_id/,
    ],
    [
      "processor_id: another merchant's",
      () => subscription({ processor_id: processorB }),
      /invalid processor_id/,
    ],
    [
      "customer.id: another merchant's",
      () => subscription({ customer: { id: customerB } }),
      /invalid customer.id/,
    ],
    [
      "customer.billing_address_id: another merchant's",
      () => subscription({}, { billing_address_id: addressB }),
      /invalid customer.billing_address_id/,
    ],
    [
      "customer.billing_address_id: another customer's",
      () => subscription({}, { billing_address_id: otherCustomerAddressA }),
      /invalid customer.billing_address_id/,
    ],
    [
      'customer.shipping_address_id: unknown',
      () => subscription({}, { shipping_address_id: 'nosuchaddress' }),
      /invalid customer.shipping_address_id/,
    ],
  ])(
    'POST /api/recurring/subscription with %s: 400 naming the field, nothing created',
    async (_name, body, msg) => {
      const before = (await a.api.get('/api/recurring/subscriptions')).body.total_count;
      const res = await a.api.post('/api/recurring/subscription', body());
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(msg);
      expect((await a.api.get('/api/recurring/subscriptions')).body.total_count).toBe(before);
    },
  );

  it("refuses another merchant's address on a subscription update, and keeps the stored one", async () => {
    const created = await a.api.post(
      '/api/recurring/subscription',
      subscription({}, { billing_address_id: addressA }),
    );
    const id = created.body.data.id;
    const res = await a.api.post(`/api/recurring/subscription/${id}`, {
      customer: { billing_address_id: addressB },
    });
    expect(res.status).toBe(400);
    expect(res.body.msg).toMatch(/customer.billing_address_id/);
  });

  it.each([
    [{ processor_id: 'nosuchproc0000000000' }, /invalid processor_id/],
    [{ processor_id: 'processorB' }, /invalid processor_id/],
  ])('POST /api/transaction with %j: 400 naming the field', async (body, msg) => {
    const res = await a.api.post('/api/transaction', {
      type: 'sale',
      amount: 100,
      payment_method: {
        card: { entry_type: 'keyed', number: '4111111111111111', expiration_date: '12/39' },
      },
      ...(body.processor_id === 'processorB' ? { processor_id: processorB } : body),
    });
    expect(res.status).toBe(400);
    expect(res.body.msg).toMatch(msg);
  });
});
