import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { EventLog, NewEvent } from '../../events/event-log';
import { GatewayTransactionRow } from './transaction.entity';
import {
  TransactionChange,
  TransactionChangeKind,
  TransactionObservers,
} from './transaction-observers';
import { transactionView } from './transaction.views';

/**
 * The charge events of the event log (docs/webhooks.md), from the gateway's transaction
 * observers, so they are written in the transaction that moves the money. The object is
 * the charge as GET /api/transaction/{id} shows it; a refund names the charge it refunds,
 * whose amount_refunded has grown. Credits (money to the card) and settlement are not charges.
 */
const CHARGE_EVENT: Partial<Record<TransactionChangeKind, string>> = {
  sold: 'charge.succeeded',
  authorized: 'charge.succeeded',
  captured: 'charge.captured',
  voided: 'charge.voided',
  refunded: 'charge.refunded',
  declined: 'charge.failed',
};

@Injectable()
export class ChargeEvents implements OnModuleInit {
  constructor(
    private readonly observers: TransactionObservers,
    private readonly eventLog: EventLog,
  ) {}

  onModuleInit(): void {
    this.observers.register({
      onTransactionChanges: (em, changes) => this.record(em, changes),
    });
  }

  private async record(em: EntityManager, changes: readonly TransactionChange[]): Promise<void> {
    const wanted = changes.filter((c) => CHARGE_EVENT[c.kind] !== undefined);
    if (wanted.length === 0) return;
    const chargeIdOf = (c: TransactionChange) =>
      c.kind === 'refunded' ? (c.relatedTransactionId ?? c.transactionId) : c.transactionId;
    const ids = [...new Set(wanted.map(chargeIdOf))];
    const rows = await em.getRepository(GatewayTransactionRow).findBy({ id: In(ids) });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const events: NewEvent[] = [];
    for (const change of wanted) {
      const row = byId.get(chargeIdOf(change));
      if (!row || row.merchantId !== change.merchantId) continue;
      // A declined credit is not a failed charge; a voided refund is not a voided charge.
      if (row.type === 'credit' || row.type === 'refund') continue;
      events.push({
        merchantId: change.merchantId,
        type: CHARGE_EVENT[change.kind]!,
        objectType: 'charge',
        objectId: row.id,
        data: transactionView(row),
      });
    }
    await this.eventLog.record(em, events);
  }
}
