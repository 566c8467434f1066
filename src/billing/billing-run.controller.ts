import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { isLocalDate } from '../billing-calc/calendar';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { ValidationError } from '../platform/errors/errors';
import { objectBody } from '../platform/http/body';
import { list, ok } from '../platform/http/envelope';
import { BillingRunService } from './billing-run.service';
import { billingSettingsView, BillingSettingsService } from './billing-settings.service';

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
  async run(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    const body = objectBody(raw);
    if (!isLocalDate(body.date))
      throw new ValidationError('date', 'is required: a calendar date "YYYY-MM-DD"');
    if (body.dry_run !== undefined && typeof body.dry_run !== 'boolean') {
      throw new ValidationError('dry_run', 'must be true or false');
    }
    const record = await this.billing.run({
      asOf: body.date,
      merchantId: auth.merchantId,
      dryRun: body.dry_run === true,
      triggeredBy: `api_key:${auth.keyId}`,
    });
    return ok(record);
  }

  @Get('billing-runs')
  async runs(
    @CurrentMerchant() auth: MerchantAuth,
    @Query('limit') limit?: string,
    @Query('offset') offset?: string,
  ) {
    const l = pageNumber(limit, 'limit', 20, 1, 100);
    const o = pageNumber(offset, 'offset', 0, 0, 1_000_000);
    const { runs, total } = await this.billing.listRuns(auth.merchantId, l, o);
    return list(runs, total);
  }

  @Get('billing-run/:id')
  async getRun(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    const run = await this.billing.findRun(auth.merchantId, id);
    return ok(run);
  }

  /** Every billing of a subscription: its cycle, invoice, attempts and their gateway charges. */
  @Get('subscription/:id/billings')
  async billings(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    const billings = await this.billing.billingsOf(auth.merchantId, id);
    return list(billings, billings.length);
  }

  @Get('billing-settings')
  async getSettings(@CurrentMerchant() auth: MerchantAuth) {
    return ok(billingSettingsView(await this.settings.forMerchant(auth.merchantId)));
  }

  @Put('billing-settings')
  async putSettings(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    return ok(billingSettingsView(await this.settings.update(auth.merchantId, objectBody(raw))));
  }

  @Post('billing-settings')
  @HttpCode(200)
  async postSettings(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    return this.putSettings(auth, raw);
  }
}

function pageNumber(
  raw: string | undefined,
  field: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ValidationError(field, `must be a whole number from ${min} to ${max}`);
  }
  return Number(raw);
}
