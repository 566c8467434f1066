import { Module, OnModuleInit } from '@nestjs/common';
import { GatewayModule } from '../gateway/gateway.module';
import { VaultService } from '../gateway/vault/vault.service';
import { NotificationsModule } from '../notifications/notifications.module';
import { PlansModule } from '../plans/plans.module';
import { CUSTOMER_DIRECTORY } from './customer-directory';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionLedger } from './subscription-ledger';
import { subscriptionsUsingVaultRecord } from './subscription-vault-guard';
import { SubscriptionsService } from './subscriptions.service';

@Module({
  imports: [PlansModule, GatewayModule, NotificationsModule],
  controllers: [SubscriptionsController],
  providers: [
    SubscriptionsService,
    SubscriptionLedger,
    // Subscribers are the vault's customers.
    { provide: CUSTOMER_DIRECTORY, useExisting: VaultService },
  ],
  exports: [SubscriptionsService, SubscriptionLedger],
})
export class SubscriptionsModule implements OnModuleInit {
  constructor(private readonly vault: VaultService) {}

  onModuleInit(): void {
    this.vault.registerDeletionGuard(subscriptionsUsingVaultRecord);
  }
}
