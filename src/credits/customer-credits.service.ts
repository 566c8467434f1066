import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CLOCK, Clock } from '../platform/clock/clock';
import { newId } from '../platform/ids/ids';

export type CreditReason = 'manual' | 'proration' | 'refund' | 'invoice';

export interface CreditEntryView {
  id: string;
  customer_id: string;
  currency: string;
  amount: number;
  balance_after: number;
  reason: CreditReason;
  source_type: string;
  source_id: string;
  description: string;
  created_at: string;
}

export interface CreditGrant {
  merchantId: string;
  customerId: string;
  currency: string;
  /** Cents, > 0. */
  amount: number;
  reason: Exclude<CreditReason, 'invoice'>;
  /** What the credit comes from (a change, a refund, a manual grant): unique per reason. */
  sourceType: string;
  sourceId: string;
  description: string;
  createdBy?: string | null;
}

export interface CreditConsumption {
  merchantId: string;
  customerId: string;
  currency: string;
  /** At most this much is consumed (cents, >= 0). */
  upTo: number;
  /** The invoice (or cycle) the credit pays: unique, so a retry consumes once. */
  sourceType: string;
  sourceId: string;
  description: string;
}

/** Whose balance: one per merchant, customer and currency. */
export interface CreditKey {
  merchantId: string;
  customerId: string;
  currency: string;
}

export function creditKey(k: CreditKey): string {
  return `${k.merchantId}|${k.customerId}|${k.currency}`;
}

interface EntryRow {
  id: string;
  customer_id: string;
  currency: string;
  amount: string;
  balance_after: string;
  reason: CreditReason;
  source_type: string;
  source_id: string;
  description: string;
  created_at: Date;
}

/**
 * A customer's credit balance (the port other modules use): grants from downgrades,
 * refunds-as-credit and manual grants; consumption by invoices before any card is charged.
 * Every write runs in the caller's transaction, locks the customer's balance row, appends one
 * entry and moves the balance; the database refuses a negative balance and a second entry
 * for the same source.
 */
