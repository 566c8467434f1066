import type { EntityManager } from 'typeorm';

/**
 * What happened to a gateway transaction. `sold`/`authorized`/`credited`/`declined` come
 * from a new transaction, `captured` and `voided` from a follow-up on it, `refunded` from
 * the refund transaction a refund creates, `settled` from a settlement batch.
 */
export type TransactionChangeKind =
  'authorized' | 'captured' | 'sold' | 'refunded' | 'voided' | 'declined' | 'credited' | 'settled';

export interface TransactionChange {
  kind: TransactionChangeKind;
  merchantId: string;
  /** The gateway transaction row id (the spec's transaction id). */
  transactionId: string;
  /** The amount this change moves (safe integer cents), 0 for declines. */
  amountCents: number;
  /** ISO 4217. */
  currency: string;
  /** From the injected Clock. */
  occurredAt: Date;
  /** E.g. the sale a refund refers to (for `refunded`, and `voided`/`settled` of a refund). */
  relatedTransactionId?: string;
}

export interface TransactionObserver {
  onTransactionChanges(
    manager: EntityManager,
    changes: readonly TransactionChange[],
  ): Promise<void>;
}

/**
 * Modules register at boot (onModuleInit); the gateway calls notify inside its own
 * transaction, so an observer's writes commit or roll back with the money movement.
 * Batch-friendly: a batch of N outcomes is one notify call.
 */
export class TransactionObservers {
  private readonly observers: TransactionObserver[] = [];

  register(observer: TransactionObserver): void {
    this.observers.push(observer);
  }

  async notify(manager: EntityManager, changes: readonly TransactionChange[]): Promise<void> {
    if (changes.length === 0) return;
    for (const o of this.observers) await o.onTransactionChanges(manager, changes);
  }
}
