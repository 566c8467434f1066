/**
 * npm run bench: requests per second and p99 latency of POST /api/calculate/amounts (the
 * whole stack: Fastify, auth against PostgreSQL, processor lookup, the calculation core),
 * and, in the same run, of a bare Fastify endpoint doing the same decimal arithmetic
 * (calculateAmounts on the same body, no auth, no database). Prints the ratio.
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { AccountsService } from '../src/accounts/accounts.service';
import { createApp } from '../src/app.factory';
import {
  calculateAmounts,
  defaultProcessorSettings,
  parseCalculateAmountsRequest,
} from '../src/billing-calc';
import { loadConfig } from '../src/platform/config/config';
import { resolveDatabase } from '../src/platform/database/resolve-database';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

const body = {
  amount: 12999,
  currency: 'USD',
  payment_method: 'card',
  transaction_type: 'sale',
  cc_bin: '40055192',
  state: 'IL',
  tax_amount: { type: 'percentage', value: 8250, include: true },
  discount_amount: [{ type: 'flat', value: 500, include: true }],
  shipping_amount: { type: 'flat', value: 799, include: true },
};

async function measure(name: string, url: string, headers: Record<string, string>) {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return {
    name,
    rps: result.requests.average,
    p99: result.latency.p99,
    total: result.requests.total,
  };
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const db = await resolveDatabase(config, (m) => process.stderr.write(`[bench] ${m}\n`));
  const app = await createApp({ config, databaseUrl: db.url, scheduler: false });
  const merchant = await app
    .get(AccountsService)
    .createMerchant({ name: 'Bench', timezone: 'UTC' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const appPort = (app.getHttpServer().address() as { port: number }).port;

  const bare = Fastify();
  const processor = defaultProcessorSettings('bench');
  bare.post('/calc', async (request) => ({
    status: 'success',
    msg: 'success',
    data: calculateAmounts(parseCalculateAmountsRequest(request.body), processor),
  }));
  await bare.listen({ port: 0, host: '127.0.0.1' });
  const barePort = (bare.server.address() as { port: number }).port;

  // Warm up both, then measure the baseline and Rebill in the same run.
  await measure('warm-up', `http://127.0.0.1:${barePort}/calc`, {});
  const baseline = await measure(
    'bare Fastify + calculateAmounts',
    `http://127.0.0.1:${barePort}/calc`,
    {},
  );
  const rebill = await measure(
    'Rebill POST /api/calculate/amounts',
    `http://127.0.0.1:${appPort}/api/calculate/amounts`,
    {
      authorization: merchant.privateKey.secret,
    },
  );

  const rows = [baseline, rebill];
  process.stdout.write(`\n${DURATION_S}s per endpoint, ${CONNECTIONS} connections, loopback\n`);
  process.stdout.write('| endpoint | requests/s | p99 latency (ms) |\n|---|---:|---:|\n');
  for (const r of rows) process.stdout.write(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p99} |\n`);
  process.stdout.write(
    `\nratio Rebill / baseline: throughput ${(rebill.rps / baseline.rps).toFixed(2)}, p99 latency ${(rebill.p99 / Math.max(baseline.p99, 1)).toFixed(2)}\n`,
  );
  await bare.close();
  await app.close();
  await db.stop();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
