import type { EntityManager } from 'typeorm';
import type { EventLog } from '../events/event-log';

/** Records one event per object, each carrying the object as its GET endpoint shows it. */
export async function recordObjectEvents<T extends { id: string; merchantId: string }>(
  eventLog: EventLog,
  em: EntityManager,
  type: string,
  objectType: 'dispute' | 'payout',
  rows: readonly T[],
  view: (row: T) => unknown,
): Promise<void> {
  if (rows.length === 0) return;
  await eventLog.record(
    em,
    rows.map((r) => ({
      merchantId: r.merchantId,
      type,
      objectType,
      objectId: r.id,
      data: view(r),
    })),
  );
}
