/**
 * Fault injection for the exactly-once tests: `REBILL_BILLING_CRASH_AT=after_decide` (or
 * `after_charge`) makes the process die at once, as a SIGKILL would, between phase 1 and 2
 * (or 2 and 3) of its first batch. Unset in production: the check is a string comparison.
 */
export type CrashPoint = 'after_decide' | 'after_charge';

export function crashIfAsked(point: CrashPoint): void {
  if (process.env.REBILL_BILLING_CRASH_AT === point) process.kill(process.pid, 'SIGKILL');
}
