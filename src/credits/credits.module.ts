import { Module } from '@nestjs/common';
import { GatewayModule } from '../gateway/gateway.module';
import { VaultService } from '../gateway/vault/vault.service';
import { CreditsController } from './credits.controller';
import { CUSTOMER_DIRECTORY, CustomerDirectory } from './customer-directory.port';
import { CustomerCreditsService } from './customer-credits.service';

/**
 * Customer credit balances: fed by downgrades, refunds-as-credit and manual grants, consumed
 * by invoices before any card is charged. Other modules use CustomerCreditsService.
 */
@Module({
  imports: [GatewayModule],
  controllers: [CreditsController],
  providers: [
    CustomerCreditsService,
    {
      provide: CUSTOMER_DIRECTORY,
      inject: [VaultService],
      useFactory: (vault: VaultService): CustomerDirectory => ({
        customerExists: async (merchantId, customerId, em) =>
          (await vault.findCustomer(merchantId, customerId, em ? { em, lock: 'share' } : {})) !==
          null,
      }),
    },
  ],
  exports: [CustomerCreditsService],
})
export class CreditsModule {}
