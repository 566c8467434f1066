import { Module, OnModuleInit } from '@nestjs/common';
import { VaultService } from '../gateway/vault/vault.service';
import { CycleInvoices } from './cycle-invoices';
import { openInvoicesOfVaultCustomer } from './invoice-vault-guard';
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
import { InvoiceLogos } from './pdf/invoice-logos';
import { InvoicePdfService } from './pdf/invoice-pdf.service';

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
    InvoiceLogos,
    InvoicePdfService,
    CycleInvoices,
  ],
  exports: [
    CycleInvoices,
    InvoicesService,
    InvoiceEmails,
    HostedUrls,
    InvoiceReminders,
    HostedPayments,
  ],
})
export class InvoicesModule implements OnModuleInit {
  constructor(private readonly vault: VaultService) {}

  onModuleInit(): void {
    this.vault.registerDeletionGuard(openInvoicesOfVaultCustomer);
  }
}
