import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ValidationError } from '../../platform/errors/errors';

/**
 * Cursor pagination of the payments API's lists (docs/payments-api.md, "Lists"): newest
 * first; `starting_after=<id>` answers the page after that object (older ones),
 * `ending_before=<id>` the page before it (newer ones), both in the same newest-first order.
 */
export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 50;

export interface CursorQuery {
  startingAfter: string | null;
  endingBefore: string | null;
  limit: number;
}

export interface ListMeta {
  limit: number;
  /** More objects lie beyond this page in the direction asked for. */
  has_more: boolean;
  /** The first and last ids on this page: the cursors for the pages before and after it. */
  first_id: string | null;
  last_id: string | null;
  starting_after: string | null;
  ending_before: string | null;
}

export interface ListPage<T> {
  data: T[];
  meta: ListMeta;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function cursorParam(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || !ID.test(value)) {
    throw new ValidationError(field, 'must be the id of an object in this list');
  }
  return value;
}

/** Reads `starting_after`, `ending_before` and `limit` (default 10, 1 to 50) from a query string. */
export function parseCursorQuery(query: unknown): CursorQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const startingAfter = cursorParam(q.starting_after, 'starting_after');
  const endingBefore = cursorParam(q.ending_before, 'ending_before');
  if (startingAfter !== null && endingBefore !== null) {
    throw new ValidationError('ending_before', 'cannot be used together with starting_after');
  }
  let limit = DEFAULT_LIMIT;
  if (q.limit !== undefined && q.limit !== '') {
    const text = String(q.limit);
    const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
      throw new ValidationError('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
    }
    limit = n;
  }
  return { startingAfter, endingBefore, limit };
}

/**
 * One page of a query already scoped to the caller (merchant, business, parent object).
 * The entity needs `id` and `createdAt`; the cursor must be a row of the same scoped query,
 * or the request is refused naming the parameter (an id of another merchant is not a cursor).
 */
export async function cursorPage<E extends ObjectLiteral & { id: string }>(
  scoped: SelectQueryBuilder<E>,
  alias: string,
  cursor: CursorQuery,
): Promise<{ rows: E[]; meta: ListMeta }> {
  const cursorId = cursor.startingAfter ?? cursor.endingBefore;
  const qb = scoped.clone();
  if (cursorId !== null) {
    const field = cursor.startingAfter !== null ? 'starting_after' : 'ending_before';
    const exists = await scoped
      .clone()
      .andWhere(`${alias}.id = :v1CursorId`, { v1CursorId: cursorId })
      .getExists();
    if (!exists) throw new ValidationError(field, `${cursorId} is not an object in this list`);
    const table = scoped.expressionMap.mainAlias!.metadata.tableName;
    const comparison = cursor.startingAfter !== null ? '<' : '>';
    qb.andWhere(
      `(${alias}.createdAt, ${alias}.id) ${comparison} (SELECT c.created_at, c.id FROM ${table} c WHERE c.id = :v1CursorId)`,
      { v1CursorId: cursorId },
    );
  }
  const backwards = cursor.endingBefore !== null;
  const direction = backwards ? 'ASC' : 'DESC';
  const found = await qb
    .orderBy(`${alias}.createdAt`, direction)
    .addOrderBy(`${alias}.id`, direction)
    .limit(cursor.limit + 1)
    .getMany();
  const hasMore = found.length > cursor.limit;
  const rows = found.slice(0, cursor.limit);
  if (backwards) rows.reverse();
  return {
    rows,
    meta: {
      limit: cursor.limit,
      has_more: hasMore,
      first_id: rows[0]?.id ?? null,
      last_id: rows[rows.length - 1]?.id ?? null,
      starting_after: cursor.startingAfter,
      ending_before: cursor.endingBefore,
    },
  };
}

/** A page of views: `{"data": [...], "meta": {...}}`. */
export function listPage<E, T>(
  page: { rows: E[]; meta: ListMeta },
  view: (row: E) => T,
): ListPage<T> {
  return { data: page.rows.map(view), meta: page.meta };
}
