import { overdueFrom, readDateInput, startOfLocalDay } from './date-input';

const iso = (text: string, zone: string, edge?: 'start' | 'end') => {
  const r = readDateInput(text, zone, edge);
  return r.ok ? r.instant.toISOString() : 'invalid';
};

describe('readDateInput: a date without a time is that day in the merchant zone', () => {
  it.each([
    // zone, start of 2026-12-15, end of 2026-12-15
    ['UTC', '2026-12-15T00:00:00.000Z', '2026-12-15T23:59:59.999Z'],
    ['America/Chicago', '2026-12-15T06:00:00.000Z', '2026-12-16T05:59:59.999Z'],
    ['America/Los_Angeles', '2026-12-15T08:00:00.000Z', '2026-12-16T07:59:59.999Z'],
    ['Asia/Tokyo', '2026-12-14T15:00:00.000Z', '2026-12-15T14:59:59.999Z'],
    ['Pacific/Kiritimati', '2026-12-14T10:00:00.000Z', '2026-12-15T09:59:59.999Z'],
    ['Asia/Kolkata', '2026-12-14T18:30:00.000Z', '2026-12-15T18:29:59.999Z'],
  ])('2026-12-15 in %s starts at %s and ends at %s', (zone, start, end) => {
    expect(iso('2026-12-15', zone)).toBe(start);
    expect(iso('2026-12-15', zone, 'end')).toBe(end);
    const r = readDateInput('2026-12-15', zone);
    expect(r.ok && r.localDate).toBe('2026-12-15');
  });

  it("reads the spec's sample 2019-02-13T06:00:00Z as February 13 in US Central", () => {
    const r = readDateInput('2019-02-13T06:00:00Z', 'America/Chicago');
    expect(r.ok && r.localDate).toBe('2019-02-13');
    expect(iso('2019-02-13', 'America/Chicago')).toBe('2019-02-13T06:00:00.000Z');
  });

  it('follows daylight saving: the day a clock changes starts at the right instant', () => {
    expect(iso('2026-03-08', 'America/New_York')).toBe('2026-03-08T05:00:00.000Z');
    expect(iso('2026-03-09', 'America/New_York')).toBe('2026-03-09T04:00:00.000Z');
    expect(iso('2026-03-08', 'America/New_York', 'end')).toBe('2026-03-09T03:59:59.999Z');
    expect(startOfLocalDay('2026-11-01', 'America/New_York').toISOString()).toBe(
      '2026-11-01T04:00:00.000Z',
    );
  });

  it('reads a time without a zone as wall-clock time there, and a zone as given', () => {
    expect(iso('2026-12-15T09:30:00', 'America/Chicago')).toBe('2026-12-15T15:30:00.000Z');
    expect(iso('2026-12-15T09:30:00Z', 'America/Chicago')).toBe('2026-12-15T09:30:00.000Z');
    expect(iso('2026-12-15T09:30:00+01:00', 'Asia/Tokyo')).toBe('2026-12-15T08:30:00.000Z');
    expect(iso('2026-12-15T09:30:00.250-0600', 'UTC')).toBe('2026-12-15T15:30:00.250Z');
  });

  it.each([
    '2026-02-30',
    '2026-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-12-00',
    '2026-02-30T00:00:00Z',
    '2026-02-28T24:00:00Z',
    '2026-02-28T23:60:00Z',
    '2026-02-28T23:59:60Z',
    '2026-02-28T12:00:00+15:00',
    '0999-01-01',
    '2026-2-3',
    'tomorrow',
    '',
  ])('refuses %j instead of rolling it over', (text) => {
    expect(readDateInput(text, 'America/Chicago').ok).toBe(false);
  });

  it('accepts February 29 of a leap year', () => {
    expect(iso('2028-02-29', 'UTC')).toBe('2028-02-29T00:00:00.000Z');
  });
});

describe('overdueFrom: a due date has passed once its local day has ended', () => {
  it.each([
    ['America/Chicago', '2026-12-15T06:00:00Z', '2026-12-16T06:00:00.000Z'],
    ['America/Chicago', '2026-12-15T23:00:00Z', '2026-12-16T06:00:00.000Z'],
    ['Asia/Tokyo', '2026-12-14T15:00:00Z', '2026-12-15T15:00:00.000Z'],
    ['UTC', '2026-12-15T12:00:00Z', '2026-12-16T00:00:00.000Z'],
  ])('in %s a due date of %s is overdue from %s', (zone, due, from) => {
    expect(overdueFrom(new Date(due), zone).toISOString()).toBe(from);
  });
});
