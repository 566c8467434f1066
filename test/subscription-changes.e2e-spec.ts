import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * Plan changes with proration and the upcoming invoice, through HTTP, with the billing run
 * moving the calendar (docs/proration.md).
 */
describe('subscription changes with proration', () => {
  let t: TestApp;
  let m: TestMerchant;
  let other: TestMerchant;
  let customerId: string;

  const setToday = (date: string) => t.clock.setNow(`${date}T18:00:00Z`); // noon in Chicago

  beforeAll(async () => {
    t = await startTestApp();
    setToday('2027-06-01');
    m = await createMerchant(t.baseUrl, 'America/Chicago');
    other = await createMerchant(t.baseUrl, 'America/Chicago');
    const res = await m.api.post('/api/vault/customer', {
      description: 'changer',
      default_payment: { card: { number: '4111111111111111', expiration_date: '12/39' } },
    });
    expect(res.status).toBe(200);
    customerId = res.body.data.id;
  });
  afterAll(async () => t.close());

  /** $50.00 on the 1st of every month, billed on 2027-06-01 for June (30 days). */
  async function billedSubscription(): Promise<string> {
    setToday('2027-06-01');
    const res = await m.api.post('/api/recurring/subscription', {
      customer: { id: customerId },
      amount: 5000,
      billing_frequency: 'monthly',
      billing_cycle_interval: 1,
      billing_days: '1',
      next_bill_date: '2027-06-01',
    });
    expect(res.status).toBe(200);
    const run = await m.api.post('/api/recurring/billing-run', { date: '2027-06-01' });
    expect(run.status).toBe(200);
    const sub = await m.api.get(`/api/recurring/subscription/${res.body.data.id}`);
    expect(sub.body.data.next_bill_date).toBe('2027-07-01');
    return res.body.data.id;
  }

  it('previews an upgrade on day 10 of a 30-day month: credit 21/30 of the old price, charge 21/30 of the new, nothing written', async () => {
    const id = await billedSubscription();
    setToday('2027-06-10');
    const res = await m.api.post(`/api/recurring/subscription/${id}/change`, {
      amount: 8000,
      preview: true,
    });
    expect(res.status).toBe(200);
    const inv = res.body.data.invoice;
    // 5000 × 21/30 = 3500 credited; 8000 × 21/30 = 5600 charged.
    expect(
      inv.lines.map((l: any) => [
        l.amount,
        l.period_start,
        l.period_end,
        l.days_remaining,
        l.days_in_cycle,
        l.proration,
      ]),
    ).toEqual([
      [-3500, '2027-06-10', '2027-07-01', 21, 30, true],
      [5600, '2027-06-10', '2027-07-01', 21, 30, true],
    ]);
    expect(inv.lines[1].description).toBe(
      'Remaining time on Subscription (80.00 per cycle) from 2027-06-10 to 2027-07-01: 80.00 × 21/30 days = 56.00',
    );
    expect(inv).toMatchObject({ subtotal: 2100, total: 2100, amount_due: 2100, credit_granted: 0 });
    expect(res.body.data.applied).toBe(false);
    const sub = await m.api.get(`/api/recurring/subscription/${id}`);
    expect(sub.body.data.amount).toBe(5000);
  });

  it('a downgrade mid-cycle leaves customer credit, and the upcoming invoice shows the next billing at the new price', async () => {
    const id = await billedSubscription();
    setToday('2027-06-16');
    const res = await m.api.post(`/api/recurring/subscription/${id}/change`, { amount: 2000 });
    expect(res.status).toBe(200);
    // 15 of 30 days remain: credit 2500, charge 1000 → 1500 of credit.
    expect(res.body.data.invoice).toMatchObject({
      subtotal: -1500,
      amount_due: 0,
      credit_granted: 1500,
    });
    expect((await m.api.get(`/api/recurring/subscription/${id}`)).body.data.amount).toBe(2000);
    const credit = await m.api.get(`/api/vault/customer/${customerId}/credit`);
    expect(credit.body.data.balances.USD).toBeGreaterThanOrEqual(1500);
    const upcoming = await m.api.get(`/api/recurring/subscription/${id}/upcoming-invoice`);
    expect(upcoming.status).toBe(200);
    expect(upcoming.body.data.lines).toEqual([
      expect.objectContaining({ amount: 2000, period_start: '2027-07-01', proration: false }),
    ]);
    // The credit (at least this change's 1500) comes off the next billing before the card.
    const balance = credit.body.data.balances.USD;
    expect(upcoming.body.data).toMatchObject({
      subtotal: 2000,
      credit_applied: Math.min(2000, balance),
      amount_due: 2000 - Math.min(2000, balance),
    });
  });

  it('with proration "none" or effective "next_cycle" the new price simply applies from the next bill', async () => {
    const id = await billedSubscription();
    setToday('2027-06-20');
    const none = await m.api.post(`/api/recurring/subscription/${id}/change`, {
      amount: 9000,
      proration: 'none',
    });
    expect(none.status).toBe(200);
    expect(none.body.data.invoice).toMatchObject({ lines: [], subtotal: 0 });
    const next = await m.api.post(`/api/recurring/subscription/${id}/change`, {
      amount: 7000,
      effective: 'next_cycle',
    });
    expect(next.status).toBe(200);
    expect((await m.api.get(`/api/recurring/subscription/${id}`)).body.data.amount).toBe(7000);
  });

  it('a change on the anchor day swaps the whole cycle', async () => {
    const id = await billedSubscription();
    const res = await m.api.post(`/api/recurring/subscription/${id}/change`, {
      amount: 6000,
      preview: true,
    });
    expect(res.body.data.invoice.lines.map((l: any) => l.amount)).toEqual([-5000, 6000]);
  });

  it.each([
    [{ amount: -1 }, 'amount'],
    [{ amount: 1.5 }, 'amount'],
    [{ proration: 'sometimes', amount: 100 }, 'proration'],
    [{ effective: 'later', amount: 100 }, 'effective'],
    [{ preview: 'yes', amount: 100 }, 'preview'],
  ])('refuses %j naming %s', async (body, field) => {
    const id = await billedSubscription();
    const res = await m.api.post(`/api/recurring/subscription/${id}/change`, body);
    expect(res.status).toBe(400);
    expect(res.body.msg).toContain(field);
  });

  it("needs a plan or an amount, and finds neither another merchant's subscription nor plan", async () => {
    const id = await billedSubscription();
    expect((await m.api.post(`/api/recurring/subscription/${id}/change`, {})).status).toBe(422);
    expect(
      (await other.api.post(`/api/recurring/subscription/${id}/change`, { amount: 1 })).status,
    ).toBe(404);
    expect((await other.api.get(`/api/recurring/subscription/${id}/upcoming-invoice`)).status).toBe(
      404,
    );
    expect(
      (await m.api.post(`/api/recurring/subscription/${id}/change`, { plan_id: 'nope' })).status,
    ).toBe(404);
  });
});
