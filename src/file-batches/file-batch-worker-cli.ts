/**
 * npm run filebatch:worker
 *
 * Runs every queued (or interrupted) file batch to completion, then exits. The server runs
 * the same worker in the background; this is for operations and for the crash tests.
 * Exit status: 0 done, 1 failed.
 */
import 'reflect-metadata';
import { createApp } from '../app.factory';
import { loadConfig } from '../platform/config/config';
import { resolveDatabase } from '../platform/database/resolve-database';
import { FileBatchWorker } from './file-batch-worker.service';

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const db = await resolveDatabase(config, (m) => process.stderr.write(`[filebatch] ${m}\n`));
  const app = await createApp({ config, databaseUrl: db.url, scheduler: false });
  try {
    await app.get(FileBatchWorker).runAll();
  } finally {
    await app.close();
    await db.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`file batch worker failed: ${String(err)}\n`);
    process.exit(1);
  },
);
