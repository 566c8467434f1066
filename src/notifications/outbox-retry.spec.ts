import { MAX_ATTEMPTS, MAX_RETRY_DELAY_MS, retryAfterFailure } from './outbox-retry';

describe('retryAfterFailure', () => {
  const now = new Date('2024-03-01T12:00:00Z');
  const delayOf = (attempts: number) => {
    const d = retryAfterFailure(attempts, now, false);
    if (d.kind !== 'retry') throw new Error('expected a retry');
    return d.at.getTime() - now.getTime();
  };

  it('waits one minute after the first failure and doubles each time', () => {
    expect(delayOf(1)).toBe(60_000);
    expect(delayOf(2)).toBe(120_000);
    expect(delayOf(3)).toBe(240_000);
  });

  it('never waits more than six hours between attempts', () => {
    expect(delayOf(MAX_ATTEMPTS - 1)).toBe(MAX_RETRY_DELAY_MS);
  });

  it(`gives up after ${MAX_ATTEMPTS} attempts`, () => {
    expect(retryAfterFailure(MAX_ATTEMPTS, now, false)).toEqual({ kind: 'give_up' });
  });

  it('gives up at once on a permanent refusal (an SMTP 5xx)', () => {
    expect(retryAfterFailure(1, now, true)).toEqual({ kind: 'give_up' });
  });
});
