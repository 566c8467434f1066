import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { Clock, CLOCK } from '../platform/clock/clock';
import { NotFoundError, ValidationError } from '../platform/errors/errors';
import { hashKey, maskKey } from '../platform/auth/key-hash';
import { newId, newSecretToken } from '../platform/ids/ids';
import { ApiKey, ApiKeyType } from './api-key.entity';
import { Merchant } from './merchant.entity';
import { PartnerKey } from './partner-key.entity';
import { MerchantSetup } from './merchant-setup';
import { User } from './user.entity';
import { ProcessorsService } from '../processors/processors.service';
import { isValidTimeZone } from '../billing-calc/calendar';
import { canonicalLocale, DEFAULT_LOCALE } from '../platform/money/currency';

export type KeyIdentity =
  | { kind: 'merchant'; keyId: string; merchantId: string; userId: string; keyType: ApiKeyType }
  | { kind: 'partner'; keyId: string };

export interface CreatedApiKey {
  key: ApiKey;
  secret: string;
}

/** Merchants (tenants), their users and the users' API keys. */
@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly processors: ProcessorsService,
    private readonly setup: MerchantSetup,
  ) {}

  /** A merchant with its first (admin) user, a private and a public key. */
  async createMerchant(input: { name: unknown; timezone: unknown; locale?: unknown }): Promise<{
    merchant: Merchant;
    user: User;
    privateKey: CreatedApiKey;
    publicKey: CreatedApiKey;
  }> {
    if (typeof input.name !== 'string' || input.name.trim() === '') {
      throw new ValidationError('name', 'is required and must be a non-empty string');
    }
    if (input.name.length > 200)
      throw new ValidationError('name', 'must be at most 200 characters');
    const timezone = input.timezone ?? 'UTC';
    if (typeof timezone !== 'string' || !isValidTimeZone(timezone)) {
      throw new ValidationError(
        'timezone',
        'must be an IANA time zone name such as "America/Chicago"',
      );
    }
    const rawLocale = input.locale ?? DEFAULT_LOCALE;
    const locale = typeof rawLocale === 'string' ? canonicalLocale(rawLocale.trim()) : null;
    if (locale === null) {
      throw new ValidationError(
        'locale',
        'must be a BCP 47 language tag such as "en-US" or "de-DE"',
      );
    }
    const now = this.clock.now();
    return this.dataSource.transaction(async (em) => {
      const merchant = em.create(Merchant, {
        id: newId(),
        name: input.name as string,
        timezone,
        locale,
        createdAt: now,
        updatedAt: now,
      });
      await em.save(merchant);
      const user = em.create(User, {
        id: newId(),
        merchantId: merchant.id,
        username: `merchant_${merchant.id}`,
        name: merchant.name,
        phone: '',
        email: '',
        timezone,
        status: 'active',
        role: 'admin',
        createdAt: now,
        updatedAt: now,
      });
      await em.save(user);
      const privateKey = await this.insertApiKey(em, user, 'api', 'Private Key');
      const publicKey = await this.insertApiKey(em, user, 'public', 'Public Key');
      await this.processors.createDefault(merchant.id, em);
      await this.setup.run(em, merchant);
      return { merchant, user, privateKey, publicKey };
    });
  }

  async createApiKey(
    merchantId: string,
    userId: string,
    body: { type?: unknown; name?: unknown },
  ): Promise<CreatedApiKey> {
    const type = body.type;
    if (type !== 'api' && type !== 'public') {
      throw new ValidationError('type', 'must be "api" (private) or "public"');
    }
    if (typeof body.name !== 'string' || body.name.trim() === '' || body.name.length > 100) {
      throw new ValidationError('name', 'is required: a string of 1 to 100 characters');
    }
    const user = await this.dataSource.getRepository(User).findOneBy({ id: userId, merchantId });
    if (!user) throw new NotFoundError('user', userId);
    return this.insertApiKey(this.dataSource.manager, user, type, body.name.trim());
  }

  /** All of the merchant's keys, or only one user's (a standard user sees only its own). */
  async listApiKeys(merchantId: string, onlyUserId?: string): Promise<ApiKey[]> {
    return this.dataSource.getRepository(ApiKey).find({
      where: { merchantId, deletedAt: IsNull(), ...(onlyUserId ? { userId: onlyUserId } : {}) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  /** The spec deletes by the key itself; the key's id is accepted too. */
  async deleteApiKey(merchantId: string, keyOrId: string, onlyUserId?: string): Promise<void> {
    const repo = this.dataSource.getRepository(ApiKey);
    const scope = {
      merchantId,
      deletedAt: IsNull(),
      ...(onlyUserId ? { userId: onlyUserId } : {}),
    };
    const found =
      (await repo.findOneBy({ ...scope, keyHash: hashKey(keyOrId) })) ??
      (await repo.findOneBy({ ...scope, id: keyOrId }));
    if (!found) throw new NotFoundError('api key');
    const now = this.clock.now();
    await repo.update({ id: found.id, merchantId }, { deletedAt: now, updatedAt: now });
  }

  async getUser(merchantId: string, userId: string): Promise<User> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id: userId, merchantId });
    if (!user) throw new NotFoundError('user', userId);
    return user;
  }

  /**
   * For notices to the merchant itself (a webhook endpoint disabled): its name and the
   * email addresses of its active admin users, inside the caller's transaction.
   */
  async merchantContacts(
    em: EntityManager,
    merchantId: string,
  ): Promise<{ name: string; emails: string[] }> {
    const merchant = await em.getRepository(Merchant).findOneBy({ id: merchantId });
    const users = await em.getRepository(User).find({
      where: { merchantId, status: 'active', role: 'admin' },
      order: { createdAt: 'ASC' },
    });
    return {
      name: merchant?.name ?? '',
      emails: [...new Set(users.map((u) => u.email.trim()).filter((e) => e.includes('@')))],
    };
  }

  /**
   * Who a key belongs to, for guards other than the gateway API's (the payments API reads
   * `x-api-key`): a merchant's live key of an active user, the partner key, or null.
   */
  async identifyKey(key: string): Promise<KeyIdentity | null> {
    const keyHash = hashKey(key);
    const rows: { id: string; merchant_id: string; user_id: string; type: ApiKeyType }[] =
      await this.dataSource.query(
        `SELECT k.id, k.merchant_id, k.user_id, k.type
           FROM api_keys k JOIN users u ON u.id = k.user_id
          WHERE k.key_hash = $1 AND k.deleted_at IS NULL AND u.status = 'active'`,
        [keyHash],
      );
    if (rows.length > 0) {
      const row = rows[0];
      return {
        kind: 'merchant',
        keyId: row.id,
        merchantId: row.merchant_id,
        userId: row.user_id,
        keyType: row.type,
      };
    }
    const partner = await this.dataSource.getRepository(PartnerKey).findOneBy({ keyHash });
    return partner ? { kind: 'partner', keyId: partner.id } : null;
  }

  async merchantExists(merchantId: string): Promise<boolean> {
    return this.dataSource.getRepository(Merchant).existsBy({ id: merchantId });
  }

  async getMerchant(merchantId: string): Promise<Merchant> {
    const merchant = await this.dataSource.getRepository(Merchant).findOneBy({ id: merchantId });
    if (!merchant) throw new NotFoundError('merchant', merchantId);
    return merchant;
  }

  /** Time zones of many merchants at once (calendar dates are in the merchant's zone). */
  /** Every merchant's time zone, or only those of `merchantIds` when given (the nightly scheduler). */
  async merchantTimeZones(
    merchantIds: readonly string[] | null,
  ): Promise<{ id: string; timezone: string }[]> {
    return this.dataSource.query(
      `SELECT id, timezone FROM merchants WHERE $1::text[] IS NULL OR id = ANY($1) ORDER BY id`,
      [merchantIds],
    );
  }

  async timeZonesOf(merchantIds: readonly string[]): Promise<Map<string, string>> {
    if (merchantIds.length === 0) return new Map();
    const rows: { id: string; timezone: string }[] = await this.dataSource.query(
      `SELECT id, timezone FROM merchants WHERE id = ANY($1::text[])`,
      [merchantIds],
    );
    return new Map(rows.map((r) => [r.id, r.timezone]));
  }

  /**
   * The partner key: PARTNER_API_KEY when set; otherwise, when the database has none,
   * a new one is generated and returned so that the caller can print it once.
   */
  async ensurePartnerKey(fromEnvironment: string | undefined): Promise<string | null> {
    const repo = this.dataSource.getRepository(PartnerKey);
    const now = this.clock.now();
    if (fromEnvironment) {
      await repo
        .createQueryBuilder()
        .insert()
        .values({
          id: newId(),
          keyHash: hashKey(fromEnvironment),
          source: 'environment',
          createdAt: now,
        })
        .orIgnore()
        .execute();
      return null;
    }
    return this.dataSource.transaction(async (em) => {
      // One process at a time decides whether a key must be generated.
      await em.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['rebill:partner-key']);
      const count = await em.getRepository(PartnerKey).count();
      if (count > 0) return null;
      const secret = `partner_${newSecretToken()}`;
      await em
        .getRepository(PartnerKey)
        .insert({ id: newId(), keyHash: hashKey(secret), source: 'generated', createdAt: now });
      return secret;
    });
  }

  private async insertApiKey(
    em: EntityManager,
    user: User,
    type: ApiKeyType,
    name: string,
  ): Promise<CreatedApiKey> {
    const secret = `${type === 'api' ? 'api' : 'pub'}_${newSecretToken()}`;
    const now = this.clock.now();
    const key = em.create(ApiKey, {
      id: newId(),
      merchantId: user.merchantId,
      userId: user.id,
      type,
      name,
      keyHash: hashKey(secret),
      maskedKey: maskKey(secret),
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    await em.save(key);
    this.logger.log({ merchantId: user.merchantId, keyId: key.id, type }, 'api key created');
    return { key, secret };
  }
}
