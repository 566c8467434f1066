import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { CreditsModule } from '../credits/credits.module';
import { GatewayModule } from '../gateway/gateway.module';
import { InvoicesModule } from '../invoices/invoices.module';
import { PlansModule } from '../plans/plans.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { SubscriptionChangesController } from './subscription-changes.controller';
import { SubscriptionChangesService } from './subscription-changes.service';

/** Plan changes with proration, previews and the upcoming invoice (docs/proration.md). */
@Module({
  imports: [
    SubscriptionsModule,
    PlansModule,
    BillingModule,
    CreditsModule,
    GatewayModule,
    InvoicesModule,
  ],
  controllers: [SubscriptionChangesController],
  providers: [SubscriptionChangesService],
})
export class SubscriptionChangesModule {}
