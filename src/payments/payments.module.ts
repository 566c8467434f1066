import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { GatewayModule } from '../gateway/gateway.module';
import { CryptoModule } from '../platform/crypto/crypto.module';
import { V1AuthGuard } from './api/v1-auth';
import { PaymentIntentsController, RefundsController } from './payment-intents.controller';
import { PaymentIntentsService } from './payment-intents.service';
import { PaymentLookup } from './payment-lookup.port';
import { PaymentMethodsController } from './payment-methods.controller';

/**
 * The payments API (/v1, docs/payments-api.md): payment intents, payments, refunds,
 * payment methods, checkout sessions and external payments. Its conventions (auth,
 * pagination, errors) live in ./api and are shared by every /v1 route.
 */
@Module({
  imports: [AccountsModule, GatewayModule, CryptoModule],
  controllers: [PaymentIntentsController, RefundsController, PaymentMethodsController],
  providers: [V1AuthGuard, PaymentIntentsService, PaymentLookup],
  exports: [V1AuthGuard, PaymentIntentsService, PaymentLookup, AccountsModule],
})
export class PaymentsModule {}
