import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentMerchant, MerchantAuth, NoAuth } from '../platform/auth/auth.decorators';
import { objectBody } from '../platform/http/body';
import { Route, type BodyOf, type ParamsOf, type ReplyOf } from '../platform/http/route-schema';
import { ACCOUNT_ROUTES } from './accounts.routes';
import { USER_ROUTES } from './users.routes';
import { list, ok } from '../platform/http/envelope';
import { AccountsService } from './accounts.service';
import { apiKeyView, merchantView, userView } from './accounts.views';
import { UsersService } from './users.service';

type R = typeof ACCOUNT_ROUTES;

@ApiTags('users')
@Controller('api/user')
export class UserController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly users: UsersService,
  ) {}

  /** The current user; a public key may read it. */
  @Get()
  @Route(ACCOUNT_ROUTES.currentUser)
  async current(@CurrentMerchant() auth: MerchantAuth): Promise<ReplyOf<R['currentUser']>> {
    return ok(userView(await this.accounts.getUser(auth.merchantId, auth.userId)));
  }

  /** Spec: Create User (admins only). */
  @Post()
  @HttpCode(200)
  @Route(USER_ROUTES.create)
  async create(@CurrentMerchant() auth: MerchantAuth, @Body() raw: unknown) {
    return ok(userView(await this.users.create(auth, objectBody(raw))));
  }

  @Post('change-password')
  @HttpCode(200)
  @Route(USER_ROUTES.changePassword)
  async changePassword(
    @CurrentMerchant() auth: MerchantAuth,
    @Body() raw: unknown,
    @Req() request: FastifyRequest,
  ) {
    await this.users.changePassword(auth, objectBody(raw), request.ip);
    return ok(null, 'password changed');
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

  /** An admin sees every key of the merchant; a standard user only its own. */
  @Get('apikeys')
  @Route(ACCOUNT_ROUTES.listApiKeys)
  async listApiKeys(@CurrentMerchant() auth: MerchantAuth): Promise<ReplyOf<R['listApiKeys']>> {
    const me = await this.users.actingUser(auth);
    const keys = await this.accounts.listApiKeys(
      auth.merchantId,
      me.role === 'admin' ? undefined : me.id,
    );
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
    const me = await this.users.actingUser(auth);
    await this.accounts.deleteApiKey(auth.merchantId, key, me.role === 'admin' ? undefined : me.id);
    return { status: 'success', msg: 'success' };
  }

  @Get(':id')
  @Route(USER_ROUTES.get)
  async get(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    return ok(userView(await this.users.get(auth, id)));
  }

  /** Spec: Update User. */
  @Post(':id')
  @HttpCode(200)
  @Route(USER_ROUTES.update)
  async update(
    @CurrentMerchant() auth: MerchantAuth,
    @Param('id') id: string,
    @Body() raw: unknown,
  ) {
    return ok(userView(await this.users.update(auth, id, objectBody(raw))));
  }

  @Delete(':id')
  @Route(USER_ROUTES.delete)
  async delete(@CurrentMerchant() auth: MerchantAuth, @Param('id') id: string) {
    await this.users.delete(auth, id);
    return ok(null, 'successfully deleted');
  }
}

@ApiTags('users')
@Controller('api')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** Spec: Get All Users (admins only). */
  @Get('users')
  @Route(USER_ROUTES.list)
  async list(@CurrentMerchant() auth: MerchantAuth) {
    const users = await this.users.list(auth);
    return list(users.map(userView), users.length);
  }

  /** Rebill: username and password → a short-lived JWT for `Authorization: Bearer <token>`. */
  @Post('token-auth')
  @HttpCode(200)
  @NoAuth()
  @Route(USER_ROUTES.tokenAuth)
  async tokenAuth(@Body() raw: unknown, @Req() request: FastifyRequest) {
    const issued = await this.users.tokenAuth(objectBody(raw), request.ip);
    return ok({
      token: issued.token,
      token_type: 'Bearer',
      expires_at: issued.expiresAt.toISOString(),
      expires_in: issued.expiresIn,
      user: userView(issued.user),
    });
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
