/**
 * When to try a failed email again. Pure: the worker passes the attempt count and the time.
 *
 * Delays double from one minute (1, 2, 4, 8 ... minutes) and stop growing at six hours;
 * after MAX_ATTEMPTS the message is marked failed and left for a person to look at.
 * With these numbers a message is retried for about twenty hours.
 */
export const MAX_ATTEMPTS = 12;
export const FIRST_RETRY_DELAY_MS = 60_000;
export const MAX_RETRY_DELAY_MS = 6 * 60 * 60_000;

export type RetryDecision = { kind: 'retry'; at: Date } | { kind: 'give_up' };

/** `attempts` counts the attempt that just failed (1 after the first failure). */
export function retryAfterFailure(attempts: number, now: Date, permanent: boolean): RetryDecision {
  if (permanent || attempts >= MAX_ATTEMPTS) return { kind: 'give_up' };
  const delay = Math.min(FIRST_RETRY_DELAY_MS * 2 ** (attempts - 1), MAX_RETRY_DELAY_MS);
  return { kind: 'retry', at: new Date(now.getTime() + delay) };
}
