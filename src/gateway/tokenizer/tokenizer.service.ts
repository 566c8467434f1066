import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource, EntityManager } from 'typeorm';
import { hashKey } from '../../platform/auth/key-hash';
import { Clock, CLOCK } from '../../platform/clock/clock';
import { FieldCipher } from '../../platform/crypto/field-cipher';
import { ValidationError } from '../../platform/errors/errors';
import { newSecretToken } from '../../platform/ids/ids';
import { Body, isAbsent, optionalObject } from '../../platform/http/input';
import {
  AchDetails,
  CardDetails,
  maskedAccount,
  maskedCard,
  parseCard,
  parseCvc,
} from '../payment-details/payment-details';
import { parseAch } from '../vault/vault-input';
import { PaymentToken } from './payment-token.entity';

/** How long a token may be used after it was issued. */
export const TOKEN_TTL_MS = 30 * 60 * 1000;

export type TokenDetails = { kind: 'card'; card: CardDetails } | { kind: 'ach'; ach: AchDetails };

/**
 * Tokens stand for card or bank details collected by a browser form with a public key, so
 * that the merchant's server never handles the numbers: it sends the token to
 * `POST /api/transaction` (payment_method.token) or `POST /api/vault/customer/{id}/token`.
 * A token is single use and expires after 30 minutes; only its SHA-256 hash is stored and
 * the details are sealed. The CVC is checked for form but never kept.
 */
@Injectable()
export class TokenizerService {
  private readonly logger = new Logger(TokenizerService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: FieldCipher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async createToken(merchantId: string, body: Body) {
    const now = this.clock.now();
    const card = optionalObject(body.card, 'card');
    const ach = optionalObject(body.ach, 'ach');
    if ((card === undefined) === (ach === undefined)) {
      throw new ValidationError('body', 'must contain exactly one of card or ach');
    }
    let details: TokenDetails;
    let masked: string;
    if (card !== undefined) {
      const parsed = parseCard(
        { number: card.number, expiration_date: card.expiration_date },
        'card',
        now,
      );
      parseCvc(card.cvc, 'card.cvc');
      details = { kind: 'card', card: parsed };
      masked = maskedCard(parsed.number);
    } else {
      const parsed = parseAch(ach ?? {}, 'ach');
      details = { kind: 'ach', ach: parsed };
      masked = maskedAccount(parsed.accountNumber);
    }
    const token = `tok_${newSecretToken(24)}`;
    const expiresAt = new Date(now.getTime() + TOKEN_TTL_MS);
    await this.dataSource.getRepository(PaymentToken).insert({
      tokenHash: hashKey(token),
      merchantId,
      type: details.kind,
      detailsSealed: this.cipher.encrypt(JSON.stringify(details), sealContext(merchantId)),
      maskedNumber: masked,
      createdAt: now,
      expiresAt,
      usedAt: null,
    });
    return {
      token,
      type: details.kind,
      masked_number: masked,
      card_type: details.kind === 'card' ? details.card.cardType : null,
      expires_at: expiresAt.toISOString(),
    };
  }

  /** Uses the token up (inside the caller's transaction) and returns what it stands for. */
  async consume(
    em: EntityManager,
    merchantId: string,
    token: string,
    field: string,
  ): Promise<TokenDetails> {
    if (isAbsent(token) || token === '') throw new ValidationError(field, 'is required');
    const now = this.clock.now();
    const rows: { details_sealed: string; expires_at: Date; used_at: Date | null }[] =
      await em.query(
        `SELECT details_sealed, expires_at, used_at FROM payment_tokens
        WHERE token_hash = $1 AND merchant_id = $2 FOR UPDATE`,
        [hashKey(token), merchantId],
      );
    if (rows.length === 0)
      throw new ValidationError(field, 'is not a token issued to this merchant');
    const row = rows[0];
    if (row.used_at !== null) throw new ValidationError(field, 'has already been used');
    if (row.expires_at.getTime() <= now.getTime()) throw new ValidationError(field, 'has expired');
    await em.query(
      `UPDATE payment_tokens SET used_at = $3 WHERE token_hash = $1 AND merchant_id = $2`,
      [hashKey(token), merchantId, now],
    );
    return JSON.parse(
      this.cipher.decrypt(row.details_sealed, sealContext(merchantId)),
    ) as TokenDetails;
  }

  /** Expired tokens are of no use to anyone: swept every ten minutes. */
  @Interval(10 * 60 * 1000)
  async sweepExpired(): Promise<void> {
    try {
      await this.dataSource.query(`DELETE FROM payment_tokens WHERE expires_at <= $1`, [
        this.clock.now(),
      ]);
    } catch (err) {
      this.logger.warn({ err }, 'sweeping expired payment tokens failed');
    }
  }
}

function sealContext(merchantId: string): string {
  return `payment_tokens:${merchantId}`;
}
