import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  TransactionChange,
  TransactionObserver,
  TransactionObservers,
} from '../gateway/transactions/transaction-observers';
import { TransactionsService } from '../gateway/transactions/transactions.service';
import {
  paymentCaptured,
  refundCreated,
  settled,
  SourceType,
  UnsettledMovement,
  voided,
} from './core/posting-rules';
import { processingFee } from './core/processing-plan';
import { MerchantEntry, postEntries } from './journal';
import { ProcessingPlansService } from './processing-plans.service';
import { SandboxDisputeScheduler } from './disputes/sandbox-dispute-scheduler';

interface UnsettledRow {
  id: string;
  merchant_id: string;
  currency: string;
  source_type: SourceType;
  source_id: string;
  amount: string;
}

/**
 * Writes the ledger for every money movement of the gateway, inside the movement's own
 * database transaction (the gateway API and the payments API alike: a payment intent's
 * payment is a gateway transaction). A batch of changes is a constant number of statements.
 */
@Injectable()
export class LedgerObserver implements TransactionObserver, OnModuleInit {
  constructor(
    private readonly observers: TransactionObservers,
    private readonly gateway: TransactionsService,
    private readonly plans: ProcessingPlansService,
    private readonly disputes: SandboxDisputeScheduler,
  ) {}

  onModuleInit(): void {
    this.observers.register(this);
  }

  async onTransactionChanges(
    em: EntityManager,
    changes: readonly TransactionChange[],
  ): Promise<void> {
    const now = changes[0]?.occurredAt;
    if (now === undefined) return;
    const drafts: MerchantEntry[] = [];

    // Captured money: a payment and its processing fee.
    const captures = changes.filter(
      (c) => (c.kind === 'sold' || c.kind === 'captured') && c.amountCents > 0,
    );
    if (captures.length > 0) {
      const [plans, facts] = await Promise.all([
        this.plans.plansOf(em, [...new Set(captures.map((c) => c.merchantId))]),
        this.gateway.paymentFactsOf(
          em,
          captures.map((c) => c.transactionId),
        ),
      ]);
      for (const c of captures) {
        const fact = facts.get(c.transactionId) ?? {
          paymentType: 'card' as const,
          cardBrand: null,
        };
        const fee = processingFee(plans.get(c.merchantId)!, { amount: c.amountCents, ...fact });
        for (const e of paymentCaptured({
          transactionId: c.transactionId,
          amount: c.amountCents,
          fee,
        }))
          drafts.push({ ...e, merchantId: c.merchantId, currency: c.currency });
      }
    }

    // Money back to a cardholder: refunds and credits.
    for (const c of changes) {
      if ((c.kind === 'refunded' || c.kind === 'credited') && c.amountCents > 0) {
        for (const e of refundCreated({
          transactionId: c.transactionId,
          amount: c.amountCents,
          description: c.kind === 'credited' ? 'credit' : 'refund',
        }))
          drafts.push({ ...e, merchantId: c.merchantId, currency: c.currency });
      }
    }
    // New movements first, so that a settlement in the same batch sees them.
    if (drafts.length > 0) await postEntries(em, now, drafts.splice(0));

    // Voids and settlements act on what the ledger recorded as unsettled for a transaction.
    const closing = changes.filter((c) => c.kind === 'voided' || c.kind === 'settled');
    if (closing.length === 0) return;
    const rows: UnsettledRow[] = await em.query(
      `SELECT id, merchant_id, currency, source_type, source_id, amount FROM ledger_transactions
        WHERE source_id = ANY($1::text[]) AND merchant_id = ANY($2::text[]) AND settlement_status = 'unsettled'
        ORDER BY created_at, id FOR UPDATE`,
      [closing.map((c) => c.transactionId), [...new Set(closing.map((c) => c.merchantId))]],
    );
    const bySource = new Map<string, UnsettledRow[]>();
    for (const r of rows)
      bySource.set(`${r.merchant_id}|${r.source_id}`, [
        ...(bySource.get(`${r.merchant_id}|${r.source_id}`) ?? []),
        r,
      ]);

    const closed: string[] = [];
    /** Ledger transaction → the gateway transaction whose settlement closed it. */
    const settledBy = new Map<string, string>();
    const settledPayments: {
      merchantId: string;
      paymentId: string;
      currency: string;
      amount: number;
    }[] = [];
    for (const c of closing) {
      const open = bySource.get(`${c.merchantId}|${c.transactionId}`) ?? [];
      if (open.length === 0) continue; // an authorization that was never captured moves nothing
      const currency = open[0].currency;
      const movements: UnsettledMovement[] = open.map((r) => ({
        sourceType: r.source_type,
        amount: Number(r.amount),
      }));
      const entries =
        c.kind === 'voided' ? voided(c.transactionId, movements) : [settled(movements)];
      for (const e of entries) drafts.push({ ...e, merchantId: c.merchantId, currency });
      closed.push(...open.map((r) => r.id));
      if (c.kind === 'settled') for (const r of open) settledBy.set(r.id, c.transactionId);
      if (c.kind === 'settled') {
        for (const r of open) {
          if (r.source_type === 'payment')
            settledPayments.push({
              merchantId: c.merchantId,
              paymentId: c.transactionId,
              currency,
              amount: Number(r.amount),
            });
        }
      }
      bySource.delete(`${c.merchantId}|${c.transactionId}`);
    }
    await postEntries(em, now, drafts);
    if (closed.length > 0) {
      // The settlement batch that settled each one (none for a void), from the gateway.
      const batches = await this.gateway.paymentFactsOf(em, [...new Set(settledBy.values())]);
      await em.query(
        `UPDATE ledger_transactions t
            SET settlement_status = 'settled', settled_at = $3, updated_at = $3, settlement_id = u.settlement_id
           FROM unnest($1::text[], $2::text[]) AS u(id, settlement_id)
          WHERE t.id = u.id`,
        [
          closed,
          closed.map((id) => {
            const tx = settledBy.get(id);
            return tx === undefined ? null : (batches.get(tx)?.settlementBatchId ?? null);
          }),
          now,
        ],
      );
    }
    await this.disputes.scheduleFor(em, now, settledPayments);
  }
}
