/**
 * The one list of entities and migrations. Each domain adds its own here, so the app,
 * the TypeORM CLI and the tests all build the same schema from the same migrations.
 */
import { Merchant } from '../../accounts/merchant.entity';
import { User } from '../../accounts/user.entity';
import { ApiKey } from '../../accounts/api-key.entity';
import { PartnerKey } from '../../accounts/partner-key.entity';
import { IdempotencyKey } from '../idempotency/idempotency-key.entity';
import { InvoiceOverdueAt1700000110001 } from '../../invoices/migrations/1700000110001-InvoiceOverdueAt';
import { SealedReplays1700000110000 } from '../idempotency/migrations/1700000110000-SealedReplays';
import { Accounts1700000000000 } from '../../accounts/migrations/1700000000000-Accounts';
import { Processor } from '../../processors/processor.entity';
import { Processors1700000001000 } from '../../processors/migrations/1700000001000-Processors';
import { CatalogAdjustment } from '../../plans/catalog-adjustment.entity';
import { Plan, PlanAdjustment } from '../../plans/plan.entity';
import { Catalog1700000004000 } from '../../plans/migrations/1700000004000-Catalog';
import {
  Subscription,
  SubscriptionAdjustment,
  SubscriptionEvent,
  SubscriptionPendingItem,
} from '../../subscriptions/subscription.entity';
import { Subscriptions1700000005000 } from '../../subscriptions/migrations/1700000005000-Subscriptions';
import {
  VaultAddress,
  VaultCustomer,
  VaultPaymentMethod,
} from '../../gateway/vault/vault.entities';
import { PaymentToken } from '../../gateway/tokenizer/payment-token.entity';
import {
  GatewayIdempotencyClaim,
  GatewayTransactionRow,
} from '../../gateway/transactions/transaction.entity';
import { StoredCredential } from '../../gateway/stored-credentials/stored-credential.entity';
import { Vault1700000002000 } from '../../gateway/migrations/1700000002000-Vault';
import { Transactions1700000003000 } from '../../gateway/migrations/1700000003000-Transactions';
import { Invoice } from '../../invoices/invoice.entity';
import { InvoicePayment } from '../../invoices/invoice-payment.entity';
import { Invoices1700000006000 } from '../../invoices/migrations/1700000006000-Invoices';
import { OutboxEmail } from '../../notifications/outbox-email.entity';
import { EmailOutbox1700000007000 } from '../../notifications/migrations/1700000007000-EmailOutbox';
import { BillingRun1700000008000 } from '../../billing/migrations/1700000008000-BillingRun';
import { BillingRunProgress1700000100000 } from '../../billing/migrations/1700000100000-BillingRunProgress';
import { CustomerCredits1700000160000 } from '../../credits/migrations/1700000160000-CustomerCredits';
import { EventRow } from '../../events/event.entity';
import { Events1700000150000 } from '../../events/migrations/1700000150000-Events';
import { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../../webhooks/webhook.entities';
import { Webhooks1700000150100 } from '../../webhooks/migrations/1700000150100-Webhooks';
import { InvoiceOverdueEvents1700000150200 } from '../../invoices/migrations/1700000150200-InvoiceOverdueEvents';
import {
  CheckoutSession,
  IntentPayment,
  PaymentIntent,
  PaymentRefund,
} from '../../payments/payment.entities';
import { Payments1700000130000 } from '../../payments/migrations/1700000130000-Payments';
import { DisputeRow, LedgerTransactionRow, PayoutRow } from '../../ledger/ledger.entities';
import { Ledger1700000140000 } from '../../ledger/migrations/1700000140000-Ledger';
import { LedgerSettlementIds1700000140001 } from '../../ledger/migrations/1700000140001-LedgerSettlementIds';
import { CycleDisputes1700000140100 } from '../../billing/migrations/1700000140100-CycleDisputes';
import { UserLogins1700000120000 } from '../../accounts/migrations/1700000120000-UserLogins';
import { Terminal } from '../../gateway/terminals/terminal.entity';
import { SettlementBatch } from '../../gateway/settlement/settlement-batch.entity';
import { TerminalsAndSettlement1700000120100 } from '../../gateway/migrations/1700000120100-TerminalsAndSettlement';
import { FileBatch } from '../../file-batches/file-batch.entity';
import { FileBatches1700000120200 } from '../../file-batches/migrations/1700000120200-FileBatches';
import { MerchantLocale1700000180000 } from '../../accounts/migrations/1700000180000-MerchantLocale';
import { InvoiceLogo } from '../../invoices/pdf/invoice-logo.entity';
import { InvoiceDocuments1700000180001 } from '../../invoices/migrations/1700000180001-InvoiceDocuments';

import { CredentialChangeNotifications1700000170000 } from '../../accounts/migrations/1700000170000-CredentialChangeNotifications';
import { TrialsAndPendingItems1700000190000 } from '../../subscriptions/migrations/1700000190000-TrialsAndPendingItems';
import { PlanTrials1700000190001 } from '../../plans/migrations/1700000190001-PlanTrials';
import { TrialNotices1700000190002 } from '../../billing/migrations/1700000190002-TrialNotices';
import { ChangeCharges1700000190003 } from '../../subscription-changes/migrations/1700000190003-ChangeCharges';
import { ProcessorChangeNotifications1700000170001 } from '../../processors/migrations/1700000170001-ProcessorChangeNotifications';

export const entities = [
  Merchant,
  User,
  ApiKey,
  PartnerKey,
  IdempotencyKey,
  Processor,
  CatalogAdjustment,
  Plan,
  PlanAdjustment,
  Subscription,
  SubscriptionAdjustment,
  SubscriptionEvent,
  SubscriptionPendingItem,
  VaultCustomer,
  VaultAddress,
  VaultPaymentMethod,
  PaymentToken,
  GatewayTransactionRow,
  GatewayIdempotencyClaim,
  StoredCredential,
  Invoice,
  InvoicePayment,
  OutboxEmail,
  Terminal,
  SettlementBatch,
  FileBatch,
  EventRow,
  WebhookEndpoint,
  WebhookDelivery,
  WebhookAttempt,
  PaymentIntent,
  IntentPayment,
  PaymentRefund,
  CheckoutSession,
  InvoiceLogo,
  LedgerTransactionRow,
  PayoutRow,
  DisputeRow,
];

export const migrations = [
  Accounts1700000000000,
  Processors1700000001000,
  Catalog1700000004000,
  Subscriptions1700000005000,
  Vault1700000002000,
  Transactions1700000003000,
  Invoices1700000006000,
  EmailOutbox1700000007000,
  BillingRun1700000008000,
  BillingRunProgress1700000100000,
  CustomerCredits1700000160000,
  Events1700000150000,
  Webhooks1700000150100,
  InvoiceOverdueEvents1700000150200,
  UserLogins1700000120000,
  TerminalsAndSettlement1700000120100,
  FileBatches1700000120200,
  Payments1700000130000,
  MerchantLocale1700000180000,
  InvoiceDocuments1700000180001,
  Ledger1700000140000,
  SealedReplays1700000110000,
  InvoiceOverdueAt1700000110001,
  CycleDisputes1700000140100,
  LedgerSettlementIds1700000140001,
  CredentialChangeNotifications1700000170000,
  ProcessorChangeNotifications1700000170001,
  TrialsAndPendingItems1700000190000,
  PlanTrials1700000190001,
  TrialNotices1700000190002,
  ChangeCharges1700000190003,
];
