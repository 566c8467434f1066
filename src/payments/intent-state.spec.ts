import { INTENT_ACTIONS, INTENT_STATUSES, intentRefusal } from './intent-state';

describe('payment intent state machine', () => {
  const allowed: Record<string, string[]> = {
    pay: ['created', 'failed'],
    capture: ['uncaptured'],
    cancel: ['created', 'failed', 'uncaptured'],
    refund: ['captured'],
    update: ['created', 'failed'],
  };

  for (const action of INTENT_ACTIONS) {
    for (const status of INTENT_STATUSES) {
      const ok = allowed[action].includes(status);
      it(`${ok ? 'allows' : 'refuses'} ${action} when ${status}`, () => {
        const refusal = intentRefusal(status, action);
        if (ok) expect(refusal).toBeNull();
        else expect(refusal).toMatch(new RegExp(`^payment intent is ${status} and cannot be`));
      });
    }
  }

  it('tells a captured intent to refund instead of cancelling', () => {
    expect(intentRefusal('captured', 'cancel')).toMatch(/refund it instead/);
  });
});
