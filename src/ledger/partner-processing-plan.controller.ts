import { Body, Controller, HttpCode, Inject, Param, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccountsService } from '../accounts/accounts.service';
import { Route } from '../platform/http/route-schema';
import { LEDGER_ROUTES } from './ledger.routes';
import { ok } from '../platform/http/envelope';
import { Clock, CLOCK } from '../platform/clock/clock';
import { BodyOf } from '../platform/http/route-schema';
import { LedgerService } from './ledger.service';
import { ProcessingPlansService } from './processing-plans.service';

/** The partner sets a merchant's processing plan (merchants only read theirs) and corrects its balance. */
@ApiTags('partner')
@Controller('api/partner/merchants')
export class PartnerProcessingPlanController {
  constructor(
    private readonly plans: ProcessingPlansService,
    private readonly accounts: AccountsService,
    private readonly ledger: LedgerService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Put(':id/processing_plan')
  @Route(LEDGER_ROUTES.setProcessingPlan)
  async set(@Param('id') id: string, @Body() body: unknown) {
    await this.accounts.getMerchant(id);
    return ok(await this.plans.set(id, body));
  }

  @Post(':id/ledger_adjustments')
  @HttpCode(200)
  @Route(LEDGER_ROUTES.adjustBalance)
  async adjust(@Param('id') id: string, @Body() body: BodyOf<typeof LEDGER_ROUTES.adjustBalance>) {
    await this.accounts.getMerchant(id);
    return ok(
      await this.ledger.adjust(
        id,
        { amount: body.amount, currency: body.currency ?? 'USD', description: body.description },
        this.clock.now(),
      ),
    );
  }
}
