import { DomainError, ValidationError } from '../errors/errors';

/**
 * Limits every request's input obeys before any route reads it, so that no route has to
 * remember them (docs/api-compatibility.md, "Input limits"):
 *
 * - no NUL character (U+0000) in any string or key: PostgreSQL refuses 0x00 in text, so
 *   it would otherwise surface as a 500 from deep inside a query. In a path parameter it
 *   is a 404 (no id contains one), anywhere else a 400 naming the field;
 * - no string longer than MAX_STRING_LENGTH characters (routes set tighter limits on their
 *   own fields: names, descriptions, URLs);
 * - no nesting deeper than MAX_DEPTH levels;
 * - no number that is not finite (`1e400` reads as Infinity).
 */
export const MAX_STRING_LENGTH = 10_000;
export const MAX_DEPTH = 32;

const NUL = '\u0000';

/** The field path of a value, as messages name fields: `customer.addresses[0].line_1`. */
function fieldName(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Throws the ValidationError naming the first field that breaks a limit. Iterative: deep input cannot overflow the stack. */
export function assertInputWithinLimits(input: unknown, root = ''): void {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: input, path: root, depth: 0 },
  ];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const field = path === '' ? 'body' : path;
      if (value.includes(NUL))
        throw new ValidationError(field, 'must not contain NUL (\\u0000) characters');
      if (value.length > MAX_STRING_LENGTH) {
        throw new ValidationError(field, `must be at most ${MAX_STRING_LENGTH} characters`);
      }
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      // JSON.parse reads 1e400 as Infinity; query coercion does the same with "1e400".
      throw new ValidationError(path === '' ? 'body' : path, 'must be a finite number');
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) {
      throw new ValidationError(
        path === '' ? 'body' : path,
        `is nested more than ${MAX_DEPTH} levels deep`,
      );
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: fieldName(path, i), depth: depth + 1 });
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key.includes(NUL) || key.length > 255) {
        throw new ValidationError(
          path === '' ? 'body' : path,
          'has a field name with a NUL character or over 255 characters',
        );
      }
      stack.push({
        value: (value as Record<string, unknown>)[key],
        path: fieldName(path, key),
        depth: depth + 1,
      });
    }
  }
}

/** A path parameter with a NUL names nothing that exists: 404, like any unknown id. */
export function assertPathParamsExist(params: unknown, method: string, url: string): void {
  if (params === null || typeof params !== 'object') return;
  for (const value of Object.values(params as Record<string, unknown>)) {
    if (typeof value === 'string' && value.includes(NUL)) {
      throw new DomainError('not_found', `not found: ${method} ${url.split('?')[0]}`);
    }
  }
}
