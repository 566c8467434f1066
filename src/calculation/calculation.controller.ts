import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { ok } from '../platform/http/envelope';
import { Route, type BodyOf, type ReplyOf } from '../platform/http/route-schema';
import { CALCULATION_ROUTES } from './calculation.routes';
import { CalculationService } from './calculation.service';

type R = typeof CALCULATION_ROUTES;

/** Fee calculation and amount calculation (spec: Fee Calculation, Amount calculation). */
@ApiTags('calculation')
@Controller('api')
export class CalculationController {
  constructor(private readonly calculation: CalculationService) {}

  @Post('calculate/amounts')
  @HttpCode(200)
  @Route(CALCULATION_ROUTES.amounts)
  async amounts(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() body: BodyOf<R['amounts']>,
  ): Promise<ReplyOf<R['amounts']>> {
    return ok(await this.calculation.calculateAmounts(auth.merchantId, body));
  }

  @Post('lookup/fees')
  @HttpCode(200)
  @Route(CALCULATION_ROUTES.fees)
  async fees(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() body: BodyOf<R['fees']>,
  ): Promise<ReplyOf<R['fees']>> {
    return ok(await this.calculation.lookupFees(auth.merchantId, body));
  }
}
