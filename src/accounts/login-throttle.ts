import { EntityManager } from 'typeorm';
import { DomainError } from '../platform/errors/errors';

/**
 * Failed logins are limited per username and per client address, in fixed windows: at
 * most USERNAME_LIMIT failures per username and ADDRESS_LIMIT per address in WINDOW_MS.
 * An attempt reserves its failure before the password is checked (one atomic upsert), so
 * a burst of parallel guesses cannot slip past the limit; a success gives it back.
 */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const USERNAME_LIMIT = 5;
export const ADDRESS_LIMIT = 20;

export class TooManyLoginsError extends DomainError {
  constructor(what: 'username' | 'address', retryAfterSeconds: number) {
    super(
      'too_many_requests',
      `too many failed logins for this ${what === 'username' ? 'username' : 'client address'}; ` +
        `try again in ${retryAfterSeconds} seconds`,
    );
  }
}

interface Reservation {
  username: string;
  address: string;
}

export async function reserveLoginAttempt(
  em: EntityManager,
  username: string,
  address: string,
  now: Date,
): Promise<Reservation> {
  const subjects = { username: username.toLowerCase(), address };
  for (const scope of ['username', 'address'] as const) {
    const rows: { failures: number; window_started_at: Date }[] = await em.query(
      `INSERT INTO login_throttle (scope, subject, failures, window_started_at)
       VALUES ($1, $2, 1, $3)
       ON CONFLICT (scope, subject) DO UPDATE SET
         failures = CASE WHEN login_throttle.window_started_at <= $4 THEN 1
                         ELSE login_throttle.failures + 1 END,
         window_started_at = CASE WHEN login_throttle.window_started_at <= $4 THEN $3
                                  ELSE login_throttle.window_started_at END
       RETURNING failures, window_started_at`,
      [scope, subjects[scope], now, new Date(now.getTime() - LOGIN_WINDOW_MS)],
    );
    const limit = scope === 'username' ? USERNAME_LIMIT : ADDRESS_LIMIT;
    if (rows[0].failures > limit) {
      const retryMs = rows[0].window_started_at.getTime() + LOGIN_WINDOW_MS - now.getTime();
      throw new TooManyLoginsError(scope, Math.max(1, Math.ceil(retryMs / 1000)));
    }
  }
  return subjects;
}

/** A successful login clears its username's failures and gives its address's reservation back. */
export async function releaseLoginAttempt(em: EntityManager, r: Reservation): Promise<void> {
  await em.query(`DELETE FROM login_throttle WHERE scope = 'username' AND subject = $1`, [
    r.username,
  ]);
  await em.query(
    `UPDATE login_throttle SET failures = greatest(failures - 1, 0)
      WHERE scope = 'address' AND subject = $1`,
    [r.address],
  );
}
