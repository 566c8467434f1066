/**
 * npm run bench:billing [-- --subscriptions N --workers W --batch-size B --in-flight F
 *                           --latencies 0,200 --decline-rate 0.05]
 *
 * Seeds N subscriptions (default 100,000) due on one date and bills them through a gateway
 * simulator in a separate process (scripts/gateway-simulator.ts: the spec's POST
 * /api/transaction and /api/transaction/search, answering after a set latency), once per
 * latency: the first cycle at the first latency, the next cycle a month later at the next.
 * Prints subscriptions per second at each latency and, measured in the same run on the same
 * database with the same concurrency, the rate of a plain transaction that updates one row
 * and inserts two (the database's ceiling for this work), the ratio, the peak RSS, the load
 * average and the billing process's CPU time per subscription. `npm run bench:billing` builds first and runs dist/scripts/bench-billing.js, as in
 * production: no TypeScript is compiled in the measured process (ts-node alone is about 200 MB
 * of RSS and compiles modules on their first use during the run). BENCH_PROFILE=1 writes V8's
 * CPU profile of each billing window only (not boot, seeding or the ceiling) to
 * .bench-profile/billing-<latency>ms.cpuprofile (summarize with scripts/profile-summary.ts).
 */
import 'reflect-metadata';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AccountsService } from '../src/accounts/accounts.service';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/platform/config/config';
import { resolveDatabase } from '../src/platform/database/resolve-database';
import { BillingRunService } from '../src/billing/billing-run.service';
import { cloneSubscription } from './seed-subscriptions';

