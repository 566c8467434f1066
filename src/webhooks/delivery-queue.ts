import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventLog, RecordedEvent } from '../events/event-log';
import { Clock, CLOCK } from '../platform/clock/clock';
import { newId } from '../platform/ids/ids';
import type { DeliveryReason } from './webhook.entities';

/** What a delivery needs to know of its event. */
export interface QueuedEvent {
  id: string;
  merchantId: string;
  sequence: number;
  type: string;
  objectId: string;
}

interface EndpointRow {
  id: string;
  merchant_id: string;
  events: string[];
}

export function subscribesTo(events: readonly string[], type: string): boolean {
  return events.includes('*') || events.includes(type);
}

/**
 * Creates webhook deliveries. As an event-log listener it runs inside the transaction that
 * records the events, so every committed event has its deliveries (nothing is lost between
 * the change and the send), and a rolled-back change has none. Two statements per batch:
 * the merchants' enabled endpoints, then one multi-row insert.
 */
@Injectable()
export class DeliveryQueue implements OnModuleInit {
  constructor(
    private readonly eventLog: EventLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.eventLog.register({
      onEventsRecorded: (em, events) => this.fanOut(em, events),
    });
  }

  private async fanOut(em: EntityManager, events: readonly RecordedEvent[]): Promise<void> {
    const merchants = [...new Set(events.map((e) => e.merchantId))];
    const endpoints: EndpointRow[] = await em.query(
      `SELECT id, merchant_id, events FROM webhook_endpoints WHERE merchant_id = ANY($1) AND enabled`,
      [merchants],
    );
    if (endpoints.length === 0) return;
    await this.enqueue(em, endpoints, events, 'event');
  }

  /**
   * Queues each event for each endpoint of its merchant that subscribes to its type
   * (`force` sends to the given endpoints whatever they subscribe to). Returns the new
   * deliveries' ids.
   */
  async enqueue(
    em: EntityManager,
    endpoints: readonly EndpointRow[],
    events: readonly QueuedEvent[],
    reason: DeliveryReason,
    options: { force?: boolean } = {},
  ): Promise<string[]> {
    const rows: { endpointId: string; event: QueuedEvent }[] = [];
    for (const event of events) {
      for (const endpoint of endpoints) {
        if (endpoint.merchant_id !== event.merchantId) continue;
        if (!options.force && !subscribesTo(endpoint.events, event.type)) continue;
        rows.push({ endpointId: endpoint.id, event });
      }
    }
    if (rows.length === 0) return [];
    const ids = rows.map(() => newId());
    const now = this.clock.now();
    await em.query(
      `INSERT INTO webhook_deliveries
         (id, merchant_id, endpoint_id, event_id, event_sequence, event_type, object_id, reason,
          status, attempts, next_attempt_at, created_at)
       SELECT u.id, u.merchant_id, u.endpoint_id, u.event_id, u.event_sequence, u.event_type,
              u.object_id, $8, 'pending', 0, $9, $9
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[])
           AS u(id, merchant_id, endpoint_id, event_id, event_sequence, event_type, object_id)`,
      [
        ids,
        rows.map((r) => r.event.merchantId),
        rows.map((r) => r.endpointId),
        rows.map((r) => r.event.id),
        rows.map((r) => r.event.sequence),
        rows.map((r) => r.event.type),
        rows.map((r) => r.event.objectId),
        reason,
        now,
      ],
    );
    return ids;
  }
}
