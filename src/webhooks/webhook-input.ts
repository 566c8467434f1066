import { describeValue } from '../billing-calc/errors';
import { assertPublicHttpUrl } from '../platform/net/outbound-guard';
import { ValidationError } from '../platform/errors/errors';
import { EVENT_TYPES, isEventType } from '../events/event-types';

export interface EndpointInput {
  url?: string;
  events?: string[];
  enabled?: boolean;
  description?: string;
}

const MAX_URL = 2048;
const MAX_DESCRIPTION = 500;

/**
 * The body of POST /api/webhook (`required`) and PUT /api/webhook/{id}: url (public http(s)
 * unless private addresses are allowed), events (types or ["*"]), enabled, description.
 */
export function readEndpointInput(
  raw: Record<string, unknown>,
  options: { required: boolean; allowPrivate: boolean },
): EndpointInput {
  // null means "not given", as everywhere in the API.
  const body = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null));
  const out: EndpointInput = {};
  if (body.url !== undefined || options.required) {
    if (typeof body.url !== 'string' || body.url.trim() === '') {
      throw new ValidationError('url', 'is required: the http(s) URL that receives events');
    }
    if (body.url.length > MAX_URL) {
      throw new ValidationError('url', `must be at most ${MAX_URL} characters`);
    }
    out.url = assertPublicHttpUrl(body.url.trim(), 'url', options.allowPrivate).href;
  }
  if (body.events !== undefined || options.required) {
    const events = body.events;
    if (!Array.isArray(events) || events.length === 0) {
      throw new ValidationError('events', 'must be a non-empty list of event types, or ["*"]');
    }
    for (const [i, e] of events.entries()) {
      if (typeof e !== 'string' || (e !== '*' && !isEventType(e))) {
        throw new ValidationError(
          `events[${i}]`,
          `must be "*" or one of ${EVENT_TYPES.join(', ')}, got ${describeValue(e)}`,
        );
      }
    }
    const unique = [...new Set(events as string[])];
    out.events = unique.includes('*') ? ['*'] : unique.sort();
  }
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') {
      throw new ValidationError('enabled', 'must be true or false');
    }
    out.enabled = body.enabled;
  }
  if (body.description !== undefined) {
    if (typeof body.description !== 'string' || body.description.length > MAX_DESCRIPTION) {
      throw new ValidationError(
        'description',
        `must be a string of at most ${MAX_DESCRIPTION} characters`,
      );
    }
    out.description = body.description;
  }
  return out;
}

/** POST /api/webhook/{id}/rotate-secret: how long the old secret keeps signing (0-168 h, default 24). */
export function readGraceHours(body: Record<string, unknown>): number {
  const value = body.grace_period_hours;
  if (value === undefined || value === null) return 24;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 168) {
    throw new ValidationError('grace_period_hours', 'must be a whole number from 0 to 168');
  }
  return value;
}
