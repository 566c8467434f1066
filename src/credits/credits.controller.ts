import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { NotFoundError, ValidationError } from '../platform/errors/errors';
import { objectBody } from '../platform/http/body';
import { ok } from '../platform/http/envelope';
import { newId } from '../platform/ids/ids';
import { CUSTOMER_DIRECTORY, CustomerDirectory } from './customer-directory.port';
import { CustomerCreditsService } from './customer-credits.service';

const MAX_GRANT = 100_000_000_00;
const MAX_DESCRIPTION = 500;

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
  async get(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
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
  async grant(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    const body = objectBody(raw);
    const amount = body.amount;
    if (
      typeof amount !== 'number' ||
      !Number.isSafeInteger(amount) ||
      amount <= 0 ||
      amount > MAX_GRANT
    ) {
      throw new ValidationError('amount', `must be a whole number of cents from 1 to ${MAX_GRANT}`);
    }
    const currency = body.currency ?? 'USD';
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
      throw new ValidationError('currency', 'must be a three-letter ISO 4217 code such as "USD"');
    }
    const description = body.description ?? 'Credit granted';
    if (
      typeof description !== 'string' ||
      description.length > MAX_DESCRIPTION ||
      description.includes('\u0000')
    ) {
      throw new ValidationError(
        'description',
        `must be text of at most ${MAX_DESCRIPTION} characters`,
      );
    }
    const entry = await this.dataSource.transaction(async (em) => {
      await this.requireCustomer(auth.merchantId, id, em);
      return this.credits.grant(em, {
        merchantId: auth.merchantId,
        customerId: id,
        currency,
        amount,
        reason: 'manual',
        sourceType: 'manual_grant',
        sourceId: newId(),
        description,
        createdBy: auth.userId,
      });
    });
    return ok({ customer_id: id, balance: entry.balance_after, currency, entry });
  }

  private async requireCustomer(
    merchantId: string,
    id: string,
    em?: import('typeorm').EntityManager,
  ) {
    if (!(await this.customers.customerExists(merchantId, id, em))) {
      throw new NotFoundError('customer', id);
    }
  }
}
