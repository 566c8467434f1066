/**
 * What happens after a declined renewal (docs/dunning.md). Pure: no clock, no I/O.
 */
import { addDays, LocalDate } from '../../billing-calc/calendar';

export type FinalAction = 'cancel' | 'pause' | 'past_due';
export type CatchUp = 'each' | 'latest';

export interface DunningSettings {
  /** Retries, in days after the billing date: [3, 5, 7] retries on day 3, 5 and 7. */
  retryDays: number[];
  /** What happens to the subscription after the last failure (or a hard decline). */
  finalAction: FinalAction;
  /** A subscription several dates behind is billed once per missed date ('each') or only for the latest ('latest'). */
  catchUp: CatchUp;
}

export const DEFAULT_DUNNING: DunningSettings = {
  retryDays: [3, 5, 7],
  finalAction: 'past_due',
  catchUp: 'each',
};

export type DeclineDecision =
  | { kind: 'retry'; retryOn: LocalDate; retriesLeft: number }
  | { kind: 'final'; action: FinalAction; reason: string };

/**
 * After attempt `attempt` (1 = the charge on the billing date) for the cycle billed on
 * `billDate` was declined. A hard decline (lost or stolen card, closed account) is never
 * retried: the same card cannot succeed later.
 */
export function afterDecline(
  settings: DunningSettings,
  billDate: LocalDate,
  attempt: number,
  declineKind: 'soft' | 'hard',
): DeclineDecision {
  if (declineKind === 'hard') {
    return { kind: 'final', action: settings.finalAction, reason: 'hard decline: not retried' };
  }
  const retryIndex = attempt - 1;
  if (retryIndex < settings.retryDays.length) {
    return {
      kind: 'retry',
      retryOn: addDays(billDate, settings.retryDays[retryIndex]),
      retriesLeft: settings.retryDays.length - retryIndex,
    };
  }
  return {
    kind: 'final',
    action: settings.finalAction,
    reason: `declined ${attempt} times; no retries left`,
  };
}

/** Validates settings given through the API; returns a problem (naming the field) or null. */
export function dunningSettingsProblem(input: {
  retry_days?: unknown;
  final_action?: unknown;
  catch_up?: unknown;
}): { field: string; problem: string } | null {
  if (input.retry_days !== undefined) {
    const days = input.retry_days;
    if (!Array.isArray(days) || days.length > 10) {
      return {
        field: 'retry_days',
        problem: 'must be an array of at most 10 whole days, e.g. [3, 5, 7]',
      };
    }
    let previous = 0;
    for (const [i, d] of days.entries()) {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 60) {
        return {
          field: `retry_days[${i}]`,
          problem: 'must be a whole number of days from 1 to 60',
        };
      }
      if (d <= previous)
        return { field: `retry_days[${i}]`, problem: 'must be later than the retry before it' };
      previous = d;
    }
  }
  if (
    input.final_action !== undefined &&
    !['cancel', 'pause', 'past_due'].includes(input.final_action as string)
  ) {
    return { field: 'final_action', problem: 'must be "cancel", "pause" or "past_due"' };
  }
  if (input.catch_up !== undefined && !['each', 'latest'].includes(input.catch_up as string)) {
    return { field: 'catch_up', problem: 'must be "each" or "latest"' };
  }
  return null;
}
