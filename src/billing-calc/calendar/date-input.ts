import { TZDate } from '@date-fns/tz';
import { addDays, isLocalDate, type LocalDate } from './local-date';
import { localDateInZone } from './time-zone';

/**
 * Dates as clients write them, read strictly and in the merchant's time zone.
 *
 * - A date without a time (`2026-12-15`) is that calendar day in the merchant's zone: it
 *   starts at local midnight (`2026-12-15T06:00:00Z` in America/Chicago, the spec's own
 *   sample form) and, as the end of a range, ends just before the next local midnight.
 * - A date and time without a zone (`2026-12-15T09:30:00`) is that wall-clock time in the
 *   merchant's zone; with a zone (`Z`, `+01:00`) it is that instant.
 * - A calendar-impossible date (`2026-02-30`, `2026-13-01`) or time (`25:00`) is refused,
 *   never rolled over into the next month as the JavaScript Date constructor does.
 */

const PATTERN =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The instant a calendar day begins in `timeZone` (the first instant after a DST gap at midnight). */
export function startOfLocalDay(date: LocalDate, timeZone: string): Date {
  // Memoized: a billing batch asks for the same few days in the same zone for every invoice,
  // and each answer costs a time-zone offset lookup. Bounded; a fresh Date every time.
  const key = `${date}|${timeZone}`;
  let ms = dayStarts.get(key);
  if (ms === undefined) {
    ms = wallTime(date, 0, 0, 0, 0, timeZone).getTime();
    if (dayStarts.size >= 4096) dayStarts.clear();
    dayStarts.set(key, ms);
  }
  return new Date(ms);
}

const dayStarts = new Map<string, number>();

function wallTime(
  date: LocalDate,
  hours: number,
  minutes: number,
  seconds: number,
  ms: number,
  timeZone: string,
): Date {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(new TZDate(y, m - 1, d, hours, minutes, seconds, ms, timeZone).getTime());
}

export type DateInputResult = { ok: true; instant: Date; localDate: LocalDate } | { ok: false };

/**
 * Reads `text` as a date or a date and time (above). `edge: 'end'` makes a date without a
 * time the last millisecond of its day (a search's `end_date`). Years 1000–9999.
 */
export function readDateInput(
  text: string,
  timeZone: string,
  edge: 'start' | 'end' = 'start',
): DateInputResult {
  const match = PATTERN.exec(text.trim());
  if (!match) return { ok: false };
  const [, date, hh, mi, ss, frac, zone] = match;
  if (!isLocalDate(date) || Number(date.slice(0, 4)) < 1000) return { ok: false };
  if (hh === undefined) {
    const instant =
      edge === 'start'
        ? startOfLocalDay(date, timeZone)
        : new Date(startOfLocalDay(addDays(date, 1), timeZone).getTime() - 1);
    return { ok: true, instant, localDate: date };
  }
  const [h, m, s] = [Number(hh), Number(mi), Number(ss ?? 0)];
  if (h > 23 || m > 59 || s > 59) return { ok: false };
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let instant: Date;
  if (zone === undefined) {
    instant = wallTime(date, h, m, s, ms, timeZone);
  } else {
    let offsetMinutes = 0;
    if (zone !== 'Z') {
      const digits = zone.replace(':', '');
      const oh = Number(digits.slice(1, 3));
      const om = Number(digits.slice(3, 5));
      if (oh > 14 || om > 59) return { ok: false };
      offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
    }
    const [y, mo, d] = date.split('-').map(Number);
    instant = new Date(Date.UTC(y, mo - 1, d, h, m, s, ms) - offsetMinutes * 60_000);
  }
  return { ok: true, instant, localDate: localDateInZone(instant, timeZone) };
}

/**
 * When a due date has passed: once its calendar day (in the merchant's zone) has ended, that
 * is, at the next local midnight. "Due December 15" is still on time all of December 15.
 */
export function overdueFrom(dateDue: Date, timeZone: string): Date {
  return startOfLocalDay(addDays(localDateInZone(dateDue, timeZone), 1), timeZone);
}
