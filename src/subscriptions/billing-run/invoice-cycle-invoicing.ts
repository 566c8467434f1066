import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sumCents } from '../../billing-calc';
import { Merchant } from '../../accounts/merchant.entity';
import { VaultService } from '../../gateway/vault/vault.service';
import { VaultAddress } from '../../gateway/vault/vault.entities';
import { InvoicesService } from '../../invoices/invoices.service';
import { CycleInvoicing } from './cycle-invoicing';

/**
 * Cycle invoices through the invoices module: one invoice per subscription cycle, keyed by
 * the bill date, emailed to the customer's billing address when there is one.
 */
@Injectable()
export class InvoiceCycleInvoicing implements CycleInvoicing {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly vault: VaultService,
  ) {}

  async createCycleInvoice(
    em: EntityManager,
    input: Parameters<CycleInvoicing['createCycleInvoice']>[1],
  ) {
    const merchant = await em.getRepository(Merchant).findOneByOrFail({ id: input.merchantId });
    const customer = await this.vault.findCustomer(input.merchantId, input.customerId, { em });
    const billing = customer?.defaultBillingAddressId
      ? await em.getRepository(VaultAddress).findOneBy({
          merchantId: input.merchantId,
          customerId: input.customerId,
          id: customer.defaultBillingAddressId,
        })
      : null;
    const charged = input.lines.filter((l) => l.kind !== 'discount');
    const discounts = sumCents(
      input.lines.filter((l) => l.kind === 'discount').map((l) => l.amount),
      'discounts',
    );
    const { invoice } = await this.invoices.createForSubscriptionCycle(
      em,
      input.merchantId,
      { subscriptionId: input.subscriptionId, billingCycleKey: input.billDate },
      {
        currency: input.currency,
        company_name: merchant.name,
        customer_id: input.customerId,
        ...(billing ? { bill_to: { id: billing.id } } : {}),
        items: charged.map((l) => ({
          name: l.name || (l.kind === 'base' ? 'Subscription' : 'Add-on'),
          description: `Billing ${input.billingNumber} of subscription ${input.subscriptionId}`,
          unit_price: l.amount,
          quantity: 1,
        })),
        // Discounts come off the invoice as a negative adjustment; a fee program's card fee
        // is charged on top of the invoice total, as on the hosted page.
        adjustment: -discounts,
        date_due: `${input.billDate}T12:00:00.000Z`,
        payment_methods: ['card'],
        card_processor_id: input.processorId,
        allow_partial_payment: false,
        send_via: billing?.email ? 'email' : 'none',
        ...(billing?.email ? { email_to: billing.email } : {}),
        message: `Billing ${input.billingNumber} of your subscription, for ${input.billDate}.`,
      },
    );
    return { invoiceId: invoice.id };
  }

  async recordCyclePayment(
    em: EntityManager,
    invoiceId: string,
    transactionId: string,
    amount: number,
  ) {
    const merchantId = await this.invoices.merchantIdOf(em, invoiceId);
    const invoice = await this.invoices.get(merchantId, invoiceId, em);
    // The invoice is settled by its own amount; anything charged above it was the card fee.
    const settles = Math.min(amount, invoice.amountDue);
    await this.invoices.recordPayment(em, merchantId, invoiceId, {
      transactionId,
      amount: settles,
      surcharge: amount - settles,
      chargedAmount: amount,
      method: 'card',
      responseText: 'renewal charged by the billing run',
    });
  }

  async notifyCycleFailed(
    em: EntityManager,
    invoiceId: string,
    failure: { message: string; retryOn: string | null },
  ) {
    const merchantId = await this.invoices.merchantIdOf(em, invoiceId);
    const reason = failure.retryOn
      ? `${failure.message}. We will try again on ${failure.retryOn}.`
      : failure.message;
    await this.invoices.enqueueRenewalFailedEmail(em, merchantId, invoiceId, reason);
  }

  private async merchantOf(em: EntityManager, invoiceId: string): Promise<string> {
    const rows: { merchant_id: string }[] = await em.query(
      `SELECT merchant_id FROM invoices WHERE id = $1`,
      [invoiceId],
    );
    if (rows.length === 0) throw new Error(`invoice ${invoiceId} not found`);
    return rows[0].merchant_id;
  }
}
