import { BillingSchedulerService } from '../src/billing/billing-scheduler.service';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/** The nightly run starts once a day per merchant, at its run time in its own time zone. */
describe('billing scheduler', () => {
  let t: TestApp;
  let tokyo: TestMerchant;
  let chicago: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.setNow('2027-02-27T12:00:00Z');
    tokyo = await createMerchant(t.baseUrl, 'Asia/Tokyo');
    chicago = await createMerchant(t.baseUrl, 'America/Chicago');
    for (const m of [tokyo, chicago]) {
      const customer = await m.api.post('/api/vault/customer', {
        default_payment: { card: { number: '4111111111111111', expiration_date: '12/39' } },
      });
      const sub = await m.api.post('/api/recurring/subscription', {
        customer: { id: customer.body.data.id },
        amount: 1000,
        billing_cycle_interval: 1,
        billing_frequency: 'monthly',
        billing_days: '1',
        next_bill_date: '2027-03-01',
      });
      expect(sub.status).toBe(200);
    }
  });
  afterAll(async () => t.close());

  const scheduler = () => t.app.get(BillingSchedulerService);
  const only = () => ({ merchantIds: [tokyo.id, chicago.id] });
  const runs = async (m: TestMerchant) =>
    (await m.api.get('/api/recurring/billing-runs')).body.data;

  it("runs each merchant's billing once its local time passes 02:00, once a day", async () => {
    // 01:30 on March 1 in Tokyo: too early there. 10:30 on February 28 in Chicago: its run
    // for February 28 starts (nothing is due there yet).
    t.clock.setNow('2027-02-28T16:30:00Z');
    expect(await scheduler().startDueRuns(only())).toBe(1);
    expect(await runs(tokyo)).toEqual([]);
    expect((await runs(chicago))[0]).toMatchObject({
      as_of: '2027-02-28',
      triggered_by: 'scheduler',
    });
    expect((await runs(chicago))[0].summary.charged).toBe(0);

    // 02:05 in Tokyo: Tokyo's run for March 1 starts and bills its subscription.
    t.clock.setNow('2027-02-28T17:05:00Z');
    expect(await scheduler().startDueRuns(only())).toBe(1);
    const [tokyoRun] = await runs(tokyo);
    expect(tokyoRun).toMatchObject({
      as_of: '2027-03-01',
      triggered_by: 'scheduler',
      status: 'completed',
    });
    expect(tokyoRun.summary.charged).toBe(1);

    // The next tick the same day starts nothing.
    t.clock.setNow('2027-02-28T17:10:00Z');
    expect(await scheduler().startDueRuns(only())).toBe(0);

    // 02:05 on March 1 in Chicago: its run bills the Chicago subscription.
    t.clock.setNow('2027-03-01T08:05:00Z');
    expect(await scheduler().startDueRuns(only())).toBe(1);
    const [chicagoRun] = await runs(chicago);
    expect(chicagoRun).toMatchObject({ as_of: '2027-03-01' });
    expect(chicagoRun.summary.charged).toBe(1);
  });

  it("honours the merchant's own run time", async () => {
    await tokyo.api.put('/api/recurring/billing-settings', { run_at: '05:30' });
    t.clock.setNow('2027-03-01T18:00:00Z'); // 03:00 March 2 in Tokyo
    expect(await scheduler().startDueRuns({ merchantIds: [tokyo.id] })).toBe(0);
    t.clock.setNow('2027-03-01T20:31:00Z'); // 05:31 in Tokyo
    expect(await scheduler().startDueRuns({ merchantIds: [tokyo.id] })).toBe(1);
    const bad = await tokyo.api.put('/api/recurring/billing-settings', { run_at: '25:00' });
    expect(bad.status).toBe(400);
    expect(bad.body.msg).toMatch(/run_at/);
  });
});
