/**
 * npm run billing -- --date YYYY-MM-DD [--merchant ID] [--workers N] [--dry-run]
 *
 * Runs the billing as of a date, for one merchant or all, with a progress bar and a summary.
 * Safe to run from cron or a Kubernetes CronJob, several at once: workers claim
 * subscriptions with FOR UPDATE SKIP LOCKED, and charges are exactly-once by construction.
 * Exit status: 0 done, 1 the run failed, 2 bad arguments.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { createApp } from '../app.factory';
import { isLocalDate } from '../billing-calc/calendar';
import { loadConfig } from '../platform/config/config';
import { resolveDatabase } from '../platform/database/resolve-database';
import { BillingRunService } from './billing-run.service';
import { BillingRunSummary } from './billing-run.types';

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run billing -- --date YYYY-MM-DD [--merchant ID] [--workers N] [--batch-size N] [--in-flight N] [--dry-run]\n`,
  );
  process.exit(2);
}

function progressLine(done: number, total: number, s: BillingRunSummary): string {
  const width = 30;
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  charged ${s.charged}  declined ${s.declined}  unknown ${s.unknown}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      date: { type: 'string' },
      merchant: { type: 'string' },
      workers: { type: 'string', default: '1' },
      'batch-size': { type: 'string' },
      'in-flight': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!isLocalDate(values.date)) usage('--date is required: a calendar date YYYY-MM-DD');
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16)
    usage('--workers must be a whole number from 1 to 16');

  const batchSize = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (
    batchSize !== undefined &&
    (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000)
  )
    usage('--batch-size must be a whole number from 1 to 5000');
  const inFlight = values['in-flight'] === undefined ? undefined : Number(values['in-flight']);
  if (inFlight !== undefined && (!Number.isInteger(inFlight) || inFlight < 1 || inFlight > 1000))
    usage('--in-flight must be a whole number from 1 to 1000');

  // Two connections per worker, and room for the rest of the app (and the loopback sandbox).
  process.env.DATABASE_POOL_SIZE ??= String(Math.max(20, workers * 3 + 10));
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const db = await resolveDatabase(config, (m) => process.stderr.write(`[billing] ${m}\n`));
  const app = await createApp({ config, databaseUrl: db.url, scheduler: false });
  const billing = app.get(BillingRunService);

  const count = await billing.countDue(values.date, values.merchant ?? null);
  const tty = process.stderr.isTTY && !values.quiet;
  let lastPrinted = 0;
  const record = await billing.run({
    asOf: values.date,
    merchantId: values.merchant,
    dryRun: values['dry-run'],
    workers,
    batchSize,
    inFlight,
    triggeredBy: 'cli',
    onProgress: (s) => {
      if (values.quiet) return;
      const now = performance.now();
      if (tty || now - lastPrinted > 2000 || s.subscriptions === count) {
        lastPrinted = now;
        process.stderr.write(
          `${tty ? '\r' : ''}${progressLine(s.subscriptions, Math.max(count, s.subscriptions), s)}${tty ? '' : '\n'}`,
        );
      }
    },
  });
  if (tty) process.stderr.write('\n');

  const s = record.summary;
  process.stdout.write(
    [
      `billing run ${record.id} as of ${record.as_of}${record.dry_run ? ' (dry run)' : ''}: ${record.status}`,
      `  subscriptions ${s.subscriptions}`,
      `  charged       ${s.charged}  (${(s.amount_charged / 100).toFixed(2)})`,
      `  declined      ${s.declined}  (${(s.amount_declined / 100).toFixed(2)})`,
      `  retried       ${s.retried}`,
      `  completed     ${s.completed}`,
      `  unknown       ${s.unknown}`,
      `  errors        ${s.errors}`,
      ...(record.dry_run
        ? [
            `  would charge  ${s.would_charge?.length ?? 0} (${((s.would_charge ?? []).reduce((a, w) => a + w.amount, 0) / 100).toFixed(2)})`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  await app.close();
  await db.stop();
  process.exit(record.status === 'completed' ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`billing failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
