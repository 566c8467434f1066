/**
 * A subscription's statuses and the changes allowed between them. The table is documented in
 * docs/subscriptions.md; keep the two in step.
 */
export const SUBSCRIPTION_STATUSES = [
  'active',
  'paused',
  'past_due',
  'cancelled',
  'completed',
] as const;

export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** Statuses a subscription can still leave; cancelled and completed are final. */
export const LIVE_STATUSES: readonly SubscriptionStatus[] = ['active', 'paused', 'past_due'];

export const ALLOWED_TRANSITIONS: Readonly<
  Record<SubscriptionStatus, readonly SubscriptionStatus[]>
> = {
  active: ['paused', 'past_due', 'cancelled', 'completed'],
  // NOTE: a paused subscription is not billed, so no billing can fail and make it past due.
  paused: ['active', 'cancelled', 'completed'],
  past_due: ['active', 'paused', 'cancelled', 'completed'],
  cancelled: [],
  completed: [],
};

export function isSubscriptionStatus(value: unknown): value is SubscriptionStatus {
  return (SUBSCRIPTION_STATUSES as readonly unknown[]).includes(value);
}

export function isLive(status: SubscriptionStatus): boolean {
  return LIVE_STATUSES.includes(status);
}

/** Why `from` cannot become `to`, or null when the change is allowed. */
export function transitionRefusal(from: SubscriptionStatus, to: SubscriptionStatus): string | null {
  if (ALLOWED_TRANSITIONS[from].includes(to)) return null;
  if (!isLive(from)) {
    return `the subscription is ${from}, which is final: it cannot become ${to}`;
  }
  if (from === to) return `the subscription is already ${to}`;
  if (from === 'paused' && to === 'past_due') {
    return 'a paused subscription is not billed, so it cannot be past due; activate it first';
  }
  return `a ${from} subscription cannot become ${to}`;
}
