import type { EventRow } from './event.entity';
import type { RecordedEvent } from './event-log';

/**
 * An event as the API and webhook bodies show it. `data` is the object as its own
 * endpoint shows it, at the moment of the change.
 */
export function eventView(e: EventRow | RecordedEvent) {
  return {
    id: e.id,
    type: e.type,
    sequence: e.sequence,
    object_type: e.objectType,
    object_id: e.objectId,
    created_at: e.createdAt.toISOString(),
    data: e.data,
  };
}

export type EventView = ReturnType<typeof eventView>;
