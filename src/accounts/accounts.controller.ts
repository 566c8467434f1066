import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentMerchant, MerchantAuth } from '../platform/auth/auth.decorators';
import { Route, type BodyOf, type ParamsOf, type ReplyOf } from '../platform/http/route-schema';
import { ACCOUNT_ROUTES } from './accounts.routes';
import { list, ok } from '../platform/http/envelope';
import { AccountsService } from './accounts.service';
import { apiKeyView, merchantView, userView } from './accounts.views';

type R = typeof ACCOUNT_ROUTES;

@ApiTags('users')
@Controller('api/user')
export class UserController {
  constructor(private readonly accounts: AccountsService) {}

  /** The current user; a public key may read it. */
  @Get()
  @Route(ACCOUNT_ROUTES.currentUser)
  async current(@CurrentMerchant() auth: MerchantAuth): Promise<ReplyOf<R['currentUser']>> {
    return ok(userView(await this.accounts.getUser(auth.merchantId, auth.userId)));
  }

  @Post('apikey')
  @HttpCode(200)
  @Route(ACCOUNT_ROUTES.createApiKey)
  async createApiKey(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() body: BodyOf<R['createApiKey']>,
  ): Promise<ReplyOf<R['createApiKey']>> {
    const created = await this.accounts.createApiKey(auth.merchantId, auth.userId, body);
    return ok(apiKeyView(created.key, created.secret));
  }

  @Get('apikeys')
  @Route(ACCOUNT_ROUTES.listApiKeys)
  async listApiKeys(@CurrentMerchant() auth: MerchantAuth): Promise<ReplyOf<R['listApiKeys']>> {
    const keys = await this.accounts.listApiKeys(auth.merchantId);
    return list(
      keys.map((k) => apiKeyView(k)),
      keys.length,
    );
  }

  @Delete('apikey/:key')
  @Route(ACCOUNT_ROUTES.deleteApiKey)
  async deleteApiKey(
    @CurrentMerchant() auth: MerchantAuth,
    @Param() { key }: ParamsOf<R['deleteApiKey']>,
  ): Promise<ReplyOf<R['deleteApiKey']>> {
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
  @Route(ACCOUNT_ROUTES.createMerchant)
  async createMerchant(
    @Body() body: BodyOf<R['createMerchant']>,
  ): Promise<ReplyOf<R['createMerchant']>> {
    const created = await this.accounts.createMerchant({
      name: body.name,
      timezone: body.timezone,
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
