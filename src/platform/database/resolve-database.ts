import { AppConfig } from '../config/config';
import { EMBEDDED_PORT } from './data-source-options';
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
