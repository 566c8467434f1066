import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Merchant } from '../../accounts/merchant.entity';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { HostedPageRenderer } from '../hosted-page/hosted-page.service';
import { HostedUrls } from '../hosted-urls';
import { invoiceDocument, invoiceMoney } from '../invoice-document';
import { InvoicePayment } from '../invoice-payment.entity';
import { Invoice } from '../invoice.entity';
import { invoicePdf } from './invoice-pdf';
import { InvoiceLogos } from './invoice-logos';

/** Gathers what an invoice's PDF shows (merchant, payments, logo, fees) and renders it. */
@Injectable()
export class InvoicePdfService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly urls: HostedUrls,
    private readonly logos: InvoiceLogos,
    private readonly pages: HostedPageRenderer,
  ) {}

  async render(invoice: Invoice): Promise<Buffer> {
    const merchant = await this.dataSource
      .getRepository(Merchant)
      .findOneByOrFail({ id: invoice.merchantId });
    const payments = await this.dataSource.getRepository(InvoicePayment).find({
      where: { invoiceId: invoice.id, status: 'approved' },
      order: { updatedAt: 'ASC', id: 'ASC' },
    });
    const doc = invoiceDocument(invoice, {
      merchant,
      now: this.clock.now(),
      hostedUrl: this.urls.invoicePage(invoice.publicToken),
      payments,
    });
    const open =
      (invoice.status === 'pending' || invoice.status === 'partially_paid') &&
      invoice.amountDue > 0;
    const fees = open
      ? await this.pages.feeNoticeFor(invoice, invoiceMoney(invoice, merchant))
      : null;
    return invoicePdf({
      doc,
      logo: await this.logos.logoFor(invoice.merchantId, invoice.companyLogoUrl),
      feeLines: fees?.lines ?? [],
      disclosure: fees?.disclosure ?? '',
      createdAt: invoice.createdAt,
      updatedAt: invoice.updatedAt,
    });
  }
}
