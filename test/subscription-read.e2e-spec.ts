import { DataSource } from 'typeorm';
import { SubscriptionsService } from '../src/subscriptions/subscriptions.service';
import { subscriptionView } from '../src/subscriptions/subscriptions.views';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * GET /api/recurring/subscription/{id} reads in one prepared statement
 * (src/subscriptions/subscription-read.ts) instead of the entity manager's three finds. Its
 * entities must be the entity manager's, column for column: types (Date, cents as numbers,
 * jsonb), nulls, order of adjustments and of the history. Compared here on a subscription
 * with a plan, add-ons, discounts, overrides and a history of several changes.
 */
describe('the subscription read', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;
  let service: SubscriptionsService;
  let dataSource: DataSource;
  const customer = { id: 'readcustomer0000001' };

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.setNow('2026-01-20T18:00:00Z');
    a = await createMerchant(t.baseUrl, 'America/Chicago');
    b = await createMerchant(t.baseUrl);
    for (const m of [a, b]) {
      const res = await m.api.post('/api/vault/customer', { id: customer.id });
      expect(res.status).toBe(200);
    }
    service = t.app.get(SubscriptionsService);
    dataSource = t.app.get(DataSource);
  });
  afterAll(async () => t.close());

  async function created(path: string, body: Record<string, unknown>): Promise<any> {
    const res = await a.api.post(path, body);
    if (res.status !== 200) throw new Error(`${path}: ${JSON.stringify(res.body)}`);
    return res.body.data;
  }

  /** The entity manager's read (find + adjustments + events), as before this read existed. */
  function throughEntityManager(merchantId: string, id: string) {
    return service.detailsIn(dataSource.manager, merchantId, id);
  }

  it('returns exactly what the entity manager reads, and GET shows its view', async () => {
    const addOn1 = await created('/api/recurring/addon', { name: 'Seat', amount: 250 });
    const addOn2 = await created('/api/recurring/addon', { name: 'Support', amount: 900 });
    const discount = await created('/api/recurring/discount', { name: 'Loyal', percentage: 10000 });
    const plan = await created('/api/recurring/plan', {
      name: 'monthly plan',
      amount: 1000,
      billing_cycle_interval: 1,
      billing_frequency: 'monthly',
      billing_days: '1',
    });
    const sub = await created('/api/recurring/subscription', {
      customer,
      plan_id: plan.id,
      amount: 4999,
      description: 'read me',
      add_ons: [{ id: addOn1.id, amount: 300, duration: 2 }, { id: addOn2.id }],
      discounts: [{ id: discount.id }],
    });
    // A history: an update and status changes, each with its detail JSON.
    expect(
      (await a.api.post(`/api/recurring/subscription/${sub.id}`, { amount: 5999 })).status,
    ).toBe(200);
    t.clock.setNow('2026-01-21T18:00:00.123Z');
    expect((await a.api.get(`/api/recurring/subscription/${sub.id}/status/paused`)).status).toBe(
      200,
    );
    expect((await a.api.post(`/api/recurring/subscription/${sub.id}/status/active`)).status).toBe(
      200,
    );

    const fast = await service.get(a.id, sub.id);
    const slow = await throughEntityManager(a.id, sub.id);
    expect(fast.subscription).toBeInstanceOf(slow.subscription.constructor);
    expect(fast.subscription.createdAt).toBeInstanceOf(Date);
    expect(typeof fast.subscription.amount).toBe('number');
    expect(fast.addOns).toHaveLength(2);
    expect(fast.discounts).toHaveLength(1);
    expect(fast.events.length).toBeGreaterThanOrEqual(4);
    expect(fast.events[0].createdAt).toBeInstanceOf(Date);
    expect(fast).toStrictEqual(slow);

    const res = await a.api.get(`/api/recurring/subscription/${sub.id}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual(JSON.parse(JSON.stringify(subscriptionView(slow))));
  });

  it('a subscription without adjustments or plan reads the same too', async () => {
    const sub = await created('/api/recurring/subscription', {
      customer,
      amount: 1000,
      billing_cycle_interval: 1,
      billing_days: '15',
    });
    expect(await service.get(a.id, sub.id)).toStrictEqual(await throughEntityManager(a.id, sub.id));
  });

  it("another merchant's, a deleted or an unknown subscription is a 404", async () => {
    const sub = await created('/api/recurring/subscription', {
      customer,
      amount: 1000,
      billing_cycle_interval: 1,
      billing_days: '1',
    });
    expect((await b.api.get(`/api/recurring/subscription/${sub.id}`)).status).toBe(404);
    expect((await a.api.get('/api/recurring/subscription/nosuchsubscription01')).status).toBe(404);
    expect((await a.api.delete(`/api/recurring/subscription/${sub.id}`)).status).toBe(200);
    const gone = await a.api.get(`/api/recurring/subscription/${sub.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.msg).toContain(sub.id);
  });
});
