import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Merchant } from '../../accounts/merchant.entity';
import { sumCents } from '../../billing-calc';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { NotFoundError } from '../../platform/errors/errors';
import { newSecretToken } from '../../platform/ids/ids';
import { Processor } from '../../processors/processor.entity';
import { ProcessorsService, toProcessorSettings } from '../../processors/processors.service';
import {
  formatDate,
  invoiceDocument,
  InvoiceDocument,
  invoiceMoney,
  paymentMethodLabel,
} from '../invoice-document';
import { InvoicePayment } from '../invoice-payment.entity';
import { Invoice } from '../invoice.entity';
import { HostedUrls } from '../hosted-urls';
import { InvoiceTemplates } from '../templates';
import { FeeNotice, feeNotice } from './payment-fees';
import { MoneyFormat } from '../../platform/money/currency';

export interface RenderedPage {
  status: number;
  html: string;
  /** The logo's origin, allowed by the Content-Security-Policy for images. */
  imageOrigin: string | null;
}

function originOf(url: string): string | null {
  if (url === '') return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * The Content-Security-Policy of every hosted page: nothing loads from anywhere but the
 * page itself (inline styles) and the merchant's logo, no script runs, forms post only
 * to Rebill, and no site may frame the page.
 */
export function contentSecurityPolicy(imageOrigin: string | null): string {
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `img-src ${imageOrigin ? `${imageOrigin} ` : ''}data:`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Renders the hosted invoice, receipt, processing and not-found pages. */
@Injectable()
export class HostedPageRenderer {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly templates: InvoiceTemplates,
    private readonly processors: ProcessorsService,
    private readonly urls: HostedUrls,
  ) {}

  private async merchantOf(invoice: Invoice): Promise<Merchant> {
    return this.dataSource.getRepository(Merchant).findOneByOrFail({ id: invoice.merchantId });
  }

  async document(invoice: Invoice): Promise<{ doc: InvoiceDocument; merchant: Merchant }> {
    const merchant = await this.merchantOf(invoice);
    const doc = invoiceDocument(invoice, {
      merchant,
      now: this.clock.now(),
      hostedUrl: this.urls.invoicePage(invoice.publicToken),
    });
    return { doc, merchant };
  }

  /** The invoice's processor; null when it has been deleted since (paying then says so). */
  private async processorOrNull(invoice: Invoice, processorId: string): Promise<Processor | null> {
    try {
      return await this.processors.resolve(invoice.merchantId, processorId);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /**
   * What paying the amount due by card or bank costs under the invoice's processors' fee
   * programs, and the surcharge disclosure: shown on the page and printed on the PDF.
   */
  async feeNoticeFor(invoice: Invoice, format: MoneyFormat): Promise<FeeNotice> {
    const card = invoice.paymentMethods.includes('card');
    const ach = invoice.paymentMethods.includes('ach');
    const billingState = invoice.billTo.state === '' ? null : invoice.billTo.state;
    const cardProcessor = card
      ? await this.processorOrNull(invoice, invoice.cardProcessorId)
      : null;
    const achProcessor = ach ? await this.processorOrNull(invoice, invoice.achProcessorId) : null;
    return feeNotice(
      invoice.amountDue,
      format,
      cardProcessor ? toProcessorSettings(cardProcessor) : null,
      achProcessor ? toProcessorSettings(achProcessor) : null,
      billingState,
    );
  }

  notFound(): RenderedPage {
    return {
      status: 404,
      html: this.templates.render('not-found-page.hbs', {}),
      imageOrigin: null,
    };
  }

  async invoicePage(
    invoice: Invoice,
    options: {
      status?: number;
      error?: string;
      nonce?: string | null;
      inFlight?: boolean;
      postalCode?: string;
    } = {},
  ): Promise<RenderedPage> {
    const { doc, merchant } = await this.document(invoice);
    const format = invoiceMoney(invoice, merchant);
    const open = invoice.status === 'pending' || invoice.status === 'partially_paid';
    const card = invoice.paymentMethods.includes('card');
    const ach = invoice.paymentMethods.includes('ach');
    const payable =
      open && invoice.amountDue > 0 && (card || ach || invoice.paymentMethods.includes('mail'));
    const fees =
      payable && !options.inFlight && (card || ach)
        ? await this.feeNoticeFor(invoice, format)
        : {
            show: false,
            lines: [],
            disclosure: '',
            cardTotal: doc.amountDue,
            achTotal: doc.amountDue,
          };
    const html = this.templates.render('invoice-page.hbs', {
      title: `Invoice ${doc.number} from ${doc.companyName}`,
      doc,
      token: invoice.publicToken,
      nonce: options.nonce ?? newSecretToken(18),
      error: options.error ?? '',
      inFlight: options.inFlight ?? false,
      payable,
      card: card && payable,
      ach: ach && payable,
      mail: invoice.paymentMethods.includes('mail') && payable,
      partial: invoice.allowPartialPayment,
      amountDue: invoice.amountDue,
      amountDueInput: format.plain(invoice.amountDue),
      fees,
      cardButton: `Pay ${invoice.allowPartialPayment ? '' : `${fees.cardTotal} `}by card`,
      achButton: `Pay ${invoice.allowPartialPayment ? '' : `${fees.achTotal} `}by bank account`,
      postalCode: options.postalCode ?? '',
    });
    return { status: options.status ?? 200, html, imageOrigin: originOf(invoice.companyLogoUrl) };
  }

  async receiptPage(invoice: Invoice, payment: InvoicePayment): Promise<RenderedPage> {
    const { doc, merchant } = await this.document(invoice);
    const money = (cents: number) => invoiceMoney(invoice, merchant).money(cents);
    const fees = sumCents([payment.surcharge, payment.serviceFee]);
    const html = this.templates.render('receipt-page.hbs', {
      title: `Receipt for invoice ${doc.number}`,
      doc,
      token: invoice.publicToken,
      receipt: {
        amount: money(payment.amount),
        surcharge: fees > 0 ? money(fees) : '',
        charged: money(payment.chargedAmount),
        method: paymentMethodLabel(payment.method),
        maskedAccount: payment.maskedAccount,
        transactionId: payment.transactionId ?? '',
        paidOn: formatDate(payment.updatedAt, merchant.timezone, doc.locale),
      },
    });
    return { status: 200, html, imageOrigin: originOf(invoice.companyLogoUrl) };
  }

  async processingPage(invoice: Invoice): Promise<RenderedPage> {
    const { doc } = await this.document(invoice);
    const html = this.templates.render('processing-page.hbs', {
      title: `Invoice ${doc.number}: payment processing`,
      doc,
      token: invoice.publicToken,
    });
    return { status: 202, html, imageOrigin: null };
  }
}
