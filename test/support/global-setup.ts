import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/platform/database/data-source-options';
import { startEmbeddedPostgres } from '../../src/platform/database/embedded-postgres';
import { migrateToLatest } from '../../src/platform/database/migrate';

/**
 * One fresh database per test run, on DATABASE_URL's server or, without it, on an embedded
 * PostgreSQL under .data/pg-test. The schema is built by the migrations, once per run.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await startEmbeddedPostgres({
      dataDir: '.data',
      name: 'pg-test',
      port: 54330,
      database: 'postgres',
    });
    (globalThis as Record<string, unknown>).__REBILL_EMBEDDED__ = db;
    serverUrl = db.url;
  }
  const database = `rebill_e2e_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const dataSource = new DataSource(dataSourceOptions(url.toString()));
  await dataSource.initialize();
  await migrateToLatest(dataSource);
  await dataSource.destroy();
  process.env.REBILL_TEST_DATABASE_URL = url.toString();
  process.env.REBILL_TEST_SERVER_URL = serverUrl;
  (globalThis as Record<string, unknown>).__REBILL_TEST_DB__ = { serverUrl, database };
}
