import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { newId } from '../platform/ids/ids';
import { postEntries } from './journal';
import { NotFoundError, ValidationError } from '../platform/errors/errors';
import { adjustment, merchantBalance } from './core/posting-rules';
import { LedgerTransactionRow } from './ledger.entities';
import { CursorQuery, cursorPage, ListPage, listPage } from '../payments/api/pagination';

/** The spec's source_type values (search filters accept them all; the ledger writes some). */
export const SOURCE_TYPES = [
  'adjustment',
  'checkout_session',
  'dispute',
  'fee',
  'fee_refund',
  'funding',
  'payment',
  'payment_intent',
  'payment_method',
  'payment_refund',
  'payout',
  'refund',
  'refund_failure',
  'transfer',
  'transfer_refund',
  'reversal',
] as const;

export interface BalanceView {
  entity: 'balance';
  currency: string;
  pending: number;
  available: number;
  ledger_accounts: { pending: string | null; available: string | null };
}

export interface LedgerTransactionView {
  id: string;
  entity: 'transaction';
  created_at: string;
  updated_at: string;
  account_id: string;
  ledger_account_id: string;
  payout_id: string | null;
  bank_transfer_id: string | null;
  source_type: string;
  source_id: string;
  source_account_id: string;
  amount: number;
  currency: string;
  settlement_id: string | null;
  settlement_status: 'settled' | 'unsettled';
  settled_at: string | null;
  description: string;
}

export function ledgerTransactionView(r: LedgerTransactionRow): LedgerTransactionView {
  return {
    id: r.id,
    entity: 'transaction',
    created_at: r.createdAt.toISOString(),
    updated_at: r.updatedAt.toISOString(),
    account_id: r.merchantId,
    ledger_account_id: r.ledgerAccountId,
    payout_id: r.payoutId,
    bank_transfer_id: null,
    source_type: r.sourceType,
    source_id: r.sourceId,
    source_account_id: r.merchantId,
    amount: r.amount,
    currency: r.currency,
    settlement_id: r.settlementId,
    settlement_status: r.settlementStatus,
    settled_at: r.settledAt?.toISOString() ?? null,
    description: r.description,
  };
}

/** A search of ledger transactions (spec: "Search a list of transactions"). */
export interface TransactionFilter {
  sourceType: string | null;
  settlementStatus: 'settled' | 'unsettled' | null;
  startDate: Date | null;
  endDate: Date | null;
  amountMin: number | null;
  amountMax: number | null;
  sortColumn: 'created_at' | 'updated_at' | 'amount';
  sortDirection: 'asc' | 'desc';
}

const SEARCH_FIELDS = new Set([
  'source_type',
  'settlement_status',
  'start_date',
  'end_date',
  'sort_column',
  'sort_direction',
  'amount_min',
  'amount_max',
  'limit',
  'page',
]);

function dateTime(v: unknown, field: string): Date | null {
  if (v === undefined || v === null) return null;
  const d =
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(v)
      ? new Date(v)
      : null;
  if (d === null || Number.isNaN(d.getTime()))
    throw new ValidationError(field, 'must be an ISO 8601 date-time');
  return d;
}

function integer(v: unknown, field: string, min: number, max: number): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ValidationError(field, `must be a whole number from ${min} to ${max}`);
  }
  return v;
}

export function parseTransactionSearch(
  body: unknown,
  paged: boolean,
): { filter: TransactionFilter; limit: number; page: number } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b))
    throw new ValidationError('body', 'must be a JSON object');
  for (const k of Object.keys(b)) {
    if (!SEARCH_FIELDS.has(k) || (!paged && (k === 'limit' || k === 'page'))) {
      throw new ValidationError(k, 'is not a search field');
    }
  }
  const pick = <T extends string>(v: unknown, field: string, allowed: readonly T[]): T | null => {
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || !allowed.includes(v as T))
      throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
    return v as T;
  };
  const MAX = Number.MAX_SAFE_INTEGER;
  const filter: TransactionFilter = {
    sourceType: pick(b.source_type, 'source_type', SOURCE_TYPES),
    settlementStatus: pick(b.settlement_status, 'settlement_status', [
      'settled',
      'unsettled',
    ] as const),
    startDate: dateTime(b.start_date, 'start_date'),
    endDate: dateTime(b.end_date, 'end_date'),
    amountMin: integer(b.amount_min, 'amount_min', -MAX, MAX),
    amountMax: integer(b.amount_max, 'amount_max', -MAX, MAX),
    sortColumn:
      pick(b.sort_column, 'sort_column', ['created_at', 'updated_at', 'amount'] as const) ??
      'updated_at',
    sortDirection: pick(b.sort_direction, 'sort_direction', ['asc', 'desc'] as const) ?? 'desc',
  };
  if (filter.startDate && filter.endDate && filter.startDate > filter.endDate) {
    throw new ValidationError('end_date', 'must not be before start_date');
  }
  if (
    filter.amountMin !== null &&
    filter.amountMax !== null &&
    filter.amountMin > filter.amountMax
  ) {
    throw new ValidationError('amount_max', 'must not be less than amount_min');
  }
  return {
    filter,
    limit: integer(b.limit, 'limit', 1, 50) ?? 10,
    page: integer(b.page, 'page', 1, 1_000_000) ?? 1,
  };
}

