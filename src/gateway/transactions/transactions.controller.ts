import { setTimeout as sleep } from 'node:timers/promises';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../../platform/auth/auth.decorators';
import { objectBody } from '../../platform/http/body';
import { Route } from '../../platform/http/route-schema';
import { TRANSACTION_ROUTES } from './transactions.routes';
import { list, ok } from '../../platform/http/envelope';
import { TransactionsService } from './transactions.service';

/** Spec: Transactions, served by Rebill's sandbox. */
@ApiTags('transactions')
@Controller('api')
export class TransactionsController {
  constructor(private readonly transactions: TransactionsService) {}

  @Post('transaction')
  @HttpCode(200)
  @Route(TRANSACTION_ROUTES.process)
  async process(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    const result = await this.transactions.process(auth.merchantId, auth.userId, objectBody(raw));
    // A timeout test card: the charge is recorded, the answer arrives after the client gave up.
    if (result.respondLateMs > 0) await sleep(result.respondLateMs);
    return ok(result.transaction);
  }

  @Post('transaction/search')
  @HttpCode(200)
  @Route(TRANSACTION_ROUTES.search)
  async search(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    const found = await this.transactions.search(auth.merchantId, objectBody(raw));
    return list(found.data, found.total);
  }

  /** The spec answers this with `data` as a one-element array. */
  @Get('transaction/:id')
  @Route(TRANSACTION_ROUTES.get)
  async get(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return list([await this.transactions.get(auth.merchantId, id)], 1);
  }

  @Post('transaction/:id/capture')
  @HttpCode(200)
  @Route(TRANSACTION_ROUTES.capture)
  async capture(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    return ok(await this.transactions.capture(auth.merchantId, id, objectBody(raw)));
  }

  /** The spec answers a void with `data: null`. */
  @Post('transaction/:id/void')
  @HttpCode(200)
  @Route(TRANSACTION_ROUTES.void)
  async void(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    await this.transactions.void(auth.merchantId, id);
    return ok(null);
  }

  @Post('transaction/:id/refund')
  @HttpCode(200)
  @Route(TRANSACTION_ROUTES.refund)
  async refund(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    return ok(await this.transactions.refund(auth.merchantId, id, objectBody(raw)));
  }

  /** Rebill: settle the merchant's pending sandbox transactions now (normally hourly). */
  @Post('sandbox/settle')
  @HttpCode(200)
  @Route(TRANSACTION_ROUTES.settle)
  async settle(@CurrentMerchant() auth: MerchantAuth) {
    return ok({ settled: await this.transactions.settle(auth.merchantId) });
  }
}
