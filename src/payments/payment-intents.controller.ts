import { Body, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CurrentV1Caller, V1AccountOptional, V1Caller, V1Controller } from './api/v1-auth';
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
@V1Controller('payment_intents', 'payment intents')
export class PaymentIntentsController {
  constructor(private readonly intents: PaymentIntentsService) {}

  @Post()
  @HttpCode(200)
  async create(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    const intent = await this.intents.create(caller, parseIntentCreate(body));
    return (await this.intents.views(caller, [intent]))[0];
  }

  @Get()
  @V1AccountOptional()
  list(@CurrentV1Caller() caller: V1Caller, @Query() query: unknown) {
    return this.intents.list(caller, parseCursorQuery(query));
  }

  @Post('search')
  @HttpCode(200)
  @V1AccountOptional()
  search(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    return this.intents.search(caller, parseIntentSearch(body));
  }

  @Get(':id')
  get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.intents.get(caller, id);
  }

  @Patch(':id')
  update(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    return this.intents.update(caller, id, parseIntentPatch(body));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    return this.intents.cancel(caller, id, parseCancel(body).reason);
  }

  @Post(':id/capture')
  @HttpCode(200)
  capture(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    return this.intents.capture(caller, id, parseCapture(body).amount);
  }

  @Get(':id/payments')
  payments(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Query() query: unknown) {
    return this.intents.listPayments(caller, id, parseCursorQuery(query));
  }

  @Post(':id/payments')
  @HttpCode(200)
  async pay(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    const { payment } = await this.intents.pay(caller.accountId, id, parsePaymentCreate(body));
    return this.intents.paymentViewOf(caller.accountId, payment);
  }

  @Post(':id/refunds')
  @HttpCode(200)
  refund(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string, @Body() body: unknown) {
    return this.intents.refund(caller, id, parseRefund(body).amount);
  }
}

@V1Controller('refunds', 'refunds')
export class RefundsController {
  constructor(private readonly intents: PaymentIntentsService) {}

  @Get(':id')
  get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    return this.intents.getRefund(caller, id);
  }
}
