import { DataSource } from 'typeorm';
import { HostedUrls } from '../src/invoices/hosted-urls';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * The billing run, driven through HTTP with the sandbox gateway: POST
 * /api/recurring/billing-run is the test clock. Each scenario has its own merchant, so runs
 * (which bill the calling merchant only) never touch another scenario's subscriptions.
 */
describe('billing run scenarios', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(HostedUrls).setBase(t.baseUrl);
  });
  afterAll(async () => t.close());

  const GOOD_CARD = '4111111111111111';
  const SOFT_DECLINE_CARD = '4000000000000002'; // 202 insufficient funds
  const HARD_DECLINE_CARD = '4000000000000028'; // 251 lost card

  interface Scenario {
    m: TestMerchant;
    customerId: string;
    cardId: string;
  }

  /** A merchant in Chicago with one vaulted customer paying by `card`; the clock at `today` noon. */
  async function scenario(card = GOOD_CARD, today = '2027-01-01'): Promise<Scenario> {
    setToday(today);
    const m = await createMerchant(t.baseUrl, 'America/Chicago');
    const res = await m.api.post('/api/vault/customer', {
      description: 'subscriber',
      default_payment: { card: { number: card, expiration_date: '12/39' } },
      default_billing_address: {
        first_name: 'Pat',
        last_name: 'Payer',
        line_1: '1 Main St',
        city: 'Chicago',
        state: 'IL',
        postal_code: '60601',
        country: 'US',
        email: 'pat@example.com',
      },
    });
    if (res.status !== 200) throw new Error(`vault: ${JSON.stringify(res.body)}`);
    const customer = res.body.data.data.customer;
    return { m, customerId: res.body.data.id, cardId: customer.payments.cards[0].id };
  }

  function setToday(date: string): void {
    t.clock.setNow(`${date}T18:00:00Z`); // noon in Chicago
  }

  async function subscribe(s: Scenario, body: Record<string, unknown>): Promise<any> {
    const res = await s.m.api.post('/api/recurring/subscription', {
      customer: { id: s.customerId },
      ...(body.plan_id ? {} : { billing_cycle_interval: 1 }),
      ...body,
    });
    if (res.status !== 200) throw new Error(`subscribe: ${JSON.stringify(res.body)}`);
    return res.body.data;
  }

  async function runOn(s: Scenario, date: string): Promise<any> {
    setToday(date);
    const res = await s.m.api.post('/api/recurring/billing-run', { date });
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('completed');
    return res.body.data.summary;
  }

  async function subscription(s: Scenario, id: string): Promise<any> {
    const res = await s.m.api.get(`/api/recurring/subscription/${id}`);
    expect(res.status).toBe(200);
    return res.body.data;
  }

  /** The sandbox's sale transactions for a subscription, oldest first. */
  async function charges(s: Scenario, subscriptionId: string): Promise<any[]> {
    const rows: { gateway_transaction_id: string }[] = await t.app.get(DataSource).query(
      `SELECT gateway_transaction_id FROM charge_attempts
          WHERE subscription_id = $1 AND gateway_transaction_id IS NOT NULL ORDER BY bill_date, attempt`,
      [subscriptionId],
    );
    const out = [];
    for (const r of rows) {
      const res = await s.m.api.get(`/api/transaction/${r.gateway_transaction_id}`);
      expect(res.status).toBe(200);
      out.push(res.body.data[0]);
    }
    return out;
  }

  async function cycles(subscriptionId: string): Promise<any[]> {
    return t.app
      .get(DataSource)
      .query(`SELECT * FROM billing_cycles WHERE subscription_id = $1 ORDER BY bill_date`, [
        subscriptionId,
      ]);
  }

  /** $10.00 on the 1st of every month, first billed on 2027-01-01. */
  const MONTHLY_ON_THE_1ST = {
    amount: 1000,
    billing_frequency: 'monthly',
    billing_days: '1',
    next_bill_date: '2027-01-01',
  };

  /** The first day of each month from January 2027, as run dates. */
  const months = (n: number) =>
    Array.from(
      { length: n },
      (_, i) => `${2027 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`,
    );

  it('bills a monthly plan with a 3-billing add-on and a forever discount across 12 months, amounts checked by hand', async () => {
    const s = await scenario();
    const addOn = (
      await s.m.api.post('/api/recurring/addon', { name: 'setup help', amount: 500, duration: 3 })
    ).body.data;
    const discount = (
      await s.m.api.post('/api/recurring/discount', {
        name: 'loyalty',
        percentage: 10000,
        duration: 0,
      })
    ).body.data;
    const plan = (
      await s.m.api.post('/api/recurring/plan', {
        name: 'Pro',
        amount: 2000,
        billing_cycle_interval: 1,
        billing_frequency: 'monthly',
        billing_days: '1',
        duration: 0,
        add_ons: [{ id: addOn.id }],
        discounts: [{ id: discount.id }],
      })
    ).body.data;
    const sub = await subscribe(s, { plan_id: plan.id, next_bill_date: '2027-01-01' });

    for (const date of months(12)) await runOn(s, date);

    const txs = await charges(s, sub.id);
    // Billings 1–3: 2000 + 500 add-on − 10% of 2000 = 2300; billings 4–12: 2000 − 200 = 1800.
    expect(txs.map((tx) => tx.amount)).toEqual([
      2300, 2300, 2300, 1800, 1800, 1800, 1800, 1800, 1800, 1800, 1800, 1800,
    ]);
    expect(txs.every((tx) => tx.response_code === 100)).toBe(true);
    const after = await subscription(s, sub.id);
    expect(after.status).toBe('active');
    expect(after.next_bill_date).toBe('2028-01-01');
    const billed = await cycles(sub.id);
    expect(billed.map((c) => c.bill_date)).toEqual(months(12));
    expect(billed.every((c) => c.status === 'paid' && c.invoice_id)).toBe(true);

    // Each cycle has an invoice, paid, found by its id.
    const invoice = await s.m.api.get(`/api/invoice/${billed[0].invoice_id}`);
    expect(invoice.status).toBe(200);
    expect(invoice.body.data).toMatchObject({ status: 'paid', amount_due: 0, total: 2300 });

    // The subscription's billings: each cycle with its invoice and its charge.
    const history = await s.m.api.get(`/api/recurring/subscription/${sub.id}/billings`);
    expect(history.body.total_count).toBe(12);
    expect(history.body.data[3]).toMatchObject({
      bill_date: '2027-04-01',
      billing_number: 4,
      amount: 1800,
      status: 'paid',
      invoice_id: billed[3].invoice_id,
      attempts: [
        {
          attempt: 1,
          state: 'approved',
          amount: 1800,
          response_code: 100,
          initiated_by: 'merchant',
        },
      ],
    });
    const other = await createMerchant(t.baseUrl);
    expect((await other.api.get(`/api/recurring/subscription/${sub.id}/billings`)).status).toBe(
      404,
    );

    // Running a date again charges nothing more.
    const again = await runOn(s, '2027-12-01');
    expect(again.charged).toBe(0);
    expect(await charges(s, sub.id)).toHaveLength(12);

    // The runs are recorded.
    const runs = await s.m.api.get('/api/recurring/billing-runs?limit=100');
    expect(runs.body.total_count).toBe(13);
    expect(runs.body.data[runs.body.data.length - 1].summary).toMatchObject({
      charged: 1,
      amount_charged: 2300,
    });
  });

  it('sends every renewal merchant-initiated, naming the customer-initiated verification made at signup', async () => {
    const s = await scenario();
    const sub = await subscribe(s, {
      amount: 1500,
      billing_frequency: 'monthly',
      billing_days: '1',
      next_bill_date: '2027-01-01',
    });
    const signup: { initial_transaction_id: string }[] = await t.app
      .get(DataSource)
      .query(
        `SELECT initial_transaction_id FROM gateway_stored_credentials WHERE merchant_id = $1 AND customer_id = $2`,
        [s.m.id, s.customerId],
      );
    expect(signup).toHaveLength(1);
    const verification = (await s.m.api.get(`/api/transaction/${signup[0].initial_transaction_id}`))
      .body.data[0];
    expect(verification).toMatchObject({
      type: 'verification',
      amount: 0,
      initiated_by: 'customer',
      stored_credential_indicator: 'stored',
      billing_method: 'initial_recurring',
    });
    for (const date of months(3)) await runOn(s, date);
    const txs = await charges(s, sub.id);
    expect(txs).toHaveLength(3);
    for (const renewal of txs) {
      expect(renewal).toMatchObject({
        initiated_by: 'merchant',
        stored_credential_indicator: 'used',
        billing_method: 'recurring',
        card_on_file_indicator: 'R',
        initial_transaction_id: verification.id,
      });
    }
    // One series: whatever started it (a signup charge or verification), every renewal names it.
    expect(new Set(txs.map((tx) => tx.initial_transaction_id ?? null)).size).toBe(1);
    const attempts: { initiated_by: string }[] = await t.app
      .get(DataSource)
      .query(`SELECT initiated_by FROM charge_attempts WHERE subscription_id = $1`, [sub.id]);
    expect(attempts.map((a) => a.initiated_by)).toEqual(['merchant', 'merchant', 'merchant']);
  });

  it('bills twice-monthly subscriptions on both days of each month', async () => {
    const s = await scenario();
    const sub = await subscribe(s, {
      amount: 1000,
      billing_frequency: 'twice_monthly',
      billing_days: '1,15',
      next_bill_date: '2027-01-01',
    });
    for (const date of ['2027-01-01', '2027-01-15', '2027-02-01', '2027-02-15', '2027-03-01'])
      await runOn(s, date);
    expect((await cycles(sub.id)).map((c) => c.bill_date)).toEqual([
      '2027-01-01',
      '2027-01-15',
      '2027-02-01',
      '2027-02-15',
      '2027-03-01',
    ]);
  });

  it('bills day 31 on the last day of short months and returns to the 31st, and "0" on every month end', async () => {
    const s = await scenario();
    const day31 = await subscribe(s, {
      amount: 1000,
      billing_frequency: 'monthly',
      billing_days: '31',
      next_bill_date: '2027-01-31',
    });
    const last = await subscribe(s, {
      amount: 1000,
      billing_frequency: 'monthly',
      billing_days: '0',
      next_bill_date: '2027-01-31',
    });
    // One run as of the end of May bills every missed date, oldest first.
    const summary = await runOn(s, '2027-05-31');
    expect(summary.charged).toBe(10);
    const expected = ['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31'];
    expect((await cycles(day31.id)).map((c) => c.bill_date)).toEqual(expected);
    expect((await cycles(last.id)).map((c) => c.bill_date)).toEqual(expected);
    expect((await subscription(s, day31.id)).next_bill_date).toBe('2027-06-30');
  });

  it('bills only the latest missed date when the merchant chose catch_up "latest"', async () => {
    const s = await scenario();
    await s.m.api.put('/api/recurring/billing-settings', { catch_up: 'latest' });
    const sub = await subscribe(s, MONTHLY_ON_THE_1ST);
    await runOn(s, '2027-04-15');
    expect((await cycles(sub.id)).map((c) => c.bill_date)).toEqual(['2027-04-01']);
    expect((await subscription(s, sub.id)).next_bill_date).toBe('2027-05-01');
  });

  it('retries a soft decline on days 3, 5 and 7, then recovers when the card is replaced, keeping the anchor', async () => {
    const s = await scenario(SOFT_DECLINE_CARD);
    const sub = await subscribe(s, {
      amount: 2500,
      billing_frequency: 'monthly',
      billing_days: '1',
      next_bill_date: '2027-01-01',
    });

    const first = await runOn(s, '2027-01-01');
    expect(first).toMatchObject({ charged: 0, declined: 1 });
    let now = await subscription(s, sub.id);
    expect(now.status).toBe('past_due');
    expect(now.next_bill_date).toBe('2027-02-01');
    expect((await cycles(sub.id))[0]).toMatchObject({
      status: 'open',
      next_retry_date: '2027-01-04',
      attempts: 1,
    });

    expect((await runOn(s, '2027-01-03')).declined).toBe(0); // not due yet
    expect((await runOn(s, '2027-01-04')).declined).toBe(1);
    expect((await cycles(sub.id))[0]).toMatchObject({ next_retry_date: '2027-01-06', attempts: 2 });

    // The customer replaces the card; the next retry succeeds.
    const card = await s.m.api.post(`/api/vault/customer/${s.customerId}/card`, {
      number: GOOD_CARD,
      expiration_date: '12/39',
    });
    expect(card.status).toBe(200);
    const newCardId = card.body.data.data.customer.payments.cards.find(
      (c: { id: string }) => c.id !== s.cardId,
    ).id;
    const upd = await s.m.api.post(`/api/recurring/subscription/${sub.id}`, {
      customer: { id: s.customerId, payment_method_type: 'card', payment_method_id: newCardId },
    });
    expect(upd.status).toBe(200);

    const recovered = await runOn(s, '2027-01-06');
    expect(recovered).toMatchObject({ charged: 1, retried: 1 });
    now = await subscription(s, sub.id);
    expect(now.status).toBe('active');
    expect(now.next_bill_date).toBe('2027-02-01');
    expect((await cycles(sub.id))[0]).toMatchObject({ status: 'paid', attempts: 3 });
    const invoice = await s.m.api.get(`/api/invoice/${(await cycles(sub.id))[0].invoice_id}`);
    expect(invoice.body.data.status).toBe('paid');

    const feb = await runOn(s, '2027-02-01');
    expect(feb.charged).toBe(1);
  });

  it.each([
    ['cancel', 'cancelled'],
    ['pause', 'paused'],
    ['past_due', 'past_due'],
  ])('applies the final action "%s" after the last retry fails', async (action, status) => {
    const s = await scenario(SOFT_DECLINE_CARD);
    await s.m.api.put('/api/recurring/billing-settings', {
      final_action: action,
      retry_days: [1, 2],
    });
    const sub = await subscribe(s, MONTHLY_ON_THE_1ST);
    for (const date of ['2027-01-01', '2027-01-02', '2027-01-03', '2027-01-04'])
      await runOn(s, date);
    expect((await subscription(s, sub.id)).status).toBe(status);
    const [cycle] = await cycles(sub.id);
    expect(cycle).toMatchObject({ status: 'failed', attempts: 3 });
    // No more attempts, and a later run charges nothing.
    expect((await runOn(s, '2027-01-20')).declined).toBe(0);
  });

  it('does not retry a hard decline', async () => {
    // A lost card fails the verification at signup: the card is lost after it (replaced in the vault).
    const s = await scenario(GOOD_CARD);
    await s.m.api.put('/api/recurring/billing-settings', { final_action: 'cancel' });
    const sub = await subscribe(s, MONTHLY_ON_THE_1ST);
    const replaced = await s.m.api.post(`/api/vault/customer/${s.customerId}/card/${s.cardId}`, {
      number: HARD_DECLINE_CARD,
      expiration_date: '12/39',
    });
    expect(replaced.status).toBe(200);
    const summary = await runOn(s, '2027-01-01');
    expect(summary.declined).toBe(1);
    expect((await subscription(s, sub.id)).status).toBe('cancelled');
    expect((await cycles(sub.id))[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      next_retry_date: null,
    });
  });

  it('emails the hosted invoice link on a failure, and paying it there settles the cycle and reactivates', async () => {
    const s = await scenario(SOFT_DECLINE_CARD);
    const sub = await subscribe(s, {
      amount: 1200,
      billing_frequency: 'monthly',
      billing_days: '1',
      next_bill_date: '2027-01-01',
    });
    await runOn(s, '2027-01-01');
    const [cycle] = await cycles(sub.id);
    const mail: { subject: string; text_body: string; to_address: string }[] = await t.app
      .get(DataSource)
      .query(`SELECT * FROM email_outbox WHERE merchant_id = $1 ORDER BY created_at`, [s.m.id]);
    const failure = mail.find((e) => /renewal|payment|failed/i.test(e.subject));
    expect(failure).toBeDefined();
    const invoice = (await s.m.api.get(`/api/invoice/${cycle.invoice_id}`)).body.data;
    expect(failure!.text_body).toContain(invoice.hosted_url);
    expect(failure!.to_address).toBe('pat@example.com');

    // The customer pays on the hosted page with a good card.
    const page = await fetch(invoice.hosted_url);
    expect(page.status).toBe(200);
    const html = await page.text();
    const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1];
    const due = /name="due" value="([^"]+)"/.exec(html)?.[1];
    expect(nonce).toBeDefined();
    const paid = await fetch(`${invoice.hosted_url}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        nonce: nonce!,
        method: 'card',
        due: due ?? '',
        name: 'Pat Payer',
        card_number: GOOD_CARD,
        expiration: '12/39',
        cvc: '123',
      }).toString(),
      redirect: 'manual',
    });
    expect([200, 303]).toContain(paid.status);
    expect((await s.m.api.get(`/api/invoice/${cycle.invoice_id}`)).body.data.status).toBe('paid');
    expect((await cycles(sub.id))[0].status).toBe('paid');
    expect((await subscription(s, sub.id)).status).toBe('active');
    // The retry that was scheduled does not charge again.
    expect((await runOn(s, '2027-01-04')).charged).toBe(0);
  });

  it('never charges a paused subscription, and bills again after reactivation', async () => {
    const s = await scenario();
    const sub = await subscribe(s, MONTHLY_ON_THE_1ST);
    await runOn(s, '2027-01-01');
    setToday('2027-01-10');
    expect((await s.m.api.get(`/api/recurring/subscription/${sub.id}/status/paused`)).status).toBe(
      200,
    );
    expect((await runOn(s, '2027-02-01')).charged).toBe(0);
    expect((await runOn(s, '2027-03-01')).charged).toBe(0);
    setToday('2027-03-10');
    const active = await s.m.api.get(
      `/api/recurring/subscription/${sub.id}/status/active?next_bill_date=2027-04-01`,
    );
    expect(active.status).toBe(200);
    expect((await runOn(s, '2027-04-01')).charged).toBe(1);
    expect((await cycles(sub.id)).map((c) => c.bill_date)).toEqual(['2027-01-01', '2027-04-01']);
  });

  it('completes after the duration and never bills again', async () => {
    const s = await scenario();
    const sub = await subscribe(s, { ...MONTHLY_ON_THE_1ST, duration: 3 });
    const summaries = [];
    for (const date of months(5)) summaries.push(await runOn(s, date));
    expect(summaries.map((x) => x.charged)).toEqual([1, 1, 1, 0, 0]);
    expect(summaries[2].completed).toBe(1);
    const done = await subscription(s, sub.id);
    expect(done.status).toBe('completed');
    expect(await charges(s, sub.id)).toHaveLength(3);
  });

  it('shows what would be charged on a dry run without charging', async () => {
    const s = await scenario();
    const sub = await subscribe(s, {
      amount: 4200,
      billing_frequency: 'monthly',
      billing_days: '1',
      next_bill_date: '2027-01-01',
    });
    setToday('2027-01-01');
    const res = await s.m.api.post('/api/recurring/billing-run', {
      date: '2027-01-01',
      dry_run: true,
    });
    expect(res.body.data.summary.would_charge).toEqual([
      { subscription_id: sub.id, bill_date: '2027-01-01', amount: 4200, attempt: 1 },
    ]);
    expect(await cycles(sub.id)).toHaveLength(0);
    expect((await runOn(s, '2027-01-01')).charged).toBe(1);
  });

  it('refuses a bad run request naming the field', async () => {
    const s = await scenario();
    const res = await s.m.api.post('/api/recurring/billing-run', { date: '2027-13-01' });
    expect(res.status).toBe(400);
    expect(res.body.msg).toMatch(/date/);
    const bad = await s.m.api.put('/api/recurring/billing-settings', { retry_days: [5, 3] });
    expect(bad.status).toBe(400);
    expect(bad.body.msg).toMatch(/retry_days\[1\]/);
  });

  it("bills only the calling merchant's subscriptions", async () => {
    const a = await scenario();
    const b = await scenario();
    const subA = await subscribe(a, MONTHLY_ON_THE_1ST);
    const subB = await subscribe(b, MONTHLY_ON_THE_1ST);
    await runOn(a, '2027-01-01');
    expect(await cycles(subA.id)).toHaveLength(1);
    expect(await cycles(subB.id)).toHaveLength(0);
    const runs = await b.m.api.get('/api/recurring/billing-runs');
    expect(runs.body.total_count).toBe(0);
  });

  it('never bills a date twice, even when next_bill_date is rewound by hand, and does not loop on it', async () => {
    const s = await scenario();
    const sub = await subscribe(s, MONTHLY_ON_THE_1ST);
    expect((await runOn(s, '2027-01-01')).charged).toBe(1);
    await t.app
      .get(DataSource)
      .query(`UPDATE subscriptions SET next_bill_date = '2027-01-01' WHERE id = $1`, [sub.id]);
    const again = await runOn(s, '2027-01-01');
    expect(again.charged).toBe(0);
    expect(again.subscriptions).toBe(1);
    expect(await charges(s, sub.id)).toHaveLength(1);
  });
});
