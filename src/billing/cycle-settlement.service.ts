import { Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InvoicePaymentEvent, InvoicesService } from '../invoices/invoices.service';
import { SubscriptionLedger } from '../subscriptions/subscription-ledger';
import { BillingRepository } from './billing.repository';

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
    private readonly repository: BillingRepository,
    private readonly ledger: SubscriptionLedger,
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
    const settled = await this.repository.settleCycleOfInvoice(
      em,
      event.invoice.id,
      event.transactionId,
    );
    if (settled === null) return;
    if (await this.repository.hasOpenCycle(em, settled.subscriptionId)) return;
    await this.ledger.reactivateAfterPayment(
      em,
      settled.subscriptionId,
      `the invoice of the ${settled.billDate} billing was paid (${event.source})`,
    );
  }
}
