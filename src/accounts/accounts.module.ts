import { Module } from '@nestjs/common';
import { PartnerController, UserController } from './accounts.controller';
import { AccountsService } from './accounts.service';

@Module({
  controllers: [UserController, PartnerController],
  providers: [AccountsService],
  exports: [AccountsService],
})
export class AccountsModule {}
