import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const VALID = /^[A-Za-z0-9._:\-]{1,128}$/;

/**
 * Fastify's request id is the correlation id: the client's own `x-correlation-id` when it
 * sent a sane one, otherwise a new UUID. It is written back onto the raw headers so that
 * the HTTP logger (which sees only the raw request) logs the same id.
 */
export function correlationIdFor(req: IncomingMessage): string {
  const sent = req.headers['x-correlation-id'];
  const value = Array.isArray(sent) ? sent[0] : sent;
  const id = value !== undefined && VALID.test(value) ? value : randomUUID();
  req.headers['x-correlation-id'] = id;
  return id;
}
