import { TZDate } from '@date-fns/tz';
import fc from 'fast-check';
import { formatLocalDate } from './local-date';
import { isValidTimeZone, localDateInZone } from './time-zone';

const at = (iso: string) => new Date(iso);

describe('localDateInZone on both sides of UTC around midnight', () => {
  it.each([
    [
      '2026-03-01T03:00:00Z',
      'America/Los_Angeles',
      '2026-02-28',
      'is still Feb 28 in Los Angeles (UTC-8)',
    ],
    [
      '2026-03-01T08:00:00Z',
      'America/Los_Angeles',
      '2026-03-01',
      'reaches Mar 1 at local midnight in Los Angeles',
    ],
    [
      '2026-03-01T07:59:59Z',
      'America/Los_Angeles',
      '2026-02-28',
      'is Feb 28 one second before midnight in Los Angeles',
    ],
    ['2026-02-28T23:30:00Z', 'Asia/Tokyo', '2026-03-01', 'is already Mar 1 in Tokyo (UTC+9)'],
    [
      '2026-02-28T14:59:59Z',
      'Asia/Tokyo',
      '2026-02-28',
      'is Feb 28 one second before midnight in Tokyo',
    ],
    ['2026-02-28T23:30:00Z', 'UTC', '2026-02-28', 'is Feb 28 in UTC'],
    [
      '2026-12-31T20:00:00Z',
      'Pacific/Kiritimati',
      '2027-01-01',
      'is already the new year in Kiritimati (UTC+14)',
    ],
    [
      '2027-01-01T10:00:00Z',
      'Pacific/Pago_Pago',
      '2026-12-31',
      'is still the old year in Pago Pago (UTC-11)',
    ],
    [
      '2026-03-01T03:00:00Z',
      'Asia/Kolkata',
      '2026-03-01',
      'uses a half-hour offset in Kolkata (UTC+5:30)',
    ],
    [
      '2026-02-28T18:29:59Z',
      'Asia/Kolkata',
      '2026-02-28',
      'is Feb 28 one second before midnight in Kolkata',
    ],
  ])('%s in %s is %s: %s', (instant, zone, expected) => {
    expect(localDateInZone(at(instant), zone)).toBe(expected);
  });
});

describe('localDateInZone across daylight-saving changes', () => {
  it.each([
    // New York: EST (UTC-5) until 2026-03-08 02:00 local, EDT (UTC-4) until 2026-11-01 02:00.
    [
      '2026-03-08T04:59:59Z',
      'America/New_York',
      '2026-03-07',
      'New York: last second of Mar 7 in EST',
    ],
    [
      '2026-03-08T05:00:00Z',
      'America/New_York',
      '2026-03-08',
      'New York: midnight starting the spring-forward day is still EST',
    ],
    [
      '2026-03-09T03:59:59Z',
      'America/New_York',
      '2026-03-08',
      'New York: the spring-forward day ends at 04:00Z, after only 23 hours',
    ],
    [
      '2026-03-09T04:00:00Z',
      'America/New_York',
      '2026-03-09',
      'New York: the first midnight in EDT is at 04:00Z',
    ],
    [
      '2026-11-01T03:59:59Z',
      'America/New_York',
      '2026-10-31',
      'New York: last second of Oct 31 in EDT',
    ],
    [
      '2026-11-02T04:59:59Z',
      'America/New_York',
      '2026-11-01',
      'New York: the fall-back day lasts 25 hours, until 05:00Z',
    ],
    [
      '2026-11-02T05:00:00Z',
      'America/New_York',
      '2026-11-02',
      'New York: the first midnight in EST is at 05:00Z',
    ],
    // London: GMT (UTC+0) until 2026-03-29 01:00Z, BST (UTC+1) until 2026-10-25 01:00Z.
    [
      '2026-03-28T23:30:00Z',
      'Europe/London',
      '2026-03-28',
      'London: 23:30Z is the same day in winter (GMT)',
    ],
    [
      '2026-03-29T23:30:00Z',
      'Europe/London',
      '2026-03-30',
      'London: 23:30Z is already the next day in summer (BST)',
    ],
    [
      '2026-10-24T23:30:00Z',
      'Europe/London',
      '2026-10-25',
      'London: 23:30Z before the clocks go back is the next day',
    ],
    [
      '2026-10-25T23:30:00Z',
      'Europe/London',
      '2026-10-25',
      'London: 23:30Z after the clocks go back is the same day',
    ],
    // Sydney: AEDT (UTC+11) until 2026-04-05 03:00 local, AEST (UTC+10) until 2026-10-04 02:00.
    [
      '2026-04-04T13:00:00Z',
      'Australia/Sydney',
      '2026-04-05',
      'Sydney: midnight starting the fall-back day is in AEDT (13:00Z)',
    ],
    [
      '2026-04-05T13:30:00Z',
      'Australia/Sydney',
      '2026-04-05',
      'Sydney: 13:30Z after the clocks go back is 23:30 the same day',
    ],
    [
      '2026-04-05T14:00:00Z',
      'Australia/Sydney',
      '2026-04-06',
      'Sydney: the first midnight in AEST is at 14:00Z',
    ],
    [
      '2026-10-03T13:59:59Z',
      'Australia/Sydney',
      '2026-10-03',
      'Sydney: last second of Oct 3 in AEST',
    ],
    [
      '2026-10-04T13:00:00Z',
      'Australia/Sydney',
      '2026-10-05',
      'Sydney: after spring-forward midnight is at 13:00Z',
    ],
  ])('%s in %s is %s (%s)', (instant, zone, expected) => {
    expect(localDateInZone(at(instant), zone)).toBe(expected);
  });

  it('a job at a fixed UTC time (04:30Z) sees 2026-11-01 twice in New York after DST ends, so runs must key on the local date', () => {
    const runs = ['2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03'].map((day) =>
      localDateInZone(at(`${day}T04:30:00Z`), 'America/New_York'),
    );
    expect(runs).toEqual(['2026-10-31', '2026-11-01', '2026-11-01', '2026-11-02']);
  });

  it('a job at local 00:30 every day in New York sees each date once across both DST changes', () => {
    // 00:30 EST is 05:30Z and 00:30 EDT is 04:30Z.
    expect(localDateInZone(at('2026-03-08T05:30:00Z'), 'America/New_York')).toBe('2026-03-08');
    expect(localDateInZone(at('2026-03-09T04:30:00Z'), 'America/New_York')).toBe('2026-03-09');
    expect(localDateInZone(at('2026-11-01T04:30:00Z'), 'America/New_York')).toBe('2026-11-01');
    expect(localDateInZone(at('2026-11-02T05:30:00Z'), 'America/New_York')).toBe('2026-11-02');
  });
});

