import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { objectBody } from '../platform/http/body';
import { ok } from '../platform/http/envelope';
import { CalculationService } from './calculation.service';

/** Fee calculation and amount calculation (spec: Fee Calculation, Amount calculation). */
@ApiTags('calculation')
@Controller('api')
export class CalculationController {
  constructor(private readonly calculation: CalculationService) {}

  @Post('calculate/amounts')
  @HttpCode(200)
  async amounts(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    return ok(await this.calculation.calculateAmounts(auth.merchantId, objectBody(raw)));
  }

  @Post('lookup/fees')
  @HttpCode(200)
  async fees(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    return ok(await this.calculation.lookupFees(auth.merchantId, objectBody(raw)));
  }
}
