import { Body, Controller, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AccountsService } from '../accounts/accounts.service';
import { Route } from '../platform/http/route-schema';
import { LEDGER_ROUTES } from './ledger.routes';
import { ok } from '../platform/http/envelope';
import { ProcessingPlansService } from './processing-plans.service';

/** The partner sets a merchant's processing plan (merchants only read theirs). */
@ApiTags('partner')
@Controller('api/partner/merchants')
export class PartnerProcessingPlanController {
  constructor(
    private readonly plans: ProcessingPlansService,
    private readonly accounts: AccountsService,
  ) {}

  @Put(':id/processing_plan')
  @Route(LEDGER_ROUTES.setProcessingPlan)
  async set(@Param('id') id: string, @Body() body: unknown) {
    await this.accounts.getMerchant(id);
    return ok(await this.plans.set(id, body));
  }
}
