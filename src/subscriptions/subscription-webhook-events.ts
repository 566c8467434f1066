import type { SubscriptionEventType } from './subscription.entity';
import type { SubscriptionStatus } from './subscription-status';

/**
 * The public event type (docs/webhooks.md) for one entry of a subscription's history.
 * A status change names the status it reached; coming back to active from past due,
 * paused is "reactivated"; everything else that changes the subscription is "updated".
 */
export function subscriptionWebhookEventType(
  type: SubscriptionEventType,
  from: SubscriptionStatus | undefined,
  to: SubscriptionStatus | undefined,
): string {
  switch (type) {
    case 'created':
      return 'subscription.created';
    case 'deleted':
      return 'subscription.deleted';
    case 'trial_will_end':
      return 'subscription.trial_will_end';
    case 'status_changed':
      // A trial's first paid billing is a change of the same live subscription, not a return.
      if (to === 'active')
        return from === 'active' || from === 'trialing'
          ? 'subscription.updated'
          : 'subscription.reactivated';
      if (to === 'past_due' || to === 'paused' || to === 'cancelled' || to === 'completed') {
        return `subscription.${to}`;
      }
      return 'subscription.updated';
    default:
      return 'subscription.updated';
  }
}
