import { Route } from '../platform/http/route-schema';
import { PAYMENT_INTENT_ROUTES, REFUND_ROUTES } from './payments.routes';
import { Body, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  CurrentV1Caller,
  V1AccountOptional,
  V1Caller,
  V1Controller,
  V1PublicKeyAllowed,
} from './api/v1-auth';
import { parseCursorQuery } from './api/pagination';
import {
  parseCancel,
  parseCapture,
  parseIntentCreate,
  parseIntentPatch,
  parseIntentSearch,
  parsePaymentCreate,
  parseRefund,
} from './payment-input';
import { PaymentIntentsService } from './payment-intents.service';

/** Payment intents (docs/payments-api.md): thin: read the body, call the service. */
@V1Controller('payment_intents')
export class PaymentIntentsController {
  constructor(private readonly intents: PaymentIntentsService) {}

  @Post()
  @HttpCode(200)
  @Route(PAYMENT_INTENT_ROUTES.create)
  async create(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    const intent = await this.intents.create(caller, parseIntentCreate(body));
    return (await this.intents.views(caller, [intent]))[0];
  }

  @Get()
  @V1AccountOptional()
  @Route(PAYMENT_INTENT_ROUTES.list)
  list(@CurrentV1Caller() caller: V1Caller, @Query() query: unknown) {
    return this.intents.list(caller, parseCursorQuery(query));
  }

  @Post('search')
  @HttpCode(200)
  @V1AccountOptional()
  @Route(PAYMENT_INTENT_ROUTES.search)
  search(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    return this.intents.search(caller, parseIntentSearch(body));
  }

  @Get(':id')
  @Route(PAYMENT_INTENT_ROUTES.get)
  get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.intents.get(caller, id);
  }

  @Patch(':id')
  @Route(PAYMENT_INTENT_ROUTES.update)
  update(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    return this.intents.update(caller, id, parseIntentPatch(body));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Route(PAYMENT_INTENT_ROUTES.cancel)
  cancel(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    return this.intents.cancel(caller, id, parseCancel(body).reason);
  }

  @Post(':id/capture')
  @HttpCode(200)
  @Route(PAYMENT_INTENT_ROUTES.capture)
  capture(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    return this.intents.capture(caller, id, parseCapture(body).amount);
  }

  @Get(':id/payments')
  @Route(PAYMENT_INTENT_ROUTES.payments)
  payments(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Query() query: unknown) {
    return this.intents.listPayments(caller, id, parseCursorQuery(query));
  }

  /**
   * Create a payment. A browser may call it with the public key and the intent's
   * `client_secret`, which opens that one intent and nothing else.
   */
  @Post(':id/payments')
  @HttpCode(200)
  @V1PublicKeyAllowed()
  @Route(PAYMENT_INTENT_ROUTES.pay)
  async pay(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    if (caller.keyKind === 'public') {
      await this.intents.assertClientSecret(caller.accountId, id, body);
    }
    const { payment } = await this.intents.pay(caller.accountId, id, parsePaymentCreate(body));
    return this.intents.paymentViewOf(caller.accountId, payment);
  }

  @Post(':id/refunds')
  @HttpCode(200)
  @Route(PAYMENT_INTENT_ROUTES.refund)
  refund(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    return this.intents.refund(caller, id, parseRefund(body).amount);
  }
}

@V1Controller('refunds')
export class RefundsController {
  constructor(private readonly intents: PaymentIntentsService) {}

  @Get(':id')
  @Route(REFUND_ROUTES.get)
  get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.intents.getRefund(caller, id);
  }
}
