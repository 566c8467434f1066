import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock, CLOCK } from '../platform/clock/clock';
import { newId } from '../platform/ids/ids';

/** An event to record (shared port: docs/webhooks.md). */
export interface NewEvent {
  merchantId: string;
  type: string;
  objectType: string;
  objectId: string;
  /** The object's full current representation, in the API's own shape. */
  data: unknown;
  /**
   * For facts that must be announced once (a card's expiry warning): an event whose key the
   * merchant already has is dropped, without using a sequence number.
   */
  dedupeKey?: string;
}

export interface RecordedEvent {
  id: string;
  merchantId: string;
  sequence: number;
  type: string;
  objectType: string;
  objectId: string;
  data: unknown;
  createdAt: Date;
}

/** Reacts to recorded events inside the recording transaction (webhook deliveries). */
export interface EventListener {
  onEventsRecorded(manager: EntityManager, events: readonly RecordedEvent[]): Promise<void>;
}

/**
 * The event log. Callers pass their own transaction's EntityManager, so an event is
 * committed (or rolled back) with the change it describes.
 *
 * Sequence numbers come from one counter row per merchant, updated in that same
 * transaction: the row lock is held until commit, so a later number never commits before
 * an earlier one and there are no gaps. Callers should record their events late in the
 * transaction (after their own row locks), which keeps the counter held briefly and the
 * lock order the same everywhere.
 */
@Injectable()
export class EventLog {
  private readonly listeners: EventListener[] = [];

  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** Modules register at boot (onModuleInit). */
  register(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /**
   * Runs `work` with this transaction's events held back, then records them all at its end,
   * in the order they were given, with one call: the merchant's counter row is taken once,
   * last, and held only for what is left of the transaction (the billing run's phases, whose
   * workers would otherwise queue on it from their first event to their commit). Inside
   * `work`, `record` on this manager queues and answers [] (no sequence numbers yet). If
   * `work` throws, nothing is recorded (the transaction is rolled back anyway).
   */
  async deferred<T>(manager: EntityManager, work: () => Promise<T>): Promise<T> {
    if (this.held.has(manager)) return work();
    const queue: NewEvent[] = [];
    this.held.set(manager, queue);
    let result: T;
    try {
      result = await work();
    } finally {
      this.held.delete(manager);
    }
    await this.record(manager, queue);
    return result;
  }

  private readonly held = new WeakMap<EntityManager, NewEvent[]>();

  async record(manager: EntityManager, events: readonly NewEvent[]): Promise<RecordedEvent[]> {
    if (events.length === 0) return [];
    const queue = this.held.get(manager);
    if (queue !== undefined) {
      queue.push(...events);
      return [];
    }
    const byMerchant = new Map<string, NewEvent[]>();
    for (const e of events) {
      const group = byMerchant.get(e.merchantId) ?? [];
      group.push(e);
      byMerchant.set(e.merchantId, group);
    }
    const recorded: RecordedEvent[] = [];
    const createdAt = this.clock.now();
    // Each payload is serialized once: several events of one object in a call (a billed
    // subscription's "billed" and "status_changed") often carry the same view.
    const json = new Map<unknown, string>();
    const serialized = (data: unknown): string => {
      let text = json.get(data);
      if (text === undefined) {
        text = JSON.stringify(data ?? null);
        json.set(data, text);
      }
      return text;
    };
    // One merchant after another in id order, so two multi-merchant batches cannot deadlock.
    for (const merchantId of [...byMerchant.keys()].sort()) {
      let group = byMerchant.get(merchantId)!;
      if (group.some((e) => e.dedupeKey !== undefined)) {
        group = await this.withoutKnownKeys(manager, merchantId, group);
        if (group.length === 0) continue;
      }
      const rows: { last_sequence: string }[] = await manager.query(
        `INSERT INTO event_sequences (merchant_id, last_sequence) VALUES ($1, $2)
         ON CONFLICT (merchant_id) DO UPDATE SET last_sequence = event_sequences.last_sequence + EXCLUDED.last_sequence
         RETURNING last_sequence`,
        [merchantId, group.length],
      );
      const first = Number(rows[0].last_sequence) - group.length + 1;
      group.forEach((e, i) =>
        recorded.push({
          id: newId(),
          merchantId,
          sequence: first + i,
          type: e.type,
          objectType: e.objectType,
          objectId: e.objectId,
          data: e.data ?? null,
          createdAt,
        }),
      );
      const mine = recorded.slice(recorded.length - group.length);
      // The payloads travel as one JSON array (a plain text parameter), not as a text[] of
      // JSON documents: an array parameter escapes every quote of every payload.
      await manager.query(
        `INSERT INTO events (id, merchant_id, sequence, type, object_type, object_id, data, dedupe_key, created_at)
         SELECT u.id, $1, u.sequence, u.type, u.object_type, u.object_id, u.data, u.dedupe_key, $2
           FROM ROWS FROM (unnest($3::text[]), unnest($4::bigint[]), unnest($5::text[]),
                           unnest($6::text[]), unnest($7::text[]), jsonb_array_elements($8::jsonb),
                           unnest($9::text[]))
             AS u(id, sequence, type, object_type, object_id, data, dedupe_key)`,
        [
          merchantId,
          createdAt,
          mine.map((e) => e.id),
          mine.map((e) => e.sequence),
          mine.map((e) => e.type),
          mine.map((e) => e.objectType),
          mine.map((e) => e.objectId),
          `[${mine.map((e) => serialized(e.data)).join(',')}]`,
          group.map((e) => e.dedupeKey ?? null),
        ],
      );
    }
    if (recorded.length > 0) {
      for (const listener of this.listeners) await listener.onEventsRecorded(manager, recorded);
    }
    return recorded;
  }

  /** Locks the merchant's counter first, so two transactions cannot both miss a key. */
  private async withoutKnownKeys(
    manager: EntityManager,
    merchantId: string,
    group: NewEvent[],
  ): Promise<NewEvent[]> {
    await manager.query(
      `INSERT INTO event_sequences (merchant_id, last_sequence) VALUES ($1, 0)
       ON CONFLICT (merchant_id) DO UPDATE SET last_sequence = event_sequences.last_sequence`,
      [merchantId],
    );
    const keys = group.flatMap((e) => (e.dedupeKey === undefined ? [] : [e.dedupeKey]));
    const known: { dedupe_key: string }[] = await manager.query(
      `SELECT dedupe_key FROM events WHERE merchant_id = $1 AND dedupe_key = ANY($2::text[])`,
      [merchantId, keys],
    );
    const seen = new Set(known.map((k) => k.dedupe_key));
    return group.filter((e) => {
      if (e.dedupeKey === undefined) return true;
      if (seen.has(e.dedupeKey)) return false;
      seen.add(e.dedupeKey); // twice in one batch: once
      return true;
    });
  }
}
