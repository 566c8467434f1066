import { Module } from '@nestjs/common';
import { PartnerController, UserController, UsersController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { UsersService } from './users.service';

@Module({
  controllers: [UserController, UsersController, PartnerController],
  providers: [AccountsService, UsersService],
  exports: [AccountsService, UsersService],
})
export class AccountsModule {}
