import {
  ALLOWED_TRANSITIONS,
  SUBSCRIPTION_STATUSES,
  transitionRefusal,
} from './subscription-status';

describe('subscription status transitions', () => {
  it('lets an active subscription be paused, marked past due, cancelled or completed', () => {
    for (const to of ['paused', 'past_due', 'cancelled', 'completed'] as const) {
      expect(transitionRefusal('active', to)).toBeNull();
    }
  });

  it('lets a paused or past-due subscription be activated again', () => {
    expect(transitionRefusal('paused', 'active')).toBeNull();
    expect(transitionRefusal('past_due', 'active')).toBeNull();
    expect(transitionRefusal('past_due', 'paused')).toBeNull();
  });

  it('refuses to mark a paused subscription past due, and says why', () => {
    expect(transitionRefusal('paused', 'past_due')).toMatch(/paused subscription is not billed/);
  });

  it('treats cancelled and completed as final', () => {
    for (const from of ['cancelled', 'completed'] as const) {
      for (const to of SUBSCRIPTION_STATUSES) {
        expect(transitionRefusal(from, to)).toMatch(new RegExp(`is ${from}, which is final`));
      }
    }
  });

  it('refuses a change to the status a subscription already has', () => {
    expect(transitionRefusal('active', 'active')).toBe('the subscription is already active');
    expect(transitionRefusal('paused', 'paused')).toBe('the subscription is already paused');
  });

  it('never allows a status to change into itself', () => {
    for (const status of SUBSCRIPTION_STATUSES) {
      expect(ALLOWED_TRANSITIONS[status]).not.toContain(status);
    }
  });
});
