import type { DataSource } from 'typeorm';
import { jsonRow, PreparedReads, selectList } from '../platform/database/prepared-read';
import { Subscription, SubscriptionAdjustment, SubscriptionEvent } from './subscription.entity';

export interface SubscriptionRows {
  subscription: Subscription;
  /** By position, as the entity manager's read orders them. */
  adjustments: SubscriptionAdjustment[];
  /** By seq: the history in insertion order. */
  events: SubscriptionEvent[];
}

/**
 * GET /api/recurring/subscription/{id}: the subscription, its adjustments and its history in
 * one round trip, a prepared statement written once from the entities' metadata
 * (src/platform/database/prepared-read.ts). The rows are the entities the entity manager
 * would return (test/subscription-read.e2e-spec.ts compares them), so the view is unchanged.
 * Outside a transaction only; writes read through the entity manager.
 */
export class SubscriptionRead {
  private readonly reads: PreparedReads;
  private sql?: string;

  constructor(dataSource: DataSource) {
    this.reads = new PreparedReads(dataSource);
  }

  private statement(): string {
    if (this.sql !== undefined) return this.sql;
    const r = this.reads;
    const s = r.metadata(Subscription);
    const a = r.metadata(SubscriptionAdjustment);
    const e = r.metadata(SubscriptionEvent);
    this.sql =
      `SELECT ${selectList(s, 's')},` +
      ` (SELECT coalesce(json_agg(${jsonRow(a, 'a')} ORDER BY a.${r.column(a, 'position')}), '[]')` +
      `    FROM ${r.table(a)} a WHERE a.${r.column(a, 'subscriptionId')} = s.${r.column(s, 'id')}) AS "__adjustments",` +
      ` (SELECT coalesce(json_agg(${jsonRow(e, 'e')} ORDER BY e.${r.column(e, 'seq')}), '[]')` +
      `    FROM ${r.table(e)} e WHERE e.${r.column(e, 'subscriptionId')} = s.${r.column(s, 'id')}) AS "__events"` +
      ` FROM ${r.table(s)} s` +
      ` WHERE s.${r.column(s, 'id')} = $1 AND s.${r.column(s, 'merchantId')} = $2` +
      ` AND s.${r.column(s, 'deletedAt')} IS NULL`;
    return this.sql;
  }

  /** The merchant's live subscription and its rows, or null. */
  async load(merchantId: string, id: string): Promise<SubscriptionRows | null> {
    const rows = await this.reads.rows('rebill_subscription_read', this.statement(), [
      id,
      merchantId,
    ]);
    if (rows.length === 0) return null;
    const raw = rows[0];
    const r = this.reads;
    const a = r.metadata(SubscriptionAdjustment);
    const e = r.metadata(SubscriptionEvent);
    return {
      subscription: r.hydrate<Subscription>(r.metadata(Subscription), raw),
      adjustments: (raw.__adjustments as Record<string, unknown>[]).map((row) =>
        r.hydrate<SubscriptionAdjustment>(a, row),
      ),
      events: (raw.__events as Record<string, unknown>[]).map((row) =>
        r.hydrate<SubscriptionEvent>(e, row),
      ),
    };
  }
}
