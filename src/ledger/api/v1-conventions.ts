/**
 * INTERIM: the payments API conventions (x-api-key + x-account-id, cursor pagination,
 * `{"data","meta"}` lists) with the names src/payments/api/ exports, until that module is on
 * main; then these imports switch to it and this file goes.
 */
import {
  applyDecorators,
  CanActivate,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ApiKeyGuard } from '../../platform/auth/api-key.guard';
import { MerchantAuth, NoAuth } from '../../platform/auth/auth.decorators';
import { TokenService } from '../../platform/auth/jwt';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../../platform/errors/errors';

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 50;

export interface V1Caller {
  accountId: string;
  partnerId: string;
  businessId: string | null;
  keyKind: 'private' | 'public' | 'partner';
}

const privateOnly = { getAllAndOverride: () => 'private' } as unknown as Reflector;
const BUSINESS_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

@Injectable()
export class V1AuthGuard implements CanActivate {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{
      headers: Record<string, string | undefined>;
      auth?: MerchantAuth;
      v1?: V1Caller;
    }>();
    const key = request.headers['x-api-key']?.trim();
    if (!key) throw new UnauthorizedError('unauthorized: missing x-api-key header');
    request.headers.authorization = key;
    await new ApiKeyGuard(privateOnly, this.dataSource, this.tokens).canActivate(context);
    const auth = request.auth!;
    const account = request.headers['x-account-id']?.trim();
    if (!account) throw new ValidationError('x-account-id', 'is required');
    if (account !== auth.merchantId) {
      throw new ForbiddenError(
        'forbidden: x-account-id names an account this API key does not belong to',
      );
    }
    const business = request.headers['x-business-id']?.trim();
    if (business && !BUSINESS_ID.test(business)) {
      throw new ValidationError(
        'x-business-id',
        'must be 1 to 64 letters, digits, "_", ".", ":" or "-"',
      );
    }
    request.v1 = {
      accountId: account,
      partnerId: 'default',
      businessId: business || null,
      keyKind: 'private',
    };
    return true;
  }
}

export function V1Controller(path: string, tag: string) {
  return applyDecorators(
    Controller(`v1/${path}`),
    NoAuth(),
    UseGuards(V1AuthGuard),
    ApiSecurity('x-api-key'),
    ApiTags(`payments-api: ${tag}`),
  );
}

export const CurrentV1Caller = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const caller = ctx.switchToHttp().getRequest<{ v1?: V1Caller }>().v1;
  if (!caller) throw new Error('CurrentV1Caller used outside a V1Controller');
  return caller;
});

export interface CursorQuery {
  startingAfter: string | null;
  endingBefore: string | null;
  limit: number;
}

export interface ListMeta {
  limit: number;
  has_more: boolean;
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

/** One page, newest first; the cursor must be a row of the same scoped query. */
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

export function listPage<E, T>(
  page: { rows: E[]; meta: ListMeta },
  view: (row: E) => T,
): ListPage<T> {
  return { data: page.rows.map(view), meta: page.meta };
}
