import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { GatewayModule } from '../gateway/gateway.module';
import { CryptoModule } from '../platform/crypto/crypto.module';
import { V1AuthGuard } from './api/v1-auth';
import { PaymentIntentsController, RefundsController } from './payment-intents.controller';
import { PaymentIntentsService } from './payment-intents.service';
import { PaymentLookup } from './payment-lookup.port';
import { PaymentMethodsController } from './payment-methods.controller';
import { InvoicesModule } from '../invoices/invoices.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { CheckoutPageController } from './checkout-page/checkout-page.controller';
import {
  CheckoutSessionsController,
  ExternalPaymentsController,
} from './checkout-sessions.controller';
import { CheckoutSessionsService } from './checkout-sessions.service';
import { ExternalPaymentsService } from './external-payments.service';

/**
 * The payments API (/v1, docs/payments-api.md): payment intents, payments, refunds,
 * payment methods, checkout sessions and external payments. Its conventions (auth,
 * pagination, errors) live in ./api and are shared by every /v1 route.
 */
@Module({
  imports: [AccountsModule, GatewayModule, CryptoModule, InvoicesModule, SubscriptionsModule],
  controllers: [
    PaymentIntentsController,
    RefundsController,
    PaymentMethodsController,
    CheckoutSessionsController,
    ExternalPaymentsController,
    CheckoutPageController,
  ],
  providers: [
    V1AuthGuard,
    PaymentIntentsService,
    CheckoutSessionsService,
    ExternalPaymentsService,
    PaymentLookup,
  ],
  exports: [V1AuthGuard, PaymentIntentsService, PaymentLookup, AccountsModule],
})
export class PaymentsModule {}
