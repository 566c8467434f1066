import { formatLocalDate, type LocalDate } from './local-date';

/**
 * The one place where an instant becomes a calendar date. The caller passes "now" (from the
 * injected clock) and the merchant's IANA zone; everything after this works on LocalDate.
 */

// Formatters are costly to build and immutable, so one per zone is kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Gregorian calendar and Latin digits are pinned so the host's locale cannot change the parts.
    formatter = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
      timeZone,
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * True for a time zone name the runtime's IANA database knows ('Europe/London', 'UTC').
 * Links such as 'US/Pacific' are accepted; offsets such as '+05:00' and abbreviations such
 * as 'PST' are not, because they do not follow daylight-saving rules.
 */
export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The calendar date on a wall calendar in `timeZone` at `instant`.
 * 2026-03-01T03:00Z is still '2026-02-28' in America/Los_Angeles; 2026-02-28T23:30Z is
 * already '2026-03-01' in Asia/Tokyo.
 */
export function localDateInZone(instant: Date, timeZone: string): LocalDate {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new RangeError(`localDateInZone needs a valid Date, got ${String(instant)}`);
  }
  if (!isValidTimeZone(timeZone)) {
    throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}`);
  }
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  if (parts.era !== 'AD') {
    throw new RangeError(`${instant.toISOString()} is before year 1`);
  }
  return formatLocalDate(Number(parts.year), Number(parts.month), Number(parts.day));
}
