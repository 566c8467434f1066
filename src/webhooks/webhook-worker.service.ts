import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource, EntityManager, In } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { EventsService } from '../events/events.service';
import { eventView } from '../events/events.views';
import { OutboxService } from '../notifications/outbox.service';
import { Clock, CLOCK } from '../platform/clock/clock';
import { APP_CONFIG, AppConfig } from '../platform/config/config';
import { newId } from '../platform/ids/ids';
import { RETRY_WINDOW_MS, retryAfterFailure } from './retry-schedule';
import { SIGNATURE_HEADER, signatureHeader } from './signature';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { DELIVERY_TIMEOUT_MS, WebhookResponse, WebhookSender } from './webhook-sender';
import { WebhookEndpoint } from './webhook.entities';

/** A claimed delivery is the worker's for this long; after it (a crashed worker) another takes it. */
const LEASE_MS = DELIVERY_TIMEOUT_MS + 50_000;
const DEFAULT_BATCH = 16;

export interface DeliverResult {
  delivered: number;
  retrying: number;
  failed: number;
}

interface Claimed {
  id: string;
  merchant_id: string;
  endpoint_id: string;
  event_id: string;
  attempts: number;
  created_at: Date;
}

/**
 * Sends due webhook deliveries (docs/webhooks.md). A batch is claimed in one short
 * transaction with FOR UPDATE SKIP LOCKED and a lease, sent concurrently outside any
 * transaction, and each outcome is recorded in its own transaction, so many workers (in one
 * process or many) never send one attempt twice and a crashed worker's claims come back
 * when their lease ends.
 *
 * Ordering: a delivery is claimable only when no earlier delivery (by event sequence) of the
 * same object to the same endpoint is still pending, so a later event for a subscription
 * never overtakes an earlier one, whatever the number of workers or retries.
 */
