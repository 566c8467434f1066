/**
 * The dunning state machine (docs/dunning.md): what a charge's outcome does to its cycle and
 * its subscription. Pure: no clock, no I/O.
 */
import { addDays, LocalDate } from '../../billing-calc/calendar';
import type { SubscriptionStatus } from '../../subscriptions/subscription-status';

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

/** The settled outcome of one charge attempt, as the state machine needs it. */
export type AttemptResult =
  | { kind: 'approved'; transactionId: string | null }
  | { kind: 'declined'; declineKind: 'soft' | 'hard'; message: string; responseCode: number };

export interface OutcomeInput {
  settings: DunningSettings;
  /** The cycle the attempt charged. */
  billDate: LocalDate;
  /** 1 = the charge on the billing date; 2… = retries. */
  attempt: number;
  subscription: {
    status: SubscriptionStatus;
    nextBillDate: LocalDate;
    /** Whether recording this billing reaches a finite duration (the subscription completes). */
    completesOnNextBilling: boolean;
  };
  /** Whether another cycle of the subscription is still open (unpaid, with retries left). */
  otherOpenCycles: boolean;
}

export type CycleStatus = 'open' | 'paid' | 'failed' | 'void';

/** Everything an outcome changes: the cycle, the subscription's ledger, the customer's email. */
export interface OutcomeDecision {
  cycle: { status: CycleStatus; nextRetryDate: LocalDate | null };
  /** Record the billing (billing_count + 1, next bill date moves on): the cycle is billed whatever the outcome. */
  recordBilling: boolean;
  /** The subscription's new status, when it changes (after the billing is recorded). */
  status: { to: SubscriptionStatus; reason: string } | null;
  /** Email the customer the cycle's invoice link; retryOn when it will be tried again. */
  notifyFailure: { retryOn: LocalDate | null } | null;
  /** Counted as a completion of the subscription by this outcome. */
  completes: boolean;
}

const FINAL_STATUS: Record<FinalAction, SubscriptionStatus> = {
  cancel: 'cancelled',
  pause: 'paused',
  past_due: 'past_due',
};

/**
 * The whole dunning decision for one settled charge (docs/dunning.md rules 1–8):
 * - the charge on the billing date records the billing, approved or not (the anchor moves on);
 * - approved: the cycle is paid; a retry that succeeds reactivates a past-due subscription
 *   once no other cycle is open;
 * - soft decline with retries left: the cycle waits for its retry date, the subscription is
 *   past due; a hard decline or the last retry: the cycle failed and the final action applies;
 * - completion wins: when the billing completes a finite duration the subscription completes
 *   and the cycle is not retried (the customer can still pay the emailed invoice).
 */
export function decideOutcome(input: OutcomeInput, result: AttemptResult): OutcomeDecision {
  const { subscription: sub } = input;
  const regularBilling = input.attempt === 1 && sub.nextBillDate === input.billDate;
  const billable =
    sub.status === 'active' || sub.status === 'past_due' || sub.status === 'trialing';
  const recordBilling = regularBilling && billable;
  const completes = recordBilling && sub.completesOnNextBilling;
  if (result.kind === 'approved') {
    const reactivate =
      !regularBilling && sub.status === 'past_due' && !input.otherOpenCycles && !completes;
    // A trial ends with its first paid billing.
    const trialPaid = recordBilling && sub.status === 'trialing' && !completes;
    return {
      cycle: { status: 'paid', nextRetryDate: null },
      recordBilling,
      status: reactivate
        ? {
            to: 'active',
            reason: `retry ${input.attempt} of the ${input.billDate} billing succeeded`,
          }
        : trialPaid
          ? {
              to: 'active',
              reason: `trial ended: the first billing, of ${input.billDate}, was paid`,
            }
          : null,
      notifyFailure: null,
      completes,
    };
  }
  const decision = afterDecline(input.settings, input.billDate, input.attempt, result.declineKind);
  const why = `${result.message} (code ${result.responseCode})`;
  if (completes) {
    return {
      cycle: { status: 'failed', nextRetryDate: null },
      recordBilling,
      status: null,
      notifyFailure: { retryOn: null },
      completes,
    };
  }
  if (decision.kind === 'retry') {
    return {
      cycle: { status: 'open', nextRetryDate: decision.retryOn },
      recordBilling,
      status:
        sub.status === 'active' || sub.status === 'trialing'
          ? { to: 'past_due', reason: `${why}; retry on ${decision.retryOn}` }
          : null,
      notifyFailure: { retryOn: decision.retryOn },
      completes,
    };
  }
  const target = FINAL_STATUS[decision.action];
  return {
    cycle: { status: 'failed', nextRetryDate: null },
    recordBilling,
    status:
      billable && sub.status !== target
        ? { to: target, reason: `${decision.reason}: ${why}` }
        : null,
    notifyFailure: { retryOn: null },
    completes,
  };
}