/** Starts the simulator and waits for its port. */
async function startSimulator(declineRate: string): Promise<{ child: ChildProcess; url: string }> {
  // Compiled (dist/scripts/) when this file is, from sources under ts-node otherwise.
  const compiled = __filename.endsWith('.js');
  const child = spawn(
    process.execPath,
    [
      ...(compiled ? [] : ['-r', 'ts-node/register/transpile-only']),
      resolve(__dirname, compiled ? 'gateway-simulator.js' : 'gateway-simulator.ts'),
      '--decline-rate',
      declineRate,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  for await (const chunk of child.stdout!) {
    out += String(chunk);
    const m = /listening (\d+)/.exec(out);
    if (m) return { child, url: `http://127.0.0.1:${m[1]}` };
  }
  throw new Error('the gateway simulator did not start');
}

/** The repository: this file runs from dist/scripts/ (compiled) or scripts/ (ts-node). */
const ROOT = resolve(__dirname, __filename.endsWith('.js') ? '../..' : '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      subscriptions: { type: 'string', default: '100000' },
      workers: { type: 'string', default: '4' },
      'batch-size': { type: 'string', default: '250' },
      'in-flight': { type: 'string', default: '64' },
      latencies: { type: 'string', default: '0,200' },
      'decline-rate': { type: 'string', default: '0' },
    },
  });
  const n = Number(values.subscriptions);
  const workers = Number(values.workers);
  const batchSize = Number(values['batch-size']);
  const inFlight = Number(values['in-flight']);
  const latencies = values.latencies.split(',').map(Number);
  const simulator = await startSimulator(values['decline-rate']);
  // Two connections per worker, the run's owner lock and room for the rest of the app.
  process.env.DATABASE_POOL_SIZE ??= String(Math.max(20, workers * 2 + 8));
  // The bench's gateway listens on loopback.
  const config = loadConfig({
    REBILL_OUTBOUND_ALLOW_PRIVATE: 'true',
    ...process.env,
    LOG_LEVEL: 'silent',
  });
  const db = await resolveDatabase(config, (m) => process.stderr.write(`[bench] ${m}\n`));
  const app = await createApp({ config, databaseUrl: db.url, scheduler: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.getHttpServer().address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;
  const dataSource = app.get(DataSource);

  // A merchant billing through an http gateway: Rebill's own sandbox, over loopback.
  const merchant = await app
    .get(AccountsService)
    .createMerchant({ name: `Bench ${Date.now()}`, timezone: 'UTC' });
  const key = merchant.privateKey.secret;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as { status: string; data: any };
    if (json.status !== 'success') throw new Error(`${method} ${path}: ${JSON.stringify(json)}`);
    return json.data;
  };
  // The subscriptions charge through an http processor whose gateway is the simulator.
  const loopback = await call('POST', '/api/processor', {
    name: 'Gateway simulator',
    gateway: { kind: 'http', base_url: simulator.url, api_key: 'sim_key_for_the_benchmark' },
  });
  const customer = await call('POST', '/api/vault/customer', {
    default_payment: { card: { number: '4111111111111111', expiration_date: '12/39' } },
  });
  const template = await call('POST', '/api/recurring/subscription', {
    customer: { id: customer.id },
    processor_id: loopback.id,
    amount: 1999,
    billing_cycle_interval: 1,
    billing_frequency: 'monthly',
    billing_days: '1',
    next_bill_date: '2099-01-01',
  });
  process.stderr.write(`[bench] seeding ${n} subscriptions…\n`);
  const seedStart = performance.now();
  for (let done = 0; done < n; done += 20000) {
    await cloneSubscription(dataSource, template.id, Math.min(20000, n - done), {
      idPrefix: `bench${merchant.merchant.id.slice(0, 6)}${String(done / 20000).padStart(2, '0')}`,
      nextBillDate: '2099-01-01',
    });
  }
  await dataSource.query(`UPDATE subscriptions SET status = 'cancelled' WHERE id = $1`, [
    template.id,
  ]);
  process.stderr.write(
    `[bench] seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s; billing with ${workers} workers…\n`,
  );

  const profiling = process.env.BENCH_PROFILE === '1';
  const session = profiling ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    mkdirSync(resolve(ROOT, '.bench-profile'), { recursive: true });
  }
  const loadBefore = loadavg();
  const runs: {
    latency: number;
    perSecond: number;
    seconds: number;
    cpuMsPerSub: number;
    summary: any;
  }[] = [];
  for (const [i, latency] of latencies.entries()) {
    await fetch(`${simulator.url}/__control`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latency_ms: latency }),
    });
    const asOf = `2099-${String(i + 1).padStart(2, '0')}-01`;
    process.stderr.write(`[bench] billing ${asOf} at ${latency} ms gateway latency…\n`);
    if (session) await session.post('Profiler.start');
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const run = await app.get(BillingRunService).run({
      asOf,
      merchantId: merchant.merchant.id,
      workers,
      batchSize,
      inFlight,
      triggeredBy: 'bench',
    });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      const file = resolve(ROOT, '.bench-profile', `billing-${latency}ms.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      process.stderr.write(`[bench] CPU profile of the window: ${file}\n`);
    }
    runs.push({
      latency,
      seconds,
      perSecond: run.summary.subscriptions / seconds,
      // The billing process's own CPU (user + system) per subscription: a loaded machine
      // moves it far less than it moves subscriptions/s.
      cpuMsPerSub: (cpu.user + cpu.system) / 1000 / Math.max(1, run.summary.subscriptions),
      summary: run.summary,
    });
  }
  const perSecond = runs[0].perSecond;
  const loadAfter = loadavg();
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  // The ceiling: the same number of one-update-two-insert transactions, same concurrency.
  const pool = new Pool({ connectionString: db.url, max: workers });
  await pool.query(`CREATE TEMP TABLE IF NOT EXISTS x (id int)`); // warm a connection
  await pool.query(`DROP TABLE IF EXISTS bench_ceiling_rows; DROP TABLE IF EXISTS bench_ceiling_log;
    CREATE UNLOGGED TABLE bench_ceiling_rows (id int PRIMARY KEY, n int NOT NULL);
    CREATE UNLOGGED TABLE bench_ceiling_log (id bigserial PRIMARY KEY, row_id int NOT NULL, at timestamptz NOT NULL DEFAULT now());
    INSERT INTO bench_ceiling_rows SELECT g, 0 FROM generate_series(1, ${n}) g;`);
  await pool.query(
    `ALTER TABLE bench_ceiling_rows SET LOGGED; ALTER TABLE bench_ceiling_log SET LOGGED`,
  );
  const ceilingStart = performance.now();
  let next = 1;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const client = await pool.connect();
      try {
        for (;;) {
          const id = next++;
          if (id > n) return;
          await client.query('BEGIN');
          await client.query('UPDATE bench_ceiling_rows SET n = n + 1 WHERE id = $1', [id]);
          await client.query('INSERT INTO bench_ceiling_log (row_id) VALUES ($1)', [id]);
          await client.query('INSERT INTO bench_ceiling_log (row_id) VALUES ($1)', [id]);
          await client.query('COMMIT');
        }
      } finally {
        client.release();
      }
    }),
  );
  const ceilingSeconds = (performance.now() - ceilingStart) / 1000;
  const ceilingPerSecond = n / ceilingSeconds;
  await pool.query('DROP TABLE bench_ceiling_rows; DROP TABLE bench_ceiling_log');
  await pool.end();

  process.stdout.write(
    [
      '',
      `billing: ${n} subscriptions, ${workers} workers, batches of ${batchSize}, ${inFlight} charges in flight per worker, gateway simulator in its own process (decline rate ${values['decline-rate']})`,
      '| measure | per second |',
      '|---|---:|',
      ...runs.map(
        (r) =>
          `| billing run at ${r.latency} ms gateway latency (subscriptions; ${r.summary.charged} charged, ${r.summary.declined} declined, ${r.summary.errors} errors, ${r.seconds.toFixed(1)} s, ${r.cpuMsPerSub.toFixed(2)} ms of CPU per subscription) | ${r.perSecond.toFixed(0)} |`,
      ),
      `| ceiling: 1 update + 2 inserts per transaction, ${workers} connections | ${ceilingPerSecond.toFixed(0)} |`,
      '',
      `ratio billing (${runs[0].latency} ms) / ceiling: ${(perSecond / ceilingPerSecond).toFixed(3)}`,
      `peak RSS: ${peakRssMb.toFixed(0)} MB${__filename.endsWith('.js') ? ' (compiled)' : ' (ts-node)'}`,
      `load average (1 min) before billing ${loadBefore[0].toFixed(2)}, after ${loadAfter[0].toFixed(2)}; now ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')} (1, 5, 15 min)`,
      '',
    ].join('\n'),
  );
  simulator.child.kill('SIGTERM');
  await app.close();
  await db.stop();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
