import { Module } from '@nestjs/common';
import { PartnerController, UserController, UsersController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { UsersService } from './users.service';
import { MerchantSetup } from './merchant-setup';

@Module({
  controllers: [UserController, UsersController, PartnerController],
  providers: [AccountsService, UsersService, MerchantSetup],
  exports: [AccountsService, UsersService, MerchantSetup],
})
export class AccountsModule {}
