/**
 * What a dispute on a subscription's payment does to the subscription (docs/billing-run.md,
 * "Disputes"). Pure. The merchant's `dispute_action` decides:
 * - `pause` (the default): a chargeback usually means the cardholder does not recognise or
 *   want the charges; charging the card again invites a second dispute (and card networks
 *   penalise merchants with many), so billing stops until the merchant resumes it;
 * - `cancel`: the subscription ends;
 * - `none`: billing goes on.
 * Whatever the action, the subscription records the dispute (and later its outcome).
 */
export const DISPUTE_ACTIONS = ['none', 'pause', 'cancel'] as const;
export type DisputeAction = (typeof DISPUTE_ACTIONS)[number];
export const DEFAULT_DISPUTE_ACTION: DisputeAction = 'pause';

export interface DisputeFacts {
  kind: 'opened' | 'won' | 'lost';
  disputeId: string;
  paymentId: string;
  amount: number;
  reasonCode: number;
  billDate: string;
}

export type DisputeReaction =
  | { kind: 'noted'; detail: Record<string, unknown> }
  | { kind: 'status'; to: 'paused' | 'cancelled'; reason: string };

export function disputeReactions(action: DisputeAction, d: DisputeFacts): DisputeReaction[] {
  const detail = {
    dispute: {
      id: d.disputeId,
      status: d.kind === 'opened' ? 'new' : d.kind,
      payment_id: d.paymentId,
      amount: d.amount,
      reason_disputed_code: d.reasonCode,
      bill_date: d.billDate,
    },
  };
  const out: DisputeReaction[] = [{ kind: 'noted', detail }];
  if (d.kind !== 'opened' || action === 'none') return out;
  const reason = `payment of ${d.billDate} disputed (dispute ${d.disputeId}, reason ${d.reasonCode})`;
  out.push({ kind: 'status', to: action === 'pause' ? 'paused' : 'cancelled', reason });
  return out;
}

export function disputeActionProblem(value: unknown): { field: string; problem: string } | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !(DISPUTE_ACTIONS as readonly string[]).includes(value)) {
    return { field: 'dispute_action', problem: `must be one of ${DISPUTE_ACTIONS.join(', ')}` };
  }
  return null;
}
