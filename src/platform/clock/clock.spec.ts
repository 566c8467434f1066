import { SettableClock } from './clock';

describe('SettableClock', () => {
  const base = { now: () => new Date('2026-01-01T00:00:00Z') };

  it('follows its base clock until set', () => {
    expect(new SettableClock(base).now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('stands still once set and moves only when advanced', () => {
    const clock = new SettableClock(base);
    clock.setNow('2026-05-31T23:59:00Z');
    clock.advance(60_000);
    expect(clock.now().toISOString()).toBe('2026-06-01T00:00:00.000Z');
    clock.reset();
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('adds an offset to the base clock when advanced without being set', () => {
    const clock = new SettableClock(base);
    clock.advance(3_600_000);
    expect(clock.now().toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });
});
