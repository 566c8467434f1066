import { Route } from '../platform/http/route-schema';
import { CHECKOUT_SESSION_ROUTES, EXTERNAL_ROUTES } from './payments.routes';
import { Body, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { Clock, CLOCK } from '../platform/clock/clock';
import { parseCursorQuery } from './api/pagination';
import { CurrentV1Caller, V1Caller, V1Controller, V1PublicKeyAllowed } from './api/v1-auth';
import { CheckoutSessionsService } from './checkout-sessions.service';
import { ExternalPaymentsService } from './external-payments.service';
import {
  parseCheckoutCreate,
  parseExternalCancel,
  parseExternalCapture,
  parseExternalIntentCreate,
  parseExternalRefund,
  parsePaymentCreate,
} from './payment-input';
import { PaymentIntentsService } from './payment-intents.service';

@V1Controller('checkout_sessions')
export class CheckoutSessionsController {
  constructor(
    private readonly sessions: CheckoutSessionsService,
    private readonly intents: PaymentIntentsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  @Route(CHECKOUT_SESSION_ROUTES.create)
  create(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    return this.sessions.create(caller, parseCheckoutCreate(body, this.clock.now()));
  }

  @Get()
  @Route(CHECKOUT_SESSION_ROUTES.list)
  list(@CurrentV1Caller() caller: V1Caller, @Query() query: unknown) {
    return this.sessions.list(caller, parseCursorQuery(query));
  }

  @Get(':id')
  @Route(CHECKOUT_SESSION_ROUTES.get)
  get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.sessions.get(caller, id);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @Route(CHECKOUT_SESSION_ROUTES.complete)
  complete(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.sessions.complete(caller, id);
  }

  @Post(':id/expire')
  @HttpCode(200)
  @Route(CHECKOUT_SESSION_ROUTES.expire)
  expire(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.sessions.expire(caller, id);
  }

  /** The JS SDK pays a session from the customer's browser: the public key may. */
  @Post(':id/payments')
  @HttpCode(200)
  @V1PublicKeyAllowed()
  @Route(CHECKOUT_SESSION_ROUTES.pay)
  async pay(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    const input = parsePaymentCreate(body);
    await this.sessions.find(caller.accountId, id);
    const outcome = await this.sessions.pay(caller.accountId, id, input);
    if (outcome.kind === 'processing') {
      const session = await this.sessions.find(caller.accountId, id);
      const intent = await this.intents.find(caller.accountId, session.paymentIntentId!);
      const payment = await this.intents.latestPayment(intent);
      return this.intents.paymentViewOf(caller.accountId, payment!);
    }
    return this.intents.paymentViewOf(caller.accountId, outcome.payment);
  }
}

@V1Controller('external')
export class ExternalPaymentsController {
  constructor(
    private readonly external: ExternalPaymentsService,
    private readonly intents: PaymentIntentsService,
  ) {}

  @Post('payment_intents')
  @HttpCode(200)
  @Route(EXTERNAL_ROUTES.create)
  create(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    return this.external.create(caller, parseExternalIntentCreate(body));
  }

  @Post('payment_intents/:id/cancel')
  @HttpCode(200)
  @Route(EXTERNAL_ROUTES.cancel)
  cancel(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    const input = parseExternalCancel(body);
    return this.intents.cancel(caller, id, input.reason, {
      gatewayResponse: input.gatewayResponse,
    });
  }

  @Post('payment_intents/:id/capture')
  @HttpCode(200)
  @Route(EXTERNAL_ROUTES.capture)
  capture(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    const input = parseExternalCapture(body);
    return this.intents.capture(caller, id, input.amount, {
      gatewayResponse: input.gatewayResponse,
    });
  }

  @Post('refunds')
  @HttpCode(200)
  @Route(EXTERNAL_ROUTES.refund)
  refund(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    const input = parseExternalRefund(body);
    return this.intents.refund(caller, input.paymentIntentId, input.amount, {
      gatewayResponse: input.gatewayResponse,
    });
  }
}
