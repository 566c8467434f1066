import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  CurrentMerchant,
  MerchantAuth,
  PartnerOnly,
  PublicKeyAllowed,
} from '../platform/auth/auth.decorators';
import { objectBody } from '../platform/http/body';
import { list, ok } from '../platform/http/envelope';
import { AccountsService } from './accounts.service';
import { apiKeyView, merchantView, userView } from './accounts.views';

@ApiTags('users')
@Controller('api/user')
export class UserController {
  constructor(private readonly accounts: AccountsService) {}

  /** The current user; a public key may read it. */
  @Get()
  @PublicKeyAllowed()
  async current(@CurrentMerchant() auth: MerchantAuth) {
    return ok(userView(await this.accounts.getUser(auth.merchantId, auth.userId)));
  }

  @Post('apikey')
  @HttpCode(200)
  async createApiKey(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    const created = await this.accounts.createApiKey(auth.merchantId, auth.userId, objectBody(raw));
    return ok(apiKeyView(created.key, created.secret));
  }

  @Get('apikeys')
  async listApiKeys(@CurrentMerchant() auth: MerchantAuth) {
    const keys = await this.accounts.listApiKeys(auth.merchantId);
    return list(
      keys.map((k) => apiKeyView(k)),
      keys.length,
    );
  }

  @Delete('apikey/:key')
  async deleteApiKey(@CurrentMerchant() auth: MerchantAuth, @Param('key') key: string) {
    await this.accounts.deleteApiKey(auth.merchantId, key);
    return { status: 'success', msg: 'success' };
  }
}

@ApiTags('partner')
@Controller('api/partner')
export class PartnerController {
  constructor(private readonly accounts: AccountsService) {}

  /** A new merchant with its first private and public keys (shown once). */
  @Post('merchants')
  @HttpCode(200)
  @PartnerOnly()
  async createMerchant(@Body() raw: unknown) {
    const body = objectBody(raw);
    const created = await this.accounts.createMerchant({
      name: body.name,
      timezone: body.timezone,
      locale: body.locale,
    });
    return ok({
      ...merchantView(created.merchant),
      user: userView(created.user),
      api_keys: {
        private: apiKeyView(created.privateKey.key, created.privateKey.secret),
        public: apiKeyView(created.publicKey.key, created.publicKey.secret),
      },
    });
  }
}
