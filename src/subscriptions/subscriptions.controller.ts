import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { apiKeyActor } from '../plans/actors';
import { optionalLocalDate, optionalQueryInteger } from '../plans/recurring-input';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { ValidationError } from '../platform/errors/errors';
import { objectBody } from '../platform/http/body';
import { list, ok } from '../platform/http/envelope';
import { readSubscriptionFilter } from './subscription-input';
import { isSubscriptionStatus, SUBSCRIPTION_STATUSES } from './subscription-status';
import { SubscriptionsService } from './subscriptions.service';
import { subscriptionView, upcomingBillingView } from './subscriptions.views';

@ApiTags('recurring')
@Controller('api/recurring')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post('subscription')
  @HttpCode(200)
  async create(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    const created = await this.subscriptions.create(
      auth.merchantId,
      objectBody(raw),
      apiKeyActor(auth),
    );
    return ok(subscriptionView(created));
  }

  /** Not in the gateway API: paged, filtered by status, customer_id, plan_id, next bill dates. */
  @Get('subscriptions')
  async list(@CurrentMerchant() auth: MerchantAuth, @Query() query: Record<string, unknown>) {
    const { items, total } = await this.subscriptions.list(
      auth.merchantId,
      readSubscriptionFilter(query ?? {}),
    );
    return list(items.map(subscriptionView), total);
  }

  @Get('subscription/:id')
  async get(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(subscriptionView(await this.subscriptions.get(auth.merchantId, id)));
  }

  @Post('subscription/:id')
  @HttpCode(200)
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    const updated = await this.subscriptions.update(
      auth.merchantId,
      id,
      objectBody(raw),
      apiKeyActor(auth),
    );
    return ok(subscriptionView(updated));
  }

  @Delete('subscription/:id')
  async remove(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    await this.subscriptions.remove(auth.merchantId, id, apiKeyActor(auth));
    return ok(null);
  }

  /** The spec uses GET; POST is accepted too. `active` takes ?next_bill_date=YYYY-MM-DD. */
  @Get('subscription/:id/status/:status')
  async statusByGet(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Param('status') status: string,
    @Query() query: Record<string, unknown>,
  ) {
    return this.setStatus(auth, id, status, query ?? {});
  }

  @Post('subscription/:id/status/:status')
  @HttpCode(200)
  async statusByPost(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Param('status') status: string,
    @Query() query: Record<string, unknown>,
    @Body() raw: unknown,
  ) {
    const body = objectBody(raw);
    return this.setStatus(auth, id, status, { next_bill_date: body.next_bill_date, ...query });
  }

  /** Not in the gateway API: the next `count` (1-120, default 12) billing dates and amounts. */
  @Get('subscription/:id/upcoming')
  async upcoming(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ) {
    const count = optionalQueryInteger(query?.count, 'count', 1, 120) ?? 12;
    const { subscription, billings } = await this.subscriptions.upcoming(
      auth.merchantId,
      id,
      count,
    );
    return list(
      billings.map((b) => upcomingBillingView(b, subscription.currency)),
      billings.length,
    );
  }

  private async setStatus(
    auth: MerchantAuth,
    id: string,
    status: string,
    query: Record<string, unknown>,
  ) {
    if (!isSubscriptionStatus(status)) {
      throw new ValidationError('status', `must be one of ${SUBSCRIPTION_STATUSES.join(', ')}`);
    }
    const nextBillDate = optionalLocalDate(query.next_bill_date, 'next_bill_date');
    const changed = await this.subscriptions.setStatus(
      auth.merchantId,
      id,
      status,
      apiKeyActor(auth),
      nextBillDate,
    );
    return ok(subscriptionView(changed));
  }
}
