import { afterDecline, decideOutcome, DEFAULT_DUNNING, dunningSettingsProblem } from './dunning';

describe('afterDecline', () => {
  it.each([
    [1, { kind: 'retry', retryOn: '2026-01-04', retriesLeft: 3 }],
    [2, { kind: 'retry', retryOn: '2026-01-06', retriesLeft: 2 }],
    [3, { kind: 'retry', retryOn: '2026-01-08', retriesLeft: 1 }],
  ])(
    'retries a soft decline of attempt %i on the default schedule 3, 5, 7 days after the billing date',
    (attempt, expected) => {
      expect(afterDecline(DEFAULT_DUNNING, '2026-01-01', attempt, 'soft')).toEqual(expected);
    },
  );

  it('applies the final action after the last retry fails', () => {
    expect(
      afterDecline({ ...DEFAULT_DUNNING, finalAction: 'cancel' }, '2026-01-01', 4, 'soft'),
    ).toEqual({
      kind: 'final',
      action: 'cancel',
      reason: 'declined 4 times; no retries left',
    });
  });

  it('never retries a hard decline', () => {
    expect(
      afterDecline({ ...DEFAULT_DUNNING, finalAction: 'pause' }, '2026-01-01', 1, 'hard'),
    ).toMatchObject({
      kind: 'final',
      action: 'pause',
    });
  });

  it('retries across a month end', () => {
    expect(afterDecline(DEFAULT_DUNNING, '2026-01-31', 1, 'soft')).toMatchObject({
      retryOn: '2026-02-03',
    });
  });

  it('with no retries configured, the first soft decline is final', () => {
    expect(
      afterDecline({ ...DEFAULT_DUNNING, retryDays: [] }, '2026-01-01', 1, 'soft'),
    ).toMatchObject({ kind: 'final' });
  });
});

describe('dunningSettingsProblem', () => {
  it.each([
    [{ retry_days: 'often' }, 'retry_days'],
    [{ retry_days: [3, 2] }, 'retry_days[1]'],
    [{ retry_days: [0] }, 'retry_days[0]'],
    [{ final_action: 'explode' }, 'final_action'],
    [{ catch_up: 'some' }, 'catch_up'],
  ])('names the bad field in %j', (input, field) => {
    expect(dunningSettingsProblem(input)?.field).toBe(field);
  });

  it('accepts good settings', () => {
    expect(
      dunningSettingsProblem({
        retry_days: [1, 2, 10],
        final_action: 'cancel',
        catch_up: 'latest',
      }),
    ).toBeNull();
  });
});

describe('decideOutcome: the dunning state machine', () => {
  const base = {
    settings: DEFAULT_DUNNING,
    billDate: '2027-01-01',
    attempt: 1,
    subscription: {
      status: 'active' as const,
      nextBillDate: '2027-01-01',
      completesOnNextBilling: false,
    },
    otherOpenCycles: false,
  };
  const soft = {
    kind: 'declined' as const,
    declineKind: 'soft' as const,
    message: 'Insufficient funds',
    responseCode: 202,
  };
  const hard = {
    kind: 'declined' as const,
    declineKind: 'hard' as const,
    message: 'Lost card',
    responseCode: 251,
  };

  it('records the billing and pays the cycle when the charge on the billing date is approved', () => {
    expect(decideOutcome(base, { kind: 'approved', transactionId: 't1' })).toEqual({
      cycle: { status: 'paid', nextRetryDate: null },
      recordBilling: true,
      status: null,
      notifyFailure: null,
      completes: false,
    });
  });

  it('records the billing, schedules the first retry and makes the subscription past due on a soft decline', () => {
    expect(decideOutcome(base, soft)).toEqual({
      cycle: { status: 'open', nextRetryDate: '2027-01-04' },
      recordBilling: true,
      status: { to: 'past_due', reason: 'Insufficient funds (code 202); retry on 2027-01-04' },
      notifyFailure: { retryOn: '2027-01-04' },
      completes: false,
    });
  });

  it('fails the cycle and applies the final action at once on a hard decline', () => {
    const cancel = { ...base, settings: { ...DEFAULT_DUNNING, finalAction: 'cancel' as const } };
    expect(decideOutcome(cancel, hard)).toMatchObject({
      cycle: { status: 'failed', nextRetryDate: null },
      recordBilling: true,
      status: { to: 'cancelled' },
      notifyFailure: { retryOn: null },
    });
  });

  it('reactivates a past-due subscription when a retry succeeds and no other cycle is open', () => {
    const retry = {
      ...base,
      attempt: 2,
      subscription: {
        ...base.subscription,
        status: 'past_due' as const,
        nextBillDate: '2027-02-01',
      },
    };
    expect(decideOutcome(retry, { kind: 'approved', transactionId: 't2' })).toMatchObject({
      recordBilling: false,
      status: { to: 'active' },
    });
    expect(
      decideOutcome({ ...retry, otherOpenCycles: true }, { kind: 'approved', transactionId: 't2' })
        .status,
    ).toBeNull();
  });

  it('keeps a past-due subscription past due after the last retry with final action "past_due"', () => {
    const last = {
      ...base,
      attempt: 4,
      subscription: {
        ...base.subscription,
        status: 'past_due' as const,
        nextBillDate: '2027-02-01',
      },
    };
    expect(decideOutcome(last, soft)).toMatchObject({
      cycle: { status: 'failed', nextRetryDate: null },
      recordBilling: false,
      status: null,
    });
  });

  it('lets completion win: a declined last billing completes and is not retried', () => {
    const lastBilling = {
      ...base,
      subscription: { ...base.subscription, completesOnNextBilling: true },
    };
    expect(decideOutcome(lastBilling, soft)).toEqual({
      cycle: { status: 'failed', nextRetryDate: null },
      recordBilling: true,
      status: null,
      notifyFailure: { retryOn: null },
      completes: true,
    });
  });
});
