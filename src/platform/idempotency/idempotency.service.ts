import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { Clock, CLOCK } from '../clock/clock';
import { FieldCipher } from '../crypto/field-cipher';
import { ConflictError, UnprocessableError, ValidationError } from '../errors/errors';

export const IDEMPOTENCY_TTL_MS = 60 * 60 * 1000;

export type IdempotencyClaim =
  | { kind: 'claimed' }
  /** `text`: the exact bytes of the first response. */
  | { kind: 'replay'; status: number; text: string };

/**
 * The rules of payments-api.txt (Idempotency): the first successful response to a key is
 * stored per merchant and replayed for an hour; the same key while the first request runs
 * is a 409; the same key with a different request is a 422. A failed first request frees
 * its key so that the client can retry.
 *
 * A replay is the same bytes as the first response: its text is stored, not a parsed value.
 * Every stored response is sealed with the field cipher, bound to the merchant and the key:
 * some hold secrets (the new key of POST /api/user/apikey, a partner's new merchant keys, a
 * token) and which ones is not something this layer can know for every route, present and
 * future; sealing all of them costs microseconds.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly cipher: FieldCipher,
  ) {}

  private static context(scope: string, key: string): string {
    return `idempotency_keys:${scope}:${key}`;
  }

  static validateKey(key: string): void {
    if (key.length < 10 || key.length > 255) {
      throw new ValidationError('x-idempotency-key', 'must be 10 to 255 characters long');
    }
  }

  async claim(
    scope: string,
    key: string,
    method: string,
    path: string,
    fingerprint: string,
  ): Promise<IdempotencyClaim> {
    IdempotencyService.validateKey(key);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
    for (let tries = 0; tries < 2; tries++) {
      const inserted: unknown[] = await this.dataSource.query(
        `INSERT INTO idempotency_keys
           (merchant_id, key, method, path, request_hash, state, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, 'in_flight', $6, $7)
         ON CONFLICT (merchant_id, key) DO NOTHING
         RETURNING key`,
        [scope, key, method, path, fingerprint, now, expiresAt],
      );
      if (inserted.length === 1) return { kind: 'claimed' };

      const rows: {
        request_hash: string;
        state: string;
        response_status: number | null;
        response_sealed: string | null;
        expires_at: Date;
      }[] = await this.dataSource.query(
        `SELECT request_hash, state, response_status, response_sealed, expires_at
           FROM idempotency_keys WHERE merchant_id = $1 AND key = $2`,
        [scope, key],
      );
      if (rows.length === 0) continue; // freed between our insert and select: try again
      const existing = rows[0];
      if (existing.expires_at.getTime() <= now.getTime()) {
        await this.dataSource.query(
          `DELETE FROM idempotency_keys WHERE merchant_id = $1 AND key = $2 AND expires_at <= $3`,
          [scope, key, now],
        );
        continue;
      }
      if (existing.request_hash !== fingerprint) {
        throw new UnprocessableError(
          'x-idempotency-key was already used with a different request; use a new key for a new request',
        );
      }
      if (existing.state === 'in_flight') {
        throw new ConflictError(
          'a request with this x-idempotency-key is still being processed; retry once it has finished',
        );
      }
      return {
        kind: 'replay',
        status: existing.response_status ?? 200,
        text:
          existing.response_sealed === null
            ? ''
            : this.cipher.decrypt(existing.response_sealed, IdempotencyService.context(scope, key)),
      };
    }
    throw new ConflictError('x-idempotency-key is changing concurrently; retry the request');
  }

  /** Stores the first response's exact text, sealed. */
  async complete(scope: string, key: string, status: number, text: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_sealed = $4
        WHERE merchant_id = $1 AND key = $2`,
      [scope, key, status, this.cipher.encrypt(text, IdempotencyService.context(scope, key))],
    );
  }

  async release(scope: string, key: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_keys WHERE merchant_id = $1 AND key = $2 AND state = 'in_flight'`,
      [scope, key],
    );
  }

  /** Expired keys are swept every ten minutes. */
  @Interval(10 * 60 * 1000)
  async sweepExpired(): Promise<number> {
    try {
      const result: [unknown[], number] = await this.dataSource.query(
        `DELETE FROM idempotency_keys WHERE expires_at <= $1`,
        [this.clock.now()],
      );
      return result[1] ?? 0;
    } catch (err) {
      this.logger.warn({ err }, 'sweeping expired idempotency keys failed');
      return 0;
    }
  }
}
