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
import { ValidationError } from './platform/errors/errors';
import { assertInputWithinLimits, assertPathParamsExist } from './platform/http/input-limits';
import { clientErrorHandler, frameworkErrors, trackLatestResponse } from './platform/http/wire';
import { installRequestValidation } from './platform/http/schema-validation';
import { httpRequestDuration } from './platform/metrics/metrics';
import { migrateToLatest } from './platform/database/migrate';
import { installIdempotencyCompletion } from './platform/idempotency/idempotency.guard';
import { IdempotencyService } from './platform/idempotency/idempotency.service';

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
    // The wire (src/platform/http/wire.ts): stray bytes after a GET/DELETE, client and
    // framework errors in the envelope.
    clientErrorHandler,
    frameworkErrors,
  });
  const fastify = adapter.getInstance();
  trackLatestResponse(fastify.server);

  // Only JSON (and the hosted page's form posts) are read; any other body is a 415.
  fastify.removeAllContentTypeParsers();
  // Route schemas (src/platform/http/route-schema.ts): validated by our ajv, errors in the envelope.
  installRequestValidation(fastify);

  // Existing clients send an empty body, or "{}", on GET and DELETE: accept both.
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
  // Hooks take `done` rather than being async: no promise per hook per request.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-correlation-id', request.id);
    done();
  });
  // NUL characters, over-long strings, deep nesting and non-object bodies are refused before
  // any route reads them. Like a schema failure, the error is attached to the request and
  // thrown by RequestValidationGuard after the API-key guard (a caller without a key gets 401).
  fastify.addHook('preValidation', (request, _reply, done) => {
    try {
      assertPathParamsExist(request.params, request.method, request.url);
      assertInputWithinLimits(request.query);
      assertInputWithinLimits(request.body);
      const body: unknown = request.body;
      if (
        body !== undefined &&
        (body === null || typeof body !== 'object' || Array.isArray(body))
      ) {
        throw new ValidationError('body', 'must be a JSON object');
      }
    } catch (err) {
      (request as { validationError?: unknown }).validationError = err;
    }
    done();
  });
  // Query strings and path parameters again once the schema has coerced them ("1e400" is
  // coerced to Infinity, which a schema's maximum does not catch).
  fastify.addHook('preHandler', (request, _reply, done) => {
    const attached = request as { validationError?: unknown };
    if (attached.validationError !== undefined) return done();
    try {
      assertInputWithinLimits(request.query);
      assertInputWithinLimits(request.params);
    } catch (err) {
      attached.validationError = err;
    }
    done();
  });
  // One histogram child per method, route and status, looked up by a string (prom-client's
  // labels() hashes its label object on every call).
  const durations = new Map<string, { observe(seconds: number): void }>();
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    const labelKey = `${request.method} ${reply.statusCode} ${route}`;
    let child = durations.get(labelKey);
    if (child === undefined) {
      child = httpRequestDuration.labels(request.method, route, String(reply.statusCode));
      durations.set(labelKey, child);
    }
    child.observe(reply.elapsedTime / 1000);
    done();
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
  // Stores the responses of requests that claimed an x-idempotency-key (before routes exist).
  installIdempotencyCompletion(fastify, app.get(IdempotencyService));
  // File batch uploads (POST /api/filebatch); each route sets its own size limit.
  await app.register(fastifyMultipart, { limits: { files: 1, fields: 10, parts: 11 } });

  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  await migrateToLatest(app.get(DataSource));
  await app.init();
  return app;
}
