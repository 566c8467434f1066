import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  DisputeChange,
  DisputeObserver,
  DisputeObservers,
} from '../ledger/disputes/dispute-observers';
import { Clock, CLOCK } from '../platform/clock/clock';
import { LedgerChange, SubscriptionLedger } from '../subscriptions/subscription-ledger';
import { BillingRepository } from './billing.repository';
import { disputeReactions } from './core/dispute-policy';

/**
 * A dispute on a subscription's payment is a billing event (docs/billing-run.md,
 * "Disputes"): the cycle it paid is marked disputed, the subscription records the dispute,
 * and the merchant's dispute_action decides whether it is paused or cancelled. Runs inside
 * the dispute's transaction; a batch of disputes is a constant number of statements.
 */
@Injectable()
export class BillingDisputeObserver implements DisputeObserver, OnModuleInit {
  constructor(
    private readonly disputes: DisputeObservers,
    private readonly repository: BillingRepository,
    private readonly subscriptions: SubscriptionLedger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.disputes.register(this);
  }

  async onDisputeChanges(em: EntityManager, changes: readonly DisputeChange[]): Promise<void> {
    const cycles = await this.repository.cyclesPaidBy(
      em,
      changes.map((c) => c.paymentId),
    );
    if (cycles.length === 0) return; // not a subscription's payment
    const byPayment = new Map(cycles.map((c) => [`${c.merchantId}|${c.transactionId}`, c]));
    const now = this.clock.now();
    await this.repository.markDisputed(
      em,
      changes.flatMap((d) => {
        const c = byPayment.get(`${d.merchantId}|${d.paymentId}`);
        return c && d.kind === 'opened' ? [{ cycleId: c.id, disputeId: d.disputeId }] : [];
      }),
      now,
    );
    const settings = await this.repository.settingsFor(em, [
      ...new Set(cycles.map((c) => c.merchantId)),
    ]);
    const loaded = await this.subscriptions.loadForBilling(
      em,
      cycles.map((c) => c.subscriptionId),
      { lock: true },
    );
    const live = new Set(loaded.map((s) => s.id));
    const ledgerChanges: LedgerChange[] = [];
    for (const d of changes) {
      const c = byPayment.get(`${d.merchantId}|${d.paymentId}`);
      if (!c || !live.has(c.subscriptionId)) continue;
      const reactions = disputeReactions(settings.get(c.merchantId)!.disputeAction, {
        kind: d.kind,
        disputeId: d.disputeId,
        paymentId: d.paymentId,
        amount: d.amountCents,
        reasonCode: d.reasonCode,
        billDate: c.billDate,
      });
      for (const r of reactions) {
        ledgerChanges.push(
          r.kind === 'noted'
            ? { kind: 'noted', subscriptionId: c.subscriptionId, detail: r.detail }
            : { kind: 'status', subscriptionId: c.subscriptionId, to: r.to, reason: r.reason },
        );
      }
    }
    await this.subscriptions.apply(em, loaded, ledgerChanges, 'system');
  }
}
