import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { Clock, CLOCK } from '../clock/clock';
import { APP_CONFIG, AppConfig } from '../config/config';
import { loadOrCreateKeyFile } from '../crypto/field-cipher';
import { newId } from '../ids/ids';

export const GENERATED_JWT_SECRET_FILE = 'jwt.secret';
const ISSUER = 'rebill';
const AUDIENCE = 'rebill-api';

/** What a Rebill JWT says: the user, its merchant and the user's token version when issued. */
export interface TokenClaims {
  userId: string;
  merchantId: string;
  tokenVersion: number;
  tokenId: string;
}

export type TokenCheck =
  { ok: true; claims: TokenClaims } | { ok: false; reason: 'expired' | 'invalid' };

/** A JWT has three base64url parts, the first a JSON header ("eyJ…"); API keys never look like it. */
export function looksLikeJwt(credential: string): boolean {
  return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);
}

/**
 * Signs and verifies the short-lived JWTs of POST /api/token-auth (HS256, with jose).
 * The secret is REBILL_JWT_SECRET, or a random one generated once under the data directory.
 * Time comes from the injected clock, so expiry is testable.
 */
@Injectable()
export class TokenService {
  private readonly secret: Uint8Array;
  readonly ttlSeconds: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    const text = config.jwtSecret ?? loadOrCreateKeyFile(config.dataDir, GENERATED_JWT_SECRET_FILE);
    this.secret = new TextEncoder().encode(text);
    this.ttlSeconds = config.jwtTtlSeconds;
  }

  async issue(
    claims: Omit<TokenClaims, 'tokenId'>,
  ): Promise<{ token: string; expiresAt: Date; tokenId: string }> {
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    const expiresAtSeconds = nowSeconds + this.ttlSeconds;
    const tokenId = newId();
    const token = await new SignJWT({ mid: claims.merchantId, ver: claims.tokenVersion })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setJti(tokenId)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(expiresAtSeconds)
      .sign(this.secret);
    return { token, expiresAt: new Date(expiresAtSeconds * 1000), tokenId };
  }

  async check(token: string): Promise<TokenCheck> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'exp', 'jti'],
      });
      if (typeof payload.mid !== 'string' || typeof payload.ver !== 'number') {
        return { ok: false, reason: 'invalid' };
      }
      return {
        ok: true,
        claims: {
          userId: payload.sub as string,
          merchantId: payload.mid,
          tokenVersion: payload.ver,
          tokenId: payload.jti as string,
        },
      };
    } catch (err) {
      // NOTE: jose checks the signature before the claims, so "expired" is only said of a
      // token that Rebill itself signed; a forged expired token is "invalid".
      if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
      return { ok: false, reason: 'invalid' };
    }
  }
}
