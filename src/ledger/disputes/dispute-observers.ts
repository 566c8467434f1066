import type { EntityManager } from 'typeorm';

/** A dispute opened on a payment, or closed. */
export interface DisputeChange {
  kind: 'opened' | 'won' | 'lost';
  merchantId: string;
  disputeId: string;
  /** The disputed gateway transaction (the payment). */
  paymentId: string;
  amountCents: number;
  currency: string;
  reasonCode: number;
  occurredAt: Date;
}

export interface DisputeObserver {
  onDisputeChanges(manager: EntityManager, changes: readonly DisputeChange[]): Promise<void>;
}

/**
 * Modules that must react to disputes (billing marks the cycle disputed and applies the
 * merchant's policy) register at boot; the ledger notifies inside the dispute's transaction.
 */
export class DisputeObservers {
  private readonly observers: DisputeObserver[] = [];

  register(observer: DisputeObserver): void {
    this.observers.push(observer);
  }

  async notify(manager: EntityManager, changes: readonly DisputeChange[]): Promise<void> {
    if (changes.length === 0) return;
    for (const o of this.observers) await o.onDisputeChanges(manager, changes);
  }
}
