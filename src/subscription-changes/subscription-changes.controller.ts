import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { ok } from '../platform/http/envelope';
import { BodyOf, ParamsOf, ReplyOf, Route } from '../platform/http/route-schema';
import { apiKeyActor } from '../plans/actors';
import { CHANGE_ROUTES } from './subscription-changes.routes';
import { subscriptionView } from '../subscriptions/subscriptions.views';
import { SubscriptionChangesService } from './subscription-changes.service';

type R = typeof CHANGE_ROUTES;

@ApiTags('recurring')
@Controller('api/recurring/subscription/:id')
export class SubscriptionChangesController {
  constructor(private readonly changes: SubscriptionChangesService) {}

  @Post('change')
  @HttpCode(200)
  @Route(CHANGE_ROUTES.change)
  async change(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['change']>,
    @Body() body: BodyOf<R['change']>,
  ): Promise<ReplyOf<R['change']>> {
    const preview = body.preview ?? false;
    const result = await this.changes.change(
      auth.merchantId,
      id,
      {
        ...(body.plan_id != null ? { planId: body.plan_id } : {}),
        ...(body.amount != null ? { amount: body.amount } : {}),
        ...(body.quantity != null ? { quantity: body.quantity } : {}),
        addOns: body.add_ons,
        discounts: body.discounts,
        proration: body.proration ?? 'create_prorations',
        effective: body.effective ?? 'now',
        preview,
      },
      apiKeyActor(auth),
    );
    return ok({
      invoice: result.invoice,
      subscription_id: id,
      applied: !preview,
      charge: result.charge,
    });
  }

  @Post('end-trial')
  @HttpCode(200)
  @Route(CHANGE_ROUTES.endTrial)
  async endTrial(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['endTrial']>,
  ): Promise<ReplyOf<R['endTrial']>> {
    const { subscription, run } = await this.changes.endTrial(
      auth.merchantId,
      id,
      apiKeyActor(auth),
    );
    return ok({ subscription: subscriptionView(subscription), billing_run: run });
  }

  @Get('upcoming-invoice')
  @Route(CHANGE_ROUTES.upcoming)
  async upcoming(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['upcoming']>,
  ): Promise<ReplyOf<R['upcoming']>> {
    return ok(await this.changes.upcomingInvoice(auth.merchantId, id));
  }
}
