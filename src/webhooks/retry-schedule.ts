/**
 * When a failed delivery is tried again (docs/webhooks.md, "Retries"). Pure: the caller
 * passes the time and a random number, so tests pin both.
 *
 * Exponential backoff from 30 seconds, doubling per attempt up to 4 hours, with "equal
 * jitter" (half the delay fixed, half random) so that receivers coming back from an outage
 * are not hit by every retry at the same instant. Retries stop 3 days after the delivery
 * was created; the last try is made at that deadline.
 */
export const RETRY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;
export const FIRST_RETRY_MS = 30_000;
export const MAX_RETRY_DELAY_MS = 4 * 60 * 60 * 1000;

export type RetryDecision = { kind: 'retry'; at: Date } | { kind: 'give_up' };

export function retryAfterFailure(input: {
  /** Attempts made so far, this one included (1 after the first failure). */
  attempts: number;
  createdAt: Date;
  failedAt: Date;
  /** In [0, 1). */
  random: number;
}): RetryDecision {
  const deadline = input.createdAt.getTime() + RETRY_WINDOW_MS;
  if (input.failedAt.getTime() >= deadline) return { kind: 'give_up' };
  const exponent = Math.min(Math.max(input.attempts - 1, 0), 30);
  const delay = Math.min(FIRST_RETRY_MS * 2 ** exponent, MAX_RETRY_DELAY_MS);
  const jittered = delay / 2 + (delay / 2) * Math.min(Math.max(input.random, 0), 1);
  const at = Math.min(input.failedAt.getTime() + Math.round(jittered), deadline);
  return { kind: 'retry', at: new Date(at) };
}
