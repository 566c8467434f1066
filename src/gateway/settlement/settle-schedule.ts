/**
 * When a terminal's automatic settlement is due. Pure: the time is passed in.
 *
 * A terminal with `auto_settle` settles once a day at `settle_at` ("HH:MM:SS") on the
 * merchant's wall clock. It is due when the latest such instant at or before now falls after
 * its last settlement (or, if it never settled, after it was created), so a scheduler that
 * was down catches up with one settlement, never one per missed day.
 */
import { TZDate } from '@date-fns/tz';
import { localDateInZone } from '../../billing-calc/calendar';

const SETTLE_AT = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$/;

export function isSettleAt(value: string): boolean {
  return SETTLE_AT.test(value);
}

/** The latest instant at or before `now` when the clock in `timeZone` reads `settleAt`. */
export function latestSettleInstant(now: Date, settleAt: string, timeZone: string): Date {
  const match = SETTLE_AT.exec(settleAt);
  if (!match) throw new RangeError(`settle_at must be HH:MM:SS, got ${JSON.stringify(settleAt)}`);
  const [h, m, s] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const [year, month, day] = localDateInZone(now, timeZone).split('-').map(Number);
  for (let back = 0; back <= 2; back++) {
    // NOTE: a wall time inside a daylight-saving gap is moved forward by TZDate (02:30 → 03:30).
    const candidate = new Date(
      new TZDate(year, month - 1, day - back, h, m, s, timeZone).getTime(),
    );
    if (candidate.getTime() <= now.getTime()) return candidate;
  }
  throw new RangeError('no settle instant in the last two days'); // unreachable
}

export function isAutoSettleDue(input: {
  now: Date;
  settleAt: string;
  timeZone: string;
  lastSettledAt: Date | null;
  createdAt: Date;
}): boolean {
  const due = latestSettleInstant(input.now, input.settleAt, input.timeZone);
  const since = input.lastSettledAt ?? input.createdAt;
  return since.getTime() < due.getTime();
}
