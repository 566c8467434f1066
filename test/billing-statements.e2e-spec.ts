import { DataSource } from 'typeorm';
import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import { cloneSubscription } from '../scripts/seed-subscriptions';
import { BillingBatch } from '../src/billing/billing-batch';
import { emptySummary } from '../src/billing/billing-run.types';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * The number of SQL statements a batch costs is a constant, not a multiple of its size:
 * phase 1 (decide and record) and phase 3 (record the outcomes) of a batch of 4 and of a
 * batch of 40 — half approved, half declined, with receipts and failure emails — issue
 * exactly the same number of statements.
 */
describe('billing run: statements per batch', () => {
  let t: TestApp;
  let db: DataSource;
  const DATE = '2027-03-01';

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.setNow(`${DATE}T12:00:00Z`);
    db = t.app.get(DataSource);
  });
  afterAll(async () => t.close());

  async function customer(m: TestMerchant, card: string): Promise<string> {
    const res = await m.api.post('/api/vault/customer', {
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
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return res.body.data.id;
  }

  async function seed(m: TestMerchant, customerId: string, n: number, prefix: string) {
    const addOn = (await m.api.post('/api/recurring/addon', { name: 'extra', amount: 300 })).body
      .data;
    const res = await m.api.post('/api/recurring/subscription', {
      customer: { id: customerId },
      amount: 1000,
      billing_cycle_interval: 1,
      billing_frequency: 'monthly',
      billing_days: '1',
      next_bill_date: DATE,
      add_ons: [{ id: addOn.id }],
    });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    const ids = await cloneSubscription(db, res.body.data.id, n, {
      idPrefix: prefix,
      nextBillDate: DATE,
    });
    await db.query(
      `INSERT INTO subscription_adjustments
         SELECT (jsonb_populate_record(a, jsonb_build_object('subscription_id', $2 || lpad(g::text, 7, '0')))).*
           FROM subscription_adjustments a, generate_series(1, $3::int) g WHERE a.subscription_id = $1`,
      [res.body.data.id, prefix, n],
    );
    await db.query(`UPDATE subscriptions SET status = 'cancelled' WHERE id = $1`, [
      res.body.data.id,
    ]);
    return ids;
  }

  /** Runs `work` and counts the statements it sends to PostgreSQL. */
  async function counted<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
    const original = PostgresQueryRunner.prototype.query;
    let statements = 0;
    PostgresQueryRunner.prototype.query = function (this: PostgresQueryRunner, ...args: any[]) {
      statements++;
      return (original as any).apply(this, args);
    } as any;
    try {
      const result = await work();
      return { result, statements };
    } finally {
      PostgresQueryRunner.prototype.query = original;
    }
  }

  async function batchOf(size: number) {
    const m = await createMerchant(t.baseUrl);
    const good = await customer(m, '4111111111111111');
    const declining = await customer(m, '4000000000000002');
    const ids = [
      ...(await seed(m, good, size / 2, `g${size}x`)),
      ...(await seed(m, declining, size / 2, `d${size}x`)),
    ];
    const batch = t.app.get(BillingBatch);
    const ctx = { runId: `stmts${size}`, asOf: DATE, dryRun: false };
    const phase1 = await counted(() => db.transaction((em) => batch.decide(em, ids, ctx)));
    expect(phase1.result.charges).toHaveLength(size);
    const outcomes = await batch.charge(phase1.result.charges, 8);
    const summary = emptySummary();
    const phase3 = await counted(() =>
      db.transaction((em) => batch.record(em, phase1.result.charges, outcomes, summary)),
    );
    expect(summary).toMatchObject({ charged: size / 2, declined: size / 2 });
    const [{ emails }] = await db.query(
      `SELECT count(*)::int AS emails FROM email_outbox WHERE merchant_id = $1`,
      [m.id],
    );
    expect(emails).toBe(size); // a receipt for each approval, a failure notice for each decline
    return { phase1: phase1.statements, phase3: phase3.statements };
  }

  it('costs the same number of statements for a batch of 4 and a batch of 40', async () => {
    const small = await batchOf(4);
    const large = await batchOf(40);
    expect(large).toEqual(small);
    // And a small constant at that: one transaction each, a few dozen statements (phase 3
    // also writes the batch's webhook events and ledger entries, a few statements each).
    expect(small.phase1).toBeLessThan(40);
    expect(small.phase3).toBeLessThan(40);
  });
});
