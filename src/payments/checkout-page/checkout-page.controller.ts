import { formFields } from '../../platform/http/body';
import { Route } from '../../platform/http/route-schema';
import { CHECKOUT_PAGE_ROUTES } from '../payments.routes';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccountsService } from '../../accounts/accounts.service';
import { VaultPaymentMethods } from '../../gateway/vault/payment-methods.port';
import { NoAuth } from '../../platform/auth/auth.decorators';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors/errors';
import { pageMessage } from '../../invoices/hosted-page/hosted-payments.service';
import { CheckoutSessionsService } from '../checkout-sessions.service';
import type { CheckoutSession } from '../payment.entities';
import {
  checkoutContentSecurityPolicy,
  checkoutPage,
  notFoundPage,
  parseCheckoutForm,
  RenderedCheckout,
  successUrlOf,
} from './checkout-page';

/**
 * The hosted checkout page a session's `url` opens. No API key: the unguessable token is
 * the credential; an unknown token gets the same 404 page as any other.
 */
@ApiTags('payments')
@NoAuth()
@Controller('checkout')
export class CheckoutPageController {
  constructor(
    private readonly sessions: CheckoutSessionsService,
    private readonly methods: VaultPaymentMethods,
    private readonly accounts: AccountsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async send(
    reply: FastifyReply,
    page: RenderedCheckout,
    session: CheckoutSession | null,
  ): Promise<void> {
    await reply
      .status(page.status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', checkoutContentSecurityPolicy(session))
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .send(page.html);
  }

  private async render(
    reply: FastifyReply,
    session: CheckoutSession,
    options: { status?: number; error?: string } = {},
  ): Promise<void> {
    const merchant = await this.accounts.getMerchant(session.merchantId);
    let message: string | undefined;
    let status = options.status;
    if (session.status === 'expired') {
      message =
        'This checkout has expired. Nothing was charged. Please start again from the store.';
      status = 410;
    } else if (session.status === 'complete') {
      message = 'This checkout is paid. Thank you!';
    }
    const fees = session.status === 'open' ? await this.sessions.feeNoticeFor(session) : null;
    return this.send(
      reply,
      checkoutPage({
        session,
        merchantName: merchant.name,
        fees,
        status,
        error: options.error,
        message,
      }),
      session,
    );
  }

  @Get(':token')
  @Route(CHECKOUT_PAGE_ROUTES.page)
  async page(@Param('token') token: string, @Res() reply: FastifyReply): Promise<void> {
    const session = await this.sessions.findByToken(token);
    if (!session) return this.send(reply, notFoundPage(), null);
    return this.render(reply, session);
  }

  @Post(':token/pay')
  @HttpCode(200)
  @Route(CHECKOUT_PAGE_ROUTES.pay)
  async pay(
    @Param('token') token: string,
    @Body() body: unknown,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const session = await this.sessions.findByToken(token);
    if (!session) return this.send(reply, notFoundPage(), null);
    if (session.status === 'complete') return this.redirect(reply, session);
    if (session.status !== 'open') return this.render(reply, session);
    const form = formFields(body);
    let parsed;
    try {
      parsed = parseCheckoutForm(form, this.clock.now(), session.subscription !== null);
    } catch (err) {
      if (err instanceof ValidationError) {
        return this.render(reply, session, { status: 400, error: pageMessage(err) });
      }
      throw err;
    }
    const type = parsed.method.kind === 'ach' ? 'bank' : 'card';
    if (!session.paymentMethodTypes.includes(type)) {
      return this.render(reply, session, {
        status: 400,
        error: 'This payment method is not accepted here.',
      });
    }
    try {
      const method = await this.methods.create(session.merchantId, {
        method: parsed.method,
        billing: {
          name: parsed.name,
          email: session.customerEmail,
          phone: null,
          address: {
            line1: parsed.address?.line1 ?? null,
            line2: null,
            city: parsed.address?.city ?? null,
            state: parsed.address?.state ?? null,
            postal_code: parsed.postalCode === '' ? null : parsed.postalCode,
            country: parsed.address?.country ?? null,
          },
        },
        description: `checkout ${session.id}`,
      });
      const outcome = await this.sessions.pay(session.merchantId, session.id, {
        paymentMethodId: method.id,
        cvv2: parsed.cvc,
        referenceId: null,
        userFields: null,
        description: null,
        orderDetails: null,
      });
      if (outcome.kind === 'paid') return this.redirect(reply, outcome.session);
      if (outcome.kind === 'declined') {
        return this.render(reply, outcome.session, {
          status: 402,
          error: `Your payment was declined: ${outcome.message}. Nothing was charged; you can try another card or account.`,
        });
      }
      return this.send(
        reply,
        checkoutPage({
          session: outcome.session,
          merchantName: (await this.accounts.getMerchant(session.merchantId)).name,
          fees: null,
          status: 202,
          message:
            'Your payment is being processed. Please do not pay again; refresh this page in a minute to see the result.',
        }),
        outcome.session,
      );
    } catch (err) {
      if (err instanceof ValidationError) {
        return this.render(reply, session, { status: 400, error: pageMessage(err) });
      }
      if (err instanceof ConflictError || err instanceof NotFoundError) {
        const fresh = (await this.sessions.findByToken(token)) ?? session;
        if (fresh.status === 'complete') return this.redirect(reply, fresh);
        return this.render(reply, fresh, {
          status: 409,
          error: 'This checkout cannot be paid now.',
        });
      }
      throw err;
    }
  }

  /** Post/redirect/get to the merchant's success_url. */
  private async redirect(reply: FastifyReply, session: CheckoutSession): Promise<void> {
    await reply
      .status(303)
      .header('location', successUrlOf(session))
      .header('cache-control', 'no-store')
      .send();
  }
}
