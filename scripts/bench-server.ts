/**
 * One server of `npm run bench`, in its own process (scripts/bench-calculate.ts starts it):
 *   bench-server.ts rebill <database url>   the whole app, with a merchant, a vaulted customer
 *                                           and a subscription to read
 *   bench-server.ts bare                    bare Fastify doing the same calculateAmounts
 * Sends its port (and the merchant's key and ids) over IPC, then serves until SIGTERM; its
 * logs go to stdout (the bench discards them). Runs compiled (`npm run build`, then
 * `node dist/scripts/bench-server.js`), so nothing is transpiled while it serves.
 *
 * Profiling the measured window only: the bench sends `{ profile: 'start' }` over IPC before a
 * measurement and `{ profile: 'stop', file }` after it; the server runs V8's sampling profiler
 * (the inspector's Profiler domain, as --cpu-prof does) in between and writes the .cpuprofile
 * to `file`, then answers `{ profiled: file }`. Boot, warm-up and idle time are not in it.
 * `{ cpu: true }` is answered with `{ cpu: process.cpuUsage() }`: the bench's CPU per request.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import Fastify from 'fastify';
import { AccountsService } from '../src/accounts/accounts.service';
import { createApp } from '../src/app.factory';
import {
  calculateAmounts,
  defaultProcessorSettings,
  parseCalculateAmountsRequest,
} from '../src/billing-calc';
import { loadConfig } from '../src/platform/config/config';

/** Tells the bench (over the IPC channel) where this server listens; stdout carries the logs. */
function ready(info: Record<string, unknown>): void {
  if (process.send) process.send(info);
  else process.stderr.write(`${JSON.stringify(info)}\n`);
}

async function rebill(databaseUrl: string): Promise<{ close(): Promise<void> }> {
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    DATABASE_URL: databaseUrl,
  });
  const app = await createApp({ config, databaseUrl, scheduler: false });
  const merchant = await app
    .get(AccountsService)
    .createMerchant({ name: 'Bench', timezone: 'UTC' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.getHttpServer().address() as { port: number }).port;
  const key = merchant.privateKey.secret;
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { data: { id: string } };
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
    return json.data;
  };
  const customer = await call('/api/vault/customer', { description: 'bench customer' });
  const subscription = await call('/api/recurring/subscription', {
    customer: { id: customer.id },
    amount: 1000,
    billing_cycle_interval: 1,
    billing_days: '1',
  });
  ready({ port, key, customerId: customer.id, subscriptionId: subscription.id });
  return { close: () => app.close() };
}

async function bare(): Promise<{ close(): Promise<void> }> {
  const server = Fastify();
  const processor = defaultProcessorSettings('bench');
  server.post('/calc', async (request) => ({
    status: 'success',
    msg: 'success',
    data: calculateAmounts(parseCalculateAmountsRequest(request.body), processor),
  }));
  await server.listen({ port: 0, host: '127.0.0.1' });
  ready({ port: (server.server.address() as { port: number }).port });
  return { close: () => server.close() };
}

/** Answers the bench's profiling and CPU-time messages (see the header). */
function serveProfiling(): void {
  const session = new Session();
  session.connect();
  process.on('message', (message: { profile?: 'start' | 'stop'; file?: string; cpu?: true }) => {
    void (async () => {
      if (message.cpu) {
        process.send?.({ cpu: process.cpuUsage() });
      } else if (message.profile === 'start') {
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
        process.send?.({ profiling: true });
      } else if (message.profile === 'stop' && message.file) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(message.file, JSON.stringify(profile));
        process.send?.({ profiled: message.file });
      }
    })();
  });
}

async function main(): Promise<void> {
  const [mode, databaseUrl] = process.argv.slice(2);
  serveProfiling();
  const server = mode === 'bare' ? await bare() : await rebill(databaseUrl);
  const stop = () => {
    void server.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