@Injectable()
export class WebhookWorker {
  private readonly logger = new Logger(WebhookWorker.name);
  private readonly sender: WebhookSender;
  private running: Promise<DeliverResult> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly endpoints: WebhookEndpointsService,
    private readonly events: EventsService,
    private readonly outbox: OutboxService,
    private readonly accounts: AccountsService,
  ) {
    this.sender = new WebhookSender(config.webhookAllowPrivate);
  }

  /**
   * Sends every delivery that is due, batch after batch, until none is left (or `limit`
   * attempts were made). Tests call it directly; `merchantId` keeps a test to its merchant.
   */
  async deliverDue(
    options: { limit?: number; merchantId?: string; batchSize?: number } = {},
  ): Promise<DeliverResult> {
    const result: DeliverResult = { delivered: 0, retrying: 0, failed: 0 };
    const limit = options.limit ?? 1000;
    let made = 0;
    while (made < limit) {
      const claimed = await this.claim(
        options.merchantId ?? null,
        Math.min(options.batchSize ?? DEFAULT_BATCH, limit - made),
      );
      if (claimed.length === 0) break;
      made += claimed.length;
      const outcomes = await this.sendBatch(claimed);
      for (const o of outcomes) if (o !== null) result[o]++;
    }
    return result;
  }

  /** Every 2 seconds in the running app (tests start without the scheduler). */
  @Interval(2_000)
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.deliverDue();
    try {
      await this.running;
    } catch (err) {
      this.logger.warn({ err }, 'delivering webhooks failed');
    } finally {
      this.running = null;
    }
  }

  private async claim(merchantId: string | null, batch: number): Promise<Claimed[]> {
    const now = this.clock.now();
    // An UPDATE answers [rows, affected count] through TypeORM's query().
    const [rows]: [Claimed[], number] = await this.dataSource.query(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d
           JOIN webhook_endpoints w ON w.id = d.endpoint_id AND w.enabled
          WHERE d.status = 'pending' AND d.next_attempt_at <= $1
            AND (d.lease_until IS NULL OR d.lease_until <= $1)
            AND ($2::text IS NULL OR d.merchant_id = $2)
            AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries p
               WHERE p.endpoint_id = d.endpoint_id AND p.object_id = d.object_id
                 AND p.status = 'pending'
                 AND (p.event_sequence, p.created_at, p.id) < (d.event_sequence, d.created_at, d.id))
          ORDER BY d.next_attempt_at, d.event_sequence
          LIMIT $3
          FOR UPDATE OF d SKIP LOCKED)
       UPDATE webhook_deliveries x
          SET lease_until = $4, attempts = x.attempts + 1, last_attempt_at = $1
         FROM due WHERE x.id = due.id
       RETURNING x.id, x.merchant_id, x.endpoint_id, x.event_id, x.attempts, x.created_at`,
      [now, merchantId, batch, new Date(now.getTime() + LEASE_MS)],
    );
    return rows;
  }

  private async sendBatch(claimed: Claimed[]): Promise<(keyof DeliverResult | null)[]> {
    const endpoints = await this.dataSource
      .getRepository(WebhookEndpoint)
      .findBy({ id: In([...new Set(claimed.map((c) => c.endpoint_id))]) });
    const endpointById = new Map(endpoints.map((e) => [e.id, e]));
    const events = await this.events.byIds(
      this.dataSource.manager,
      claimed.map((c) => c.event_id),
    );
    const eventById = new Map(events.map((e) => [e.id, e]));
    return Promise.all(
      claimed.map(async (c) => {
        const endpoint = endpointById.get(c.endpoint_id);
        const event = eventById.get(c.event_id);
        if (!endpoint || !event) return null; // deleted meanwhile: the cascade removes the delivery
        const body = JSON.stringify(eventView(event));
        const startedAt = this.clock.now();
        const timestamp = Math.floor(startedAt.getTime() / 1000);
        let response: WebhookResponse;
        try {
          response = await this.sender.send({
            url: endpoint.url,
            body,
            headers: {
              'content-type': 'application/json',
              'user-agent': 'Rebill-Webhooks/1.0',
              'rebill-event-id': event.id,
              'rebill-event-type': event.type,
              'rebill-delivery-id': c.id,
              [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(
                this.endpoints.signingSecrets(endpoint, startedAt),
                timestamp,
                body,
              ),
            },
          });
        } catch (err) {
          response = {
            statusCode: null,
            error: String((err as Error).message ?? err).slice(0, 500),
            excerpt: '',
            durationMs: 0,
          };
        }
        return this.recordOutcome(c, endpoint, startedAt, response);
      }),
    );
  }

  private recordOutcome(
    c: Claimed,
    endpoint: WebhookEndpoint,
    startedAt: Date,
    response: WebhookResponse,
  ): Promise<keyof DeliverResult | null> {
    return this.dataSource.transaction(async (em) => {
      const now = this.clock.now();
      const ok =
        response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300;
      const error =
        response.error ?? (ok ? null : `the receiver answered HTTP ${response.statusCode}`);
      const decision = ok
        ? null
        : retryAfterFailure({
            attempts: c.attempts,
            createdAt: new Date(c.created_at),
            failedAt: now,
            random: Math.random(),
          });
      const outcome: keyof DeliverResult = ok
        ? 'delivered'
        : decision?.kind === 'retry'
          ? 'retrying'
          : 'failed';
      const nextAttemptAt = decision?.kind === 'retry' ? decision.at : null;
      // Only the claim that still holds the delivery records (a lease taken over after
      // expiry has a higher attempt number).
      const [updated]: [unknown[], number] = await em.query(
        `UPDATE webhook_deliveries
            SET status = $3, lease_until = NULL, next_attempt_at = COALESCE($4, next_attempt_at),
                last_status_code = $5, last_error = $6, last_duration_ms = $7, delivered_at = $8
          WHERE id = $1 AND attempts = $2 AND status = 'pending'
          RETURNING id`,
        [
          c.id,
          c.attempts,
          outcome === 'delivered' ? 'delivered' : outcome === 'retrying' ? 'pending' : 'failed',
          nextAttemptAt,
          response.statusCode,
          error,
          response.durationMs,
          ok ? now : null,
        ],
      );
      if (updated.length === 0) return null;
      await em.query(
        `INSERT INTO webhook_attempts
           (id, delivery_id, attempt, started_at, duration_ms, status_code, error, response_excerpt, outcome, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          newId(),
          c.id,
          c.attempts,
          startedAt,
          response.durationMs,
          response.statusCode,
          error,
          response.excerpt.replace(/\u0000/g, ''),
          outcome,
          nextAttemptAt,
        ],
      );
      await this.trackEndpointHealth(em, endpoint, ok, startedAt, now);
      return outcome;
    });
  }

  /**
   * An endpoint that has failed every attempt for RETRY_WINDOW_MS (3 days) is disabled and
   * the merchant is told by email. Any delivered attempt resets the clock.
   */
  private async trackEndpointHealth(
    em: EntityManager,
    endpoint: WebhookEndpoint,
    ok: boolean,
    attemptedAt: Date,
    now: Date,
  ): Promise<void> {
    if (ok) {
      await em.query(
        `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`,
        [endpoint.id],
      );
      return;
    }
    const [rows]: [{ failing_since: Date }[], number] = await em.query(
      `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2)
        WHERE id = $1 RETURNING failing_since`,
      [endpoint.id, attemptedAt],
    );
    if (rows.length === 0) return;
    const failingSince = new Date(rows[0].failing_since);
    if (now.getTime() - failingSince.getTime() < RETRY_WINDOW_MS) return;
    const reason = `every delivery failed since ${failingSince.toISOString()}`;
    const [disabled]: [unknown[], number] = await em.query(
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = $3
        WHERE id = $1 AND enabled RETURNING id`,
      [endpoint.id, reason, now],
    );
    if (disabled.length === 0) return; // another worker disabled it first
    this.logger.warn(
      { endpointId: endpoint.id },
      'webhook endpoint disabled after 3 days of failures',
    );
    const contacts = await this.accounts.merchantContacts(em, endpoint.merchantId);
    for (const to of contacts.emails) {
      await this.outbox.enqueue(em, {
        merchantId: endpoint.merchantId,
        kind: 'webhook_disabled',
        subjectId: endpoint.id,
        to,
        subject: 'Rebill disabled a webhook endpoint that has been failing for 3 days',
        text: [
          `Hello${contacts.name ? ` ${contacts.name}` : ''},`,
          '',
          `Rebill could not deliver any event to your webhook endpoint ${endpoint.url} (id ${endpoint.id}) since ${failingSince.toISOString()}, so it has been disabled.`,
          '',
          'No events are sent to it until you enable it again (PUT /api/webhook/{id} with "enabled": true).',
          'Events are kept: after enabling it, replay what you missed with POST /api/webhook/{id}/replay and the last sequence number you processed.',
        ].join('\n'),
      });
    }
  }
}
