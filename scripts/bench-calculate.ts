/**
 * npm run bench: requests per second and p99 latency of Rebill through the whole stack, and,
 * in the same run, of a bare Fastify endpoint doing the same decimal arithmetic (the
 * baseline: calculateAmounts on the same body, no auth, no database). Each server runs in its
 * own process and the load generator (autocannon) in another, so the client does not share
 * the server's event loop. Benched:
 *   POST /api/calculate/amounts          (auth, processor, validation, the core, serialization)
 *   GET  /api/recurring/subscription/{id} (a read through the whole stack)
 *   POST /api/recurring/subscription      (a write: a transaction with several inserts)
 * Prints each against the baseline: throughput ratio (target >= 0.5) and p99 ratio (<= 2).
 * Both servers run as compiled JavaScript (`npm run bench` builds first, then runs
 * dist/scripts/), as in production: no TypeScript is compiled in a measured process.
 * BENCH_SECONDS (10), BENCH_CONNECTIONS (32), LOG_LEVEL for the Rebill server (info, as in
 * production), BENCH_PROFILE=1: V8's CPU profile of the Rebill server during each measured
 * window only (not boot, not warm-up), one file per endpoint in .bench-profile/
 * (summarize with scripts/profile-summary.ts). BENCH_ENDPOINTS=calculate-amounts,subscription-get,
 * subscription-create: measure only those (all by default). Each row also shows the server
 * process's CPU time per request, which a loaded machine moves far less than requests/s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/platform/config/config';
import { resolveDatabase } from '../src/platform/database/resolve-database';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** The repository: this file runs from dist/scripts/ (compiled) or scripts/ (ts-node). */
const ROOT = path.resolve(
  __dirname,
  path.basename(path.dirname(__dirname)) === 'dist' ? '../..' : '..',
);
const SERVER = path.join(ROOT, 'dist/scripts/bench-server.js');

