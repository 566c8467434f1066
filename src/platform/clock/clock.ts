/**
 * Domain code never reads the system time: it asks the injected Clock.
 * Production uses SystemClock; tests (and the billing run's "as of" date) use a SettableClock.
 */
export interface Clock {
  now(): Date;
}

export const CLOCK = Symbol('CLOCK');

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that follows the system time shifted by an offset, or stands still at a fixed instant. */
export class SettableClock implements Clock {
  private fixed: Date | null = null;
  private offsetMs = 0;

  constructor(private readonly base: Clock = new SystemClock()) {}

  now(): Date {
    if (this.fixed) return new Date(this.fixed.getTime());
    return new Date(this.base.now().getTime() + this.offsetMs);
  }

  /** Stop the clock at the given instant. */
  setNow(instant: Date | string): void {
    this.fixed = new Date(instant);
  }

  /** Move the clock forward (or back, with a negative value) by milliseconds. */
  advance(ms: number): void {
    if (this.fixed) this.fixed = new Date(this.fixed.getTime() + ms);
    else this.offsetMs += ms;
  }

  /** Follow the system time again. */
  reset(): void {
    this.fixed = null;
    this.offsetMs = 0;
  }
}
