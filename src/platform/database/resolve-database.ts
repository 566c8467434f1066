import { AppConfig } from '../config/config';
import { Client } from 'pg';
import { EMBEDDED_PORT, EMBEDDED_URL } from './data-source-options';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface ResolvedDatabase {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** DATABASE_URL selects a server; without it Rebill starts its embedded PostgreSQL. */
export async function resolveDatabase(
  config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>,
  log: (message: string) => void,
): Promise<ResolvedDatabase> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  }
  // Another Rebill process (the server, say, when the CLI runs) may have started it already.
  if (await answers(EMBEDDED_URL)) {
    log('DATABASE_URL is not set: using the embedded PostgreSQL that is already running');
    return { url: EMBEDDED_URL, embedded: true, stop: async () => undefined };
  }
  log('DATABASE_URL is not set: starting the embedded PostgreSQL');
  const db = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    name: 'pg',
    port: EMBEDDED_PORT,
    database: 'rebill',
    log,
  });
  return { url: db.url, embedded: true, stop: db.stop };
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
