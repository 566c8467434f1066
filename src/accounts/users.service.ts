import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, QueryFailedError } from 'typeorm';
import { Body, requiredString } from '../platform/http/input';
import { TokenService } from '../platform/auth/jwt';
import { Clock, CLOCK } from '../platform/clock/clock';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../platform/errors/errors';
import { newId } from '../platform/ids/ids';
import { releaseLoginAttempt, reserveLoginAttempt } from './login-throttle';
import { assertPasswordPolicy, decoyHash, hashPassword, passwordMatches } from './passwords';
import { parseNewUser, parseUserUpdate, UserProfile } from './user-input';
import { User } from './user.entity';

/** Who is acting: the authenticated user of a merchant. */
export interface Actor {
  merchantId: string;
  userId: string;
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
  expiresIn: number;
  user: User;
}

/**
 * The spec's Users section and POST /api/token-auth. Role rules (docs/users.md): an admin
 * manages every user of its merchant; a standard user sees and edits only itself (not its
 * own role or status). A merchant always keeps at least one active admin.
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly tokens: TokenService,
  ) {}

  /** The acting user (live); its role decides what it may do. */
  async actingUser(actor: Actor, em: EntityManager = this.dataSource.manager): Promise<User> {
    const user = await em
      .getRepository(User)
      .findOneBy({ id: actor.userId, merchantId: actor.merchantId, deletedAt: IsNull() });
    // The guard admitted this user a moment ago; it has been deleted since.
    if (!user) throw new UnauthorizedError('unauthorized: the calling user no longer exists');
    return user;
  }

  async requireAdmin(actor: Actor, action: string): Promise<User> {
    const user = await this.actingUser(actor);
    if (user.role !== 'admin') {
      throw new ForbiddenError(`forbidden: only an admin user may ${action}`);
    }
    return user;
  }

  async create(actor: Actor, body: Body): Promise<User> {
    const input = parseNewUser(body);
    await this.requireAdmin(actor, 'create users');
    const passwordHash = await hashPassword(input.password);
    const now = this.clock.now();
    const user = Object.assign(new User(), {
      id: newId(),
      merchantId: actor.merchantId,
      username: input.username,
      name: input.name,
      phone: input.phone ?? '',
      email: input.email ?? '',
      timezone: input.timezone ?? 'UTC',
      status: input.status ?? 'active',
      role: input.role ?? 'standard',
      permissions: input.permissions ?? {},
      notifications: input.notifications ?? {},
      defaults: input.defaults ?? {},
      passwordHash,
      tokenVersion: 0,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    });
    try {
      await this.dataSource.getRepository(User).insert(user);
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ConflictError(`username ${input.username} is already taken`);
      }
      throw err;
    }
    this.logger.log({ merchantId: actor.merchantId, userId: user.id }, 'user created');
    return user;
  }

  async get(actor: Actor, id: string): Promise<User> {
    const me = await this.actingUser(actor);
    if (me.role !== 'admin' && id !== me.id) {
      throw new ForbiddenError('forbidden: a standard user may only read its own user');
    }
    return this.findLive(this.dataSource.manager, actor.merchantId, id);
  }

  async list(actor: Actor): Promise<User[]> {
    await this.requireAdmin(actor, 'list users');
    return this.dataSource.getRepository(User).find({
      where: { merchantId: actor.merchantId, deletedAt: IsNull() },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  async update(actor: Actor, id: string, body: Body): Promise<User> {
    const changes = parseUserUpdate(body);
    return this.dataSource.transaction(async (em) => {
      const users = await this.lockMerchantUsers(em, actor.merchantId);
      const me = users.find((u) => u.id === actor.userId);
      if (!me) throw new UnauthorizedError('unauthorized: the calling user no longer exists');
      const target = users.find((u) => u.id === id);
      if (me.role !== 'admin') {
        if (id !== me.id) {
          throw new ForbiddenError('forbidden: a standard user may only update its own user');
        }
        for (const field of ['role', 'status', 'permissions'] as const) {
          if (changes[field] !== undefined) {
            throw new ForbiddenError(`forbidden: only an admin user may change ${field}`);
          }
        }
      }
      if (!target) throw new NotFoundError('user', id);
      const next = { ...target, ...changes } as User;
      assertAnActiveAdminRemains(users, target.id, next);
      applyProfile(target, changes, this.clock.now());
      await em.getRepository(User).save(target);
      return target;
    });
  }

  /**
   * Soft deletion: the user and its API keys stop working at once; its id stays on the
   * transactions it made, and its username may be taken again.
   */
  async delete(actor: Actor, id: string): Promise<void> {
    await this.requireAdmin(actor, 'delete users');
    await this.dataSource.transaction(async (em) => {
      const users = await this.lockMerchantUsers(em, actor.merchantId);
      const target = users.find((u) => u.id === id);
      if (!target) throw new NotFoundError('user', id);
      assertAnActiveAdminRemains(users, target.id, null);
      const now = this.clock.now();
      await em
        .getRepository(User)
        .update(
          { id, merchantId: actor.merchantId },
          { deletedAt: now, updatedAt: now, tokenVersion: () => 'token_version + 1' },
        );
      await em.query(
        `UPDATE api_keys SET deleted_at = $3, updated_at = $3
          WHERE merchant_id = $1 AND user_id = $2 AND deleted_at IS NULL`,
        [actor.merchantId, id, now],
      );
    });
    this.logger.log({ merchantId: actor.merchantId, userId: id }, 'user deleted');
  }

  /**
   * Spec: Change Password, for the calling user only. A user that never had a password (a
   * merchant's first user) sets one with an empty current_password. Every JWT issued
   * before is revoked.
   */
  async changePassword(actor: Actor, body: Body, address: string): Promise<void> {
    // The format rule is for new usernames; a merchant's first user is named merchant_<id>.
    const username = requiredString(body.username, 'username', { max: 64 });
    if (typeof body.current_password !== 'string' && body.current_password != null) {
      throw new ValidationError('current_password', 'must be a string');
    }
    const current = (body.current_password as string | null | undefined) ?? '';
    const newPassword = assertPasswordPolicy('new_password', body.new_password);
    const me = await this.withPasswordHash(actor.merchantId, actor.userId);
    if (!me) throw new UnauthorizedError('unauthorized: the calling user no longer exists');
    if (me.username.toLowerCase() !== username.toLowerCase()) {
      throw new ForbiddenError(
        "forbidden: a password can only be changed with the user's own API key or token",
      );
    }
    if (me.passwordHash !== null || current !== '') {
      const reservation = await reserveLoginAttempt(
        this.dataSource.manager,
        me.username,
        address,
        this.clock.now(),
      );
      const matches = me.passwordHash !== null && (await passwordMatches(me.passwordHash, current));
      if (!matches) {
        throw new ValidationError('current_password', 'does not match the current password');
      }
      await releaseLoginAttempt(this.dataSource.manager, reservation);
    }
    if (current !== '' && current === newPassword) {
      throw new ValidationError('new_password', 'must differ from the current password');
    }
    const passwordHash = await hashPassword(newPassword);
    await this.dataSource
      .getRepository(User)
      .update(
        { id: me.id, merchantId: actor.merchantId },
        { passwordHash, updatedAt: this.clock.now(), tokenVersion: () => 'token_version + 1' },
      );
    this.logger.log({ merchantId: actor.merchantId, userId: me.id }, 'password changed');
  }

  /** POST /api/token-auth: username and password → a short-lived JWT. */
  async tokenAuth(body: Body, address: string): Promise<IssuedToken> {
    const username = requiredString(body.username, 'username', { max: 64 });
    const password = body.password;
    if (typeof password !== 'string' || password === '') {
      throw new ValidationError('password', 'is required');
    }
    const reservation = await reserveLoginAttempt(
      this.dataSource.manager,
      username,
      address,
      this.clock.now(),
    );
    const user = await this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('lower(u.username) = lower(:username) AND u.deleted_at IS NULL', { username })
      .getOne();
    // The same work whether or not the user exists, so timing does not reveal usernames.
    const stored = user?.passwordHash ?? (await decoyHash());
    const matches = await passwordMatches(stored, password);
    if (!user || user.passwordHash === null || !matches) {
      throw new UnauthorizedError('unauthorized: invalid username or password');
    }
    if (user.status !== 'active') {
      throw new UnauthorizedError('unauthorized: this user is disabled');
    }
    await releaseLoginAttempt(this.dataSource.manager, reservation);
    const issued = await this.tokens.issue({
      userId: user.id,
      merchantId: user.merchantId,
      tokenVersion: user.tokenVersion,
    });
    return {
      token: issued.token,
      expiresAt: issued.expiresAt,
      expiresIn: this.tokens.ttlSeconds,
      user,
    };
  }

  private async findLive(em: EntityManager, merchantId: string, id: string): Promise<User> {
    const user = await em.getRepository(User).findOneBy({ id, merchantId, deletedAt: IsNull() });
    if (!user) throw new NotFoundError('user', id);
    return user;
  }

  private withPasswordHash(merchantId: string, id: string): Promise<User | null> {
    return this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.id = :id AND u.merchant_id = :merchantId AND u.deleted_at IS NULL', {
        id,
        merchantId,
      })
      .getOne();
  }

  /** The merchant's live users, locked, so two admins cannot demote each other at once. */
  private lockMerchantUsers(em: EntityManager, merchantId: string): Promise<User[]> {
    return em.getRepository(User).find({
      where: { merchantId, deletedAt: IsNull() },
      order: { id: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
  }
}

function applyProfile(user: User, changes: UserProfile, now: Date): void {
  if (changes.name !== undefined) user.name = changes.name;
  if (changes.phone !== undefined) user.phone = changes.phone;
  if (changes.email !== undefined) user.email = changes.email;
  if (changes.timezone !== undefined) user.timezone = changes.timezone;
  if (changes.status !== undefined) user.status = changes.status;
  if (changes.role !== undefined) user.role = changes.role;
  if (changes.permissions !== undefined)
    user.permissions = { ...user.permissions, ...changes.permissions };
  if (changes.notifications?.merchant !== undefined) {
    user.notifications = {
      ...user.notifications,
      merchant: { ...(user.notifications.merchant ?? {}), ...changes.notifications.merchant },
    };
  }
  if (changes.defaults !== undefined) user.defaults = { ...user.defaults, ...changes.defaults };
  user.updatedAt = now;
}

/** `next` is the target after the change, or null when it is deleted. */
function assertAnActiveAdminRemains(users: User[], targetId: string, next: User | null): void {
  const activeAdmins = users.filter((u) =>
    u.id === targetId
      ? next !== null && next.role === 'admin' && next.status === 'active'
      : u.role === 'admin' && u.status === 'active',
  );
  if (activeAdmins.length === 0) {
    throw new ConflictError(
      'the merchant must keep at least one active admin user: make another user an active admin first',
    );
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (
    err instanceof QueryFailedError && (err.driverError as { code?: string })?.code === '23505'
  );
}
