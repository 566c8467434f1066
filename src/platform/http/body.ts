import { ValidationError } from '../errors/errors';

/** The request body as a JSON object; a missing body counts as `{}`. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('body', 'must be a JSON object');
  }
  return body as Record<string, unknown>;
}
