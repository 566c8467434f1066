import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../../platform/auth/auth.decorators';
import { objectBody } from '../../platform/http/body';
import { list } from '../../platform/http/envelope';
import { Route } from '../../platform/http/route-schema';
import { TERMINAL_ROUTES } from '../terminals/terminals.routes';
import { settlementBatchView } from './settlement-batch.entity';
import { SettlementService } from './settlement.service';

/** Spec: Settlement Batches → search. */
@ApiTags('settlement')
@Controller('api/settlement')
export class SettlementController {
  constructor(private readonly settlement: SettlementService) {}

  @Post('batch/search')
  @HttpCode(200)
  @Route(TERMINAL_ROUTES.searchBatches)
  async search(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    const found = await this.settlement.search(auth.merchantId, objectBody(raw));
    return list(found.data.map(settlementBatchView), found.total);
  }
}
