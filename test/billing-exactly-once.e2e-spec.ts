import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { cloneSubscription } from '../scripts/seed-subscriptions';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

/**
 * Exactly once, by construction: the billing CLI is killed (SIGKILL) at random points while
 * it bills thousands of subscriptions, and restarted, many times; three CLIs bill the same
 * date at once; the gateway answers too late after charging. Afterwards every due
 * subscription has exactly one successful charge for the cycle at the gateway, the gateway
 * holds no charge the database does not know, and the totals reconcile.
 */
jest.setTimeout(600_000);

describe('billing run: exactly once', () => {
  let t: TestApp;
  let m: TestMerchant;
  let db: DataSource;
  let goodCustomer: string;
  let lateCustomer: string;
  const DATE = '2027-06-01';

  beforeAll(async () => {
    t = await startTestApp();
    t.clock.setNow(`${DATE}T12:00:00Z`);
    db = t.app.get(DataSource);
    m = await createMerchant(t.baseUrl);
    goodCustomer = await vaultCustomer('4111111111111111');
    // The sandbox charges this card and records it, but answers too late: the client sees a timeout.
    lateCustomer = await vaultCustomer('4000000000000119');
  });
  afterAll(async () => t.close());

  async function vaultCustomer(card: string): Promise<string> {
    const res = await m.api.post('/api/vault/customer', {
      default_payment: { card: { number: card, expiration_date: '12/39' } },
    });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return res.body.data.id;
  }

  /** `count` active subscriptions of `customerId`, due on DATE, with amounts 1000 + i. */
  async function seed(customerId: string, count: number, prefix: string): Promise<string[]> {
    const res = await m.api.post('/api/recurring/subscription', {
      customer: { id: customerId },
      amount: 1000,
      billing_cycle_interval: 1,
      billing_frequency: 'monthly',
      billing_days: '1',
      next_bill_date: DATE,
    });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    const ids = await cloneSubscription(db, res.body.data.id, count, {
      idPrefix: prefix,
      nextBillDate: DATE,
    });
    // Different amounts, so that a charge can be told from another's by its amount too.
    await db.query(
      `UPDATE subscriptions SET amount = 1000 + substr(id, length($1) + 1)::int WHERE id LIKE $1 || '%'`,
      [prefix],
    );
    await db.query(`UPDATE subscriptions SET status = 'cancelled' WHERE id = $1`, [
      res.body.data.id,
    ]);
    return ids;
  }

  function startCli(
    workers: number,
    extra: string[] = [],
    env: Record<string, string> = {},
  ): ChildProcess {
    return spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        'src/billing/billing-cli.ts',
        '--date',
        DATE,
        '--merchant',
        m.id,
        '--workers',
        String(workers),
        '--quiet',
        ...extra,
      ],
      {
        cwd: resolve(__dirname, '..'),
        env: { ...process.env, DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'silent', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  }

  function exited(child: ChildProcess): Promise<number | null> {
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += String(d)));
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) console.error(`billing CLI exited ${code}: ${stderr}`);
    });
    return new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done(child.exitCode);
      child.once('exit', (code) => done(code));
    });
  }

  async function states(ids: string[]): Promise<Record<string, number>> {
    const rows: { state: string; n: number }[] = await db.query(
      `SELECT state, count(*)::int AS n FROM charge_attempts WHERE subscription_id = ANY($1) GROUP BY state`,
      [ids],
    );
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  async function approvedSales(): Promise<number> {
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM gateway_transactions WHERE merchant_id = $1 AND type = 'sale' AND response_code = 100`,
      [m.id],
    );
    return n;
  }

  async function attempts(ids: string[]): Promise<number> {
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM charge_attempts WHERE subscription_id = ANY($1)`,
      [ids],
    );
    return n;
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** The invariants, checked against the database and the gateway's own records. */
  async function expectBilledExactlyOnce(ids: string[]): Promise<void> {
    const cycles: {
      subscription_id: string;
      status: string;
      amount: string;
      invoice_id: string;
    }[] = await db.query(
      `SELECT subscription_id, status, amount, invoice_id FROM billing_cycles
        WHERE subscription_id = ANY($1) AND bill_date = $2`,
      [ids, DATE],
    );
    expect(cycles).toHaveLength(ids.length);
    expect(cycles.filter((c) => c.status !== 'paid')).toEqual([]);

    // The gateway: exactly one approved sale per subscription for this cycle.
    const sales: { subscription_id: string; n: number; amount: string }[] = await db.query(
      `SELECT split_part(substr(t.idempotency_key, 8), '-' || $2, 1) AS subscription_id,
              count(*)::int AS n, sum(t.amount)::bigint AS amount
         FROM gateway_transactions t
        WHERE t.merchant_id = $1 AND t.type = 'sale' AND t.response_code = 100
          AND t.idempotency_key LIKE 'rebill-%-' || $2 || '-%'
        GROUP BY 1`,
      [m.id, DATE],
    );
    const mine = sales.filter((s) => ids.includes(s.subscription_id));
    expect(mine).toHaveLength(ids.length);
    expect(mine.filter((s) => s.n !== 1)).toEqual([]);

    // No charge at the gateway that the database does not know.
    const unknown: unknown[] = await db.query(
      `SELECT t.id FROM gateway_transactions t
        WHERE t.merchant_id = $1 AND t.type = 'sale'
          AND NOT EXISTS (SELECT 1 FROM charge_attempts a
                           WHERE a.merchant_id = t.merchant_id AND a.idempotency_key = t.idempotency_key)
          AND NOT EXISTS (SELECT 1 FROM invoice_payments p WHERE p.transaction_id = t.id)`,
      [m.id],
    );
    expect(unknown).toEqual([]);

    // Totals reconcile: gateway = cycles = invoices paid.
    const gatewayTotal = mine.reduce((a, s) => a + Number(s.amount), 0);
    const cycleTotal = cycles.reduce((a, c) => a + Number(c.amount), 0);
    const [{ paid }] = await db.query(
      `SELECT coalesce(sum(amount_paid), 0)::bigint AS paid FROM invoices WHERE id = ANY($1)`,
      [cycles.map((c) => c.invoice_id)],
    );
    expect(gatewayTotal).toBe(cycleTotal);
    expect(Number(paid)).toBe(cycleTotal);

    // And every subscription moved on exactly one cycle.
    const subs: { next_bill_date: string; billing_count: number }[] = await db.query(
      `SELECT next_bill_date, billing_count FROM subscriptions WHERE id = ANY($1)`,
      [ids],
    );
    expect(subs.filter((s) => s.next_bill_date !== '2027-07-01' || s.billing_count !== 1)).toEqual(
      [],
    );
  }

  it('survives SIGKILL at random points of a run over thousands of subscriptions, many times', async () => {
    const ids = await seed(goodCustomer, 2000, 'kill');
    let kills = 0;
    let seen = 0;
    for (let round = 0; round < 6; round++) {
      const child = startCli(2);
      // Wait until this process is charging, then kill it at a random moment.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && child.exitCode === null) {
        const now = await attempts(ids);
        if (now > seen) break;
        await sleep(25);
      }
      await sleep(Math.floor(Math.random() * 400));
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        kills++;
      }
      await exited(child);
      seen = await attempts(ids);
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    const finisher = startCli(2);
    expect(await exited(finisher)).toBe(0);
    await expectBilledExactlyOnce(ids);
  });

  it('bills once when three workers run the same date at the same time', async () => {
    const ids = await seed(goodCustomer, 1500, 'three');
    const children = [startCli(2), startCli(2), startCli(2)];
    const codes = await Promise.all(children.map(exited));
    expect(codes).toEqual([0, 0, 0]);
    await expectBilledExactlyOnce(ids);
  });

  it('resolves a gateway timeout after charging by looking the charge up, never by charging again', async () => {
    const ids = await seed(lateCustomer, 5, 'late');
    const first = await m.api.post('/api/recurring/billing-run', { date: DATE });
    expect(first.body.data.summary).toMatchObject({ unknown: 5, charged: 0 });
    const states: { state: string }[] = await db.query(
      `SELECT state FROM charge_attempts WHERE subscription_id = ANY($1)`,
      [ids],
    );
    expect(states.map((s) => s.state)).toEqual([
      'unknown',
      'unknown',
      'unknown',
      'unknown',
      'unknown',
    ]);

    const second = await m.api.post('/api/recurring/billing-run', { date: DATE });
    expect(second.body.data.summary).toMatchObject({ unknown: 0, charged: 5 });
    // Resolution found the first charges: no attempt was sent twice.
    expect(await attempts(ids)).toBe(5);
    await expectBilledExactlyOnce(ids);
  });
  it('survives a crash between phase 1 and phase 2 of a whole batch: nothing sent, then everything sent once', async () => {
    const ids = await seed(goodCustomer, 300, 'p1x');
    const before = await approvedSales();
    const crashed = startCli(1, ['--batch-size', '300'], {
      REBILL_BILLING_CRASH_AT: 'after_decide',
    });
    await exited(crashed);
    expect(crashed.signalCode).toBe('SIGKILL');
    // The whole batch was decided and recorded before the gateway heard of any of it.
    expect(await states(ids)).toEqual({ started: 300 });
    expect(await approvedSales()).toBe(before);

    const finisher = startCli(2);
    expect(await exited(finisher)).toBe(0);
    await expectBilledExactlyOnce(ids);
    expect(await approvedSales()).toBe(before + 300);
    // The dead run is not left 'running' forever: it is abandoned with what its attempts show.
    const runs: { status: string; summary: any }[] = await db.query(
      `SELECT status, summary FROM billing_runs WHERE merchant_id = $1 AND status <> 'completed'`,
      [m.id],
    );
    expect(runs).toContainEqual(
      expect.objectContaining({
        status: 'abandoned',
        summary: expect.objectContaining({ subscriptions: 300, unknown: 300, charged: 0 }),
      }),
    );
  });

  it('survives a crash between phase 2 and phase 3 of a whole batch: the charges are found, never sent again', async () => {
    const ids = await seed(goodCustomer, 300, 'p2x');
    const before = await approvedSales();
    const crashed = startCli(1, ['--batch-size', '300'], {
      REBILL_BILLING_CRASH_AT: 'after_charge',
    });
    await exited(crashed);
    expect(crashed.signalCode).toBe('SIGKILL');
    // Charged at the gateway, not yet recorded.
    expect(await states(ids)).toEqual({ started: 300 });
    expect(await approvedSales()).toBe(before + 300);

    const finisher = startCli(2);
    expect(await exited(finisher)).toBe(0);
    expect(await approvedSales()).toBe(before + 300);
    expect(await states(ids)).toEqual({ approved: 300 });
    await expectBilledExactlyOnce(ids);
  });

  it('bills once through a gateway that answers some charges of a batch and drops the answer of others', async () => {
    const sim = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        'scripts/gateway-simulator.ts',
        '--lost-rate',
        '0.4',
      ],
      { cwd: resolve(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      let out = '';
      for await (const chunk of sim.stdout!) {
        out += String(chunk);
        if (/listening \d+/.test(out)) break;
      }
      const url = `http://127.0.0.1:${/listening (\d+)/.exec(out)![1]}`;
      const processor = await m.api.post('/api/processor', {
        name: 'Flaky gateway',
        gateway: { kind: 'http', base_url: url, api_key: 'sim_key_for_the_tests' },
      });
      expect(processor.status).toBe(200);
      const ids = await seed(goodCustomer, 200, 'lost');
      await db.query(`UPDATE subscriptions SET processor_id = $2 WHERE id = ANY($1)`, [
        ids,
        processor.body.data.id,
      ]);

      const first = await m.api.post('/api/recurring/billing-run', { date: DATE });
      const s1 = first.body.data.summary;
      expect(s1.unknown).toBeGreaterThan(40);
      expect(s1.charged).toBeGreaterThan(40);
      expect(s1.charged + s1.unknown).toBe(200);

      const second = await m.api.post('/api/recurring/billing-run', { date: DATE });
      expect(second.body.data.summary).toMatchObject({ unknown: 0, charged: s1.unknown });
      expect(await states(ids)).toEqual({ approved: 200 });

      // The gateway's own records: one charge per subscription, each known to the database.
      const txs = (await (await fetch(`${url}/__transactions`)).json()) as {
        idempotency_key: string;
      }[];
      const mine = txs.filter((tx) =>
        ids.some((id) => tx.idempotency_key.startsWith(`rebill-${id}-`)),
      );
      expect(mine).toHaveLength(200);
      const known: { idempotency_key: string }[] = await db.query(
        `SELECT idempotency_key FROM charge_attempts WHERE subscription_id = ANY($1)`,
        [ids],
      );
      expect(new Set(known.map((k) => k.idempotency_key))).toEqual(
        new Set(mine.map((tx) => tx.idempotency_key)),
      );
      const subs: { billing_count: number }[] = await db.query(
        `SELECT billing_count FROM subscriptions WHERE id = ANY($1)`,
        [ids],
      );
      expect(subs.every((s) => s.billing_count === 1)).toBe(true);
    } finally {
      sim.kill('SIGTERM');
    }
  });
});
