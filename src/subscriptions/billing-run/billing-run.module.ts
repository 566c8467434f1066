import { Module } from '@nestjs/common';
import { GatewayModule } from '../../gateway/gateway.module';
import { InvoicesModule } from '../../invoices/invoices.module';
import { SubscriptionsModule } from '../subscriptions.module';
import { BillingRunController } from './billing-run.controller';
import { BillingRunService } from './billing-run.service';
import { BillingSchedulerService } from './billing-scheduler.service';
import { BillingSettingsService } from './billing-settings.service';
import { CYCLE_INVOICING } from './cycle-invoicing';
import { CycleSettlementService } from './cycle-settlement.service';
import { InvoiceCycleInvoicing } from './invoice-cycle-invoicing';

@Module({
  imports: [SubscriptionsModule, GatewayModule, InvoicesModule],
  controllers: [BillingRunController],
  providers: [
    BillingRunService,
    BillingSettingsService,
    BillingSchedulerService,
    CycleSettlementService,
    { provide: CYCLE_INVOICING, useClass: InvoiceCycleInvoicing },
  ],
  exports: [BillingRunService],
})
export class BillingRunModule {}
