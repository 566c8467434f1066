/**
 * A subscription's statuses and the changes allowed between them. The table is documented in
 * docs/subscriptions.md; keep the two in step.
 */
export const SUBSCRIPTION_STATUSES = [
  'trialing',
  'active',
  'paused',
  'past_due',
  'cancelled',
  'completed',
] as const;

export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** Statuses a subscription can still leave; cancelled and completed are final. */
export const LIVE_STATUSES: readonly SubscriptionStatus[] = [
  'trialing',
  'active',
  'paused',
  'past_due',
];

/** Statuses the billing run charges on the next bill date (a trial's end is its first bill). */
export const BILLED_STATUSES: readonly SubscriptionStatus[] = ['trialing', 'active'];

export const ALLOWED_TRANSITIONS: Readonly<
  Record<SubscriptionStatus, readonly SubscriptionStatus[]>
> = {
  // A trial ends by its first billing (active when paid, past due when declined) or by
  // POST …/end-trial; nothing else makes a subscription trialing.
  // (paused only as dunning's final action when the first billing fails; the API cannot
  // pause a trial, see subscriptions.service.ts setStatus)
  trialing: ['active', 'past_due', 'paused', 'cancelled', 'completed'],
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
  if (to === 'trialing') return 'a subscription is trialing only from its creation with a trial';
  if (from === 'paused' && to === 'past_due') {
    return 'a paused subscription is not billed, so it cannot be past due; activate it first';
  }
  return `a ${from} subscription cannot become ${to}`;
}
