import fc from 'fast-check';
import {
  addDays,
  compareLocalDate,
  daysBetween,
  daysInMonth,
  formatLocalDate,
  isLeapYear,
  isLocalDate,
  monthsBetween,
  toLocalDateParts,
} from './local-date';

describe('daysInMonth', () => {
  it.each([
    [2026, 1, 31],
    [2026, 2, 28],
    [2026, 3, 31],
    [2026, 4, 30],
    [2026, 5, 31],
    [2026, 6, 30],
    [2026, 7, 31],
    [2026, 8, 31],
    [2026, 9, 30],
    [2026, 10, 31],
    [2026, 11, 30],
    [2026, 12, 31],
  ])('%i-%i has %i days', (year, month, days) => {
    expect(daysInMonth(year, month)).toBe(days);
  });

  it.each([
    [2024, 29, 'a year divisible by 4 is a leap year'],
    [2023, 28, 'a year not divisible by 4 is not a leap year'],
    [2100, 28, '2100 is not a leap year (divisible by 100, not by 400)'],
    [1900, 28, '1900 was not a leap year'],
    [2000, 29, '2000 was a leap year (divisible by 400)'],
    [2400, 29, '2400 will be a leap year'],
  ])('February %i has %i days: %s', (year, days) => {
    expect(daysInMonth(year, 2)).toBe(days);
    expect(isLeapYear(year)).toBe(days === 29);
  });

  it.each([
    [2026, 0],
    [2026, 13],
    [2026, 1.5],
  ])('refuses month %i of %i', (year, month) => {
    expect(() => daysInMonth(year, month)).toThrow(RangeError);
  });
});

describe('isLocalDate and toLocalDateParts', () => {
  it.each(['2026-01-01', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31'])(
    'accepts the real date %s',
    (date) => {
      expect(isLocalDate(date)).toBe(true);
    },
  );

  it.each([
    ['2026-02-29', 'February 29 in a common year'],
    ['2100-02-29', 'February 29 in 2100, which is not a leap year'],
    ['2026-04-31', 'April 31'],
    ['2026-13-01', 'month 13'],
    ['2026-00-10', 'month 0'],
    ['2026-01-00', 'day 0'],
    ['0000-01-01', 'year 0'],
    ['2026-1-01', 'a one-digit month'],
    ['2026-01-01T00:00:00Z', 'an instant'],
    ['20260101', 'no dashes'],
    ['', 'an empty string'],
  ])('refuses %s (%s)', (date) => {
    expect(isLocalDate(date)).toBe(false);
    expect(() => toLocalDateParts(date)).toThrow(RangeError);
  });

  it('refuses values that are not strings', () => {
    expect(isLocalDate(20260101)).toBe(false);
    expect(isLocalDate(null)).toBe(false);
    expect(isLocalDate(new Date(Date.UTC(2026, 0, 1)))).toBe(false);
  });

  it('splits a date into year, month 1-12 and day', () => {
    expect(toLocalDateParts('2026-03-09')).toEqual({ year: 2026, month: 3, day: 9 });
  });

  it('formats with zero padding and refuses impossible dates', () => {
    expect(formatLocalDate(987, 3, 9)).toBe('0987-03-09');
    expect(() => formatLocalDate(2026, 2, 29)).toThrow(RangeError);
    expect(() => formatLocalDate(10000, 1, 1)).toThrow(RangeError);
  });
});

describe('addDays', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-01', 'crosses a month end'],
    ['2026-02-28', 1, '2026-03-01', 'crosses the end of February in a common year'],
    ['2024-02-28', 1, '2024-02-29', 'reaches February 29 in a leap year'],
    ['2100-02-28', 1, '2100-03-01', 'skips February 29 in 2100'],
    ['2000-02-28', 1, '2000-02-29', 'reaches February 29 in 2000'],
    ['2026-12-31', 1, '2027-01-01', 'crosses a year end'],
    ['2027-01-01', -1, '2026-12-31', 'goes back across a year end'],
    ['2026-03-07', 1, '2026-03-08', 'is one day across the US spring-forward weekend'],
    ['2026-10-25', 1, '2026-10-26', 'is one day across the European fall-back night'],
    ['2026-01-15', 0, '2026-01-15', 'returns the same date for 0'],
    ['2023-03-01', 365, '2024-02-29', 'counts days, not months, over a leap day'],
  ])('%s + %i days = %s (%s)', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('refuses a fractional number of days', () => {
    expect(() => addDays('2026-01-01', 0.5)).toThrow(RangeError);
  });

  const anyDate = fc
    .integer({ min: 0, max: 200_000 })
    .map((offset) => addDays('1900-01-01', offset));

  it('agrees with UTC date arithmetic for any date from 1900 to 2447 (property)', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -5000, max: 5000 }), (date, days) => {
        const { year, month, day } = toLocalDateParts(date);
        const utc = new Date(Date.UTC(year, month - 1, day + days));
        expect(addDays(date, days)).toBe(utc.toISOString().slice(0, 10));
      }),
    );
  });

  it('is undone by adding the opposite number of days, and daysBetween measures it (property)', () => {
    fc.assert(
      fc.property(anyDate, fc.integer({ min: -5000, max: 5000 }), (date, days) => {
        const later = addDays(date, days);
        expect(addDays(later, -days)).toBe(date);
        expect(daysBetween(date, later)).toBe(days);
        expect(compareLocalDate(date, later)).toBe(Math.sign(days) === 0 ? 0 : -Math.sign(days));
      }),
    );
  });
});

describe('compareLocalDate, daysBetween, monthsBetween', () => {
  it('orders dates and sorts an array', () => {
    const dates = ['2026-03-01', '2025-12-31', '2026-02-28'];
    expect([...dates].sort(compareLocalDate)).toEqual(['2025-12-31', '2026-02-28', '2026-03-01']);
    expect(compareLocalDate('2026-01-01', '2026-01-01')).toBe(0);
  });

  it('refuses to compare something that is not a date', () => {
    expect(() => compareLocalDate('2026-02-30', '2026-01-01')).toThrow(RangeError);
  });

  it('counts days across February of a leap year and a common year', () => {
    expect(daysBetween('2024-02-01', '2024-03-01')).toBe(29);
    expect(daysBetween('2026-02-01', '2026-03-01')).toBe(28);
    expect(daysBetween('2026-03-01', '2026-02-01')).toBe(-28);
  });

  it('counts calendar months ignoring the day', () => {
    expect(monthsBetween('2026-01-31', '2026-02-01')).toBe(1);
    expect(monthsBetween('2025-11-15', '2026-02-15')).toBe(3);
    expect(monthsBetween('2026-02-15', '2025-11-30')).toBe(-3);
  });
});
