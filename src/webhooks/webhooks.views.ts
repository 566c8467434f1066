import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook.entities';

/** An endpoint as the API shows it: never its secret (shown once, at creation or rotation). */
export function endpointView(e: WebhookEndpoint, now: Date) {
  const rotating =
    e.previousSecretExpiresAt !== null && e.previousSecretExpiresAt.getTime() > now.getTime();
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    enabled: e.enabled,
    disabled_reason: e.disabledReason ?? '',
    failing_since: e.failingSince?.toISOString() ?? null,
    previous_secret_expires_at: rotating ? e.previousSecretExpiresAt!.toISOString() : null,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}

export function attemptView(a: WebhookAttempt) {
  return {
    attempt: a.attempt,
    started_at: a.startedAt.toISOString(),
    duration_ms: a.durationMs,
    response_code: a.statusCode,
    error: a.error ?? '',
    response_excerpt: a.responseExcerpt,
    outcome: a.outcome,
    next_attempt_at: a.nextAttemptAt?.toISOString() ?? null,
  };
}

export function deliveryView(d: WebhookDelivery, attempts: WebhookAttempt[]) {
  return {
    id: d.id,
    endpoint_id: d.endpointId,
    event_id: d.eventId,
    event_type: d.eventType,
    event_sequence: d.eventSequence,
    object_id: d.objectId,
    reason: d.reason,
    status: d.status,
    attempts: d.attempts,
    response_code: d.lastStatusCode,
    duration_ms: d.lastDurationMs,
    error: d.lastError ?? '',
    next_attempt_at: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    last_attempt_at: d.lastAttemptAt?.toISOString() ?? null,
    delivered_at: d.deliveredAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
    attempt_history: attempts.map(attemptView),
  };
}
