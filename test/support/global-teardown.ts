import { Client } from 'pg';
import type { EmbeddedDatabase } from '../../src/platform/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const created = g.__REBILL_TEST_DB__ as { serverUrl: string; database: string } | undefined;
  if (created && process.env.REBILL_KEEP_TEST_DB !== '1') {
    const admin = new Client({ connectionString: created.serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${created.database} WITH (FORCE)`);
    await admin.end();
  }
  const embedded = g.__REBILL_EMBEDDED__ as EmbeddedDatabase | undefined;
  if (embedded) await embedded.stop();
}