function whereOf(merchantId: string, f: TransactionFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [merchantId];
  const parts = ['t.merchant_id = $1'];
  const add = (cond: (p: string) => string, v: unknown) => {
    params.push(v);
    parts.push(cond(`$${params.length}`));
  };
  if (f.sourceType !== null) add((p) => `t.source_type = ${p}`, f.sourceType);
  if (f.settlementStatus !== null) add((p) => `t.settlement_status = ${p}`, f.settlementStatus);
  if (f.startDate !== null) add((p) => `t.created_at >= ${p}`, f.startDate);
  if (f.endDate !== null) add((p) => `t.created_at <= ${p}`, f.endDate);
  if (f.amountMin !== null) add((p) => `t.amount >= ${p}`, String(f.amountMin));
  if (f.amountMax !== null) add((p) => `t.amount <= ${p}`, String(f.amountMax));
  return { sql: parts.join(' AND '), params };
}

const CSV_COLUMNS = [
  'id',
  'created_at',
  'updated_at',
  'source_type',
  'source_id',
  'amount',
  'currency',
  'settlement_status',
  'settled_at',
  'payout_id',
  'ledger_account_id',
  'description',
] as const;

/** One CSV field: quoted when needed; text that a spreadsheet would run as a formula is defused. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'number' ? String(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Balances, and the ledger transactions a merchant sees (docs/ledger.md). */
@Injectable()
export class LedgerService {
  /** Rows per keyset page of a CSV download (tests make it small to cross pages). */
  downloadPageSize = 500;

  constructor(private readonly dataSource: DataSource) {}

  /** `{currency, pending, available}` per currency: minus the sums of the merchant's two accounts. */
  async balances(merchantId: string): Promise<BalanceView[]> {
    const rows: {
      id: string;
      currency: string;
      kind: 'merchant_pending' | 'merchant_available';
      total: string;
    }[] = await this.dataSource.query(
      `SELECT a.id, a.currency, a.kind, coalesce(sum(l.amount), 0) AS total
           FROM ledger_accounts a LEFT JOIN ledger_lines l ON l.account_id = a.id
          WHERE a.merchant_id = $1 AND a.kind IN ('merchant_pending', 'merchant_available')
          GROUP BY a.id, a.currency, a.kind ORDER BY a.currency`,
      [merchantId],
    );
    const byCurrency = new Map<string, BalanceView>();
    for (const r of rows) {
      const b = byCurrency.get(r.currency) ?? {
        entity: 'balance' as const,
        currency: r.currency,
        pending: 0,
        available: 0,
        ledger_accounts: { pending: null, available: null },
      };
      const sums = merchantBalance({ [r.kind]: Number(r.total) });
      if (r.kind === 'merchant_pending') {
        b.pending = sums.pending;
        b.ledger_accounts.pending = r.id;
      } else {
        b.available = sums.available;
        b.ledger_accounts.available = r.id;
      }
      byCurrency.set(r.currency, b);
    }
    return [...byCurrency.values()];
  }

  /**
   * A manual correction of a merchant's available balance (the partner's): a new balanced
   * entry and an `adjustment` ledger transaction, never an edit of an earlier entry.
   */
  async adjust(
    merchantId: string,
    input: { amount: number; currency: string; description: string },
    now: Date,
  ): Promise<LedgerTransactionView> {
    if (input.amount === 0) throw new ValidationError('amount', 'must not be 0');
    const id = newId();
    return this.dataSource.transaction(async (em) => {
      const [posted] = await postEntries(
        em,
        now,
        adjustment({ adjustmentId: id, amount: input.amount, description: input.description }).map(
          (e) => ({
            ...e,
            merchantId,
            currency: input.currency,
          }),
        ),
      );
      const row = await em.getRepository(LedgerTransactionRow).findOneByOrFail({ id: posted.id });
      return ledgerTransactionView(row);
    });
  }

