/** The routes of the event log (docs/webhooks.md). */
import {
  DateTime,
  IdParams,
  Input,
  Int,
  Output,
  route,
  Str,
  Success,
  SuccessList,
  Type,
} from '../platform/http/route-schema';

export const EventView = Output(
  {
    id: Type.String({ description: 'the event id' }),
    type: Type.String({ example: 'subscription.past_due' }),
    sequence: Type.Integer({
      minimum: 1,
      description: 'per merchant, 1, 2, 3 … in commit order, without gaps',
    }),
    object_type: Type.String({ example: 'subscription' }),
    object_id: Type.String(),
    created_at: DateTime(),
    data: Type.Unknown({
      description: 'the object as its own endpoint shows it, when the change committed',
    }),
  },
  { title: 'Event' },
);

const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

export const EVENT_ROUTES = {
  list: route({
    summary: 'List events, oldest first',
    description:
      'Filters: type (comma-separated), object_id, since (a sequence number: only later events), created_from / created_to (YYYY-MM-DD or a timestamp with a zone).',
    query: Input({
      type: Type.Optional(Str(2000, { description: 'one or more event types, comma-separated' })),
      object_id: Type.Optional(Str(100)),
      since: Type.Optional(Int(0, MAX_SEQUENCE, { description: 'a sequence number' })),
      created_from: Type.Optional(Str(40)),
      created_to: Type.Optional(Str(40)),
      limit: Type.Optional(Int(1, 100, { description: 'at most 100, default 20' })),
      offset: Type.Optional(Int(0, 1_000_000)),
    }),
    responses: { 200: SuccessList(EventView) },
  }),
  get: route({
    summary: 'Get an event',
    params: IdParams,
    responses: { 200: Success(EventView) },
    errors: [404],
  }),
};

export type EventRoutes = typeof EVENT_ROUTES;
