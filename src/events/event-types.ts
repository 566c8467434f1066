/**
 * The event types Rebill records (docs/webhooks.md lists what each carries). Webhook
 * endpoints subscribe to some of them or to "*".
 */
export const EVENT_TYPES = [
  'subscription.created',
  'subscription.updated',
  'subscription.past_due',
  'subscription.paused',
  'subscription.cancelled',
  'subscription.completed',
  'subscription.reactivated',
  'subscription.deleted',
  'subscription.trial_will_end',
  'invoice.created',
  'invoice.updated',
  'invoice.paid',
  'invoice.partially_paid',
  'invoice.payment_failed',
  'invoice.overdue',
  'invoice.voided',
  'invoice.deleted',
  'charge.succeeded',
  'charge.failed',
  'charge.captured',
  'charge.voided',
  'charge.refunded',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'payment_method.expiring',
  'billing_run.completed',
  'checkout_session.completed',
  'checkout_session.expired',
  'dispute.created',
  'dispute.updated',
  'dispute.won',
  'dispute.lost',
  'dispute.closed',
  'payout.created',
  'payout.paid',
  'payout.returned',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
