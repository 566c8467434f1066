import { DataSource } from 'typeorm';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * Free trials through HTTP, with the billing run moving the calendar (docs/subscriptions.md,
 * "Trials"): nothing is charged during the trial, the notice goes out N days before it ends,
 * the first billing is on the trial's end (merchant-initiated, the card having been verified
 * customer-initiated at signup), and ending a trial early bills at once.
 */
describe('trials', () => {
  let t: TestApp;
  let m: TestMerchant;
  let other: TestMerchant;
  const GOOD_CARD = '4111111111111111';
  const SOFT_DECLINE_CARD = '4000000000000002';

  const setToday = (date: string) => t.clock.setNow(`${date}T18:00:00Z`); // noon in Chicago
  const db = () => t.app.get(DataSource);

  beforeAll(async () => {
    t = await startTestApp();
    setToday('2027-01-10');
    m = await createMerchant(t.baseUrl, 'America/Chicago');
    other = await createMerchant(t.baseUrl, 'America/Chicago');
  });
  afterAll(async () => t.close());

  async function customer(card: string | null, email = 'trial@example.com'): Promise<string> {
    const res = await m.api.post('/api/vault/customer', {
      description: 'trialist',
      ...(card ? { default_payment: { card: { number: card, expiration_date: '12/39' } } } : {}),
      default_billing_address: {
        first_name: 'Tri',
        last_name: 'Al',
        line_1: '1 Main St',
        city: 'Chicago',
        state: 'IL',
        postal_code: '60601',
        country: 'US',
        email,
      },
    });
    expect(res.status).toBe(200);
    return res.body.data.id;
  }

  async function plan(trialDays: number, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await m.api.post('/api/recurring/plan', {
      name: `Pro with ${trialDays} trial days`,
      amount: 2500,
      billing_frequency: 'monthly',
      billing_cycle_interval: 1,
      billing_days: '1',
      duration: 0,
      trial_days: trialDays,
      ...extra,
    });
    expect(res.status).toBe(200);
    expect(res.body.data.trial_days).toBe(trialDays);
    return res.body.data.id;
  }

  const run = async (date: string) => {
    setToday(date);
    const res = await m.api.post('/api/recurring/billing-run', { date });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'completed', error: null });
    return res.body.data.summary;
  };
  const get = async (id: string) =>
    (await m.api.get(`/api/recurring/subscription/${id}`)).body.data;

  /** A monthly subscription on the 1st, for `amount`, with a trial of `trialDays`. */
  const trialOnThe1st = (cus: string, amount: number, trialDays: number) =>
    m.api.post('/api/recurring/subscription', {
      customer: { id: cus },
      amount,
      billing_frequency: 'monthly',
      billing_cycle_interval: 1,
      billing_days: '1',
      trial_days: trialDays,
    });

  async function attempts(subscriptionId: string) {
    return db().query(
      `SELECT bill_date::text, amount, state, initiated_by FROM charge_attempts WHERE subscription_id = $1 ORDER BY bill_date, attempt`,
      [subscriptionId],
    );
  }

  it("starts trialing from the plan's trial_days, bills nothing before the end, sends the notice 3 days ahead, and bills on the end day", async () => {
    setToday('2027-01-10');
    const cus = await customer(GOOD_CARD);
    const planId = await plan(14);
    const created = await m.api.post('/api/recurring/subscription', {
      plan_id: planId,
      customer: { id: cus },
    });
    expect(created.status).toBe(200);
    const sub = created.body.data;
    // 14 days from 2027-01-10: the customer first pays on 2027-01-24, and monthly on the 24th.
    expect(sub).toMatchObject({
      status: 'trialing',
      trial_start: '2027-01-10',
      trial_end: '2027-01-24',
      next_bill_date: '2027-01-24',
      billing_days: '24',
      billing_count: 0,
    });
    // The card was verified, customer-initiated, at signup: one zero-amount verification.
    const verifications = await db().query(
      `SELECT amount FROM gateway_transactions WHERE merchant_id = $1 AND customer_id = $2`,
      [m.id, cus],
    );
    expect(verifications.map((v: { amount: string }) => Number(v.amount))).toEqual([0]);

    await run('2027-01-20');
    expect(await attempts(sub.id)).toEqual([]);
    const noNotice = await m.api.get(
      `/api/events?type=subscription.trial_will_end&object_id=${sub.id}`,
    );
    expect(noNotice.body.total_count).toBe(0);

    // Three days before the end: the event and the customer's email, once.
    await run('2027-01-21');
    await run('2027-01-22');
    const notice = await m.api.get(
      `/api/events?type=subscription.trial_will_end&object_id=${sub.id}`,
    );
    expect(notice.body.total_count).toBe(1);
    expect(notice.body.data[0].data).toMatchObject({ id: sub.id, trial_end: '2027-01-24' });
    const mail = await db().query(
      `SELECT to_address, subject, text_body FROM email_outbox WHERE merchant_id = $1 AND kind = 'subscription.trial_will_end' AND subject_id = $2`,
      [m.id, sub.id],
    );
    expect(mail).toHaveLength(1);
    expect(mail[0].to_address).toBe('trial@example.com');
    expect(mail[0].subject).toContain('2027-01-24');
    expect(mail[0].text_body).toContain('$25.00');

    await run('2027-01-24');
    expect(await attempts(sub.id)).toEqual([
      { bill_date: '2027-01-24', amount: '2500', state: 'approved', initiated_by: 'merchant' },
    ]);
    expect(await get(sub.id)).toMatchObject({
      status: 'active',
      billing_count: 1,
      next_bill_date: '2027-02-24',
      trial_end: '2027-01-24',
    });
    const history = (await get(sub.id)).events.map((e: any) => [e.type, e.to_status]);
    expect(history).toContainEqual(['status_changed', 'active']);
  });

  it('trial_end wins over trial_days; a trial of 0 days is none; next_bill_date cannot be given with a trial', async () => {
    setToday('2027-01-10');
    const cus = await customer(GOOD_CARD);
    const base = {
      customer: { id: cus },
      amount: 1000,
      billing_frequency: 'monthly',
      billing_cycle_interval: 1,
      billing_days: '1',
    };
    const byDate = await m.api.post('/api/recurring/subscription', {
      ...base,
      trial_days: 30,
      trial_end: '2027-02-01',
    });
    expect(byDate.status).toBe(200);
    expect(byDate.body.data).toMatchObject({
      status: 'trialing',
      trial_end: '2027-02-01',
      next_bill_date: '2027-02-01',
    });
    const none = await m.api.post('/api/recurring/subscription', { ...base, trial_days: 0 });
    expect(none.body.data).toMatchObject({ status: 'active', trial_end: null, trial_start: null });
    const both = await m.api.post('/api/recurring/subscription', {
      ...base,
      trial_days: 7,
      next_bill_date: '2027-03-01',
    });
    expect(both.status).toBe(400);
    expect(both.body.msg).toContain('next_bill_date');
    for (const [body, field] of [
      [{ trial_end: '2027-01-10' }, 'trial_end'],
      [{ trial_end: '2027-02-30' }, 'trial_end'],
      [{ trial_days: -1 }, 'trial_days'],
      [{ trial_days: 731 }, 'trial_days'],
      [{ trial_days: 1.5 }, 'trial_days'],
    ] as const) {
      const res = await m.api.post('/api/recurring/subscription', { ...base, ...body });
      expect(res.status).toBe(400);
      expect(res.body.msg).toContain(field);
    }
  });

  it('needs a payment method up front unless allowed; without one the first billing fails into dunning', async () => {
    setToday('2027-01-10');
    const cus = await customer(null);
    const strict = await plan(5);
    const refused = await m.api.post('/api/recurring/subscription', {
      plan_id: strict,
      customer: { id: cus },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.msg).toContain('customer.payment_method_id');
    const before = (await m.api.get('/api/recurring/subscriptions')).body.total_count;

    const lenient = await plan(5, { trial_requires_payment_method: false });
    const allowed = await m.api.post('/api/recurring/subscription', {
      plan_id: lenient,
      customer: { id: cus },
    });
    expect(allowed.status).toBe(200);
    expect((await m.api.get('/api/recurring/subscriptions')).body.total_count).toBe(before + 1);
    const id = allowed.body.data.id;
    expect(allowed.body.data).toMatchObject({ status: 'trialing', next_bill_date: '2027-01-15' });
    await run('2027-01-15');
    expect(await attempts(id)).toMatchObject([{ bill_date: '2027-01-15', state: 'declined' }]);
    // No payment method is a hard decline: the merchant's final action (past due by default).
    expect((await get(id)).status).toBe('past_due');
  });

  it('a declined first billing after the trial makes the subscription past due with retries', async () => {
    setToday('2027-01-10');
    // The sandbox verifies this card (zero amount) but declines charges: insufficient funds.
    const cus = await customer(SOFT_DECLINE_CARD);
    const res = await trialOnThe1st(cus, 1200, 3);
    const id = res.body.data.id;
    await run('2027-01-13');
    expect(await attempts(id)).toMatchObject([{ bill_date: '2027-01-13', state: 'declined' }]);
    expect(await get(id)).toMatchObject({ status: 'past_due', billing_count: 1 });
  });

  it('ends a trial early: bills today at once, and the calendar continues from today', async () => {
    setToday('2027-03-05');
    const cus = await customer(GOOD_CARD);
    const res = await trialOnThe1st(cus, 4000, 30);
    const id = res.body.data.id;
    expect(res.body.data.next_bill_date).toBe('2027-04-04');
    setToday('2027-03-09');
    const ended = await m.api.post(`/api/recurring/subscription/${id}/end-trial`, {});
    expect(ended.status).toBe(200);
    expect(ended.body.data.subscription).toMatchObject({
      status: 'active',
      trial_end: '2027-03-09',
      billing_count: 1,
      next_bill_date: '2027-04-09',
    });
    expect(ended.body.data.billing_run.summary).toMatchObject({ charged: 1 });
    expect(await attempts(id)).toEqual([
      { bill_date: '2027-03-09', amount: '4000', state: 'approved', initiated_by: 'merchant' },
    ]);
    // Not trialing any more: a second call is refused and charges nothing.
    const again = await m.api.post(`/api/recurring/subscription/${id}/end-trial`, {});
    expect(again.status).toBe(409);
    expect(await attempts(id)).toHaveLength(1);
    expect((await other.api.post(`/api/recurring/subscription/${id}/end-trial`, {})).status).toBe(
      404,
    );
  });

  it('the status API cannot pause or activate a trial (409), but can cancel it', async () => {
    setToday('2027-01-10');
    const cus = await customer(GOOD_CARD);
    const res = await trialOnThe1st(cus, 1000, 10);
    const id = res.body.data.id;
    for (const status of ['paused', 'active', 'trialing']) {
      const r = await m.api.post(`/api/recurring/subscription/${id}/status/${status}`, {});
      expect(r.status).toBe(409);
      expect((await get(id)).status).toBe('trialing');
    }
    const cancelled = await m.api.post(`/api/recurring/subscription/${id}/status/cancelled`, {});
    expect(cancelled.status).toBe(200);
    await run('2027-01-20');
    expect(await attempts(id)).toEqual([]);
  });

  it('a change during a trial prorates nothing (nothing was paid) and the first billing charges the new price', async () => {
    setToday('2027-05-01');
    const cus = await customer(GOOD_CARD);
    const res = await trialOnThe1st(cus, 1000, 14);
    const id = res.body.data.id;
    setToday('2027-05-08');
    const preview = await m.api.post(`/api/recurring/subscription/${id}/change`, {
      amount: 3000,
      preview: true,
    });
    expect(preview.status).toBe(200);
    expect(preview.body.data.invoice).toMatchObject({ lines: [], subtotal: 0, amount_due: 0 });
    const applied = await m.api.post(`/api/recurring/subscription/${id}/change`, {
      amount: 3000,
    });
    expect(applied.status).toBe(200);
    expect(await get(id)).toMatchObject({ status: 'trialing', amount: 3000 });
    const upcoming = await m.api.get(`/api/recurring/subscription/${id}/upcoming-invoice`);
    expect(upcoming.body.data).toMatchObject({ total: 3000, amount_due: 3000 });
    expect(upcoming.body.data.lines[0]).toMatchObject({ period_start: '2027-05-15' });
    await run('2027-05-15');
    expect((await attempts(id))[0]).toMatchObject({ amount: '3000', bill_date: '2027-05-15' });
  });

  it('the trial notice days are a billing setting, validated', async () => {
    const bad = await m.api.put('/api/recurring/billing-settings', { trial_notice_days: 31 });
    expect(bad.status).toBe(400);
    expect(bad.body.msg).toContain('trial_notice_days');
    const good = await m.api.put('/api/recurring/billing-settings', { trial_notice_days: 7 });
    expect(good.status).toBe(200);
    expect(good.body.data.trial_notice_days).toBe(7);
    await m.api.put('/api/recurring/billing-settings', { trial_notice_days: 3 });
  });
});
