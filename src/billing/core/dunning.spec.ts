import { afterDecline, DEFAULT_DUNNING, dunningSettingsProblem } from './dunning';

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
