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

@V1Controller('checkout_sessions', 'checkout sessions')
export class CheckoutSessionsController {
  constructor(
    private readonly sessions: CheckoutSessionsService,
    private readonly intents: PaymentIntentsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  create(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    return this.sessions.create(caller, parseCheckoutCreate(body, this.clock.now()));
  }

  @Get()
  list(@CurrentV1Caller() caller: V1Caller, @Query() query: unknown) {
    return this.sessions.list(caller, parseCursorQuery(query));
  }

  @Get(':id')
  get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.sessions.get(caller, id);
  }

  @Post(':id/complete')
  @HttpCode(200)
  complete(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.sessions.complete(caller, id);
  }

  @Post(':id/expire')
  @HttpCode(200)
  expire(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.sessions.expire(caller, id);
  }

  /** The JS SDK pays a session from the customer's browser: the public key may. */
  @Post(':id/payments')
  @HttpCode(200)
  @V1PublicKeyAllowed()
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

@V1Controller('external', 'external payments')
export class ExternalPaymentsController {
  constructor(
    private readonly external: ExternalPaymentsService,
    private readonly intents: PaymentIntentsService,
  ) {}

  @Post('payment_intents')
  @HttpCode(200)
  create(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    return this.external.create(caller, parseExternalIntentCreate(body));
  }

  @Post('payment_intents/:id/cancel')
  @HttpCode(200)
  cancel(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    const input = parseExternalCancel(body);
    return this.intents.cancel(caller, id, input.reason, {
      gatewayResponse: input.gatewayResponse,
    });
  }

  @Post('payment_intents/:id/capture')
  @HttpCode(200)
  capture(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    const input = parseExternalCapture(body);
    return this.intents.capture(caller, id, input.amount, {
      gatewayResponse: input.gatewayResponse,
    });
  }

  @Post('refunds')
  @HttpCode(200)
  refund(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    const input = parseExternalRefund(body);
    return this.intents.refund(caller, input.paymentIntentId, input.amount, {
      gatewayResponse: input.gatewayResponse,
    });
  }
}