describe('localDateInZone input checks', () => {
  it('refuses an unknown time zone', () => {
    expect(() => localDateInZone(at('2026-01-01T00:00:00Z'), 'Mars/Olympus_Mons')).toThrow(
      /unknown time zone "Mars\/Olympus_Mons"/,
    );
  });

  it('refuses an invalid Date', () => {
    expect(() => localDateInZone(new Date('not a date'), 'UTC')).toThrow(RangeError);
  });

  it('refuses an instant before year 1', () => {
    expect(() => localDateInZone(at('-000001-06-01T00:00:00Z'), 'UTC')).toThrow(RangeError);
  });
});

describe('isValidTimeZone', () => {
  it.each([
    'America/New_York',
    'Europe/London',
    'Australia/Sydney',
    'Asia/Tokyo',
    'UTC',
    'US/Pacific',
  ])('accepts the IANA name %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  it.each(['Mars/Olympus_Mons', '', '+05:00', 'Not A Zone', 'America/New York'])(
    'refuses %j',
    (zone) => {
      expect(isValidTimeZone(zone)).toBe(false);
    },
  );

  it('refuses values that are not strings', () => {
    expect(isValidTimeZone(undefined)).toBe(false);
    expect(isValidTimeZone(5)).toBe(false);
  });
});

describe('localDateInZone properties', () => {
  const zones = [
    'UTC',
    'America/Los_Angeles',
    'America/New_York',
    'America/St_Johns',
    'Europe/London',
    'Asia/Tokyo',
    'Asia/Kathmandu',
    'Australia/Sydney',
    'Australia/Lord_Howe',
    'Pacific/Kiritimati',
    'Pacific/Pago_Pago',
  ];
  const instant = fc.date({
    min: new Date('1970-01-01T00:00:00Z'),
    max: new Date('2100-12-31T00:00:00Z'),
    noInvalidDate: true,
  });

  it('in UTC it is the date part of the ISO instant (property)', () => {
    fc.assert(
      fc.property(instant, (when) => {
        expect(localDateInZone(when, 'UTC')).toBe(when.toISOString().slice(0, 10));
      }),
    );
  });

  it('agrees with @date-fns/tz TZDate in zones with DST, half-hour and +14 offsets (property)', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (when, zone) => {
        const wall = new TZDate(when.getTime(), zone);
        const expected = formatLocalDate(wall.getFullYear(), wall.getMonth() + 1, wall.getDate());
        expect(localDateInZone(when, zone)).toBe(expected);
      }),
    );
  });
});
