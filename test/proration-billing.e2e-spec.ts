import { DataSource } from 'typeorm';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * Prorated changes that move money, through HTTP with the billing run moving the calendar
 * (docs/proration.md): an upgrade charged now (customer-initiated on the stored card) or on
 * the next invoice, a downgrade's credit consumed by the next billings before any card is
 * charged, quantity changes, and an add-on whose duration is half used.
 */
describe('proration that bills', () => {
  let t: TestApp;
  let m: TestMerchant;
  const GOOD_CARD = '4111111111111111';
  const SOFT_DECLINE_CARD = '4000000000000002';

  const setToday = (date: string) => t.clock.setNow(`${date}T18:00:00Z`); // noon in Chicago
  const db = () => t.app.get(DataSource);

  beforeAll(async () => {
    t = await startTestApp();
    m = await createMerchant(t.baseUrl, 'America/Chicago');
  });
  afterAll(async () => t.close());

  async function customer(card = GOOD_CARD): Promise<string> {
    const res = await m.api.post('/api/vault/customer', {
      description: 'prorated',
      default_payment: { card: { number: card, expiration_date: '12/39' } },
    });
    expect(res.status).toBe(200);
    return res.body.data.id;
  }

  const run = async (date: string) => {
    setToday(date);
    const res = await m.api.post('/api/recurring/billing-run', { date });
    expect(res.body.data).toMatchObject({ status: 'completed', error: null });
  };

  /** `amount` on the 1st of every month, billed on 2027-06-01 for June (30 days). */
  async function billed(
    amount: number,
    extra: Record<string, unknown> = {},
    card = GOOD_CARD,
  ): Promise<{ id: string; customerId: string }> {
    const customerId = await customer(card);
    setToday('2027-06-01');
    const res = await m.api.post('/api/recurring/subscription', {
      customer: { id: customerId },
      amount,
      billing_frequency: 'monthly',
      billing_cycle_interval: 1,
      billing_days: '1',
      next_bill_date: '2027-06-01',
      ...extra,
    });
    expect(res.status).toBe(200);
    await run('2027-06-01');
    const sub = (await m.api.get(`/api/recurring/subscription/${res.body.data.id}`)).body.data;
    expect(sub).toMatchObject({ billing_count: 1, next_bill_date: '2027-07-01' });
    return { id: res.body.data.id, customerId };
  }

  async function attempts(subscriptionId: string) {
    return db().query(
      `SELECT bill_date::text, amount::int, state, initiated_by FROM charge_attempts
        WHERE subscription_id = $1 ORDER BY bill_date, attempt`,
      [subscriptionId],
    );
  }

  async function cycleInvoice(subscriptionId: string, billDate: string) {
    const [cycle] = await db().query(
      `SELECT invoice_id, amount::int, status FROM billing_cycles WHERE subscription_id = $1 AND bill_date = $2`,
      [subscriptionId, billDate],
    );
    const invoice = (await m.api.get(`/api/invoice/${cycle.invoice_id}`)).body.data;
    return { cycle, invoice };
  }

  it('always_invoice: an upgrade on day 10 is charged now, customer-initiated on the stored card, with a paid invoice', async () => {
    const { id, customerId } = await billed(5000);
    setToday('2027-06-10');
    const res = await m.api.post(`/api/recurring/subscription/${id}/change`, {
      amount: 8000,
      proration: 'always_invoice',
    });
    expect(res.status).toBe(200);
    // 5000 × 21/30 = 3500 credited, 8000 × 21/30 = 5600 charged: 2100 now.
    expect(res.body.data.invoice.lines.map((l: any) => l.amount)).toEqual([-3500, 5600]);
    expect(res.body.data.charge).toMatchObject({ status: 'paid', amount: 2100, credit_applied: 0 });
    const txId = res.body.data.charge.transaction_id;
    const tx = (await m.api.get(`/api/transaction/${txId}`)).body.data[0];
    expect(tx).toMatchObject({
      amount: 2100,
      initiated_by: 'customer',
      stored_credential_indicator: 'used',
      billing_method: 'straight',
    });
    expect(tx.customer_id ?? customerId).toBe(customerId);
    const invoice = (await m.api.get(`/api/invoice/${res.body.data.charge.invoice_id}`)).body.data;
    expect(invoice.status).toBe('paid');
    expect(invoice.items[0].unit_price).toBe(2100);
    expect(invoice.items[0].description).toContain('80.00 × 21/30 days = 56.00');
    expect((await m.api.get(`/api/recurring/subscription/${id}`)).body.data.amount).toBe(8000);
    // The next billing charges the new price, and nothing prorated again.
    await run('2027-07-01');
    expect((await attempts(id)).map((a: any) => a.amount)).toEqual([5000, 8000]);
  });

  it('always_invoice declined: 402 naming the decline, nothing changed, nothing left pending', async () => {
    const { id } = await billed(1000, {}, SOFT_DECLINE_CARD);
    // The first billing was declined too (same card); the subscription is past due but the
    // cycle is still the current one.
    setToday('2027-06-10');
    const res = await m.api.post(`/api/recurring/subscription/${id}/change`, {
      amount: 4000,
      proration: 'always_invoice',
    });
    expect(res.status).toBe(402);
    expect(res.body.status).toBe('failed');
    expect(res.body.msg).toMatch(/declined/);
    const sub = (await m.api.get(`/api/recurring/subscription/${id}`)).body.data;
    expect(sub.amount).toBe(1000);
    const rows = await db().query(
      `SELECT status FROM subscription_change_charges WHERE subscription_id = $1`,
      [id],
    );
    expect(rows).toEqual([{ status: 'declined' }]);
  });

  it('create_prorations: the upgrade is applied now and its difference is an item of the next invoice, billed once', async () => {
    const { id } = await billed(5000);
    setToday('2027-06-10');
    const res = await m.api.post(`/api/recurring/subscription/${id}/change`, { amount: 8000 });
    expect(res.status).toBe(200);
    expect(res.body.data.charge).toBeNull();
    const upcoming = (await m.api.get(`/api/recurring/subscription/${id}/upcoming-invoice`)).body
      .data;
    expect(upcoming.lines.map((l: any) => [l.amount, l.proration])).toEqual([
      [8000, false],
      [2100, true],
    ]);
    expect(upcoming.lines[1]).toMatchObject({
      period_start: '2027-06-10',
      period_end: '2027-07-01',
    });
    expect(upcoming.lines[1].description).toContain('50.00 × 21/30 days = 35.00');
    expect(upcoming).toMatchObject({ subtotal: 10100, credit_applied: 0, amount_due: 10100 });
    await run('2027-07-01');
    await run('2027-08-01');
    expect((await attempts(id)).map((a: any) => a.amount)).toEqual([5000, 10100, 8000]);
    const { invoice } = await cycleInvoice(id, '2027-07-01');
    expect(invoice.items.map((i: any) => i.unit_price)).toEqual([8000, 2100]);
    expect(invoice.items[1].name).toBe('Prorated change');
  });

  it('a downgrade leaves credit that the next billings consume before the card: a cycle the credit pays sends no charge', async () => {
    const { id, customerId } = await billed(6000);
    setToday('2027-06-16');
    // 15/30 left: credit 3000, charge 500 → 2500 credit.
    const res = await m.api.post(`/api/recurring/subscription/${id}/change`, { amount: 1000 });
    expect(res.body.data.invoice).toMatchObject({ subtotal: -2500, credit_granted: 2500 });
    const upcoming = (await m.api.get(`/api/recurring/subscription/${id}/upcoming-invoice`)).body
      .data;
    expect(upcoming).toMatchObject({ subtotal: 1000, credit_applied: 1000, amount_due: 0 });

    await run('2027-07-01'); // paid by credit: 2500 → 1500
    await run('2027-08-01'); // paid by credit: 1500 → 500
    await run('2027-09-01'); // 500 of credit, 500 charged
    expect(await attempts(id)).toEqual([
      { bill_date: '2027-06-01', amount: 6000, state: 'approved', initiated_by: 'merchant' },
      { bill_date: '2027-09-01', amount: 500, state: 'approved', initiated_by: 'merchant' },
    ]);
    const july = await cycleInvoice(id, '2027-07-01');
    expect(july.cycle).toMatchObject({ amount: 0, status: 'paid' });
    expect(july.invoice.status).toBe('paid');
    expect(july.invoice.message).toContain('credit');
    const sept = await cycleInvoice(id, '2027-09-01');
    expect(sept.cycle.amount).toBe(500);
    const credit = (await m.api.get(`/api/vault/customer/${customerId}/credit`)).body.data;
    expect(credit.balances.USD ?? 0).toBe(0);
    const sub = (await m.api.get(`/api/recurring/subscription/${id}`)).body.data;
    expect(sub).toMatchObject({ status: 'active', billing_count: 4, next_bill_date: '2027-10-01' });
  });

  it('a quantity change is prorated per unit and bills amount × quantity from then on', async () => {
    const { id } = await billed(1000, { quantity: 2 });
    expect((await attempts(id))[0].amount).toBe(2000);
    setToday('2027-06-16');
    const res = await m.api.post(`/api/recurring/subscription/${id}/change`, {
      quantity: 5,
      proration: 'create_prorations',
    });
    expect(res.status).toBe(200);
    // 15/30 left: credit 2000 × 1/2 = 1000, charge 5000 × 1/2 = 2500.
    expect(res.body.data.invoice.lines.map((l: any) => l.amount)).toEqual([-1000, 2500]);
    const sub = (await m.api.get(`/api/recurring/subscription/${id}`)).body.data;
    expect(sub).toMatchObject({ quantity: 5, amount: 1000 });
    await run('2027-07-01');
    expect((await attempts(id)).map((a: any) => a.amount)).toEqual([2000, 6500]);
  });

  it('an add-on whose duration is half used is prorated with the plan, and still ends after its last billing', async () => {
    const addOn = await m.api.post('/api/recurring/addon', {
      name: 'Setup support',
      amount: 600,
      duration: 2,
    });
    expect(addOn.status).toBe(200);
    const { id } = await billed(3000, { add_ons: [{ id: addOn.body.data.id }] });
    // Billing 1 of the add-on's 2 is paid; on day 16 of 30 the plan goes 3000 → 6000.
    setToday('2027-06-16');
    const res = await m.api.post(`/api/recurring/subscription/${id}/change`, {
      amount: 6000,
      preview: true,
    });
    // base: −1500 + 3000; the add-on is kept: −300 + 300.
    expect(res.body.data.invoice.lines.map((l: any) => l.amount)).toEqual([-1500, -300, 3000, 300]);
    expect(res.body.data.invoice.subtotal).toBe(1500);
    await m.api.post(`/api/recurring/subscription/${id}/change`, { amount: 6000 });
    await run('2027-07-01'); // billing 2: base 6000 + add-on 600 + the prorated 1500
    await run('2027-08-01'); // billing 3: the add-on's duration is over
    expect((await attempts(id)).map((a: any) => a.amount)).toEqual([3600, 8100, 6000]);
  });
});
