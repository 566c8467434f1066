/**
 * The one charge protocol, shared by every path that charges (the billing run, the hosted
 * invoice page):
 *
 *   1. record the attempt, with its idempotency key, before the gateway hears of it
 *      (the caller's transaction; the recovery point);
 *   2. call the gateway under that key (no transaction held), or, for an attempt whose
 *      answer was lost, resolve it by looking it up by the key — never by charging again
 *      under a new one;
 *   3. record the outcome once (the caller's transaction, `WHERE state IN (pending, unknown)`).
 *
 * Steps 1 and 3 belong to the caller's tables; this module owns step 2 and the rules that
 * make it safe: what an exception means, what a lookup that finds nothing means, and how
 * many charges may be in flight at once.
 */
import type { AttemptLookup, ChargeOutcome, ChargeRequest, PaymentGateway } from '../gateway';

export interface ChargeStep {
  gateway: PaymentGateway;
  request: ChargeRequest;
  /** 'sale' (default) or 'authorize'. */
  type?: 'sale' | 'authorize';
  /**
   * 'send': a fresh attempt. 'resolve': an attempt recorded earlier whose outcome was never
   * recorded (a crash, a timeout): looked up first.
   */
  mode: 'send' | 'resolve';
  /** When the attempt was recorded; lookups ignore older transactions. */
  startedAt: Date;
  /**
   * What a lookup that finds nothing means: 'resend' (the gateway never received it, so it is
   * sent now, under the same key), or 'not_charged' (record it as not charged).
   */
  whenNotFound: 'resend' | 'not_charged';
}

/** Sends or resolves one attempt. Never throws: a failure to get an answer is `unknown`. */
export async function performCharge(step: ChargeStep): Promise<ChargeOutcome> {
  try {
    if (step.mode === 'resolve') {
      const lookup: AttemptLookup = await step.gateway.findAttempt({
        idempotencyKey: step.request.idempotencyKey,
        orderId: step.request.orderId,
        amount: step.request.amount,
        since: step.startedAt,
      });
      if (lookup.kind === 'found') return lookup.outcome;
      if (lookup.kind === 'unresolved') return unknownOutcome(step.request.amount, lookup.reason);
      if (step.whenNotFound === 'not_charged') {
        return notChargedOutcome(step.request.amount, 'the payment did not reach the processor');
      }
    }
    return step.type === 'authorize'
      ? await step.gateway.authorize(step.request)
      : await step.gateway.sale(step.request);
  } catch (err) {
    return unknownOutcome(step.request.amount, `exception: ${(err as Error).message}`);
  }
}

/**
 * Performs many steps concurrently, at most `inFlight` at a time (connections are kept
 * alive by the HTTP client), and returns the outcomes in order.
 */
export async function performCharges(
  steps: readonly ChargeStep[],
  inFlight: number,
): Promise<ChargeOutcome[]> {
  const outcomes: ChargeOutcome[] = new Array<ChargeOutcome>(steps.length);
  let next = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      if (i >= steps.length) return;
      outcomes[i] = await performCharge(steps[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(inFlight, steps.length)) }, lane));
  return outcomes;
}

/** The attempt may or may not have charged: resolve it later by lookup. */
export function unknownOutcome(amount: number, reason: string): ChargeOutcome {
  return {
    kind: 'unknown',
    transactionId: null,
    responseCode: 0,
    message: `outcome unknown: ${reason}`,
    declineKind: null,
    amountRequested: amount,
    amountApproved: 0,
    status: 'unknown',
    avsResponseCode: null,
    cvvResponseCode: null,
    authCode: null,
    unknownReason: reason,
  };
}

/** Nothing was charged (the gateway never received it, or there was nothing to charge). */
export function notChargedOutcome(
  amount: number,
  message: string,
  declineKind: 'soft' | 'hard' | null = null,
): ChargeOutcome {
  return {
    kind: 'declined',
    transactionId: null,
    responseCode: 0,
    message,
    declineKind,
    amountRequested: amount,
    amountApproved: 0,
    status: 'declined',
    avsResponseCode: null,
    cvvResponseCode: null,
    authCode: null,
  };
}

/** The settled state an outcome records: approved, declined, or still unknown. */
export function attemptStateOf(outcome: ChargeOutcome): 'approved' | 'declined' | 'unknown' {
  if (outcome.kind === 'approved' || outcome.kind === 'partially_approved') return 'approved';
  return outcome.kind === 'declined' ? 'declined' : 'unknown';
}
