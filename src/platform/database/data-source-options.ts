import { types } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { entities, migrations } from './registry';

// A SQL `date` is a calendar date: keep it as 'YYYY-MM-DD' instead of a Date at local midnight.
types.setTypeParser(types.builtins.DATE, (value: string) => value);

/** The embedded server's address when no DATABASE_URL is set (see embedded-postgres.ts). */
export const EMBEDDED_PORT = 54329;
export const EMBEDDED_URL = `postgres://postgres:rebill-embedded@127.0.0.1:${EMBEDDED_PORT}/rebill`;

/** `poolSize` comes from the validated configuration (DATABASE_POOL_SIZE, default 20). */
export function dataSourceOptions(url: string, poolSize = 20): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'migrations',
    // The schema comes from migrations only.
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: poolSize },
  };
}
