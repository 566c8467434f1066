import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { isLocalDate } from '../billing-calc/calendar';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { ValidationError } from '../platform/errors/errors';
import {
  Route,
  type BodyOf,
  type ParamsOf,
  type QueryOf,
  type ReplyOf,
} from '../platform/http/route-schema';
import { BILLING_RUN_ROUTES } from './billing-run.routes';
import { list, ok } from '../platform/http/envelope';
import { BillingRunService } from './billing-run.service';
import { billingSettingsView, BillingSettingsService } from './billing-settings.service';

type R = typeof BILLING_RUN_ROUTES;

/**
 * Runs the billing for the calling merchant as of a date: the same run the nightly scheduler
 * and the CLI start. It doubles as a test clock: run successive dates to move through months.
 */
@ApiTags('billing')
@Controller('api/recurring')
export class BillingRunController {
  constructor(
    private readonly billing: BillingRunService,
    private readonly settings: BillingSettingsService,
  ) {}

  @Post('billing-run')
  @HttpCode(200)
  @Route(BILLING_RUN_ROUTES.run)
  async run(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() body: BodyOf<R['run']>,
  ): Promise<ReplyOf<R['run']>> {
    if (!isLocalDate(body.date))
      throw new ValidationError('date', 'is required: a calendar date "YYYY-MM-DD"');
    const record = await this.billing.run({
      asOf: body.date,
      merchantId: auth.merchantId,
      dryRun: body.dry_run === true,
      triggeredBy: `api_key:${auth.keyId}`,
    });
    return ok(record);
  }

  @Get('billing-runs')
  @Route(BILLING_RUN_ROUTES.runs)
  async runs(
    @CurrentMerchant() auth: MerchantAuth,
    @Query() query: QueryOf<R['runs']>,
  ): Promise<ReplyOf<R['runs']>> {
    const { runs, total } = await this.billing.listRuns(
      auth.merchantId,
      query.limit ?? 20,
      query.offset ?? 0,
    );
    return list(runs, total);
  }

  @Get('billing-run/:id')
  @Route(BILLING_RUN_ROUTES.getRun)
  async getRun(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { id }: ParamsOf<R['getRun']>,
  ): Promise<ReplyOf<R['getRun']>> {
    const run = await this.billing.findRun(auth.merchantId, id);
    return ok(run);
  }

  /** Every billing of a subscription: its cycle, invoice, attempts and their gateway charges. */
  @Get('subscription/:id/billings')
  @Route(BILLING_RUN_ROUTES.billings)
  async billings(@CurrentMerchant() auth: MerchantAuth, @Param() { id }: ParamsOf<R['billings']>) {
    const billings = await this.billing.billingsOf(auth.merchantId, id);
    return list(billings, billings.length);
  }

  @Get('billing-settings')
  @Route(BILLING_RUN_ROUTES.getSettings)
  async getSettings(@CurrentMerchant() auth: MerchantAuth): Promise<ReplyOf<R['getSettings']>> {
    return ok(billingSettingsView(await this.settings.forMerchant(auth.merchantId)));
  }

  @Put('billing-settings')
  @Route(BILLING_RUN_ROUTES.putSettings)
  async putSettings(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() body: BodyOf<R['putSettings']>,
  ): Promise<ReplyOf<R['putSettings']>> {
    return ok(billingSettingsView(await this.settings.update(auth.merchantId, body)));
  }

  @Post('billing-settings')
  @HttpCode(200)
  @Route(BILLING_RUN_ROUTES.postSettings)
  async postSettings(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() body: BodyOf<R['putSettings']>,
  ): Promise<ReplyOf<R['putSettings']>> {
    return this.putSettings(auth, body);
  }
}
