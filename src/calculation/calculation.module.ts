import { Global, Module } from '@nestjs/common';
import { GatewayModule } from '../gateway/gateway.module';
import { CalculationController } from './calculation.controller';
import { CalculationService } from './calculation.service';

@Global()
@Module({
  imports: [GatewayModule],
  controllers: [CalculationController],
  providers: [CalculationService],
  exports: [CalculationService],
})
export class CalculationModule {}