@Injectable()
export class CustomerCreditsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The balance in cents (0 when the customer never had credit). */
  async balance(
    merchantId: string,
    customerId: string,
    currency: string,
    em: EntityManager = this.dataSource.manager,
  ): Promise<number> {
    const rows: { balance: string }[] = await em.query(
      `SELECT balance FROM customer_credit_balances
        WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3`,
      [merchantId, customerId, currency],
    );
    return rows.length === 0 ? 0 : Number(rows[0].balance);
  }

  /** Every currency's balance of the customer. */
  async balances(merchantId: string, customerId: string): Promise<Record<string, number>> {
    const rows: { currency: string; balance: string }[] = await this.dataSource.query(
      `SELECT currency, balance FROM customer_credit_balances
        WHERE merchant_id = $1 AND customer_id = $2 ORDER BY currency`,
      [merchantId, customerId],
    );
    return Object.fromEntries(rows.map((r) => [r.currency, Number(r.balance)]));
  }

  async entries(merchantId: string, customerId: string, limit = 100): Promise<CreditEntryView[]> {
    const rows: EntryRow[] = await this.dataSource.query(
      `SELECT id, customer_id, currency, amount, balance_after, reason, source_type, source_id,
              description, created_at
         FROM customer_credit_entries
        WHERE merchant_id = $1 AND customer_id = $2
        ORDER BY created_at DESC, id DESC
        LIMIT $3`,
      [merchantId, customerId, limit],
    );
    return rows.map(entryView);
  }

  /**
   * Adds credit. A grant for a source already granted (a retry) changes nothing and returns
   * the existing entry.
   */
  async grant(em: EntityManager, grant: CreditGrant): Promise<CreditEntryView> {
    if (!Number.isSafeInteger(grant.amount) || grant.amount <= 0) {
      throw new RangeError(
        `a credit grant must be a positive number of cents, got ${grant.amount}`,
      );
    }
    const existing = await this.entryFor(
      em,
      grant.merchantId,
      grant.sourceType,
      grant.sourceId,
      grant.reason,
    );
    if (existing) return existing;
    const now = this.clock.now();
    const [{ balance }]: { balance: string }[] = await em.query(
      `INSERT INTO customer_credit_balances (merchant_id, customer_id, currency, balance, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (merchant_id, customer_id, currency)
       DO UPDATE SET balance = customer_credit_balances.balance + EXCLUDED.balance,
                     updated_at = EXCLUDED.updated_at
       RETURNING balance`,
      [grant.merchantId, grant.customerId, grant.currency, grant.amount, now],
    );
    return this.append(em, {
      ...grant,
      amount: grant.amount,
      balanceAfter: Number(balance),
      now,
    });
  }

  /**
   * Consumes up to `upTo` cents of credit for a source (an invoice) and returns what was
   * consumed (0 when there is no credit). A second consumption for the same source returns
   * the first one's amount and consumes nothing more.
   */
  async consume(em: EntityManager, use: CreditConsumption): Promise<number> {
    if (!Number.isSafeInteger(use.upTo) || use.upTo < 0) {
      throw new RangeError(`credit to consume must be cents >= 0, got ${use.upTo}`);
    }
    const existing = await this.entryFor(
      em,
      use.merchantId,
      use.sourceType,
      use.sourceId,
      'invoice',
    );
    if (existing) return -existing.amount;
    if (use.upTo === 0) return 0;
    const rows: { balance: string }[] = await em.query(
      `SELECT balance FROM customer_credit_balances
        WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3
        FOR UPDATE`,
      [use.merchantId, use.customerId, use.currency],
    );
    const balance = rows.length === 0 ? 0 : Number(rows[0].balance);
    const applied = Math.min(balance, use.upTo);
    if (applied === 0) return 0;
    const now = this.clock.now();
    await em.query(
      `UPDATE customer_credit_balances SET balance = balance - $4, updated_at = $5
        WHERE merchant_id = $1 AND customer_id = $2 AND currency = $3`,
      [use.merchantId, use.customerId, use.currency, applied, now],
    );
    await this.append(em, {
      ...use,
      amount: -applied,
      reason: 'invoice',
      balanceAfter: balance - applied,
      now,
    });
    return applied;
  }

  /**
   * Many customers' balances at once, by `merchantId|customerId|currency` (0 when none).
   * With `lock`, the balance rows are locked until the transaction ends, in key order (so
   * two batches cannot deadlock): what is read is what a following consumeMany can consume.
   */
  async balancesOf(
    em: EntityManager,
    keys: readonly CreditKey[],
    options: { lock: boolean },
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const unique = [...new Map(keys.map((k) => [creditKey(k), k])).entries()].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    for (const [key] of unique) out.set(key, 0);
    if (unique.length === 0) return out;
    const rows: { k: string; balance: string }[] = await em.query(
      `SELECT b.merchant_id || '|' || b.customer_id || '|' || b.currency AS k, b.balance
         FROM customer_credit_balances b
         JOIN unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(m, c, cur, n)
           ON b.merchant_id = u.m AND b.customer_id = u.c AND b.currency = u.cur
        ORDER BY u.n
        ${options.lock ? 'FOR UPDATE OF b' : ''}`,
      [
        unique.map(([, k]) => k.merchantId),
        unique.map(([, k]) => k.customerId),
        unique.map(([, k]) => k.currency),
      ],
    );
    for (const r of rows) out.set(r.k, Number(r.balance));
    return out;
  }

  /**
   * Consumes exactly `amount` of credit for each source (an invoice, a cycle), set-based: a
   * source that already consumed is skipped, and the database refuses a balance that would
   * go negative. Callers lock the balances first (balancesOf with lock) and never ask for
   * more than they read. Three statements whatever the number of sources.
   */
  async consumeMany(
    em: EntityManager,
    uses: readonly (Omit<CreditConsumption, 'upTo'> & { amount: number })[],
  ): Promise<void> {
    const wanted = uses.filter((u) => u.amount > 0);
    if (wanted.length === 0) return;
    for (const u of wanted) {
      if (!Number.isSafeInteger(u.amount)) {
        throw new RangeError(`credit to consume must be whole cents, got ${u.amount}`);
      }
    }
    const existing: { merchant_id: string; source_type: string; source_id: string }[] =
      await em.query(
        `SELECT e.merchant_id, e.source_type, e.source_id FROM customer_credit_entries e
           JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(m, t, s)
             ON e.merchant_id = u.m AND e.source_type = u.t AND e.source_id = u.s
          WHERE e.reason = 'invoice'`,
        [
          wanted.map((u) => u.merchantId),
          wanted.map((u) => u.sourceType),
          wanted.map((u) => u.sourceId),
        ],
      );
    const done = new Set(existing.map((e) => `${e.merchant_id}|${e.source_type}|${e.source_id}`));
    const todo = wanted.filter((u) => !done.has(`${u.merchantId}|${u.sourceType}|${u.sourceId}`));
    if (todo.length === 0) return;
    const balances = await this.balancesOf(em, todo, { lock: true });
    const now = this.clock.now();
    const totals = new Map<string, number>();
    const entries = todo.map((u) => {
      const key = creditKey(u);
      const after = balances.get(key)! - u.amount;
      if (after < 0) {
        throw new RangeError(`customer ${u.customerId} has less credit than ${u.amount} cents`);
      }
      balances.set(key, after);
      totals.set(key, (totals.get(key) ?? 0) + u.amount);
      return { ...u, after };
    });
    const keys = [...totals.keys()];
    await em.query(
      `UPDATE customer_credit_balances b SET balance = b.balance - u.amount, updated_at = $5
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(m, c, cur, amount)
        WHERE b.merchant_id = u.m AND b.customer_id = u.c AND b.currency = u.cur`,
      [
        keys.map((k) => k.split('|')[0]),
        keys.map((k) => k.split('|')[1]),
        keys.map((k) => k.split('|').slice(2).join('|')),
        keys.map((k) => totals.get(k)!),
        now,
      ],
    );
    await em.query(
      `INSERT INTO customer_credit_entries
         (id, merchant_id, customer_id, currency, amount, balance_after, reason, source_type,
          source_id, description, created_by, created_at)
       SELECT u.id, u.m, u.c, u.cur, -u.amount, u.after, 'invoice', u.t, u.s, u.d, NULL, $10
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
                     $7::text[], $8::text[], $9::text[]) AS u(id, m, c, cur, amount, after, t, s, d)`,
      [
        entries.map(() => newId()),
        entries.map((e) => e.merchantId),
        entries.map((e) => e.customerId),
        entries.map((e) => e.currency),
        entries.map((e) => e.amount),
        entries.map((e) => e.after),
        entries.map((e) => e.sourceType),
        entries.map((e) => e.sourceId),
        entries.map((e) => e.description),
        now,
      ],
    );
  }

  private async entryFor(
    em: EntityManager,
    merchantId: string,
    sourceType: string,
    sourceId: string,
    reason: CreditReason,
  ): Promise<CreditEntryView | null> {
    const rows: EntryRow[] = await em.query(
      `SELECT id, customer_id, currency, amount, balance_after, reason, source_type, source_id,
              description, created_at
         FROM customer_credit_entries
        WHERE merchant_id = $1 AND source_type = $2 AND source_id = $3 AND reason = $4`,
      [merchantId, sourceType, sourceId, reason],
    );
    return rows.length === 0 ? null : entryView(rows[0]);
  }

  private async append(
    em: EntityManager,
    entry: {
      merchantId: string;
      customerId: string;
      currency: string;
      amount: number;
      balanceAfter: number;
      reason: CreditReason;
      sourceType: string;
      sourceId: string;
      description: string;
      createdBy?: string | null;
      now: Date;
    },
  ): Promise<CreditEntryView> {
    const id = newId();
    const rows: EntryRow[] = await em.query(
      `INSERT INTO customer_credit_entries
         (id, merchant_id, customer_id, currency, amount, balance_after, reason, source_type,
          source_id, description, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       RETURNING id, customer_id, currency, amount, balance_after, reason, source_type,
                 source_id, description, created_at`,
      [
        id,
        entry.merchantId,
        entry.customerId,
        entry.currency,
        entry.amount,
        entry.balanceAfter,
        entry.reason,
        entry.sourceType,
        entry.sourceId,
        entry.description,
        entry.createdBy ?? null,
        entry.now,
      ],
    );
    return entryView(rows[0]);
  }
}

function entryView(row: EntryRow): CreditEntryView {
  return {
    id: row.id,
    customer_id: row.customer_id,
    currency: row.currency,
    amount: Number(row.amount),
    balance_after: Number(row.balance_after),
    reason: row.reason,
    source_type: row.source_type,
    source_id: row.source_id,
    description: row.description,
    created_at: new Date(row.created_at).toISOString(),
  };
}
