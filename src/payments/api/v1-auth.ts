import {
  applyDecorators,
  CanActivate,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import { AccountsService } from '../../accounts/accounts.service';
import { NoAuth } from '../../platform/auth/auth.decorators';
import type { MerchantAuth } from '../../platform/auth/auth.decorators';
import {
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../../platform/errors/errors';

/**
 * The payments API's conventions for authentication (docs/payments-api.md, "Authentication"):
 *
 * - `x-api-key`: a private key (`api_`), or the partner key; a public key (`pub_`) only on
 *   the routes a browser calls through the JS SDK (@V1PublicKeyAllowed);
 * - `x-account-id`: the merchant account the call acts for. A merchant's key acts for its
 *   own account only (403 otherwise); the partner key acts for any merchant and must name one;
 * - `x-business-id`: optional, a label the merchant groups objects by; lists filter by it.
 */

/** The installation is one partner: every merchant object answers this `partner_id`. */
export const PARTNER_ID = 'default';

export interface V1Caller {
  /** The merchant the call acts for (the spec's `account_id`). */
  accountId: string;
  partnerId: string;
  /** `x-business-id`, or null. */
  businessId: string | null;
  /** What authenticated the call. */
  keyKind: 'private' | 'public' | 'partner';
}

const V1_KEY = 'rebill:v1-key';
const V1_ACCOUNT = 'rebill:v1-account';

/** A browser may call this route with the public key (the JS SDK's use). */
export const V1PublicKeyAllowed = () => SetMetadata(V1_KEY, 'public_or_private');
/** `x-account-id` may be left out (the spec marks it optional); it defaults to the key's merchant. */
export const V1AccountOptional = () => SetMetadata(V1_ACCOUNT, 'optional');

const BUSINESS_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

function header(headers: Record<string, string | string[] | undefined>, name: string) {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.trim();
}

@Injectable()
export class V1AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accounts: AccountsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const keyRule = this.reflector.getAllAndOverride<string>(V1_KEY, targets) ?? 'private';
    const accountRule = this.reflector.getAllAndOverride<string>(V1_ACCOUNT, targets) ?? 'required';
    const request = context.switchToHttp().getRequest<{
      headers: Record<string, string | string[] | undefined>;
      auth?: MerchantAuth;
      v1?: V1Caller;
    }>();

    const key = header(request.headers, 'x-api-key');
    if (!key) throw new UnauthorizedError('unauthorized: missing x-api-key header');
    const identity = await this.accounts.identifyKey(key);
    if (identity === null) {
      throw new UnauthorizedError('unauthorized: API key does not exist or has been deleted');
    }
    if (identity.kind === 'merchant' && identity.keyType === 'public' && keyRule === 'private') {
      throw new UnauthorizedError(
        'unauthorized: a public key (pub_) cannot be used here; this endpoint needs a private API key (api_)',
      );
    }

    const accountHeader = header(request.headers, 'x-account-id');
    let accountId: string;
    if (identity.kind === 'merchant') {
      if (accountHeader === undefined || accountHeader === '') {
        if (accountRule === 'required') throw new ValidationError('x-account-id', 'is required');
        accountId = identity.merchantId;
      } else if (accountHeader !== identity.merchantId) {
        throw new ForbiddenError(
          'forbidden: x-account-id names an account this API key does not belong to',
        );
      } else {
        accountId = accountHeader;
      }
    } else {
      if (accountHeader === undefined || accountHeader === '') {
        throw new ValidationError('x-account-id', 'is required with the partner key');
      }
      if (!(await this.accounts.merchantExists(accountHeader))) {
        throw new NotFoundError('account', accountHeader);
      }
      accountId = accountHeader;
    }

    const businessHeader = header(request.headers, 'x-business-id');
    if (
      businessHeader !== undefined &&
      businessHeader !== '' &&
      !BUSINESS_ID.test(businessHeader)
    ) {
      throw new ValidationError(
        'x-business-id',
        'must be 1 to 64 letters, digits, "_", ".", ":" or "-"',
      );
    }

    const keyKind: V1Caller['keyKind'] =
      identity.kind === 'partner'
        ? 'partner'
        : identity.keyType === 'public'
          ? 'public'
          : 'private';
    request.v1 = {
      accountId,
      partnerId: PARTNER_ID,
      businessId: businessHeader === undefined || businessHeader === '' ? null : businessHeader,
      keyKind,
    };
    // The platform's idempotency (and anything else reading request.auth) scopes by merchant.
    request.auth = {
      kind: 'merchant',
      merchantId: accountId,
      userId: identity.kind === 'merchant' ? identity.userId : '',
      keyId: identity.keyId,
      keyType: keyKind === 'public' ? 'public' : 'api',
    };
    return true;
  }
}

/**
 * A payments API controller under `/v1/<path>`: the gateway API's Authorization guard is
 * off (NoAuth) and V1AuthGuard applies instead; OpenAPI documents it under `payments` with the
 * x-api-key scheme (src/platform/http/openapi.ts does that for every /v1 path).
 */
export function V1Controller(path: string) {
  return applyDecorators(
    Controller(`v1/${path}`),
    NoAuth(),
    UseGuards(V1AuthGuard),
    ApiTags('payments'),
  );
}

/** The caller of a /v1 route, as V1AuthGuard resolved it. */
export const CurrentV1Caller = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const caller = ctx.switchToHttp().getRequest<{ v1?: V1Caller }>().v1;
  if (!caller) throw new Error('CurrentV1Caller used outside a V1Controller');
  return caller;
});
