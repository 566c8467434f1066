import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Merchant } from '../accounts/merchant.entity';
import { sumCents } from '../billing-calc';
import type { LocalDate } from '../billing-calc/calendar';
import { VaultService } from '../gateway/vault/vault.service';
import { moneyFormat } from '../platform/money/currency';
import { InvoicesService } from './invoices.service';

/** The invoice of one subscription cycle, as the billing domain describes it. */
export interface CycleInvoiceDraft {
  merchantId: string;
  subscriptionId: string;
  customerId: string;
  billDate: LocalDate;
  billingNumber: number;
  currency: string;
  lines: readonly {
    kind: 'base' | 'add_on' | 'discount';
    id: string | null;
    name: string;
    amount: number;
  }[];
  /** Prorated charges a change left for this cycle: each an item saying how it was worked out. */
  pendingItems?: readonly { name: string; description: string; amount: number }[];
  /** Customer credit this cycle consumed (cents): comes off the invoice before any charge. */
  creditApplied?: number;
  /** The invoice's key among the subscription's invoices; the bill date when absent. */
  cycleKey?: string;
  /** The note on the invoice; "Billing N of your subscription, for <date>." when absent. */
  message?: string;
  processorId: string;
}

function creditText(currency: string, cents: number): string {
  return moneyFormat(currency).money(cents);
}

/** A renewal charged by the billing run, to be recorded on its cycle's invoice. */
export interface CyclePayment {
  merchantId: string;
  invoiceId: string;
  transactionId: string;
  /** What the gateway charged, a fee program's card fee included. */
  amountCharged: number;
  processorId: string;
}

/** A renewal that failed: the customer is emailed the invoice's hosted link. */
export interface CycleFailure {
  merchantId: string;
  invoiceId: string;
  /** The gateway's words for the decline. */
  message: string;
  /** When it will be tried again, if it will. */
  retryOn: LocalDate | null;
}

/**
 * Cycle invoices, the port the billing domain reaches invoicing through: one invoice per
 * subscription cycle (keyed by its bill date), paid by the renewal or dunned. Every method
 * takes a whole batch and runs in the caller's transaction in a constant number of statements.
 */
@Injectable()
export class CycleInvoices {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly vault: VaultService,
  ) {}

  /** Creates the cycles' invoices (or finds those created before); their ids, in order. */
  async create(em: EntityManager, drafts: readonly CycleInvoiceDraft[]): Promise<string[]> {
    if (drafts.length === 0) return [];
    const merchants = new Map(
      (
        await em
          .getRepository(Merchant)
          .findBy({ id: In([...new Set(drafts.map((d) => d.merchantId))]) })
      ).map((m) => [m.id, m]),
    );
    const addresses = await this.vault.defaultBillingAddresses(em, drafts);
    const invoices = await this.invoices.createForSubscriptionCycles(
      em,
      drafts.map((d) => {
        const billing = addresses.get(`${d.merchantId}|${d.customerId}`) ?? null;
        const charged = d.lines.filter((l) => l.kind !== 'discount');
        const discounts = sumCents(
          d.lines.filter((l) => l.kind === 'discount').map((l) => l.amount),
          'discounts',
        );
        return {
          merchantId: d.merchantId,
          cycle: { subscriptionId: d.subscriptionId, billingCycleKey: d.cycleKey ?? d.billDate },
          body: {
            currency: d.currency,
            company_name: merchants.get(d.merchantId)?.name ?? '',
            customer_id: d.customerId,
            ...(billing
              ? {
                  bill_to: {
                    id: billing.id,
                    first_name: billing.first_name,
                    last_name: billing.last_name,
                    company: billing.company,
                    address_line_1: billing.line_1,
                    address_line_2: billing.line_2,
                    city: billing.city,
                    state: billing.state,
                    postal_code: billing.postal_code,
                    country: billing.country,
                    phone: billing.phone,
                    fax: billing.fax,
                    email: billing.email,
                  },
                }
              : {}),
            items: [
              ...charged.map((l) => ({
                name: l.name || (l.kind === 'base' ? 'Subscription' : 'Add-on'),
                description: `Billing ${d.billingNumber} of subscription ${d.subscriptionId}`,
                unit_price: l.amount,
                quantity: 1,
              })),
              ...(d.pendingItems ?? []).map((p) => ({
                name: p.name,
                description: p.description.slice(0, 1000),
                unit_price: p.amount,
                quantity: 1,
              })),
            ],
            // Discounts and customer credit come off the invoice as a negative adjustment; a
            // fee program's card fee is charged on top of the invoice total, as on the hosted page.
            adjustment: -(discounts + (d.creditApplied ?? 0)),
            // The bill date alone: that day in the merchant's time zone (docs/invoices.md).
            date_due: d.billDate,
            payment_methods: ['card'],
            card_processor_id: d.processorId,
            allow_partial_payment: false,
            send_via: billing?.email ? 'email' : 'none',
            ...(billing?.email ? { email_to: billing.email } : {}),
            message:
              (d.message ?? `Billing ${d.billingNumber} of your subscription, for ${d.billDate}.`) +
              (d.creditApplied
                ? ` Your account credit of ${creditText(d.currency, d.creditApplied)} was applied.`
                : ''),
          },
        };
      }),
    );
    return invoices.map((i) => i.id);
  }

  /** Records the renewals on their invoices (paid; receipts queued). */
  async recordPayments(em: EntityManager, payments: readonly CyclePayment[]): Promise<void> {
    await this.invoices.recordPayments(
      em,
      payments.map((p) => ({
        merchantId: p.merchantId,
        invoiceId: p.invoiceId,
        transactionId: p.transactionId,
        // The invoice is settled by its own amount; anything charged above it was the card fee.
        amount: p.amountCharged,
        chargedAmount: p.amountCharged,
        method: 'card',
        processorId: p.processorId,
        responseText: 'renewal charged by the billing run',
      })),
    );
  }

  /**
   * Records invoice.payment_failed for each, and emails each customer the cycle's hosted
   * invoice link, with the retry date when there is one.
   */
  async notifyFailures(em: EntityManager, failures: readonly CycleFailure[]): Promise<void> {
    await this.invoices.recordRenewalFailures(em, failures);
    await this.invoices.enqueueRenewalFailures(
      em,
      failures.map((f) => ({
        merchantId: f.merchantId,
        invoiceId: f.invoiceId,
        reason: f.message,
        retryOn: f.retryOn,
      })),
    );
  }

  /** The invoices the customer is paying right now on the hosted page (left alone by retries). */
  paymentsInFlight(em: EntityManager, invoiceIds: readonly string[]): Promise<Set<string>> {
    return this.invoices.paymentsInFlight(em, invoiceIds);
  }
}
