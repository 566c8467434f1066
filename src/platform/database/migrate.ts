import { DataSource } from 'typeorm';

/** Applies pending migrations; an advisory lock lets several processes start at once. */
export async function migrateToLatest(dataSource: DataSource): Promise<void> {
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(727200001)');
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock(727200001)').catch(() => undefined);
    await lock.release();
  }
}
