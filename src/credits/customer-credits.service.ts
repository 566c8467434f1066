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
