import { Module } from '@nestjs/common';
import { CryptoModule } from '../platform/crypto/crypto.module';
import { GatewayFactory } from './gateway.factory';
import { GatewayPayments } from './payments-port';
import { VaultPaymentMethods } from './vault/payment-methods.port';
import { SandboxOptions } from './sandbox/sandbox-options';
import { RecurringChargesService } from './stored-credentials/recurring-charges.service';
import { RecurringPayments } from './stored-credentials/recurring-payments';
import { TokenizerController } from './tokenizer/tokenizer.controller';
import { TokenizerService } from './tokenizer/tokenizer.service';
import { CardExpiryEvents } from './vault/card-expiry-events';
import { ChargeEvents } from './transactions/charge-events';
import { TransactionsController } from './transactions/transactions.controller';
import { TransactionObservers } from './transactions/transaction-observers';
import { TransactionsService } from './transactions/transactions.service';
import { AccountsModule } from '../accounts/accounts.module';
import { SettlementController } from './settlement/settlement.controller';
import { SettlementService } from './settlement/settlement.service';
import { TerminalSales } from './terminals/terminal-sales';
import { TerminalsController } from './terminals/terminals.controller';
import { TerminalsService } from './terminals/terminals.service';
import { VaultController } from './vault/vault.controller';
import { VaultService } from './vault/vault.service';

/**
 * The gateway: the PaymentGateway interface (gateway.ts), Rebill's sandbox (customer vault,
 * transactions, tokenizer) and the HTTP adapter. Other modules use GatewayFactory,
 * RecurringChargesService, VaultService and TransactionObservers (register at boot to hear
 * every money movement inside its transaction).
 */
@Module({
  imports: [CryptoModule, AccountsModule],
  controllers: [
    VaultController,
    TransactionsController,
    TokenizerController,
    TerminalsController,
    SettlementController,
  ],
  providers: [
    VaultService,
    TokenizerService,
    TransactionsService,
    TransactionObservers,
    ChargeEvents,
    CardExpiryEvents,
    SandboxOptions,
    GatewayFactory,
    RecurringChargesService,
    TerminalsService,
    TerminalSales,
    SettlementService,
    GatewayPayments,
    VaultPaymentMethods,
    RecurringPayments,
  ],
  exports: [
    GatewayPayments,
    VaultPaymentMethods,
    VaultService,
    TransactionsService,
    TransactionObservers,
    GatewayFactory,
    RecurringChargesService,
    RecurringPayments,
    SandboxOptions,
    SettlementService,
  ],
})
export class GatewayModule {}
