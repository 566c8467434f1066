import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { EventsModule } from '../events/events.module';
import { GatewayModule } from '../gateway/gateway.module';
import { PaymentsModule } from '../payments/payments.module';
import { DisputeObservers } from './disputes/dispute-observers';
import { DisputesService } from './disputes/disputes.service';
import { SandboxDisputeScheduler } from './disputes/sandbox-dispute-scheduler';
import {
  BalancesController,
  DisputesController,
  LedgerSandboxController,
  LedgerTransactionsController,
  PayoutsController,
  ProcessingPlanController,
} from './ledger.controllers';
import { LedgerObserver } from './ledger.observer';
import { LedgerService } from './ledger.service';
import { PartnerProcessingPlanController } from './partner-processing-plan.controller';
import { PayoutsService } from './payouts/payouts.service';
import { ProcessingPlansService } from './processing-plans.service';

/**
 * The double-entry ledger (docs/ledger.md) and the payments API's money views: balances,
 * ledger transactions, disputes, payouts and processing plans. It hears every gateway
 * money movement through TransactionObservers; billing hears disputes through DisputeObservers.
 */
@Module({
  imports: [GatewayModule, AccountsModule, EventsModule, PaymentsModule],
  controllers: [
    BalancesController,
    LedgerTransactionsController,
    DisputesController,
    PayoutsController,
    ProcessingPlanController,
    LedgerSandboxController,
    PartnerProcessingPlanController,
  ],
  providers: [
    LedgerObserver,
    LedgerService,
    ProcessingPlansService,
    SandboxDisputeScheduler,
    DisputesService,
    DisputeObservers,
    PayoutsService,
  ],
  exports: [DisputeObservers, LedgerService, ProcessingPlansService],
})
export class LedgerModule {}
