import { subscriptionWebhookEventType } from './subscription-webhook-events';

describe('subscriptionWebhookEventType', () => {
  it('names the status a change reaches', () => {
    expect(subscriptionWebhookEventType('status_changed', 'active', 'past_due')).toBe(
      'subscription.past_due',
    );
    expect(subscriptionWebhookEventType('status_changed', 'active', 'paused')).toBe(
      'subscription.paused',
    );
    expect(subscriptionWebhookEventType('status_changed', 'paused', 'cancelled')).toBe(
      'subscription.cancelled',
    );
    expect(subscriptionWebhookEventType('status_changed', 'active', 'completed')).toBe(
      'subscription.completed',
    );
  });

  it('calls a return to active from past due or paused a reactivation', () => {
    expect(subscriptionWebhookEventType('status_changed', 'past_due', 'active')).toBe(
      'subscription.reactivated',
    );
    expect(subscriptionWebhookEventType('status_changed', 'paused', 'active')).toBe(
      'subscription.reactivated',
    );
  });

  it("calls a trial's end (trialing to active) an update, and announces the trial's end", () => {
    expect(subscriptionWebhookEventType('status_changed', 'trialing', 'active')).toBe(
      'subscription.updated',
    );
    expect(subscriptionWebhookEventType('trial_will_end', undefined, undefined)).toBe(
      'subscription.trial_will_end',
    );
  });

  it('reports billings, plan pushes and edits as updates', () => {
    expect(subscriptionWebhookEventType('billed', undefined, undefined)).toBe(
      'subscription.updated',
    );
    expect(subscriptionWebhookEventType('plan_applied', undefined, undefined)).toBe(
      'subscription.updated',
    );
    expect(subscriptionWebhookEventType('updated', undefined, undefined)).toBe(
      'subscription.updated',
    );
    expect(subscriptionWebhookEventType('created', undefined, 'active')).toBe(
      'subscription.created',
    );
    expect(subscriptionWebhookEventType('deleted', undefined, undefined)).toBe(
      'subscription.deleted',
    );
  });
});