export const CALC_BODY = {
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

interface Started<T> {
  child: ChildProcess;
  info: T;
}

function startServer<T>(args: string[]): Promise<Started<T>> {
  if (!existsSync(SERVER)) {
    throw new Error(`${SERVER} is missing: run \`npm run build\` (npm run bench does)`);
  }
  const child = spawn(
    process.execPath,
    [SERVER, ...args],
    // Logs (LOG_LEVEL, info by default as in production) are formatted and written, to nowhere.
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  return new Promise((resolve, reject) => {
    child.once('message', (info) => resolve({ child, info: info as T }));
    child.once('exit', (code) => reject(new Error(`bench server ${args[0]} exited with ${code}`)));
  });
}

/** Asks a server for something over IPC and waits for its answer (the profiling messages). */
function ask(child: ChildProcess, message: object, answer: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (reply: Record<string, unknown>) => {
      if (!(answer in reply)) return;
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

interface Result {
  name: string;
  rps: number;
  p99: number;
  /** Requests answered in the window. */
  total: number;
  /** The server process's CPU time (user + system) per request answered, in µs. */
  cpuUs?: number;
}

/** A server's CPU time so far (process.cpuUsage over IPC), in µs. */
async function cpuOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (reply: { cpu?: { user: number; system: number } }) => {
      if (!reply.cpu) return;
      child.off('message', onMessage);
      resolve(reply.cpu.user + reply.cpu.system);
    };
    child.on('message', onMessage);
    child.send({ cpu: true });
  });
}

/** A measurement with the server's CPU time per request. */
async function withCpu(child: ChildProcess, run: () => Promise<Result>): Promise<Result> {
  const before = await cpuOf(child);
  const result = await run();
  const used = (await cpuOf(child)) - before;
  return { ...result, cpuUs: used / Math.max(result.total, 1) };
}

/** autocannon in its own process; its JSON result on stdout. */
function load(
  name: string,
  url: string,
  method: 'GET' | 'POST',
  headers: Record<string, string>,
  body?: unknown,
  duration = DURATION_S,
): Promise<Result> {
  const args = [
    path.join(ROOT, 'node_modules/autocannon/autocannon.js'),
    '-j',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(duration),
    '-m',
    method,
  ];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  if (body !== undefined)
    args.push('-H', 'content-type=application/json', '-b', JSON.stringify(body));
  args.push(url);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('close', () => {
      try {
        const r = JSON.parse(out) as {
          requests: { average: number; total: number };
          latency: { p99: number };
          non2xx: number;
          errors: number;
        };
        if (r.non2xx > 0 || r.errors > 0) {
          return reject(new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`));
        }
        resolve({ name, rps: r.requests.average, p99: r.latency.p99, total: r.requests.total });
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const db = await resolveDatabase(config, (m) => process.stderr.write(`[bench] ${m}\n`));
  const profile = process.env.BENCH_PROFILE === '1';
  const loadAtStart = loadavg().map((l) => l.toFixed(2));
  if (profile) mkdirSync(path.join(ROOT, '.bench-profile'), { recursive: true });
  const bare = await startServer<{ port: number }>(['bare']);
  const rebill = await startServer<{
    port: number;
    key: string;
    customerId: string;
    subscriptionId: string;
  }>(['rebill', db.url]);
  /** A Rebill measurement, profiled (BENCH_PROFILE=1) over its window only. */
  const measure = async (file: string, run: () => Promise<Result>): Promise<Result> => {
    if (!profile) return run();
    await ask(rebill.child, { profile: 'start' }, 'profiling');
    const result = await run();
    const out = path.join(ROOT, '.bench-profile', `${file}.cpuprofile`);
    await ask(rebill.child, { profile: 'stop', file: out }, 'profiled');
    process.stderr.write(`[bench] profile of ${result.name}: ${out}\n`);
    return result;
  };
  const auth = { authorization: rebill.info.key };
  const base = `http://127.0.0.1:${rebill.info.port}`;
  try {
    // Warm both up (JIT, pools, caches), then measure the baseline and Rebill in the same run.
    await load('warm-up', `http://127.0.0.1:${bare.info.port}/calc`, 'POST', {}, CALC_BODY, 3);
    await load('warm-up', `${base}/api/calculate/amounts`, 'POST', auth, CALC_BODY, 3);
    const baseline = await withCpu(bare.child, () =>
      load(
        'bare Fastify + calculateAmounts (baseline)',
        `http://127.0.0.1:${bare.info.port}/calc`,
        'POST',
        {},
        CALC_BODY,
      ),
    );
    const endpoints: { key: string; run: () => Promise<Result> }[] = [
      {
        key: 'calculate-amounts',
        run: () =>
          load(
            'POST /api/calculate/amounts',
            `${base}/api/calculate/amounts`,
            'POST',
            auth,
            CALC_BODY,
          ),
      },
      {
        key: 'subscription-get',
        run: () =>
          load(
            'GET /api/recurring/subscription/{id}',
            `${base}/api/recurring/subscription/${rebill.info.subscriptionId}`,
            'GET',
            auth,
          ),
      },
      {
        key: 'subscription-create',
        run: () =>
          load(
            'POST /api/recurring/subscription',
            `${base}/api/recurring/subscription`,
            'POST',
            auth,
            {
              customer: { id: rebill.info.customerId },
              amount: 1000,
              billing_cycle_interval: 1,
              billing_days: '1',
            },
          ),
      },
    ];
    const only = process.env.BENCH_ENDPOINTS?.split(',');
    const rows: Result[] = [];
    for (const endpoint of endpoints) {
      if (only && !only.includes(endpoint.key)) continue;
      rows.push(await measure(endpoint.key, () => withCpu(rebill.child, endpoint.run)));
    }
    const out = process.stdout;
    out.write(
      `\n${DURATION_S}s per endpoint, ${CONNECTIONS} connections, loopback; client, baseline and Rebill in separate processes\n`,
    );
    out.write(
      '| endpoint | requests/s | p99 (ms) | throughput ratio | p99 ratio | server CPU per request (µs) |\n|---|---:|---:|---:|---:|---:|\n',
    );
    out.write(
      `| ${baseline.name} | ${baseline.rps.toFixed(0)} | ${baseline.p99} | 1.00 | 1.00 | ${baseline.cpuUs?.toFixed(0)} |\n`,
    );
    for (const r of rows) {
      out.write(
        `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p99} | ${(r.rps / baseline.rps).toFixed(2)} | ${(r.p99 / Math.max(baseline.p99, 1)).toFixed(2)} | ${r.cpuUs?.toFixed(0)} |\n`,
      );
    }
    const load1 = loadavg().map((l) => l.toFixed(2));
    out.write(
      `\nload average (1, 5, 15 min) at the start: ${loadAtStart.join(', ')}; at the end: ${load1.join(', ')}\n`,
    );
    out.write(
      '\ntargets: throughput ratio >= 0.5 and p99 ratio <= 2 (POST /api/calculate/amounts)\n',
    );
  } finally {
    await stop(rebill.child);
    await stop(bare.child);
    await db.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
