import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { Clock, CLOCK } from '../platform/clock/clock';
import { objectBody } from '../platform/http/body';
import { Route } from '../platform/http/route-schema';
import { INVOICE_ROUTES } from './invoices.routes';
import { list, ok } from '../platform/http/envelope';
import { InvoicePayment } from './invoice-payment.entity';
import { Invoice } from './invoice.entity';
import { InvoiceResult, InvoicesService } from './invoices.service';
import { invoiceView, specTime } from './invoices.views';

function message(result: InvoiceResult): string {
  return result.notices.length === 0 ? 'success' : `success; ${result.notices.join('; ')}`;
}

/** The spec's Invoices section, plus resend, mark-as-paid, void, payments and the PDF. */
@ApiTags('invoices')
@Controller('api')
export class InvoicesController {
  constructor(
    private readonly invoices: InvoicesService,
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private view(invoice: Invoice) {
    return invoiceView(invoice, this.clock.now(), this.invoices.hostedUrl(invoice));
  }

  @Post('invoice')
  @HttpCode(200)
  @Route(INVOICE_ROUTES.create)
  async create(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    const result = await this.invoices.createFromApi(auth.merchantId, objectBody(raw));
    return ok(this.view(result.invoice), message(result));
  }

  @Post('invoices/search')
  @HttpCode(200)
  @Route(INVOICE_ROUTES.search)
  async search(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    const { invoices, total } = await this.invoices.search(auth.merchantId, objectBody(raw));
    return list(
      invoices.map((i) => this.view(i)),
      total,
    );
  }

  @Get('invoice/:id')
  @Route(INVOICE_ROUTES.get)
  async get(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(this.view(await this.invoices.get(auth.merchantId, id)));
  }

  @Post('invoice/:id')
  @HttpCode(200)
  @Route(INVOICE_ROUTES.update)
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    const result = await this.invoices.update(auth.merchantId, id, objectBody(raw));
    return ok(this.view(result.invoice), message(result));
  }

  @Delete('invoice/:id')
  @Route(INVOICE_ROUTES.remove)
  async delete(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    await this.invoices.delete(auth.merchantId, id);
    return { status: 'success', msg: 'success' };
  }

  @Post('invoice/:id/resend')
  @HttpCode(200)
  @Route(INVOICE_ROUTES.resend)
  async resend(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    const result = await this.invoices.resend(auth.merchantId, id);
    return ok(this.view(result.invoice), message(result));
  }

  @Post('invoice/:id/mark-as-paid')
  @HttpCode(200)
  @Route(INVOICE_ROUTES.markAsPaid)
  async markAsPaid(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    return ok(this.view(await this.invoices.markAsPaid(auth.merchantId, id, objectBody(raw))));
  }

  @Post('invoice/:id/void')
  @HttpCode(200)
  @Route(INVOICE_ROUTES.void)
  async void(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(this.view(await this.invoices.void(auth.merchantId, id)));
  }

  @Get('invoice/:id/payments')
  @Route(INVOICE_ROUTES.payments)
  async payments(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    const invoice = await this.invoices.get(auth.merchantId, id);
    const rows = await this.dataSource.getRepository(InvoicePayment).find({
      where: { merchantId: auth.merchantId, invoiceId: invoice.id },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return list(
      rows.map((p) => ({
        id: p.id,
        invoice_id: p.invoiceId,
        source: p.source,
        method: p.method,
        status: p.status,
        amount: p.amount,
        surcharge: p.surcharge,
        transaction_id: p.transactionId ?? '',
        processor_id: p.processorId ?? '',
        response_text: p.responseText,
        masked_account: p.maskedAccount,
        created_at: specTime(p.createdAt),
        updated_at: specTime(p.updatedAt),
      })),
      rows.length,
    );
  }

  @Get('invoice/:id/pdf')
  @Route(INVOICE_ROUTES.pdf)
  async pdf(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { invoice, pdf } = await this.invoices.pdf(auth.merchantId, id);
    const name = (invoice.invoiceNumber ?? invoice.id).replace(/[^A-Za-z0-9_-]/g, '_');
    await reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="invoice-${name}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(pdf);
  }
}
