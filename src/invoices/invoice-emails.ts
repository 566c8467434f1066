import { Inject, Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { Merchant } from '../accounts/merchant.entity';
import { EmailToQueue, OutboxService } from '../notifications/outbox.service';
import { Clock, CLOCK } from '../platform/clock/clock';
import {
  formatDate,
  invoiceDocument,
  InvoiceDocument,
  invoiceMoney,
  paymentMethodLabel,
} from './invoice-document';
import { Invoice } from './invoice.entity';
import { HostedUrls } from './hosted-urls';
import { InvoiceTemplates } from './templates';

export type InvoiceEmailKind =
  'invoice_new' | 'invoice_reminder' | 'invoice_overdue' | 'invoice_receipt' | 'renewal_failed';

export interface ReceiptDetails {
  amount: number;
  surcharge: number;
  method: string;
  maskedAccount: string;
  transactionId: string | null;
  paidAt: Date;
}

export interface EmailExtras {
  receipt?: ReceiptDetails;
  /** Why a renewal charge failed, in words the customer can act on. */
  reason?: string;
  /** When the renewal charge will be tried again ("2030-06-05"), if it will. */
  retryOn?: string | null;
}

const TEMPLATES: Record<InvoiceEmailKind, string> = {
  invoice_new: 'invoice-new',
  invoice_reminder: 'invoice-reminder',
  invoice_overdue: 'invoice-overdue',
  invoice_receipt: 'invoice-receipt',
  renewal_failed: 'renewal-failed',
};

function subjectFor(
  kind: InvoiceEmailKind,
  doc: InvoiceDocument,
  extras: { receipt?: { formattedAmount: string } },
): string {
  switch (kind) {
    case 'invoice_new':
      return `Invoice ${doc.number} from ${doc.companyName}: ${doc.amountDue} due ${doc.dueDate}`;
    case 'invoice_reminder':
      return `Reminder: invoice ${doc.number} from ${doc.companyName} is due ${doc.dueDate}`;
    case 'invoice_overdue':
      return `Overdue: invoice ${doc.number} from ${doc.companyName} was due ${doc.dueDate}`;
    case 'invoice_receipt':
      return `Receipt: ${extras.receipt?.formattedAmount ?? doc.amountPaid} paid to ${doc.companyName} (invoice ${doc.number})`;
    case 'renewal_failed':
      return `Action needed: your payment to ${doc.companyName} did not go through (invoice ${doc.number})`;
  }
}

/** Who an invoice's email goes to: email_to, else the bill-to address's email; '' when none. */
export function recipientOf(invoice: Invoice): string {
  return invoice.emailTo || invoice.billTo.email;
}

/** Whether the invoice's send_via asks for email at all. */
export function sendsEmail(invoice: Invoice): boolean {
  return invoice.sendVia === 'email' || invoice.sendVia === 'both';
}

/**
 * The invoice emails (new invoice, reminder, overdue notice, receipt, failed renewal),
 * rendered from handlebars templates in HTML and text and queued in the caller's
 * transaction. Each follows the invoice's send_via: only "email" and "both" send.
 */
@Injectable()
export class InvoiceEmails {
  constructor(
    private readonly outbox: OutboxService,
    private readonly templates: InvoiceTemplates,
    private readonly urls: HostedUrls,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Queues the email; false when send_via or a missing address means there is none to send. */
  async enqueue(
    em: EntityManager,
    kind: InvoiceEmailKind,
    invoice: Invoice,
    extras: EmailExtras = {},
  ): Promise<boolean> {
    const [queued] = await this.enqueueMany(em, [{ kind, invoice, extras }]);
    return queued;
  }

  /**
   * Queues many emails in two statements (the merchants, one multi-row insert into the
   * outbox); for each, false when send_via or a missing address means there is none to send.
   */
  async enqueueMany(
    em: EntityManager,
    emails: readonly { kind: InvoiceEmailKind; invoice: Invoice; extras?: EmailExtras }[],
  ): Promise<boolean[]> {
    const sendable = emails.map((e) => sendsEmail(e.invoice) && recipientOf(e.invoice) !== '');
    const merchantIds = [
      ...new Set(emails.filter((_, i) => sendable[i]).map((e) => e.invoice.merchantId)),
    ];
    if (merchantIds.length === 0) return sendable;
    const merchants = new Map(
      (await em.getRepository(Merchant).findBy({ id: In(merchantIds) })).map((m) => [m.id, m]),
    );
    const queue: EmailToQueue[] = [];
    emails.forEach((e, i) => {
      if (!sendable[i]) return;
      const merchant = merchants.get(e.invoice.merchantId);
      if (!merchant) throw new Error(`merchant ${e.invoice.merchantId} not found`);
      queue.push(this.render(e.kind, e.invoice, merchant, e.extras ?? {}));
    });
    await this.outbox.enqueueMany(em, queue);
    return sendable;
  }

  private render(
    kind: InvoiceEmailKind,
    invoice: Invoice,
    merchant: Merchant,
    extras: EmailExtras,
  ): EmailToQueue {
    const to = recipientOf(invoice);
    const doc = invoiceDocument(invoice, {
      merchant,
      now: this.clock.now(),
      hostedUrl: this.urls.invoicePage(invoice.publicToken),
    });
    const money = invoiceMoney(invoice, merchant);
    const receipt = extras.receipt
      ? {
          amount: money.money(extras.receipt.amount),
          surcharge: extras.receipt.surcharge > 0 ? money.money(extras.receipt.surcharge) : '',
          method: paymentMethodLabel(extras.receipt.method),
          maskedAccount: extras.receipt.maskedAccount,
          transactionId: extras.receipt.transactionId ?? '',
          paidOn: formatDate(extras.receipt.paidAt, merchant.timezone, doc.locale),
        }
      : null;
    // A retry date is a calendar date: noon UTC names the same day in every zone's reading.
    const retryOn = extras.retryOn
      ? formatDate(new Date(`${extras.retryOn}T12:00:00Z`), 'UTC', doc.locale)
      : '';
    const view = { doc, receipt, reason: extras.reason ?? '', retryOn };
    const name = TEMPLATES[kind];
    return {
      merchantId: invoice.merchantId,
      kind,
      subjectId: invoice.id,
      fromName: doc.companyName,
      to,
      replyTo: invoice.payableTo.email || null,
      subject: subjectFor(
        kind,
        doc,
        receipt ? { receipt: { formattedAmount: receipt.amount } } : {},
      ),
      text: this.templates.render(`email/${name}.txt.hbs`, view),
      html: this.templates.render(`email/${name}.html.hbs`, view),
    };
  }
}
