import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { EventsService } from '../events/events.service';
import { Clock, CLOCK } from '../platform/clock/clock';
import { APP_CONFIG, AppConfig } from '../platform/config/config';
import { FieldCipher } from '../platform/crypto/field-cipher';
import { ConflictError, NotFoundError } from '../platform/errors/errors';
import { newId, newSecretToken } from '../platform/ids/ids';
import { DeliveryQueue, subscribesTo } from './delivery-queue';
import { EndpointInput } from './webhook-input';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from './webhook.entities';

const REPLAY_PAGE = 1000;

/** The sealing context binds a secret to its endpoint: a copied ciphertext does not open elsewhere. */
export function secretContext(e: { merchantId: string; id: string }): string {
  return `webhook_endpoints.secret:${e.merchantId}:${e.id}`;
}

/** A new signing secret: `whsec_` and 256 random bits. */
function newSigningSecret(): string {
  return `whsec_${newSecretToken(32)}`;
}

export interface DeliveryFilter {
  status?: 'pending' | 'delivered' | 'failed';
  eventId?: string;
  limit: number;
  offset: number;
}

/** Webhook endpoints (CRUD, secret rotation), replays, redeliveries and the deliveries list. */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cipher: FieldCipher,
    private readonly events: EventsService,
    private readonly queue: DeliveryQueue,
  ) {}

  get allowPrivate(): boolean {
    return this.config.webhookAllowPrivate;
  }

  async create(
    merchantId: string,
    input: Required<Pick<EndpointInput, 'url' | 'events'>> & EndpointInput,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const now = this.clock.now();
    const secret = newSigningSecret();
    const id = newId();
    const endpoint = this.dataSource.getRepository(WebhookEndpoint).create({
      id,
      merchantId,
      url: input.url,
      events: input.events,
      description: input.description ?? '',
      enabled: input.enabled ?? true,
      secretSealed: this.cipher.encrypt(secret, secretContext({ merchantId, id })),
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      failingSince: null,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.dataSource.getRepository(WebhookEndpoint).insert(endpoint);
    return { endpoint, secret };
  }

  async list(
    merchantId: string,
    paging: { limit: number; offset: number },
  ): Promise<{ items: WebhookEndpoint[]; total: number }> {
    const [items, total] = await this.dataSource.getRepository(WebhookEndpoint).findAndCount({
      where: { merchantId },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: paging.limit,
      skip: paging.offset,
    });
    return { items, total };
  }

  async get(merchantId: string, id: string, em?: EntityManager): Promise<WebhookEndpoint> {
    const endpoint = await (em ?? this.dataSource.manager)
      .getRepository(WebhookEndpoint)
      .findOneBy({ merchantId, id });
    if (!endpoint) throw new NotFoundError('webhook', id);
    return endpoint;
  }

  async update(merchantId: string, id: string, input: EndpointInput): Promise<WebhookEndpoint> {
    return this.dataSource.transaction(async (em) => {
      const endpoint = await em
        .getRepository(WebhookEndpoint)
        .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } });
      if (!endpoint) throw new NotFoundError('webhook', id);
      if (input.url !== undefined) endpoint.url = input.url;
      if (input.events !== undefined) endpoint.events = input.events;
      if (input.description !== undefined) endpoint.description = input.description;
      if (input.enabled !== undefined) {
        if (input.enabled && !endpoint.enabled) {
          // Enabled again: its failure clock starts over.
          endpoint.failingSince = null;
          endpoint.disabledReason = null;
        }
        endpoint.enabled = input.enabled;
      }
      endpoint.updatedAt = this.clock.now();
      await em.getRepository(WebhookEndpoint).save(endpoint);
      return endpoint;
    });
  }

  /** Deleting an endpoint drops its pending deliveries with it; events stay in the log. */
  async remove(merchantId: string, id: string): Promise<void> {
    const result = await this.dataSource.getRepository(WebhookEndpoint).delete({ merchantId, id });
    if (!result.affected) throw new NotFoundError('webhook', id);
  }

  /**
   * A new secret, shown once; the old one keeps signing for `graceHours` (both signatures
   * are sent), so receivers can switch without dropping a delivery.
   */
  async rotateSecret(
    merchantId: string,
    id: string,
    graceHours: number,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    return this.dataSource.transaction(async (em) => {
      const endpoint = await em
        .getRepository(WebhookEndpoint)
        .findOne({ where: { merchantId, id }, lock: { mode: 'pessimistic_write' } });
      if (!endpoint) throw new NotFoundError('webhook', id);
      const now = this.clock.now();
      const secret = newSigningSecret();
      if (graceHours > 0) {
        endpoint.previousSecretSealed = endpoint.secretSealed;
        endpoint.previousSecretExpiresAt = new Date(now.getTime() + graceHours * 3_600_000);
      } else {
        endpoint.previousSecretSealed = null;
        endpoint.previousSecretExpiresAt = null;
      }
      endpoint.secretSealed = this.cipher.encrypt(secret, secretContext(endpoint));
      endpoint.updatedAt = now;
      await em.getRepository(WebhookEndpoint).save(endpoint);
      return { endpoint, secret };
    });
  }

  /** The secrets that sign now: the current one, and the previous one during its grace period. */
  signingSecrets(endpoint: WebhookEndpoint, now: Date): string[] {
    const secrets = [this.cipher.decrypt(endpoint.secretSealed, secretContext(endpoint))];
    if (
      endpoint.previousSecretSealed !== null &&
      endpoint.previousSecretExpiresAt !== null &&
      endpoint.previousSecretExpiresAt.getTime() > now.getTime()
    ) {
      secrets.push(this.cipher.decrypt(endpoint.previousSecretSealed, secretContext(endpoint)));
    }
    return secrets;
  }

  /**
   * POST /api/webhook/{id}/replay: queues every event after `since` that the endpoint
   * subscribes to, oldest first, as new deliveries. Returns how many were queued.
   */
  async replay(merchantId: string, id: string, since: number): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const endpoint = await this.get(merchantId, id, em);
      if (!endpoint.enabled) {
        throw new ConflictError('the webhook is disabled: enable it before replaying to it');
      }
      const types = endpoint.events.includes('*') ? null : endpoint.events;
      const row = { id: endpoint.id, merchant_id: merchantId, events: endpoint.events };
      let queued = 0;
      let cursor = since;
      for (;;) {
        const page = await this.events.page(em, merchantId, cursor, types, REPLAY_PAGE);
        queued += (await this.queue.enqueue(em, [row], page, 'replay')).length;
        if (page.length < REPLAY_PAGE) return queued;
        cursor = page[page.length - 1].sequence;
      }
    });
  }

  /**
   * POST /api/event/{id}/redeliver: the event again, to one endpoint (whatever it subscribes
   * to) or to every enabled endpoint that subscribes to its type.
   */
  async redeliver(
    merchantId: string,
    eventId: string,
    endpointId: string | undefined,
  ): Promise<WebhookDelivery[]> {
    return this.dataSource.transaction(async (em) => {
      const event = await this.events.get(merchantId, eventId);
      let endpoints: WebhookEndpoint[];
      if (endpointId !== undefined) {
        const endpoint = await this.get(merchantId, endpointId, em);
        if (!endpoint.enabled) throw new ConflictError(`webhook ${endpointId} is disabled`);
        endpoints = [endpoint];
      } else {
        endpoints = (
          await em.getRepository(WebhookEndpoint).findBy({ merchantId, enabled: true })
        ).filter((e) => subscribesTo(e.events, event.type));
      }
      const ids = await this.queue.enqueue(
        em,
        endpoints.map((e) => ({ id: e.id, merchant_id: merchantId, events: e.events })),
        [event],
        'redeliver',
        { force: true },
      );
      return em.getRepository(WebhookDelivery).find({
        where: { id: In(ids) },
        order: { endpointId: 'ASC' },
      });
    });
  }

  /** GET /api/webhook/{id}/deliveries: newest first, each with its attempts. */
  async deliveries(
    merchantId: string,
    endpointId: string,
    f: DeliveryFilter,
  ): Promise<{
    items: { delivery: WebhookDelivery; attempts: WebhookAttempt[] }[];
    total: number;
  }> {
    await this.get(merchantId, endpointId);
    const [rows, total] = await this.dataSource.getRepository(WebhookDelivery).findAndCount({
      where: {
        merchantId,
        endpointId,
        ...(f.status ? { status: f.status } : {}),
        ...(f.eventId ? { eventId: f.eventId } : {}),
      },
      order: { createdAt: 'DESC', eventSequence: 'DESC', id: 'ASC' },
      take: f.limit,
      skip: f.offset,
    });
    const attempts =
      rows.length === 0
        ? []
        : await this.dataSource.getRepository(WebhookAttempt).find({
            where: { deliveryId: In(rows.map((r) => r.id)) },
            order: { attempt: 'ASC' },
          });
    return {
      items: rows.map((delivery) => ({
        delivery,
        attempts: attempts.filter((a) => a.deliveryId === delivery.id),
      })),
      total,
    };
  }
}
