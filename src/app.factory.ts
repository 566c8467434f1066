import 'reflect-metadata';
import type { IncomingMessage } from 'node:http';
import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppModule, AppOptions } from './app.module';
import { buildOpenApiDocument } from './platform/http/openapi';
import { correlationIdFor } from './platform/http/correlation-id';
import { installRequestValidation } from './platform/http/schema-validation';
import { httpRequestDuration } from './platform/metrics/metrics';
import { migrateToLatest } from './platform/database/migrate';

/**
 * Builds the HTTP application: Fastify with the API's conventions (correlation ids,
 * lenient JSON for GET/DELETE, envelope on every error), OpenAPI at /docs, and the
 * schema migrated to the latest version. Used by main.ts, the CLI, benchmarks and tests.
 */
export async function createApp(options: AppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    genReqId: (req: IncomingMessage) => correlationIdFor(req),
    bodyLimit: 1024 * 1024,
    // Numbers in ids stay strings; money is validated by the domain.
  });
  const fastify = adapter.getInstance();
  // Route schemas (src/platform/http/route-schema.ts): validated by our ajv, errors in the envelope.
  installRequestValidation(fastify);

  // Existing clients send an empty body, or "{}", on GET and DELETE: accept both.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      const err = Object.assign(new Error('malformed JSON body'), {
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      });
      done(err, undefined);
    }
  });
  // The hosted invoice page posts its payment form as application/x-www-form-urlencoded
  // (src/invoices/hosted-page): fields become strings; a repeated field keeps its last value.
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_req, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      done(null, Object.fromEntries(new URLSearchParams(text)));
    },
  );
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-correlation-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    httpRequestDuration
      .labels(request.method, request.routeOptions?.url ?? 'unmatched', String(reply.statusCode))
      .observe(reply.elapsedTime / 1000);
  });

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(options),
    adapter,
    {
      bufferLogs: true,
      // Our own JSON parser (above) replaces Nest's.
      bodyParser: false,
    },
  );
  app.useLogger(app.get(Logger));
  // File batch uploads (POST /api/filebatch); each route sets its own size limit.
  await app.register(fastifyMultipart, { limits: { files: 1, fields: 10, parts: 11 } });

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  await migrateToLatest(app.get(DataSource));
  await app.init();
  return app;
}
