import { DataSource } from 'typeorm';
import { SubscriptionsService } from '../src/subscriptions/subscriptions.service';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * Subscriptions: create, read, update, delete, status changes, events, the list and /upcoming.
 * The clock stands at 2026-01-20 12:00 in Chicago (18:00Z) unless a test moves it.
 */
describe('recurring subscriptions', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;
  let aKeyId: string;
  let cardId: string;
  const NOON_JAN_20_CHICAGO = '2026-01-20T18:00:00Z';

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl, 'America/Chicago');
    b = await createMerchant(t.baseUrl, 'Europe/Berlin');
    for (const m of [a, b]) await vaultCustomers(m, [customer.id, 'othercustomer1']);
    cardId = await vaultCard(a, customer.id);
    const keys = await a.api.get('/api/user/apikeys');
    aKeyId = keys.body.data.find((k: { name: string }) => k.name === 'Private Key').id;
  });
  beforeEach(() => t.clock.setNow(NOON_JAN_20_CHICAGO));
  afterAll(async () => t.close());

  const customer = { id: 'b81ko5qq9qq5v460r9i0' };

  /** Subscribers are customers of the merchant's vault. */
  async function vaultCustomers(m: TestMerchant, ids: string[]): Promise<void> {
    for (const id of ids) {
      const res = await m.api.post('/api/vault/customer', { id });
      if (res.status !== 200) throw new Error(`vaulting ${id} failed: ${JSON.stringify(res.body)}`);
    }
  }

  /** Saves a card for the customer and returns its payment method id. */
  async function vaultCard(m: TestMerchant, customerId: string): Promise<string> {
    const res = await m.api.post(`/api/vault/customer/${customerId}/card`, {
      number: '4111111111111111',
      expiration_date: '12/30',
    });
    if (res.status !== 200) throw new Error(`saving a card failed: ${JSON.stringify(res.body)}`);
    return res.body.data.data.customer.payments.cards.at(-1).id;
  }

  async function addOn(body: Record<string, unknown>, api = a.api): Promise<string> {
    const res = await api.post('/api/recurring/addon', body);
    expect(res.status).toBe(200);
    return res.body.data.id;
  }
  async function discount(body: Record<string, unknown>, api = a.api): Promise<string> {
    const res = await api.post('/api/recurring/discount', body);
    expect(res.status).toBe(200);
    return res.body.data.id;
  }
  async function plan(body: Record<string, unknown>, api = a.api): Promise<any> {
    const res = await api.post('/api/recurring/plan', {
      name: 'monthly plan',
      amount: 1000,
      billing_cycle_interval: 1,
      billing_frequency: 'monthly',
      billing_days: '1',
      ...body,
    });
    expect(res.status).toBe(200);
    return res.body.data;
  }
  async function subscribe(body: Record<string, unknown>, api = a.api): Promise<any> {
    const res = await api.post('/api/recurring/subscription', { customer, ...body });
    if (res.status !== 200) throw new Error(`subscribe failed: ${JSON.stringify(res.body)}`);
    return res.body.data;
  }
  const monthlyOn1st = { amount: 1000, billing_cycle_interval: 1, billing_days: '1' };

  /** The fields of the spec's subscription samples (status endpoints). */
  const SPEC_SUBSCRIPTION_KEYS = [
    'id',
    'plan_id',
    'plan_name',
    'status',
    'description',
    'customer_name',
    'shared',
    'customer',
    'amount',
    'currency',
    'processor_id',
    'total_adds',
    'total_discounts',
    'billing_cycle_interval',
    'billing_frequency',
    'billing_days',
    'duration',
    'next_bill_date',
    'add_ons',
    'discounts',
    'expiration_date',
    'events',
    'created_at',
    'updated_at',
    'charge_on_day',
  ];

  describe('create and read', () => {
    it("creates the spec's sample subscription: first bill on next_bill_date, then the schedule", async () => {
      const discountId = await discount({ name: 'test discount', amount: 100 });
      const p = await plan({
        name: 'test plan',
        amount: 100,
        billing_frequency: 'twice_monthly',
        billing_days: '1,15',
        discounts: [{ id: discountId, amount: 50 }],
      });
      // The sample names address id b81ko5qq9qq5v460r9i0 for both addresses: the test vault
      // holds it (an address must be the customer's own).
      await t.app.get(DataSource).query(
        `INSERT INTO vault_addresses (id, merchant_id, customer_id, line_1, hash, created_at, updated_at)
         VALUES ($1, $2, $1, '1 Sample St', '', now(), now()) ON CONFLICT (id) DO NOTHING`,
        ['b81ko5qq9qq5v460r9i0', a.id],
      );
      const res = await a.api.post('/api/recurring/subscription', {
        plan_id: p.id,
        description: 'some description to describe the subscription',
        customer: {
          id: 'b81ko5qq9qq5v460r9i0',
          payment_method_type: 'card',
          payment_method_id: cardId,
          billing_address_id: 'b81ko5qq9qq5v460r9i0',
          shipping_address_id: 'b81ko5qq9qq5v460r9i0',
        },
        amount: 100,
        billing_cycle_interval: 1,
        billing_frequency: 'twice_monthly',
        billing_days: '1,15',
        duration: 0,
        next_bill_date: '2026-01-22',
      });
      expect(res.status).toBe(200);
      const sub = res.body.data;
      for (const key of SPEC_SUBSCRIPTION_KEYS) expect(sub).toHaveProperty(key);
      expect(sub).toMatchObject({
        plan_id: p.id,
        plan_name: 'test plan',
        status: 'active',
        description: 'some description to describe the subscription',
        customer: {
          id: 'b81ko5qq9qq5v460r9i0',
          payment_method_type: 'card',
          payment_method_id: cardId,
          billing_address_id: 'b81ko5qq9qq5v460r9i0',
          shipping_address_id: 'b81ko5qq9qq5v460r9i0',
        },
        amount: 100,
        currency: 'USD',
        processor_id: '',
        total_adds: 0,
        total_discounts: 50,
        billing_cycle_interval: 1,
        billing_frequency: 'twice_monthly',
        billing_days: '1,15',
        duration: 0,
        next_bill_date: '2026-01-22',
        billing_count: 0,
        add_ons: null,
        discounts: [
          {
            id: discountId,
            name: 'test discount',
            amount: 50,
            percentage: null,
            duration: 0,
            attached_at_billing: 0,
          },
        ],
        charge_on_day: false,
        created_at: '2026-01-20T18:00:00.000Z',
      });
      expect(sub.events).toEqual([
        expect.objectContaining({
          type: 'created',
          to_status: 'active',
          actor: `api_key:${aKeyId}`,
          created_at: '2026-01-20T18:00:00.000Z',
        }),
      ]);
      const got = await a.api.get(`/api/recurring/subscription/${sub.id}`);
      expect(got.body).toEqual({ status: 'success', msg: 'success', data: sub });
      // After the explicit first bill the twice-monthly schedule resumes.
      const upcoming = await a.api.get(`/api/recurring/subscription/${sub.id}/upcoming?count=4`);
      expect(upcoming.body.data.map((u: { bill_date: string }) => u.bill_date)).toEqual([
        '2026-01-22',
        '2026-02-01',
        '2026-02-15',
        '2026-03-01',
      ]);
      expect(upcoming.body.data.map((u: { total: number }) => u.total)).toEqual([50, 50, 50, 50]);
    });

    it('inherits every field it does not set from its plan', async () => {
      const addOnId = await addOn({ name: 'support', amount: 500, duration: 2 });
      const p = await plan({
        description: 'from the plan',
        amount: 2500,
        billing_days: '15',
        billing_cycle_interval: 2,
        duration: 6,
        add_ons: [{ id: addOnId }],
      });
      const sub = await subscribe({ plan_id: p.id });
      expect(sub).toMatchObject({
        plan_id: p.id,
        plan_name: 'monthly plan',
        description: 'from the plan',
        amount: 2500,
        billing_frequency: 'monthly',
        billing_cycle_interval: 2,
        billing_days: '15',
        duration: 6,
        next_bill_date: '2026-02-15',
        total_adds: 500,
        add_ons: [{ id: addOnId, amount: 500, duration: 2, attached_at_billing: 0 }],
        customer: { id: customer.id, payment_method_type: '', payment_method_id: '' },
      });
      const own = await subscribe({ plan_id: p.id, amount: 999, add_ons: [], duration: 0 });
      expect(own).toMatchObject({ amount: 999, add_ons: null, total_adds: 0, duration: 0 });
    });

    it('with charge_on_day bills today and moves a monthly billing day to today', async () => {
      const sub = await subscribe({ ...monthlyOn1st, charge_on_day: true });
      expect(sub).toMatchObject({
        next_bill_date: '2026-01-20',
        billing_days: '20',
        charge_on_day: true,
      });
      const upcoming = await a.api.get(`/api/recurring/subscription/${sub.id}/upcoming?count=3`);
      expect(upcoming.body.data.map((u: { bill_date: string }) => u.bill_date)).toEqual([
        '2026-01-20',
        '2026-02-20',
        '2026-03-20',
      ]);
    });

    it("uses the calendar date in the merchant's time zone, or the subscription's own", async () => {
      // 03:00Z on Jan 21 is still Jan 20 in Chicago, already Jan 21 in Berlin and Tokyo.
      t.clock.setNow('2026-01-21T03:00:00Z');
      const daily = { amount: 100, billing_frequency: 'daily', billing_cycle_interval: 1 };
      expect((await subscribe(daily)).next_bill_date).toBe('2026-01-20');
      expect((await subscribe(daily, b.api)).next_bill_date).toBe('2026-01-21');
      const tokyo = await subscribe({ ...daily, timezone: 'Asia/Tokyo' });
      expect(tokyo).toMatchObject({ next_bill_date: '2026-01-21', timezone: 'Asia/Tokyo' });
      // In Chicago Jan 20 is today, so it may be the first bill; Jan 19 may not.
      const today = await subscribe({ ...monthlyOn1st, next_bill_date: '2026-01-20' });
      expect(today.next_bill_date).toBe('2026-01-20');
      const past = await a.api.post('/api/recurring/subscription', {
        customer,
        ...monthlyOn1st,
        next_bill_date: '2026-01-19',
      });
      expect(past.status).toBe(400);
      expect(past.body.msg).toMatch(/next_bill_date 2026-01-19 is before/);
    });

    it('charges through a processor of the merchant, and refuses one of another merchant', async () => {
      const processors = await a.api.get('/api/processors');
      const processorId = processors.body.data[0].id;
      const sub = await subscribe({ ...monthlyOn1st, processor_id: processorId, currency: 'eur' });
      expect(sub).toMatchObject({ processor_id: processorId, currency: 'EUR' });
      const foreign = await b.api.post('/api/recurring/subscription', {
        customer,
        ...monthlyOn1st,
        processor_id: processorId,
      });
      expect(foreign.status).toBe(400);
      expect(foreign.body.msg).toMatch(/processor_id: processor .* does not exist/);
    });

    it.each([
      ['no customer', { customer: undefined }, /customer\.id: is required/],
      ['a customer without id', { customer: { payment_method_type: 'card' } }, /customer/],
      ['a customer that is a string', { customer: 'abc' }, /customer must be an object/],
      [
        'an unknown payment_method_type',
        { customer: { id: 'c1', payment_method_type: 'cash', payment_method_id: 'p' } },
        /customer\.payment_method_type/,
      ],
      [
        'a payment_method_type without its id',
        { customer: { id: 'c1', payment_method_type: 'ach' } },
        /customer\.payment_method_id: is required/,
      ],
      ['no amount and no plan', { amount: undefined }, /amount: is required when no plan_id/],
      ['a fractional amount', { amount: 10.5 }, /amount must be an integer/],
      [
        'an unknown plan',
        { plan_id: 'nosuchplan0000000000' },
        /plan_id: plan nosuchplan0000000000 does not exist/,
      ],
      [
        'billing_days not fitting twice_monthly',
        { billing_frequency: 'twice_monthly' },
        /billing_days must be two days/,
      ],
      ['a billing day outside 0-31', { billing_days: '32' }, /billing_days/],
      [
        'a twice_monthly pair that collides in February',
        { billing_frequency: 'twice_monthly', billing_days: '29,0' },
        /billing_days/,
      ],
      ['an interval below 1', { billing_cycle_interval: 0 }, /billing_cycle_interval/],
      [
        'a next_bill_date that is not a date',
        { next_bill_date: '2026-02-30' },
        /next_bill_date: must be a date/,
      ],
      ['a next_bill_date in the past', { next_bill_date: '2025-12-31' }, /next_bill_date/],
      ['a time zone that does not exist', { timezone: 'Mars/Olympus' }, /timezone/],
      ['a currency that is not a code', { currency: 'dollars' }, /currency/],
      ['an unknown add-on', { add_ons: [{ id: 'nosuchaddon000000000' }] }, /add_ons\[0\]\.id/],
    ])('refuses %s with a 400 naming the field', async (_label, change, message) => {
      const res = await a.api.post('/api/recurring/subscription', {
        customer,
        ...monthlyOn1st,
        ...change,
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'failed', msg: expect.stringMatching(message) });
    });

    it('takes customer.id from the vault: unknown customers and foreign payment methods are 400s', async () => {
      const unknown = await a.api.post('/api/recurring/subscription', {
        ...monthlyOn1st,
        customer: { id: 'notinthevault' },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.msg).toBe(
        'invalid customer.id: customer notinthevault is not in the vault',
      );
      // b has its own customer with the same id, but not a's card.
      const foreignCard = await b.api.post('/api/recurring/subscription', {
        ...monthlyOn1st,
        customer: { id: customer.id, payment_method_type: 'card', payment_method_id: cardId },
      });
      expect(foreignCard.status).toBe(400);
      expect(foreignCard.body.msg).toMatch(/^invalid customer\.payment_method_id: .* has no card/);
      const wrongType = await a.api.post('/api/recurring/subscription', {
        ...monthlyOn1st,
        customer: { id: customer.id, payment_method_type: 'ach', payment_method_id: cardId },
      });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.msg).toMatch(
        /customer\.payment_method_id: .* has no ach payment method/,
      );
      const sub = await subscribe(monthlyOn1st);
      const moved = await a.api.post(`/api/recurring/subscription/${sub.id}`, {
        customer: { id: 'notinthevault' },
      });
      expect(moved.status).toBe(400);
      expect(moved.body.msg).toMatch(/customer\.id/);
    });

    it('keeps a vaulted customer with a live subscription from being deleted', async () => {
      await vaultCustomers(a, ['keptcustomer1']);
      const sub = await subscribe({ ...monthlyOn1st, customer: { id: 'keptcustomer1' } });
      const refused = await a.api.delete('/api/vault/keptcustomer1');
      expect(refused.status).toBe(409);
      await a.api.get(`/api/recurring/subscription/${sub.id}/status/cancelled`);
      expect((await a.api.delete('/api/vault/keptcustomer1')).status).toBe(200);
    });

    it('replays a create sent twice with the same x-idempotency-key', async () => {
      const headers = { 'x-idempotency-key': `sub-create-${Date.now()}` };
      const body = { customer, ...monthlyOn1st };
      const first = await a.api.post('/api/recurring/subscription', body, headers);
      const second = await a.api.post('/api/recurring/subscription', body, headers);
      expect(second.headers.get('x-idempotent-replayed')).toBe('true');
      expect(second.body.data.id).toBe(first.body.data.id);
    });
  });

  describe('status changes', () => {
    it('pauses, marks past due, activates, cancels as the spec shows, and records each change', async () => {
      const sub = await subscribe(monthlyOn1st);
      const paused = await a.api.get(`/api/recurring/subscription/${sub.id}/status/paused`);
      expect(paused.status).toBe(200);
      for (const key of SPEC_SUBSCRIPTION_KEYS) expect(paused.body.data).toHaveProperty(key);
      expect(paused.body.data.status).toBe('paused');
      const active = await a.api.post(`/api/recurring/subscription/${sub.id}/status/active`);
      expect(active.body.data.status).toBe('active');
      const pastDue = await a.api.get(`/api/recurring/subscription/${sub.id}/status/past_due`);
      expect(pastDue.body.data.status).toBe('past_due');
      t.clock.setNow('2026-01-20T19:00:00Z');
      const cancelled = await a.api.get(`/api/recurring/subscription/${sub.id}/status/cancelled`);
      expect(cancelled.body.data).toMatchObject({
        status: 'cancelled',
        updated_at: '2026-01-20T19:00:00.000Z',
      });
      const changes = cancelled.body.data.events
        .filter((e: { type: string }) => e.type === 'status_changed')
        .map((e: { from_status: string; to_status: string; actor: string }) => [
          e.from_status,
          e.to_status,
          e.actor,
        ]);
      const actor = `api_key:${aKeyId}`;
      expect(changes).toEqual([
        ['active', 'paused', actor],
        ['paused', 'active', actor],
        ['active', 'past_due', actor],
        ['past_due', 'cancelled', actor],
      ]);
      expect(cancelled.body.data.events.at(-1).created_at).toBe('2026-01-20T19:00:00.000Z');
    });

    it('completes a subscription by hand', async () => {
      const sub = await subscribe(monthlyOn1st);
      const res = await a.api.get(`/api/recurring/subscription/${sub.id}/status/completed`);
      expect(res.body.data.status).toBe('completed');
    });

    it.each([
      ['active', 'active', /already active/],
      ['paused', 'past_due', /paused subscription is not billed/],
      ['cancelled', 'active', /cancelled, which is final/],
      ['cancelled', 'paused', /cancelled, which is final/],
      ['completed', 'active', /completed, which is final/],
      ['completed', 'cancelled', /completed, which is final/],
    ])('refuses %s → %s with 409 and the reason', async (from, to, reason) => {
      const sub = await subscribe(monthlyOn1st);
      if (from !== 'active') {
        const set = await a.api.get(`/api/recurring/subscription/${sub.id}/status/${from}`);
        expect(set.status).toBe(200);
      }
      const res = await a.api.get(`/api/recurring/subscription/${sub.id}/status/${to}`);
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ status: 'failed', msg: expect.stringMatching(reason) });
      const after = await a.api.get(`/api/recurring/subscription/${sub.id}`);
      expect(after.body.data.status).toBe(from);
    });

    it('refuses an unknown status, and next_bill_date on anything but activation', async () => {
      const sub = await subscribe(monthlyOn1st);
      const unknown = await a.api.get(`/api/recurring/subscription/${sub.id}/status/frozen`);
      expect(unknown.status).toBe(400);
      expect(unknown.body.msg).toMatch(/status/);
      const dated = await a.api.get(
        `/api/recurring/subscription/${sub.id}/status/paused?next_bill_date=2026-03-01`,
      );
      expect(dated.status).toBe(400);
      expect(dated.body.msg).toMatch(/next_bill_date/);
    });

    it('activates on the next_bill_date given, which must not be in the past', async () => {
      const sub = await subscribe(monthlyOn1st);
      await a.api.get(`/api/recurring/subscription/${sub.id}/status/paused`);
      const past = await a.api.get(
        `/api/recurring/subscription/${sub.id}/status/active?next_bill_date=2026-01-19`,
      );
      expect(past.status).toBe(400);
      expect(past.body.msg).toMatch(/next_bill_date: 2026-01-19 is in the past/);
      const bad = await a.api.get(
        `/api/recurring/subscription/${sub.id}/status/active?next_bill_date=tomorrow`,
      );
      expect(bad.status).toBe(400);
      const res = await a.api.get(
        `/api/recurring/subscription/${sub.id}/status/active?next_bill_date=2026-03-10`,
      );
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ status: 'active', next_bill_date: '2026-03-10' });
      expect(res.body.data.events.at(-1)).toMatchObject({
        type: 'status_changed',
        detail: { next_bill_date: { from: '2026-02-01', to: '2026-03-10' } },
      });
      // After the chosen date the schedule resumes on the 1st.
      const upcoming = await a.api.get(`/api/recurring/subscription/${sub.id}/upcoming?count=2`);
      expect(upcoming.body.data.map((u: { bill_date: string }) => u.bill_date)).toEqual([
        '2026-03-10',
        '2026-04-01',
      ]);
    });

    it('skips the dates missed while paused when activated without a date', async () => {
      const sub = await subscribe(monthlyOn1st);
      await a.api.get(`/api/recurring/subscription/${sub.id}/status/paused`);
      t.clock.setNow('2026-03-10T18:00:00Z');
      const upcoming = await a.api.get(`/api/recurring/subscription/${sub.id}/upcoming?count=1`);
      expect(upcoming.body.data[0].bill_date).toBe('2026-04-01');
      const res = await a.api.get(`/api/recurring/subscription/${sub.id}/status/active`);
      expect(res.body.data.next_bill_date).toBe('2026-04-01');
    });
  });

  describe('billing run operations (SubscriptionsService inside a transaction)', () => {
    const record = (id: string, date: string) =>
      t.app
        .get(DataSource)
        .transaction((em) => t.app.get(SubscriptionsService).recordBilling(em, id, date));

    it('advances next_bill_date and billing_count, refuses the same date twice, completes after duration', async () => {
      const sub = await subscribe({ ...monthlyOn1st, billing_days: '31', duration: 2 });
      expect(sub.next_bill_date).toBe('2026-01-31');
      const charge = await t.app
        .get(DataSource)
        .transaction((em) => t.app.get(SubscriptionsService).chargeForNextBilling(em, sub.id));
      expect(charge).toMatchObject({ billDate: '2026-01-31', billingNumber: 1, total: 1000 });
      const first = await record(sub.id, '2026-01-31');
      expect(first).toMatchObject({ billingNumber: 1, completed: false });
      const after = (await a.api.get(`/api/recurring/subscription/${sub.id}`)).body.data;
      expect(after).toMatchObject({ billing_count: 1, next_bill_date: '2026-02-28' });
      await expect(record(sub.id, '2026-01-31')).rejects.toThrow(/next billed on 2026-02-28/);
      const second = await record(sub.id, '2026-02-28');
      expect(second).toMatchObject({ billingNumber: 2, completed: true });
      const done = (await a.api.get(`/api/recurring/subscription/${sub.id}`)).body.data;
      expect(done).toMatchObject({ status: 'completed', billing_count: 2 });
      expect(done.events.slice(-2)).toEqual([
        expect.objectContaining({ type: 'billed', actor: 'billing_run' }),
        expect.objectContaining({
          type: 'status_changed',
          from_status: 'active',
          to_status: 'completed',
          actor: 'billing_run',
        }),
      ]);
      const upcoming = await a.api.get(`/api/recurring/subscription/${sub.id}/upcoming`);
      expect(upcoming.body).toMatchObject({ total_count: 0, data: [] });
    });

    it('changes status for the billing run with its own actor', async () => {
      const sub = await subscribe(monthlyOn1st);
      await t.app
        .get(DataSource)
        .transaction((em) =>
          t.app
            .get(SubscriptionsService)
            .changeStatus(em, sub.id, 'past_due', 'billing_run', { reason: 'card declined' }),
        );
      const got = (await a.api.get(`/api/recurring/subscription/${sub.id}`)).body.data;
      expect(got.status).toBe('past_due');
      expect(got.events.at(-1)).toMatchObject({
        actor: 'billing_run',
        detail: { reason: 'card declined' },
      });
    });
    it('reactivates a past-due subscription after a paid retry, keeping its next bill date', async () => {
      const service = t.app.get(SubscriptionsService);
      const dataSource = t.app.get(DataSource);
      const sub = await subscribe(monthlyOn1st);
      const paused = await subscribe(monthlyOn1st);
      await a.api.get(`/api/recurring/subscription/${sub.id}/status/past_due`);
      await a.api.get(`/api/recurring/subscription/${paused.id}/status/paused`);
      t.clock.setNow('2026-02-03T18:00:00Z'); // after the 02-01 date: activation would move it
      for (const id of [sub.id, paused.id]) {
        await dataSource.transaction((em) =>
          service.reactivateAfterPayment(em, id, 'billing_run', { reason: 'retry paid' }),
        );
      }
      const got = (await a.api.get(`/api/recurring/subscription/${sub.id}`)).body.data;
      expect(got).toMatchObject({ status: 'active', next_bill_date: '2026-02-01' });
      expect(got.events.at(-1)).toMatchObject({
        from_status: 'past_due',
        to_status: 'active',
        actor: 'billing_run',
        detail: { reason: 'retry paid' },
      });
      const still = (await a.api.get(`/api/recurring/subscription/${paused.id}`)).body.data;
      expect(still.status).toBe('paused');
    });
  });

  describe('/upcoming', () => {
    it('lists dates and amounts with add-on and discount durations applied', async () => {
      const setup = await addOn({ name: 'setup help', amount: 500, duration: 2 });
      const tenPercent = await discount({ name: 'loyalty', percentage: 10000 });
      const welcome = await discount({ name: 'welcome', amount: 300, duration: 1 });
      const sub = await subscribe({
        ...monthlyOn1st,
        add_ons: [{ id: setup }],
        discounts: [{ id: tenPercent }, { id: welcome }],
      });
      expect(sub).toMatchObject({ total_adds: 500, total_discounts: 400 });
      const res = await a.api.get(`/api/recurring/subscription/${sub.id}/upcoming?count=4`);
      expect(res.status).toBe(200);
      expect(res.body.total_count).toBe(4);
      const rows = res.body.data.map(
        (u: { bill_date: string; total_adds: number; total_discounts: number; total: number }) => [
          u.bill_date,
          u.total_adds,
          u.total_discounts,
          u.total,
        ],
      );
      // 10.00 base; +5.00 for two billings; -1.00 (10%) always; -3.00 on the first only.
      expect(rows).toEqual([
        ['2026-02-01', 500, 400, 1100],
        ['2026-03-01', 500, 100, 1400],
        ['2026-04-01', 0, 100, 900],
        ['2026-05-01', 0, 100, 900],
      ]);
      expect(res.body.data[0]).toMatchObject({
        billing_number: 1,
        currency: 'USD',
        amount: 1000,
        lines: [
          { type: 'base', id: null, amount: 1000 },
          { type: 'add_on', id: setup, name: 'setup help', amount: 500 },
          { type: 'discount', id: tenPercent, name: 'loyalty', amount: 100 },
          { type: 'discount', id: welcome, name: 'welcome', amount: 300 },
        ],
      });
    });

    it('counts an add-on attached later from the billing it was attached at', async () => {
      const setup = await addOn({ name: 'setup', amount: 500, duration: 2 });
      const extra = await addOn({ name: 'extra', amount: 200, duration: 1 });
      const sub = await subscribe({ ...monthlyOn1st, add_ons: [{ id: setup }] });
      await t.app
        .get(DataSource)
        .transaction((em) =>
          t.app.get(SubscriptionsService).recordBilling(em, sub.id, '2026-02-01'),
        );
      const updated = await a.api.post(`/api/recurring/subscription/${sub.id}`, {
        add_ons: [{ id: setup }, { id: extra }],
      });
      expect(updated.body.data.add_ons).toEqual([
        expect.objectContaining({ id: setup, attached_at_billing: 0 }),
        expect.objectContaining({ id: extra, attached_at_billing: 1 }),
      ]);
      const res = await a.api.get(`/api/recurring/subscription/${sub.id}/upcoming?count=3`);
      expect(
        res.body.data.map((u: { billing_number: number; total: number }) => [
          u.billing_number,
          u.total,
        ]),
      ).toEqual([
        [2, 1700],
        [3, 1000],
        [4, 1000],
      ]);
    });

    it('stops at the end of the duration, and checks count', async () => {
      const sub = await subscribe({
        amount: 100,
        billing_frequency: 'twice_monthly',
        billing_cycle_interval: 1,
        billing_days: '15,0',
        duration: 3,
      });
      const res = await a.api.get(`/api/recurring/subscription/${sub.id}/upcoming?count=10`);
      expect(res.body.data.map((u: { bill_date: string }) => u.bill_date)).toEqual([
        '2026-01-31',
        '2026-02-15',
        '2026-02-28',
      ]);
      const bad = await a.api.get(`/api/recurring/subscription/${sub.id}/upcoming?count=0`);
      expect(bad.status).toBe(400);
      expect(bad.body.msg).toMatch(/count/);
    });
  });

  describe('update', () => {
    it('changes the fields given and records the update', async () => {
      const sub = await subscribe(monthlyOn1st);
      const res = await a.api.post(`/api/recurring/subscription/${sub.id}`, {
        amount: 1500,
        description: 'upgraded',
        customer: { payment_method_type: 'card', payment_method_id: cardId },
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        amount: 1500,
        description: 'upgraded',
        next_bill_date: '2026-02-01',
        customer: { id: customer.id, payment_method_type: 'card', payment_method_id: cardId },
      });
      expect(res.body.data.events.at(-1)).toMatchObject({
        type: 'updated',
        actor: `api_key:${aKeyId}`,
        detail: { fields: ['description', 'customer', 'amount'] },
      });
    });

    it('moves next_bill_date to the new schedule on or after the current one, never earlier', async () => {
      const sub = await subscribe(monthlyOn1st);
      const res = await a.api.post(`/api/recurring/subscription/${sub.id}`, { billing_days: '15' });
      expect(res.body.data).toMatchObject({ billing_days: '15', next_bill_date: '2026-02-15' });
      expect(res.body.data.events.at(-1).detail.next_bill_date).toEqual({
        from: '2026-02-01',
        to: '2026-02-15',
      });
      const chosen = await a.api.post(`/api/recurring/subscription/${sub.id}`, {
        billing_frequency: 'daily',
        billing_cycle_interval: 7,
        next_bill_date: '2026-01-25',
      });
      expect(chosen.body.data).toMatchObject({
        billing_frequency: 'daily',
        billing_days: '',
        next_bill_date: '2026-01-25',
      });
    });

    it('refuses bad values with a 400 naming the field', async () => {
      const sub = await subscribe(monthlyOn1st);
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ next_bill_date: '2026-01-01' }, /next_bill_date: 2026-01-01 is in the past/],
        [{ billing_frequency: 'twice_monthly' }, /billing_days/],
        [{ billing_cycle_interval: -1 }, /billing_cycle_interval/],
        [{ amount: 'lots' }, /amount/],
        [{ discounts: [{ id: 'nope' }] }, /discounts\[0\]\.id/],
      ];
      for (const [body, message] of cases) {
        const res = await a.api.post(`/api/recurring/subscription/${sub.id}`, body);
        expect(res.status).toBe(400);
        expect(res.body.msg).toMatch(message);
      }
    });

    it('refuses a duration the subscription has already billed past', async () => {
      const sub = await subscribe({ ...monthlyOn1st, next_bill_date: '2026-01-20' });
      await t.app
        .get(DataSource)
        .transaction((em) =>
          t.app.get(SubscriptionsService).recordBilling(em, sub.id, '2026-01-20'),
        );
      const res = await a.api.post(`/api/recurring/subscription/${sub.id}`, { duration: 1 });
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(/duration: must be 0 .* more than the 1 billings/);
      const ok = await a.api.post(`/api/recurring/subscription/${sub.id}`, { duration: 2 });
      expect(ok.body.data.duration).toBe(2);
    });

    it('takes the fields of a newly named plan', async () => {
      const sub = await subscribe(monthlyOn1st);
      const p = await plan({ name: 'yearly', amount: 10000, billing_cycle_interval: 12 });
      const res = await a.api.post(`/api/recurring/subscription/${sub.id}`, { plan_id: p.id });
      expect(res.body.data).toMatchObject({
        plan_id: p.id,
        plan_name: 'yearly',
        amount: 10000,
        billing_cycle_interval: 12,
      });
    });

    it('refuses to change a cancelled subscription', async () => {
      const sub = await subscribe(monthlyOn1st);
      await a.api.get(`/api/recurring/subscription/${sub.id}/status/cancelled`);
      const res = await a.api.post(`/api/recurring/subscription/${sub.id}`, { amount: 1 });
      expect(res.status).toBe(409);
      expect(res.body.msg).toMatch(/cancelled, which is final/);
    });
  });

  describe('plan updates with update_subscriptions', () => {
    it("pushes the new amount, add-ons and discounts to the plan's live subscriptions only", async () => {
      const extra = await addOn({ name: 'extra', amount: 100 });
      const p = await plan({ amount: 1000 });
      const live = await subscribe({ plan_id: p.id });
      const paused = await subscribe({ plan_id: p.id });
      const cancelled = await subscribe({ plan_id: p.id });
      const other = await subscribe(monthlyOn1st);
      await a.api.get(`/api/recurring/subscription/${paused.id}/status/paused`);
      await a.api.get(`/api/recurring/subscription/${cancelled.id}/status/cancelled`);

      const quiet = await a.api.post(`/api/recurring/plan/${p.id}`, { amount: 1200 });
      expect(quiet.body.data.amount).toBe(1200);
      expect((await a.api.get(`/api/recurring/subscription/${live.id}`)).body.data.amount).toBe(
        1000,
      );

      const pushed = await a.api.post(`/api/recurring/plan/${p.id}`, {
        amount: 1500,
        add_ons: [{ id: extra }],
        update_subscriptions: true,
      });
      expect(pushed.status).toBe(200);
      const amounts = async (id: string) =>
        (await a.api.get(`/api/recurring/subscription/${id}`)).body.data;
      for (const id of [live.id, paused.id]) {
        const got = await amounts(id);
        expect(got).toMatchObject({ amount: 1500, total_adds: 100 });
        expect(got.events.at(-1)).toMatchObject({
          type: 'plan_applied',
          actor: `api_key:${aKeyId}`,
          detail: { plan_id: p.id, amount: { from: 1000, to: 1500 } },
        });
      }
      expect((await amounts(cancelled.id)).amount).toBe(1000);
      expect((await amounts(other.id)).amount).toBe(1000);
    });
  });

  describe('list', () => {
    it('filters by status, customer, plan and next_bill_date, and pages', async () => {
      const m = await createMerchant(t.baseUrl, 'America/Chicago');
      await vaultCustomers(m, [customer.id, 'othercustomer1']);
      const p = await plan({ billing_days: '10' }, m.api);
      // Lists are in creation order; the clock moves a second between creations.
      const s1 = await subscribe({ ...monthlyOn1st }, m.api); // 2026-02-01
      t.clock.advance(1000);
      const s2 = await subscribe({ plan_id: p.id }, m.api); // 2026-02-10
      t.clock.advance(1000);
      const s3 = await subscribe({ ...monthlyOn1st, customer: { id: 'othercustomer1' } }, m.api);
      await m.api.get(`/api/recurring/subscription/${s3.id}/status/paused`);
      const ids = async (query: string) => {
        const res = await m.api.get(`/api/recurring/subscriptions${query}`);
        expect(res.status).toBe(200);
        return {
          ids: res.body.data.map((s: { id: string }) => s.id),
          total: res.body.total_count,
        };
      };
      expect(await ids('')).toEqual({ ids: [s1.id, s2.id, s3.id], total: 3 });
      expect(await ids('?status=active')).toEqual({ ids: [s1.id, s2.id], total: 2 });
      expect(await ids('?status=paused,cancelled')).toEqual({ ids: [s3.id], total: 1 });
      expect(await ids('?customer_id=othercustomer1')).toEqual({ ids: [s3.id], total: 1 });
      expect(await ids(`?plan_id=${p.id}`)).toEqual({ ids: [s2.id], total: 1 });
      expect(await ids('?next_bill_date_from=2026-02-02&next_bill_date_to=2026-02-10')).toEqual({
        ids: [s2.id],
        total: 1,
      });
      expect(await ids('?limit=2&offset=1')).toEqual({ ids: [s2.id, s3.id], total: 3 });
      for (const bad of ['?status=frozen', '?limit=101', '?next_bill_date_from=2026-13-01']) {
        expect((await m.api.get(`/api/recurring/subscriptions${bad}`)).status).toBe(400);
      }
    });
  });

  describe('delete', () => {
    it('cancels the subscription so it never bills again, then hides it', async () => {
      const sub = await subscribe(monthlyOn1st);
      const res = await a.api.delete(`/api/recurring/subscription/${sub.id}`);
      expect(res.body).toEqual({ status: 'success', msg: 'success', data: null });
      expect((await a.api.get(`/api/recurring/subscription/${sub.id}`)).status).toBe(404);
      expect((await a.api.delete(`/api/recurring/subscription/${sub.id}`)).status).toBe(404);
      const [row] = await t.app
        .get(DataSource)
        .query('SELECT status, deleted_at FROM subscriptions WHERE id = $1', [sub.id]);
      expect(row.status).toBe('cancelled');
      expect(row.deleted_at).not.toBeNull();
      const events = await t.app
        .get(DataSource)
        .query('SELECT type FROM subscription_events WHERE subscription_id = $1 ORDER BY seq', [
          sub.id,
        ]);
      expect(events.map((e: { type: string }) => e.type)).toEqual([
        'created',
        'status_changed',
        'deleted',
      ]);
    });
  });

  describe('bad input', () => {
    const WEIRD: unknown[] = [true, [], {}, 'x', '', -1, 1.5, 1e300, [{ id: 1 }], { id: [] }];

    it('answers every malformed field of every recurring POST with a 400, never a 500', async () => {
      const sub = await subscribe(monthlyOn1st);
      const p = await plan({});
      const targets: [string, Record<string, unknown>, string[]][] = [
        [
          '/api/recurring/addon',
          { amount: 1 },
          ['name', 'description', 'amount', 'percentage', 'duration'],
        ],
        [
          `/api/recurring/plan/${p.id}`,
          {},
          [
            'name',
            'amount',
            'billing_cycle_interval',
            'billing_frequency',
            'billing_days',
            'charge_on_day',
            'duration',
            'add_ons',
            'discounts',
            'update_subscriptions',
          ],
        ],
        [
          '/api/recurring/subscription',
          { customer, ...monthlyOn1st },
          [
            'plan_id',
            'customer',
            'amount',
            'billing_cycle_interval',
            'billing_frequency',
            'billing_days',
            'charge_on_day',
            'duration',
            'next_bill_date',
            'add_ons',
            'discounts',
            'processor_id',
            'currency',
            'timezone',
          ],
        ],
        [
          `/api/recurring/subscription/${sub.id}`,
          {},
          [
            'plan_id',
            'customer',
            'description',
            'amount',
            'billing_days',
            'duration',
            'next_bill_date',
            'add_ons',
            'timezone',
          ],
        ],
      ];
      const unexpected: string[] = [];
      for (const [path, base, fields] of targets) {
        for (const field of fields) {
          for (const value of WEIRD) {
            const res = await a.api.post(path, { ...base, [field]: value });
            if (res.status !== 400 && res.status !== 200) {
              unexpected.push(`${path} ${field}=${JSON.stringify(value)}: ${res.status}`);
            }
          }
        }
      }
      expect(unexpected).toEqual([]);
      for (const query of ['?count=x', '?count=1e3', '?count=-1']) {
        const res = await a.api.get(`/api/recurring/subscription/${sub.id}/upcoming${query}`);
        expect(res.status).toBe(400);
      }
      for (const query of [
        '?status=a&status=b',
        '?limit=x',
        '?offset=-1',
        '?plan_id=a&plan_id=b',
      ]) {
        expect((await a.api.get(`/api/recurring/subscriptions${query}`)).status).toBe(400);
      }
    });
  });

  describe('tenancy', () => {
    it("keeps one merchant from reading or changing another's subscriptions", async () => {
      const sub = await subscribe(monthlyOn1st);
      const base = `/api/recurring/subscription/${sub.id}`;
      expect((await b.api.get(base)).status).toBe(404);
      expect((await b.api.post(base, { amount: 1 })).status).toBe(404);
      expect((await b.api.get(`${base}/status/paused`)).status).toBe(404);
      expect((await b.api.post(`${base}/status/cancelled`)).status).toBe(404);
      expect((await b.api.get(`${base}/upcoming`)).status).toBe(404);
      expect((await b.api.delete(base)).status).toBe(404);
      const listed = await b.api.get('/api/recurring/subscriptions?limit=100');
      expect(listed.body.data.map((s: { id: string }) => s.id)).not.toContain(sub.id);
      const after = (await a.api.get(base)).body.data;
      expect(after).toMatchObject({ status: 'active', amount: 1000 });
    });

    it("refuses another merchant's plan, add-ons and discounts in a subscription", async () => {
      const p = await plan({});
      const addOnId = await addOn({ amount: 1 });
      const discountId = await discount({ amount: 1 });
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ plan_id: p.id }, /plan_id/],
        [{ ...monthlyOn1st, add_ons: [{ id: addOnId }] }, /add_ons\[0\]\.id/],
        [{ ...monthlyOn1st, discounts: [{ id: discountId }] }, /discounts\[0\]\.id/],
      ];
      for (const [body, message] of cases) {
        const res = await b.api.post('/api/recurring/subscription', { customer, ...body });
        expect(res.status).toBe(400);
        expect(res.body.msg).toMatch(message);
      }
    });
  });
});
