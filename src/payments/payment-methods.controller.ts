import { Route } from '../platform/http/route-schema';
import { PAYMENT_METHOD_ROUTES } from './payments.routes';
import { Body, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { VaultPaymentMethods } from '../gateway/vault/payment-methods.port';
import { Clock, CLOCK } from '../platform/clock/clock';
import { NotFoundError } from '../platform/errors/errors';
import { CurrentV1Caller, V1Caller, V1Controller, V1PublicKeyAllowed } from './api/v1-auth';
import { parsePaymentMethodCreate, parsePaymentMethodUpdate } from './payment-input';
import { paymentMethodView } from './payment-views';

/**
 * Payment methods: the vault's cards and bank accounts. Creating one is what the JS SDK does
 * in the customer's browser, so the public key may; reading and updating need a private key.
 */
@V1Controller('payment_methods')
export class PaymentMethodsController {
  constructor(
    private readonly methods: VaultPaymentMethods,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(200)
  @V1PublicKeyAllowed()
  @Route(PAYMENT_METHOD_ROUTES.create)
  async create(@CurrentV1Caller() caller: V1Caller, @Body() body: unknown) {
    const input = parsePaymentMethodCreate(body, this.clock.now());
    const method = await this.methods.create(caller.accountId, {
      method: input.method,
      billing: input.billing,
      description: 'payments API payment method',
    });
    return paymentMethodView(method);
  }

  @Get(':id')
  @Route(PAYMENT_METHOD_ROUTES.get)
  async get(@CurrentV1Caller() caller: V1Caller, @Param('id') id: string) {
    const method = await this.methods.get(caller.accountId, id);
    if (!method) throw new NotFoundError('payment method', id);
    return paymentMethodView(method);
  }

  @Patch(':id')
  @Route(PAYMENT_METHOD_ROUTES.update)
  async update(
    @CurrentV1Caller() caller: V1Caller,
    @Param('id') id: string,
    @Body() body: unknown,
  ) {
    const merge = parsePaymentMethodUpdate(body);
    const method = await this.methods.updateBillingDetails(caller.accountId, id, merge);
    if (!method) throw new NotFoundError('payment method', id);
    return paymentMethodView(method);
  }
}
