import fc from 'fast-check';
import {
  FIRST_RETRY_MS,
  MAX_RETRY_DELAY_MS,
  retryAfterFailure,
  RETRY_WINDOW_MS,
} from './retry-schedule';

describe('webhook retry schedule', () => {
  const created = new Date('2027-01-01T00:00:00Z');

  it('waits 15-30 s after the first failure, then doubles', () => {
    const at = (attempts: number, random: number) => {
      const d = retryAfterFailure({ attempts, createdAt: created, failedAt: created, random });
      return d.kind === 'retry' ? d.at.getTime() - created.getTime() : null;
    };
    expect(at(1, 0)).toBe(FIRST_RETRY_MS / 2);
    expect(at(1, 0.999999)).toBeLessThanOrEqual(FIRST_RETRY_MS);
    expect(at(2, 0)).toBe(FIRST_RETRY_MS);
    expect(at(3, 0)).toBe(2 * FIRST_RETRY_MS);
    expect(at(30, 0.5)).toBe(MAX_RETRY_DELAY_MS * 0.75);
  });

  it('makes the last try at the 3-day deadline and then gives up', () => {
    const late = new Date(created.getTime() + RETRY_WINDOW_MS - 60_000);
    const last = retryAfterFailure({
      attempts: 40,
      createdAt: created,
      failedAt: late,
      random: 0.5,
    });
    expect(last).toEqual({ kind: 'retry', at: new Date(created.getTime() + RETRY_WINDOW_MS) });
    const after = new Date(created.getTime() + RETRY_WINDOW_MS);
    expect(
      retryAfterFailure({ attempts: 41, createdAt: created, failedAt: after, random: 0.5 }),
    ).toEqual({
      kind: 'give_up',
    });
  });

  it('always retries later than the failure, never after the deadline, within the jitter bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: RETRY_WINDOW_MS - 1 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempts, elapsed, random) => {
          const failedAt = new Date(created.getTime() + elapsed);
          const d = retryAfterFailure({ attempts, createdAt: created, failedAt, random });
          expect(d.kind).toBe('retry');
          if (d.kind !== 'retry') return;
          const wait = d.at.getTime() - failedAt.getTime();
          expect(wait).toBeGreaterThan(0);
          expect(d.at.getTime()).toBeLessThanOrEqual(created.getTime() + RETRY_WINDOW_MS);
          expect(wait).toBeLessThanOrEqual(MAX_RETRY_DELAY_MS);
        },
      ),
    );
  });
});
