import { CanActivate, ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ChangeNotifications, InvalidatingCache } from '../database/change-notifications';
import { UnauthorizedError } from '../errors/errors';
import { AUTH_REQUIREMENT, AuthRequirement, RequestAuth } from './auth.decorators';
import { TokenService, looksLikeJwt } from './jwt';
import { hashKey, keyFromAuthorizationHeader } from './key-hash';

/**
 * Authenticates every request by its Authorization header: an API key, or a JWT from
 * POST /api/token-auth (accepted wherever a private key is). Routes need a private key
 * unless marked otherwise (@NoAuth, @PublicKeyAllowed, @PartnerOnly).
 */
type KeyRow = { id: string; merchant_id: string; user_id: string; type: 'api' | 'public' };
type UserRow = { status: string; deleted_at: Date | null; token_version: number };

@Injectable()
export class ApiKeyGuard implements CanActivate {
  /**
   * Live keys and users by hash / id, cleared on every change of api_keys, users or
   * partner_keys in any process (change-notifications.ts); misses always ask the database.
   */
  private readonly keys: InvalidatingCache<KeyRow>;
  private readonly partnerKeys: InvalidatingCache<string>;
  private readonly users: InvalidatingCache<UserRow>;

  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
    private readonly tokens: TokenService,
    // Optional so other guards can build one by hand; without it nothing is cached.
    @Optional() changes?: ChangeNotifications,
  ) {
    this.keys = changes?.cache('rebill_credentials') ?? new InvalidatingCache();
    this.partnerKeys = changes?.cache('rebill_credentials') ?? new InvalidatingCache();
    this.users = changes?.cache('rebill_credentials') ?? new InvalidatingCache();
  }

  /** Each route's requirement, read from its decorators once (they never change at run time). */
  private readonly requirements = new WeakMap<object, AuthRequirement>();

  private requirementOf(context: ExecutionContext): AuthRequirement {
    const handler = context.getHandler();
    let requirement = this.requirements.get(handler);
    if (requirement === undefined) {
      requirement =
        this.reflector.getAllAndOverride<AuthRequirement>(AUTH_REQUIREMENT, [
          handler,
          context.getClass(),
        ]) ?? 'private';
      this.requirements.set(handler, requirement);
    }
    return requirement;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.requirementOf(context);
    if (requirement === 'none') return true;

    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; auth?: RequestAuth }>();
    const key = keyFromAuthorizationHeader(request.headers['authorization']);
    if (!key) throw new UnauthorizedError('unauthorized: missing Authorization header');
    if (requirement !== 'partner' && looksLikeJwt(key)) {
      request.auth = await this.authenticateToken(key);
      return true;
    }
    const keyHash = hashKey(key);

    if (requirement === 'partner') {
      let partnerKeyId = this.partnerKeys.get(keyHash);
      if (partnerKeyId === undefined) {
        const ticket = this.partnerKeys.ticket();
        const rows: { id: string }[] = await this.dataSource.query(
          'SELECT id FROM partner_keys WHERE key_hash = $1',
          [keyHash],
        );
        if (rows.length === 0) {
          throw new UnauthorizedError('unauthorized: this endpoint needs the partner API key');
        }
        partnerKeyId = rows[0].id;
        this.partnerKeys.set(keyHash, partnerKeyId, ticket);
      }
      request.auth = { kind: 'partner', partnerKeyId };
      return true;
    }

    let row = this.keys.get(keyHash);
    if (row === undefined) {
      const ticket = this.keys.ticket();
      const rows: KeyRow[] = await this.dataSource.query(
        `SELECT k.id, k.merchant_id, k.user_id, k.type
           FROM api_keys k JOIN users u ON u.id = k.user_id
          WHERE k.key_hash = $1 AND k.deleted_at IS NULL
            AND u.status = 'active' AND u.deleted_at IS NULL`,
        [keyHash],
      );
      if (rows.length === 0) {
        throw new UnauthorizedError('unauthorized: API key does not exist or has been deleted');
      }
      row = rows[0];
      this.keys.set(keyHash, row, ticket);
    }
    if (row.type === 'public' && requirement === 'private') {
      throw new UnauthorizedError(
        'unauthorized: a public key (pub_) cannot be used here; this endpoint needs a private API key (api_)',
      );
    }
    request.auth = {
      kind: 'merchant',
      merchantId: row.merchant_id,
      userId: row.user_id,
      keyId: row.id,
      keyType: row.type,
    };
    return true;
  }

  /**
   * A JWT counts as the user's private key. Its user is checked on every request (from the
   * cache, which any change of the users table clears), so a token stops working the moment
   * its user is disabled, deleted or changes password.
   */
  private async authenticateToken(token: string): Promise<RequestAuth> {
    const checked = await this.tokens.check(token);
    if (!checked.ok) {
      throw new UnauthorizedError(
        checked.reason === 'expired'
          ? 'unauthorized: the token has expired; request a new one with POST /api/token-auth'
          : 'unauthorized: the token is invalid: its signature or claims do not verify (tampered or not issued by this server)',
      );
    }
    const { claims } = checked;
    const userKey = `${claims.merchantId}:${claims.userId}`;
    let user = this.users.get(userKey);
    if (user === undefined) {
      const ticket = this.users.ticket();
      const rows: UserRow[] = await this.dataSource.query(
        `SELECT status, deleted_at, token_version FROM users WHERE id = $1 AND merchant_id = $2`,
        [claims.userId, claims.merchantId],
      );
      user = rows[0];
      if (user) this.users.set(userKey, user, ticket);
    }
    if (!user || user.deleted_at !== null) {
      throw new UnauthorizedError('unauthorized: the token is revoked: its user has been deleted');
    }
    if (user.status !== 'active') {
      throw new UnauthorizedError('unauthorized: the token is revoked: its user is disabled');
    }
    if (user.token_version !== claims.tokenVersion) {
      throw new UnauthorizedError(
        "unauthorized: the token is revoked: its user's password has changed since it was issued",
      );
    }
    return {
      kind: 'merchant',
      merchantId: claims.merchantId,
      userId: claims.userId,
      keyId: `jwt_${claims.tokenId}`,
      keyType: 'api',
    };
  }
}
