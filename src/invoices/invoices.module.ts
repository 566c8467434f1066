import { Module } from '@nestjs/common';
import { GatewayModule } from '../gateway/gateway.module';
import { HostedPageController } from './hosted-page/hosted-page.controller';
import { HostedPageRenderer } from './hosted-page/hosted-page.service';
import { HostedPayments } from './hosted-page/hosted-payments.service';
import { HostedUrls } from './hosted-urls';
import { InvoiceEmails } from './invoice-emails';
import { InvoiceOverdueEvents } from './invoice-overdue-events';
import { InvoiceReminders } from './invoice-reminders.service';
import { InvoicesController } from './invoices.controller';
import { InvoicesService } from './invoices.service';
import { InvoiceTemplates } from './templates';

/**
 * Invoices (the spec's Invoices section), their hosted pages and their emails. Other
 * modules (the billing run) use InvoicesService; see docs/invoices.md.
 */
@Module({
  imports: [GatewayModule],
  controllers: [InvoicesController, HostedPageController],
  providers: [
    { provide: InvoiceTemplates, useFactory: () => new InvoiceTemplates() },
    HostedUrls,
    InvoiceEmails,
    InvoicesService,
    InvoiceReminders,
    InvoiceOverdueEvents,
    HostedPageRenderer,
    HostedPayments,
  ],
  exports: [InvoicesService, InvoiceEmails, HostedUrls, InvoiceReminders, HostedPayments],
})
export class InvoicesModule {}
