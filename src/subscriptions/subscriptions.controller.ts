import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { apiKeyActor } from '../plans/actors';
import { optionalLocalDate } from '../platform/http/input';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import {
  Route,
  type BodyOf,
  type ParamsOf,
  type QueryOf,
  type ReplyOf,
} from '../platform/http/route-schema';
import { list, ok } from '../platform/http/envelope';
import { readSubscriptionFilter } from './subscription-input';
import type { SubscriptionStatus } from './subscription-status';
import { SUBSCRIPTION_ROUTES } from './subscriptions.routes';
import { SubscriptionsService } from './subscriptions.service';
import { subscriptionView, upcomingBillingView } from './subscriptions.views';

type R = typeof SUBSCRIPTION_ROUTES;

@ApiTags('recurring')
@Controller('api/recurring')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post('subscription')
  @HttpCode(200)
  @Route(SUBSCRIPTION_ROUTES.create)
  async create(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() body: BodyOf<R['create']>,
  ): Promise<ReplyOf<R['create']>> {
    const created = await this.subscriptions.create(auth.merchantId, body, apiKeyActor(auth));
    return ok(subscriptionView(created));
  }

  /** Not in the gateway API: paged, filtered by status, customer_id, plan_id, next bill dates. */
  @Get('subscriptions')
  @Route(SUBSCRIPTION_ROUTES.list)
  async list(
    @CurrentMerchant() auth: MerchantAuth,
    @Query() query: QueryOf<R['list']>,
  ): Promise<ReplyOf<R['list']>> {
    const { items, total } = await this.subscriptions.list(
      auth.merchantId,
      readSubscriptionFilter(query ?? {}),
    );
    return list(items.map(subscriptionView), total);
  }

  @Get('subscription/:id')
  @Route(SUBSCRIPTION_ROUTES.get)
  async get(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['get']>,
  ): Promise<ReplyOf<R['get']>> {
    return ok(subscriptionView(await this.subscriptions.get(auth.merchantId, id)));
  }

  @Post('subscription/:id')
  @HttpCode(200)
  @Route(SUBSCRIPTION_ROUTES.update)
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['update']>,
    @Body() body: BodyOf<R['update']>,
  ): Promise<ReplyOf<R['update']>> {
    const updated = await this.subscriptions.update(auth.merchantId, id, body, apiKeyActor(auth));
    return ok(subscriptionView(updated));
  }

  @Delete('subscription/:id')
  @Route(SUBSCRIPTION_ROUTES.remove)
  async remove(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['remove']>,
  ): Promise<ReplyOf<R['remove']>> {
    await this.subscriptions.remove(auth.merchantId, id, apiKeyActor(auth));
    return ok(null);
  }

  /** The spec uses GET; POST is accepted too. `active` takes ?next_bill_date=YYYY-MM-DD. */
  @Get('subscription/:id/status/:status')
  @Route(SUBSCRIPTION_ROUTES.statusByGet)
  async statusByGet(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id, status }: ParamsOf<R['statusByGet']>,
    @Query() query: QueryOf<R['statusByGet']>,
  ): Promise<ReplyOf<R['statusByGet']>> {
    return this.setStatus(auth, id, status, query);
  }

  @Post('subscription/:id/status/:status')
  @HttpCode(200)
  @Route(SUBSCRIPTION_ROUTES.statusByPost)
  async statusByPost(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id, status }: ParamsOf<R['statusByPost']>,
    @Query() query: QueryOf<R['statusByPost']>,
    @Body() body: BodyOf<R['statusByPost']>,
  ): Promise<ReplyOf<R['statusByPost']>> {
    return this.setStatus(auth, id, status, {
      next_bill_date: query.next_bill_date ?? body.next_bill_date,
    });
  }

  /** Not in the gateway API: the next `count` (1-120, default 12) billing dates and amounts. */
  @Get('subscription/:id/upcoming')
  @Route(SUBSCRIPTION_ROUTES.upcoming)
  async upcoming(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['upcoming']>,
    @Query() query: QueryOf<R['upcoming']>,
  ): Promise<ReplyOf<R['upcoming']>> {
    const count = query.count ?? 12;
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
    status: SubscriptionStatus,
    query: { next_bill_date?: string | null },
  ): Promise<ReplyOf<R['statusByGet']>> {
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
