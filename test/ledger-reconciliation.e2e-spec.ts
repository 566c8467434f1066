import { DataSource } from 'typeorm';
import { HostedUrls } from '../src/invoices/hosted-urls';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';
import { ledgerInvariants, v1 } from './support/ledger-helpers';

/**
 * One month of a merchant with subscriptions, through the APIs only: the nightly billing
 * run (approvals and declines), hourly settlement, refunds, a dispute (lost), daily payouts
 * (one returned by the bank). At the end, from independent sources (the gateway's own
 * transactions, the disputes, fees computed here by hand from the plan):
 *
 *   payouts + balance = captured − refunded − disputed − fees, to the cent,
 *
 * and the ledger's own invariants hold.
 */
describe('ledger reconciliation: one month of a subscription merchant', () => {
  let t: TestApp;
  let m: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    t.app.get(HostedUrls).setBase(t.baseUrl);
    t.clock.setNow('2027-03-01T18:00:00Z');
    m = await createMerchant(t.baseUrl, 'America/Chicago');
  });
  afterAll(async () => t.close());

  async function customer(card: string, who = m): Promise<string> {
    const m_ = who;
    const res = await m_.api.post('/api/vault/customer', {
      description: `subscriber ${card}`,
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
    expect(res.status).toBe(200);
    return res.body.data.id;
  }

  async function subscribe(
    customerId: string,
    amount: number,
    day: string,
    who = m,
  ): Promise<string> {
    const res = await who.api.post('/api/recurring/subscription', {
      customer: { id: customerId },
      billing_cycle_interval: 1,
      amount,
      billing_frequency: 'monthly',
      billing_days: day,
      next_bill_date: `2027-03-${day.padStart(2, '0')}`,
    });
    if (res.status !== 200) throw new Error(`subscribe: ${JSON.stringify(res.body)}`);
    return res.body.data.id;
  }

  /** The plan's fee, by hand: 2.9% (half up) + 30¢. */
  const fee = (amount: number) => Math.floor((amount * 29 + 500) / 1000) + 30;

  it('with dispute_action "none" a disputed subscription keeps billing; the setting is checked', async () => {
    t.clock.setNow('2027-03-01T18:00:00Z');
    const n = await createMerchant(t.baseUrl, 'America/Chicago');
    const bad = await n.api.put('/api/recurring/billing-settings', { dispute_action: 'refund' });
    expect(bad.status).toBe(400);
    expect(bad.body.msg).toMatch(/dispute_action/);
    const set = await n.api.put('/api/recurring/billing-settings', { dispute_action: 'none' });
    expect(set.status).toBe(200);
    expect(set.body.data.dispute_action).toBe('none');
    const subId = await subscribe(await customer('4111111111111111', n), 112600, '2', n);
    t.clock.setNow('2027-03-02T08:00:00Z');
    expect((await n.api.post('/api/recurring/billing-run', { date: '2027-03-02' })).status).toBe(
      200,
    );
    await n.api.post('/api/sandbox/settle');
    t.clock.setNow('2027-03-05T18:00:00Z');
    expect((await v1(t, n).post('/v1/sandbox/disputes/raise')).body.raised).toBe(1);
    const sub = (await n.api.get(`/api/recurring/subscription/${subId}`)).body.data;
    expect(sub.status).toBe('active');
    const [d] = (await v1(t, n).get('/v1/disputes')).body.data;
    expect(d.reason_disputed_code).toBe(1260);
  });

  it('payouts + balance = captured − refunded − disputed − fees, to the cent', async () => {
    t.clock.setNow('2027-03-01T18:00:00Z');
    const good = await customer('4111111111111111');
    const other = await customer('5555555555554444');
    const declines = await customer('4000000000000002');
    await subscribe(good, 4999, '1');
    await subscribe(declines, 3000, '5'); // soft declines, retried, never paid
    await subscribe(good, 12345, '10');
    await subscribe(other, 50000, '15');
    await subscribe(other, 2000, '20');
    const disputedSub = await subscribe(other, 110400, '25'); // disputed 3 days after settlement

    let refundsDone = 0;
    let returned = false;
    for (let day = 1; day <= 31; day++) {
      const date = `2027-03-${String(day).padStart(2, '0')}`;
      t.clock.setNow(`${date}T08:00:00Z`); // 02:00 in Chicago: the nightly run
      const run = await m.api.post('/api/recurring/billing-run', { date });
      expect(run.status).toBe(200);
      t.clock.setNow(`${date}T18:00:00Z`);
      expect((await m.api.post('/api/sandbox/settle')).status).toBe(200);
      expect((await v1(t, m).post('/v1/sandbox/disputes/raise')).status).toBe(200);
      expect((await v1(t, m).post('/v1/sandbox/payouts/run')).status).toBe(200);

      // Refunds: part of the 12345 payment, all of the 2000 one, once each has settled.
      const settled = (
        await m.api.post('/api/transaction/search', { limit: 100 })
      ).body.data.filter((x: any) => x.type === 'sale' && x.status === 'settled');
      for (const [amount, refund] of [
        [12345, 2345],
        [2000, 2000],
      ] as const) {
        const sale = settled.find((x: any) => x.amount === amount && x.amount_refunded === 0);
        if (sale && refundsDone < 2) {
          const res = await m.api.post(`/api/transaction/${sale.id}/refund`, { amount: refund });
          expect(res.status).toBe(200);
          refundsDone++;
        }
      }
      // The dispute is lost as soon as it is open.
      for (const d of (await v1(t, m).get('/v1/disputes?status=new')).body.data) {
        expect(
          (await v1(t, m).post(`/v1/sandbox/disputes/${d.id}/resolve`, { outcome: 'lost' })).status,
        ).toBe(200);
      }
      // The bank rejects the first payout after the 12th; its money goes out again later.
      if (!returned && day >= 12) {
        const [p] = (await v1(t, m).get('/v1/payouts?limit=1')).body.data;
        if (p?.status === 'created') {
          expect((await v1(t, m).post(`/v1/sandbox/payouts/${p.id}/return`)).status).toBe(200);
          returned = true;
        }
      }
    }
    expect(refundsDone).toBe(2);
    expect(returned).toBe(true);

    // Independent figures: the gateway's transactions, the disputes, the fees by hand.
    const txs = (await m.api.post('/api/transaction/search', { limit: 100 })).body.data as any[];
    const sales = txs.filter((x) => x.type === 'sale' && x.amount_captured > 0);
    const declined = txs.filter((x) => x.status === 'declined');
    expect(declined.length).toBeGreaterThanOrEqual(2);
    const captured = sales.reduce((s, x) => s + x.amount_captured, 0);
    const refunded = txs.filter((x) => x.type === 'refund').reduce((s, x) => s + x.amount, 0);
    const disputes = (await v1(t, m).get('/v1/disputes?limit=50')).body.data as any[];
    expect(disputes).toHaveLength(1);
    expect(disputes[0].status).toBe('lost');
    const disputed = disputes.reduce((s, d) => s + d.amount, 0);
    const fees = sales.reduce((s, x) => s + fee(x.amount_captured), 0) + disputes.length * 1500;
    expect(captured).toBe(4999 + 12345 + 50000 + 2000 + 110400);
    expect(refunded).toBe(2345 + 2000);

    const payouts = (await v1(t, m).get('/v1/payouts?limit=50')).body.data as any[];
    const paidOut = payouts
      .filter((p) => p.status !== 'returned')
      .reduce((s, p) => s + p.net_amount, 0);
    expect(payouts.filter((p) => p.status === 'paid').length).toBeGreaterThanOrEqual(4);
    expect(payouts.filter((p) => p.status === 'returned')).toHaveLength(1);
    expect(paidOut).toBeGreaterThan(0);
    const [balance] = (await v1(t, m).get('/v1/balances')).body.data;
    // The lost dispute came after the last payouts: the month ends owing the network.
    expect(balance.available).toBeLessThan(0);
    expect(paidOut + balance.pending + balance.available).toBe(
      captured - refunded - disputed - fees,
    );

    // Every payout's ledger transactions sum to its amount; every figure traces to entries.
    for (const p of payouts.filter((x) => x.status !== 'returned')) {
      const lts = (await v1(t, m).get(`/v1/transactions?payout_id=${p.id}&limit=50`)).body
        .data as any[];
      expect(lts.reduce((s, x) => s + x.amount, 0)).toBe(p.amount);
      expect(lts).toHaveLength(p.transaction_count);
    }
    // A dispute on a subscription's payment is a billing event: the cycle is marked disputed,
    // the subscription records it and, by the default dispute_action, is paused.
    const sub = (await m.api.get(`/api/recurring/subscription/${disputedSub}`)).body.data;
    expect(sub.status).toBe('paused');
    const ds = t.app.get(DataSource);
    const [cycle] = await ds.query(
      `SELECT dispute_id, disputed_at, status FROM billing_cycles WHERE subscription_id = $1`,
      [disputedSub],
    );
    expect(cycle).toMatchObject({ dispute_id: disputes[0].id, status: 'paid' });
    expect(cycle.disputed_at).not.toBeNull();
    const events: { type: string; detail: any; to_status: string | null }[] = await ds.query(
      `SELECT type, detail, to_status FROM subscription_events WHERE subscription_id = $1 ORDER BY seq`,
      [disputedSub],
    );
    expect(events.filter((e) => e.detail?.dispute).map((e) => e.detail.dispute.status)).toEqual([
      'new',
      'lost',
    ]);
    expect(events.find((e) => e.to_status === 'paused')?.detail.reason).toMatch(/disputed/);

    const inv = await ledgerInvariants(ds, m.id);
    expect(inv.unbalancedEntries).toBe(0);
    expect(inv.sumOfAllAccounts).toBe(0);
    expect(inv.pendingFromEntries).toBe(balance.pending);
    expect(inv.availableFromEntries).toBe(balance.available);
    expect(inv.availableFromTransactions).toBe(balance.available);
  });
});
