/**
 * The one DataSource, used by the app and by the TypeORM CLI (`npm run migration:run`,
 * `npm run migration:generate -- migrations/Name`). The CLI is run through
 * scripts/with-database.ts, which starts the embedded PostgreSQL when DATABASE_URL is unset.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions, EMBEDDED_URL } from './src/platform/database/data-source-options';

export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? EMBEDDED_URL));
