/**
 * Writes the OpenAPI document without a running server or a database (Nest's preview mode
 * builds the module graph without instantiating providers):
 *   npx ts-node -T scripts/export-openapi.ts [out.json]     (default: openapi.json)
 * CI lints the result (.ci/run).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/platform/config/config';
import { buildOpenApiDocument } from '../src/platform/http/openapi';

async function main(): Promise<void> {
  const out = process.argv[2] ?? 'openapi.json';
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, databaseUrl: 'postgres://unused', scheduler: false }),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  writeFileSync(out, `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
  process.stdout.write(`wrote ${out}\n`);
  await app.close();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
