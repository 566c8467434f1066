/**
 * npm run bench:filebatch [-- --rows N --seconds S]
 *
 * Uploads an N-row CSV (default 100,000 approving sales) through POST /api/filebatch on
 * loopback, then runs the file batch worker for at most S seconds (default: until done).
 * Prints the upload's rows/s, the worker's rows/s and the process's peak RSS, sampled every
 * second, so bounded memory shows as a flat RSS whatever N is. Baseline, in the same run:
 * the same number of POST /api/transaction sales in-process through TransactionsService
 * (the path every row takes), which is the worker's ceiling.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { AccountsService } from '../src/accounts/accounts.service';
import { createApp } from '../src/app.factory';
import { FileBatchWorker } from '../src/file-batches/file-batch-worker.service';
import { TransactionsService } from '../src/gateway/transactions/transactions.service';
import { loadConfig } from '../src/platform/config/config';
import { resolveDatabase } from '../src/platform/database/resolve-database';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '100000' },
      seconds: { type: 'string', default: '0' },
      baseline: { type: 'string', default: '500' },
    },
  });
  const rows = Number(values.rows);
  const seconds = Number(values.seconds);
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const db = await resolveDatabase(config, (m) => process.stderr.write(`[bench] ${m}\n`));
  const app = await createApp({ config, databaseUrl: db.url, scheduler: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const worker = app.get(FileBatchWorker);
  worker.autoStart = false;
  const created = await app.get(AccountsService).createMerchant({ name: 'bench', timezone: 'UTC' });
  const key = created.privateKey.secret;

  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);

  const header = 'transaction_type,amount,cc_number,cc_expiration,order_id\n';
  const lines: string[] = [];
  for (let i = 0; i < rows; i++)
    lines.push(`"sale","${100 + (i % 900)}","4111111111111111","12/39","b${i}"`);
  const csv = header + lines.join('\n') + '\n';
  lines.length = 0;
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'bench.csv');
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/api/filebatch`, {
    method: 'POST',
    headers: { authorization: key },
    body: form,
  });
  const body = (await res.json()) as { data: { id: string; rows: number } };
  const uploadSeconds = (performance.now() - t0) / 1000;
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${JSON.stringify(body)}`);
  const id = body.data.id;
  process.stdout.write(
    `upload: ${rows} rows (${(csv.length / 1e6).toFixed(1)} MB) in ${uploadSeconds.toFixed(1)} s = ${Math.round(rows / uploadSeconds)} rows/s; RSS ${mb(rssBefore)} → peak ${mb(peakRss)}\n`,
  );

  // Baseline: the same path, called directly, one sale after another.
  const tx = app.get(TransactionsService);
  const n = Number(values.baseline);
  const t2 = performance.now();
  for (let i = 0; i < n; i++) {
    await tx.process(created.merchant.id, null, {
      type: 'sale',
      amount: 100 + i,
      payment_method: { card: { number: '4111111111111111', expiration_date: '12/39' } },
    });
  }
  const baseSeconds = (performance.now() - t2) / 1000;
  process.stdout.write(
    `baseline: ${n} sales through TransactionsService.process in ${baseSeconds.toFixed(1)} s = ${Math.round(n / baseSeconds)} rows/s\n`,
  );

  const ds = app.get(DataSource);
  const processed = async () =>
    (await ds.query(`SELECT processed_count FROM file_batches WHERE id = $1`, [id]))[0]
      .processed_count as number;
  const t1 = performance.now();
  const run = worker.runAll();
  let done = 0;
  for (;;) {
    const finished = await Promise.race([run.then(() => true), sleep(1000).then(() => false)]);
    done = await processed();
    const elapsed = (performance.now() - t1) / 1000;
    process.stdout.write(
      `  ${elapsed.toFixed(0)} s: ${done}/${rows} rows, ${Math.round(done / elapsed)} rows/s, RSS ${mb(process.memoryUsage().rss)}\n`,
    );
    if (finished || done >= rows || (seconds > 0 && elapsed >= seconds)) break;
  }
  const workerSeconds = (performance.now() - t1) / 1000;
  process.stdout.write(
    `worker: ${done} rows in ${workerSeconds.toFixed(1)} s = ${Math.round(done / workerSeconds)} rows/s; peak RSS ${mb(peakRss)}\n`,
  );
  if (done < rows) {
    process.stdout.write('(stopped at the time budget; the batch stays queued for a later run)\n');
    clearInterval(sampler);
    process.exit(0);
  }

  clearInterval(sampler);
  await app.close();
  await db.stop();
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((err) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
