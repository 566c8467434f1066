import { Module } from '@nestjs/common';
import { GatewayModule } from '../gateway/gateway.module';
import { VaultService } from '../gateway/vault/vault.service';
import { PlansModule } from '../plans/plans.module';
import { CUSTOMER_DIRECTORY } from './customer-directory';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsService } from './subscriptions.service';

@Module({
  imports: [PlansModule, GatewayModule],
  controllers: [SubscriptionsController],
  providers: [
    SubscriptionsService,
    // Subscribers are the vault's customers.
    { provide: CUSTOMER_DIRECTORY, useExisting: VaultService },
  ],
  exports: [SubscriptionsService],
})
export class SubscriptionsModule {}
