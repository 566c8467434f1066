import { formFields } from '../../platform/http/body';
import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { NoAuth } from '../../platform/auth/auth.decorators';
import { Route } from '../../platform/http/route-schema';
import { InvoicesService } from '../invoices.service';
import { contentSecurityPolicy, HostedPageRenderer, RenderedPage } from './hosted-page.service';
import { HOSTED_PAGE_ROUTES } from './hosted-page.routes';
import { HostedPayments } from './hosted-payments.service';

/**
 * The hosted invoice pages a customer opens from the invoice email: no API key, the
 * unguessable token is the credential. An unknown token and a cancelled invoice get the
 * same 404 page, so a token reveals nothing about invoices it does not open.
 */
@ApiTags('hosted pages')
@NoAuth()
@Controller('invoice')
export class HostedPageController {
  constructor(
    private readonly renderer: HostedPageRenderer,
    private readonly payments: HostedPayments,
    private readonly invoices: InvoicesService,
  ) {}

  private async send(reply: FastifyReply, page: RenderedPage): Promise<void> {
    await reply
      .status(page.status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', contentSecurityPolicy(page.imageOrigin))
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .send(page.html);
  }

  @Get(':token')
  @Route(HOSTED_PAGE_ROUTES.page)
  async page(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    let invoice = await this.payments.findByToken(token);
    if (!invoice) return this.send(reply, this.renderer.notFound());
    await this.payments.resolveInFlight(invoice);
    invoice = (await this.payments.findByToken(token)) ?? invoice;
    const inFlight = (await this.payments.inFlightPayment(invoice.id)) !== null;
    return this.send(reply, await this.renderer.invoicePage(invoice, { inFlight }));
  }

  @Post(':token/pay')
  @HttpCode(200)
  @Route(HOSTED_PAGE_ROUTES.pay)
  async pay(
    @Param('token') token: string,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const form = formFields(body);
    const outcome = await this.payments.pay(token, form);
    switch (outcome.kind) {
      case 'not_found':
        return this.send(reply, this.renderer.notFound());
      case 'receipt':
        // Post/redirect/get: reloading the receipt never posts the form again.
        await reply
          .status(303)
          .header('location', `/invoice/${encodeURIComponent(token)}/receipt/${outcome.payment.id}`)
          .header('cache-control', 'no-store')
          .send();
        return;
      case 'processing':
        return this.send(reply, await this.renderer.processingPage(outcome.invoice));
      case 'form':
        return this.send(
          reply,
          await this.renderer.invoicePage(outcome.invoice, {
            status: outcome.httpStatus,
            error: outcome.error,
            nonce: outcome.nonce,
            postalCode: form.postal_code,
          }),
        );
    }
  }

  @Get(':token/receipt/:paymentId')
  @Route(HOSTED_PAGE_ROUTES.receipt)
  async receipt(
    @Param('token') token: string,
    @Param('paymentId') paymentId: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const invoice = await this.payments.findByToken(token);
    const payment = invoice ? await this.payments.approvedPayment(invoice, paymentId) : null;
    if (!invoice || !payment) return this.send(reply, this.renderer.notFound());
    return this.send(reply, await this.renderer.receiptPage(invoice, payment));
  }

  @Get(':token/pdf')
  @Route(HOSTED_PAGE_ROUTES.pdf)
  async pdf(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    const invoice = await this.payments.findByToken(token);
    if (!invoice) return this.send(reply, this.renderer.notFound());
    const pdf = await this.invoices.renderPdf(invoice);
    await reply
      .header('content-type', 'application/pdf')
      .header(
        'content-disposition',
        `inline; filename="invoice-${(invoice.invoiceNumber ?? invoice.id).replace(/[^A-Za-z0-9_-]/g, '_')}.pdf"`,
      )
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(pdf);
  }
}
