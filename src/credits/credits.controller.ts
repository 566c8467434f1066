import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource, EntityManager } from 'typeorm';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { NotFoundError, ValidationError } from '../platform/errors/errors';
import { BodyOf, ParamsOf, ReplyOf, Route } from '../platform/http/route-schema';
import { ok } from '../platform/http/envelope';
import { newId } from '../platform/ids/ids';
import { CUSTOMER_DIRECTORY, CustomerDirectory } from './customer-directory.port';
import { CustomerCreditsService } from './customer-credits.service';
import { CREDIT_ROUTES } from './credits.routes';

type R = typeof CREDIT_ROUTES;

/** Rebill's extension: a customer's credit balance (docs/proration.md, "Credits"). */
@ApiTags('customer vault')
@Controller('api/vault/customer/:id/credit')
export class CreditsController {
  constructor(
    private readonly credits: CustomerCreditsService,
    private readonly dataSource: DataSource,
    @Inject(CUSTOMER_DIRECTORY) private readonly customers: CustomerDirectory,
  ) {}

  @Get()
  @Route(CREDIT_ROUTES.get)
  async get(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['get']>,
  ): Promise<ReplyOf<R['get']>> {
    await this.requireCustomer(auth.merchantId, id);
    return ok({
      customer_id: id,
      balances: await this.credits.balances(auth.merchantId, id),
      entries: await this.credits.entries(auth.merchantId, id),
    });
  }

  /** A manual grant: `{amount, currency?, description?}`; amount in cents of the currency. */
  @Post()
  @HttpCode(200)
  @Route(CREDIT_ROUTES.grant)
  async grant(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['grant']>,
    @Body() body: BodyOf<R['grant']>,
  ): Promise<ReplyOf<R['grant']>> {
    const currency = body.currency ?? 'USD';
    const description = body.description ?? 'Credit granted';
    if (description.includes('\u0000')) {
      throw new ValidationError('description', 'must not contain NUL characters');
    }
    const entry = await this.dataSource.transaction(async (em) => {
      await this.requireCustomer(auth.merchantId, id, em);
      return this.credits.grant(em, {
        merchantId: auth.merchantId,
        customerId: id,
        currency,
        amount: body.amount,
        reason: 'manual',
        sourceType: 'manual_grant',
        sourceId: newId(),
        description,
        createdBy: auth.userId,
      });
    });
    return ok({ customer_id: id, balance: entry.balance_after, currency, entry });
  }

  private async requireCustomer(merchantId: string, id: string, em?: EntityManager) {
    if (!(await this.customers.customerExists(merchantId, id, em))) {
      throw new NotFoundError('customer', id);
    }
  }
}
