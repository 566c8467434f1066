import 'reflect-metadata';
import { createApp } from './app.factory';
import { AccountsService } from './accounts/accounts.service';
import { ConfigError, loadConfig } from './platform/config/config';
import { resolveDatabase } from './platform/database/resolve-database';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const say = (message: string) => process.stdout.write(`[rebill] ${message}\n`);
  const database = await resolveDatabase(config, say);
  const app = await createApp({ config, databaseUrl: database.url });

  const partnerKey = await app.get(AccountsService).ensurePartnerKey(config.partnerApiKey);
  if (partnerKey) {
    const line = '='.repeat(78);
    process.stdout.write(
      `\n${line}\n  A partner API key was generated. It is shown ONCE; keep it somewhere safe.\n` +
        `  It creates merchants:  POST /api/partner/merchants {"name": "...", "timezone": "UTC"}\n\n` +
        `  PARTNER_API_KEY=${partnerKey}\n${line}\n\n`,
    );
  }

  await app.listen({ port: config.port, host: config.host });
  say(`listening on http://localhost:${config.port} (OpenAPI at /docs)`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received: finishing in-flight requests and shutting down`);
    await app.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(
    `rebill failed to start: ${err instanceof Error ? err.stack : String(err)}\n`,
  );
  process.exit(1);
});
