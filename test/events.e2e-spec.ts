import { DataSource } from 'typeorm';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/** The event log: written with each change, listed and filtered by merchant, in sequence. */
describe('events', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;
  const customer = { id: 'evcustomer0000000001' };
  const monthlyOn1st = { amount: 1000, billing_cycle_interval: 1, billing_days: '1' };

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.setNow('2026-03-10T12:00:00Z');
    a = await createMerchant(t.baseUrl);
    b = await createMerchant(t.baseUrl);
    for (const m of [a, b]) {
      const res = await m.api.post('/api/vault/customer', { id: customer.id });
      expect(res.status).toBe(200);
    }
  });
  afterAll(async () => t.close());

  async function subscribe(m: TestMerchant): Promise<any> {
    const res = await m.api.post('/api/recurring/subscription', { customer, ...monthlyOn1st });
    if (res.status !== 200) throw new Error(`subscribe failed: ${JSON.stringify(res.body)}`);
    return res.body.data;
  }

  it('records a subscription change with the subscription as GET shows it, in the same transaction', async () => {
    const sub = await subscribe(a);
    const paused = await a.api.get(`/api/recurring/subscription/${sub.id}/status/paused`);
    expect(paused.status).toBe(200);
    const res = await a.api.get(`/api/events?object_id=${sub.id}`);
    expect(res.status).toBe(200);
    const types = res.body.data.map((e: any) => e.type);
    expect(types).toEqual(['subscription.created', 'subscription.paused']);
    const [created, pausedEvent] = res.body.data;
    expect(created.object_type).toBe('subscription');
    expect(created.data.id).toBe(sub.id);
    expect(created.data.status).toBe('active');
    expect(pausedEvent.data.status).toBe('paused');
    expect(pausedEvent.sequence).toBe(created.sequence + 1);
    const now = await a.api.get(`/api/recurring/subscription/${sub.id}`);
    expect(pausedEvent.data).toEqual(now.body.data);
    const one = await a.api.get(`/api/event/${created.id}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual(created);
  });

  it('reactivated, cancelled and deleted each have their own type', async () => {
    const sub = await subscribe(a);
    await a.api.get(`/api/recurring/subscription/${sub.id}/status/paused`);
    await a.api.get(`/api/recurring/subscription/${sub.id}/status/active`);
    await a.api.delete(`/api/recurring/subscription/${sub.id}`);
    const res = await a.api.get(`/api/events?object_id=${sub.id}`);
    expect(res.body.data.map((e: any) => e.type)).toEqual([
      'subscription.created',
      'subscription.paused',
      'subscription.reactivated',
      'subscription.cancelled',
      'subscription.deleted',
    ]);
  });

  it('numbers each merchant’s events 1, 2, 3 … without gaps, even under concurrent changes', async () => {
    const m = await createMerchant(t.baseUrl);
    await m.api.post('/api/vault/customer', { id: customer.id });
    await Promise.all(Array.from({ length: 12 }, () => subscribe(m)));
    const res = await m.api.get('/api/events?limit=100');
    // The customer, then the twelve subscriptions.
    expect(res.body.total_count).toBe(13);
    expect(res.body.data[0].type).toBe('customer.created');
    expect(res.body.data.map((e: any) => e.sequence)).toEqual(
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
  });

  it('a rolled-back change leaves no event', async () => {
    const before = (await a.api.get('/api/events?limit=1')).body.total_count;
    const res = await a.api.post('/api/recurring/subscription', {
      customer: { id: 'nosuchcustomer000001' },
      ...monthlyOn1st,
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await a.api.get('/api/events?limit=1')).body.total_count).toBe(before);
    const ds = t.app.get(DataSource);
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM events e JOIN event_sequences s USING (merchant_id)
        WHERE e.merchant_id = $1 AND e.sequence > s.last_sequence`,
      [a.id],
    );
    expect(n).toBe(0);
  });

  it('filters by type, since and date range, and pages', async () => {
    const all = (await a.api.get('/api/events?limit=100')).body.data;
    expect(all.length).toBeGreaterThan(3);
    const paused = await a.api.get('/api/events?type=subscription.paused,subscription.deleted');
    expect(new Set(paused.body.data.map((e: any) => e.type))).toEqual(
      new Set(['subscription.paused', 'subscription.deleted']),
    );
    const since = await a.api.get(`/api/events?since=${all[1].sequence}&limit=2`);
    expect(since.body.data.map((e: any) => e.sequence)).toEqual([all[2].sequence, all[3].sequence]);
    expect(since.body.total_count).toBe(all.length - 2);
    const page = await a.api.get('/api/events?limit=2&offset=1');
    expect(page.body.data.map((e: any) => e.id)).toEqual([all[1].id, all[2].id]);
    const future = await a.api.get('/api/events?created_from=2026-03-11');
    expect(future.body.data).toEqual([]);
    const range = await a.api.get(
      '/api/events?created_from=2026-03-10T00:00:00Z&created_to=2026-03-10T23:59:59Z&limit=100',
    );
    expect(range.body.data.length).toBe(all.length);
  });

  it('refuses bad filters with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['type=subscription.exploded', 'type'],
      ['since=-1', 'since'],
      ['since=abc', 'since'],
      ['created_from=yesterday', 'created_from'],
      ['created_from=2026-03-12&created_to=2026-03-11', 'created_to'],
      ['limit=1000', 'limit'],
    ]) {
      const res = await a.api.get(`/api/events?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'failed', msg: expect.stringContaining(field) });
    }
  });

  it('a merchant never sees another merchant’s events', async () => {
    const sub = await subscribe(b);
    const mine = (await a.api.get('/api/events?limit=100')).body.data;
    expect(mine.some((e: any) => e.object_id === sub.id)).toBe(false);
    const theirs = (await b.api.get(`/api/events?object_id=${sub.id}`)).body.data;
    expect(theirs).toHaveLength(1);
    // b's own numbering: its customer was 1.
    expect(theirs[0].sequence).toBe(2);
    const res = await a.api.get(`/api/event/${theirs[0].id}`);
    expect(res.status).toBe(404);
  });
});