  async list(
    merchantId: string,
    cursor: CursorQuery,
    payoutId: string | null,
  ): Promise<ListPage<LedgerTransactionView>> {
    const qb = this.dataSource
      .getRepository(LedgerTransactionRow)
      .createQueryBuilder('t')
      .where('t.merchantId = :merchantId', { merchantId });
    if (payoutId !== null) qb.andWhere('t.payoutId = :payoutId', { payoutId });
    return listPage(await cursorPage(qb, 't', cursor), ledgerTransactionView);
  }

  async get(merchantId: string, id: string): Promise<LedgerTransactionView> {
    const row = await this.dataSource
      .getRepository(LedgerTransactionRow)
      .findOneBy({ merchantId, id });
    if (!row) throw new NotFoundError('transaction', id);
    return ledgerTransactionView(row);
  }

  async search(
    merchantId: string,
    body: unknown,
  ): Promise<{
    data: LedgerTransactionView[];
    meta: { limit: number; page: number; total_count: number };
  }> {
    const { filter, limit, page } = parseTransactionSearch(body, true);
    const where = whereOf(merchantId, filter);
    const total: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM ledger_transactions t WHERE ${where.sql}`,
      where.params,
    );
    const dir = filter.sortDirection === 'asc' ? 'ASC' : 'DESC';
    const ids: { id: string }[] = await this.dataSource.query(
      `SELECT t.id FROM ledger_transactions t WHERE ${where.sql}
        ORDER BY t.${filter.sortColumn} ${dir}, t.id ${dir} LIMIT ${limit} OFFSET ${(page - 1) * limit}`,
      where.params,
    );
    const rows =
      ids.length === 0
        ? []
        : await this.dataSource
            .getRepository(LedgerTransactionRow)
            .findBy({ merchantId, id: In(ids.map((r) => r.id)) });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const n = Number(total[0].n);
    return {
      data: ids.map((r) => ledgerTransactionView(byId.get(r.id)!)),
      meta: { limit, page, total_count: n },
    };
  }

  /**
   * The CSV of every matching ledger transaction, streamed: pages of downloadPageSize rows by
   * keyset, so memory stays flat whatever the number of rows. The filter is checked before
   * the first byte, so bad input is still a 4xx.
   */
  download(merchantId: string, body: unknown): Readable {
    const { filter } = parseTransactionSearch(body, false);
    const where = whereOf(merchantId, filter);
    const dir = filter.sortDirection === 'asc' ? 'ASC' : 'DESC';
    const cmp = dir === 'ASC' ? '>' : '<';
    const column = filter.sortColumn;
    const ds = this.dataSource;
    const pageSize = this.downloadPageSize;
    async function* lines(): AsyncGenerator<string> {
      yield `${CSV_COLUMNS.join(',')}\n`;
      let after: { key: unknown; id: string } | null = null;
      for (;;) {
        const params = [...where.params];
        let keyset = '';
        if (after !== null) {
          params.push(after.key, after.id);
          keyset = ` AND (t.${column}, t.id) ${cmp} ($${params.length - 1}, $${params.length})`;
        }
        const page: Record<string, unknown>[] = await ds.query(
          `SELECT t.id, t.created_at, t.updated_at, t.source_type, t.source_id, t.amount, t.currency,
                  t.settlement_status, t.settled_at, t.payout_id, t.ledger_account_id, t.description
             FROM ledger_transactions t WHERE ${where.sql}${keyset}
            ORDER BY t.${column} ${dir}, t.id ${dir} LIMIT ${pageSize}`,
          params,
        );
        if (page.length === 0) return;
        let chunk = '';
        for (const r of page) {
          chunk +=
            CSV_COLUMNS.map((c) => {
              const v = r[c];
              if (c === 'amount') return csvField(Number(v));
              return csvField(v instanceof Date ? v.toISOString() : v);
            }).join(',') + '\n';
        }
        yield chunk;
        const last = page[page.length - 1];
        after = { key: last[column], id: last.id as string };
        if (page.length < pageSize) return;
      }
    }
    return Readable.from(lines());
  }
}
