/**
 * Runs a command with DATABASE_URL pointing at a server: the given one, or the embedded
 * PostgreSQL under .data/ (started for the command and stopped after it).
 * Used by the TypeORM CLI scripts: `npm run migration:run`.
 */
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../src/platform/config/config';
import { resolveDatabase } from '../src/platform/database/resolve-database';

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error('usage: with-database <command> [args...]');
  const config = loadConfig();
  const db = await resolveDatabase(config, (m) => process.stderr.write(`[rebill] ${m}\n`));
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DATABASE_URL: db.url },
  });
  await db.stop();
  process.exit(result.status ?? 1);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
