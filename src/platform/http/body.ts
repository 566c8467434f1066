import { ValidationError } from '../errors/errors';

/** The request body as a JSON object; a missing body counts as `{}`. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ValidationError('body', 'must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A posted HTML form's fields as strings; anything else a client sends is dropped. */
export function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return out;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value;
  }
  return out;
}
