import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { UnauthorizedError } from '../errors/errors';
import { AUTH_REQUIREMENT, AuthRequirement, RequestAuth } from './auth.decorators';
import { hashKey, keyFromAuthorizationHeader } from './key-hash';

/**
 * Authenticates every request by its Authorization header. Routes need a private key
 * unless marked otherwise (@NoAuth, @PublicKeyAllowed, @PartnerOnly).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement =
      this.reflector.getAllAndOverride<AuthRequirement>(AUTH_REQUIREMENT, [
        context.getHandler(),
        context.getClass(),
      ]) ?? 'private';
    if (requirement === 'none') return true;

    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string | undefined>; auth?: RequestAuth }>();
    const key = keyFromAuthorizationHeader(request.headers['authorization']);
    if (!key) throw new UnauthorizedError('unauthorized: missing Authorization header');
    const keyHash = hashKey(key);

    if (requirement === 'partner') {
      const rows: { id: string }[] = await this.dataSource.query(
        'SELECT id FROM partner_keys WHERE key_hash = $1',
        [keyHash],
      );
      if (rows.length === 0) {
        throw new UnauthorizedError('unauthorized: this endpoint needs the partner API key');
      }
      request.auth = { kind: 'partner', partnerKeyId: rows[0].id };
      return true;
    }

    const rows: { id: string; merchant_id: string; user_id: string; type: 'api' | 'public' }[] =
      await this.dataSource.query(
        `SELECT k.id, k.merchant_id, k.user_id, k.type
           FROM api_keys k JOIN users u ON u.id = k.user_id
          WHERE k.key_hash = $1 AND k.deleted_at IS NULL AND u.status = 'active'`,
        [keyHash],
      );
    if (rows.length === 0) {
      throw new UnauthorizedError('unauthorized: API key does not exist or has been deleted');
    }
    const row = rows[0];
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
}
