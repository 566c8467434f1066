import { describeValue } from '../billing-calc/errors';
import { readDateInput } from '../billing-calc/calendar';
import { readPaging } from '../platform/http/input';
import { ValidationError } from '../platform/errors/errors';
import { EVENT_TYPES, isEventType } from './event-types';

export interface EventFilter {
  types?: string[];
  objectId?: string;
  /** Only events with a sequence number above this one. */
  since?: number;
  createdFrom?: Date;
  createdTo?: Date;
  limit: number;
  offset: number;
}

function queryText(query: Record<string, unknown>, key: string): string | undefined {
  const value = query[key];
  if (value === undefined || value === '') return undefined;
  // Numbers come coerced by the route's query schema.
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') throw new ValidationError(key, 'must be given once');
  return value.trim();
}

/** A timestamp (ISO 8601 with a zone) or a date (midnight UTC). */
function queryInstant(query: Record<string, unknown>, key: string): Date | undefined {
  const text = queryText(query, key);
  if (text === undefined) return undefined;
  const ok =
    /^\d{4}-\d{2}-\d{2}$/.test(text) ||
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  // Strict: 2026-02-30 is refused, never rolled over into March as the JavaScript Date constructor would.
  const read = readDateInput(text, 'UTC');
  const date = read.ok ? read.instant : new Date(Number.NaN);
  if (!ok || Number.isNaN(date.getTime())) {
    throw new ValidationError(
      key,
      `must be a date (YYYY-MM-DD) or a timestamp with a zone (2027-01-31T12:00:00Z), got ${describeValue(text)}`,
    );
  }
  return date;
}

/** A sequence number: a whole number from 0. */
export function readSequence(value: unknown, field: string): number {
  const text =
    typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,15}$/.test(text)) {
    throw new ValidationError(field, `must be a whole number from 0 (a sequence number)`);
  }
  return Number(text);
}

/** GET /api/events: type (comma-separated), object_id, since, created_from/to, limit, offset. */
export function readEventFilter(query: Record<string, unknown>): EventFilter {
  const type = queryText(query, 'type');
  const types = type?.split(',').map((t) => t.trim());
  for (const t of types ?? []) {
    if (!isEventType(t)) {
      throw new ValidationError(
        'type',
        `must be one or more of ${EVENT_TYPES.join(', ')} separated by commas, got ${describeValue(t)}`,
      );
    }
  }
  const sinceText = queryText(query, 'since');
  const createdFrom = queryInstant(query, 'created_from');
  const createdTo = queryInstant(query, 'created_to');
  if (createdFrom && createdTo && createdFrom > createdTo) {
    throw new ValidationError('created_to', 'must not be before created_from');
  }
  const objectId = queryText(query, 'object_id');
  if (objectId !== undefined && objectId.length > 100) {
    throw new ValidationError('object_id', 'must be at most 100 characters');
  }
  const { limit, offset } = readPaging(query, 20, 100);
  return {
    types,
    objectId,
    since: sinceText === undefined ? undefined : readSequence(sinceText, 'since'),
    createdFrom,
    createdTo,
    limit: limit ?? 20,
    offset,
  };
}
