/** The routes of webhook endpoints and deliveries (docs/webhooks.md). */
import {
  Bool,
  DateTime,
  Enum,
  Id,
  IdParams,
  IdRef,
  Input,
  Int,
  Nullable,
  Opt,
  Output,
  PagingQuery,
  route,
  Str,
  Success,
  SuccessList,
  Type,
} from '../platform/http/route-schema';

const endpointFields = {
  id: Id(),
  url: Type.String(),
  events: Type.Array(Type.String(), { description: 'event types, or ["*"]' }),
  description: Type.String(),
  enabled: Type.Boolean(),
  disabled_reason: Type.String({ description: 'why Rebill disabled it; empty otherwise' }),
  failing_since: Nullable(DateTime({ description: 'the first failure since the last delivery' })),
  previous_secret_expires_at: Nullable(
    DateTime({ description: 'during a rotation: until when the old secret also signs' }),
  ),
  created_at: DateTime(),
  updated_at: DateTime(),
};

export const WebhookEndpointView = Output(endpointFields, { title: 'WebhookEndpoint' });

export const WebhookEndpointWithSecret = Output(
  {
    ...endpointFields,
    secret: Type.String({
      description: 'the signing secret: shown in this response only',
      example: 'whsec_…',
    }),
  },
  { title: 'WebhookEndpointWithSecret' },
);

export const WebhookAttemptView = Output(
  {
    attempt: Type.Integer({ minimum: 1 }),
    started_at: DateTime(),
    duration_ms: Type.Integer({ minimum: 0 }),
    response_code: Nullable(Type.Integer()),
    error: Type.String(),
    response_excerpt: Type.String({ description: 'the first 1024 bytes of the answer' }),
    outcome: Type.String({ enum: ['delivered', 'retrying', 'failed'] }),
    next_attempt_at: Nullable(DateTime()),
  },
  { title: 'WebhookAttempt' },
);

export const WebhookDeliveryView = Output(
  {
    id: Id(),
    endpoint_id: Id(),
    event_id: Id(),
    event_type: Type.String(),
    event_sequence: Type.Integer({ minimum: 1 }),
    object_id: Type.String(),
    reason: Type.String({ enum: ['event', 'redeliver', 'replay'] }),
    status: Type.String({ enum: ['pending', 'delivered', 'failed'] }),
    attempts: Type.Integer({ minimum: 0 }),
    response_code: Nullable(Type.Integer()),
    duration_ms: Nullable(Type.Integer()),
    error: Type.String(),
    next_attempt_at: Nullable(DateTime({ description: 'the next retry, while pending' })),
    last_attempt_at: Nullable(DateTime()),
    delivered_at: Nullable(DateTime()),
    created_at: DateTime(),
    attempt_history: Type.Array(WebhookAttemptView),
  },
  { title: 'WebhookDelivery' },
);

const endpointBody = (required: boolean) => {
  const url = Str(2048, { description: 'http(s); public addresses only (docs/webhooks.md)' });
  const events = Type.Array(Str(100), { description: 'event types, or ["*"] for all' });
  return Input({
    url: required ? url : Type.Optional(url),
    events: required ? events : Type.Optional(events),
    enabled: Opt(Bool()),
    description: Opt(Str(500)),
  });
};

export const WEBHOOK_ROUTES = {
  create: route({
    summary: 'Create a webhook endpoint',
    description: 'The response carries the signing secret, shown this once.',
    body: endpointBody(true),
    responses: { 200: Success(WebhookEndpointWithSecret) },
    idempotent: true,
    examples: {
      body: { url: 'https://example.com/rebill/webhooks', events: ['*'], enabled: true },
    },
  }),
  list: route({
    summary: 'List webhook endpoints',
    query: PagingQuery(100),
    responses: { 200: SuccessList(WebhookEndpointView) },
  }),
  get: route({
    summary: 'Get a webhook endpoint',
    params: IdParams,
    responses: { 200: Success(WebhookEndpointView) },
    errors: [404],
  }),
  update: route({
    summary: 'Change a webhook endpoint',
    description: 'Only the fields given change. Enabling it again resets its failure clock.',
    params: IdParams,
    body: endpointBody(false),
    responses: { 200: Success(WebhookEndpointView) },
    errors: [404],
    idempotent: true,
  }),
  remove: route({
    summary: 'Delete a webhook endpoint',
    params: IdParams,
    responses: { 200: Success(Type.Null()) },
    errors: [404],
  }),
  rotate: route({
    summary: 'Rotate the signing secret',
    description:
      'A new secret, shown this once; the old one keeps signing for grace_period_hours (default 24).',
    params: IdParams,
    body: Input({ grace_period_hours: Opt(Int(0, 168)) }),
    responses: { 200: Success(WebhookEndpointWithSecret) },
    errors: [404],
    idempotent: true,
  }),
  deliveries: route({
    summary: "List an endpoint's deliveries with their attempts, newest first",
    params: IdParams,
    query: Input({
      status: Type.Optional(Enum(['pending', 'delivered', 'failed'] as const)),
      event_id: Type.Optional(IdRef()),
      limit: Type.Optional(Int(1, 100, { description: 'at most 100, default 20' })),
      offset: Type.Optional(Int(0, 1_000_000)),
    }),
    responses: { 200: SuccessList(WebhookDeliveryView) },
    errors: [404],
  }),
  replay: route({
    summary: 'Resend every event after a sequence number',
    params: IdParams,
    body: Input({ since: Int(0, Number.MAX_SAFE_INTEGER, { description: 'a sequence number' }) }),
    responses: { 200: Success(Output({ queued: Type.Integer({ minimum: 0 }) })) },
    errors: [404, 409],
    idempotent: true,
  }),
  redeliver: route({
    summary: 'Send an event again',
    description:
      'To endpoint_id (whatever it subscribes to), or to every enabled endpoint subscribed to its type.',
    params: IdParams,
    body: Input({ endpoint_id: Opt(IdRef()) }),
    responses: { 200: SuccessList(WebhookDeliveryView) },
    errors: [404, 409],
    idempotent: true,
  }),
};

export type WebhookRoutes = typeof WEBHOOK_ROUTES;
