import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InvoicePaymentEvent, InvoicesService } from '../../invoices/invoices.service';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { SubscriptionsService } from '../subscriptions.service';

/**
 * A cycle's invoice paid outside the billing run (the customer on the hosted page, or the
 * merchant marking it paid) settles the cycle: no more retries, and a past-due
 * subscription with no other open cycle is active again, its billing anchor unchanged.
 * Runs inside the transaction that records the payment.
 */
@Injectable()
export class CycleSettlementService implements OnModuleInit {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly subscriptions: SubscriptionsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.invoices.registerPaymentListener((em, event) => this.onInvoicePayment(em, event));
  }

  async onInvoicePayment(em: EntityManager, event: InvoicePaymentEvent): Promise<void> {
    // The billing run records its own charges and moves the subscription itself.
    if (
      event.source === 'recorded' ||
      event.invoice.status !== 'paid' ||
      !event.invoice.subscriptionId
    )
      return;
    const [settled]: [{ subscription_id: string; bill_date: string }[], number] = await em.query(
      `UPDATE billing_cycles SET status = 'paid', next_retry_date = NULL, paid_transaction_id = $2, updated_at = $3
        WHERE invoice_id = $1 AND status IN ('open', 'failed')
        RETURNING subscription_id, bill_date`,
      [event.invoice.id, event.transactionId, this.clock.now()],
    );
    if (settled.length === 0) return;
    const { subscription_id: subscriptionId, bill_date: billDate } = settled[0];
    const open: unknown[] = await em.query(
      `SELECT 1 FROM billing_cycles WHERE subscription_id = $1 AND status = 'open' LIMIT 1`,
      [subscriptionId],
    );
    if (open.length > 0) return;
    await this.subscriptions.reactivateAfterPayment(em, subscriptionId, 'system', {
      reason: `the invoice of the ${billDate} billing was paid (${event.source})`,
    });
  }
}
