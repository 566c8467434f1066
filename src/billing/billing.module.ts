import { AccountsModule } from '../accounts/accounts.module';
import { Module } from '@nestjs/common';
import { CreditsModule } from '../credits/credits.module';
import { GatewayModule } from '../gateway/gateway.module';
import { LedgerModule } from '../ledger/ledger.module';
import { InvoicesModule } from '../invoices/invoices.module';
import { ProcessorsModule } from '../processors/processors.module';
import { SubscriptionsModule } from '../subscriptions/subscriptions.module';
import { BillingBatch } from './billing-batch';
import { BillingDisputeObserver } from './billing-dispute-observer';
import { BillingRepository } from './billing.repository';
import { BillingRunController } from './billing-run.controller';
import { BillingRunService } from './billing-run.service';
import { BillingSchedulerService } from './billing-scheduler.service';
import { BillingSettingsService } from './billing-settings.service';
import { CycleSettlementService } from './cycle-settlement.service';

/**
 * The billing domain (docs/billing-run.md): core/ (pure rules), BillingRepository (the
 * billing tables), BillingBatch (the three phases) and BillingRunService (orchestration),
 * reaching subscriptions, invoices and payments through their ports.
 */
@Module({
  imports: [
    AccountsModule,
    SubscriptionsModule,
    GatewayModule,
    InvoicesModule,
    ProcessorsModule,
    LedgerModule,
    CreditsModule,
  ],
  controllers: [BillingRunController],
  providers: [
    BillingRepository,
    BillingDisputeObserver,
    BillingBatch,
    BillingRunService,
    BillingSettingsService,
    BillingSchedulerService,
    CycleSettlementService,
  ],
  exports: [BillingRunService, BillingRepository],
})
export class BillingModule {}
