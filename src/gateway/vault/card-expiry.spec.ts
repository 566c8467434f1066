import { expiresAt, expiryDedupeKey, monthsToAnnounce } from './card-expiry';

describe('card expiry notices', () => {
  it('a 03/27 card expires at the start of April 2027 (UTC)', () => {
    expect(expiresAt({ year: 2027, month: 3 }).toISOString()).toBe('2027-04-01T00:00:00.000Z');
    expect(expiresAt({ year: 2027, month: 12 }).toISOString()).toBe('2028-01-01T00:00:00.000Z');
  });

  it('announces a month once its cards are 30 days or less from expiring', () => {
    // 2027-03-02: March cards expire on April 1st, 30 days later.
    expect(monthsToAnnounce(new Date('2027-03-02T00:00:00Z'))).toEqual([{ year: 2027, month: 3 }]);
    expect(monthsToAnnounce(new Date('2027-03-01T23:59:59Z'))).toEqual([]);
    expect(monthsToAnnounce(new Date('2027-03-31T23:59:59Z'))).toEqual([{ year: 2027, month: 3 }]);
  });

  it('announces next month too when it is short (February, seen from the end of January)', () => {
    expect(monthsToAnnounce(new Date('2027-01-31T12:00:00Z'))).toEqual([
      { year: 2027, month: 1 },
      { year: 2027, month: 2 },
    ]);
  });

  it('keys a notice by card and expiration', () => {
    expect(expiryDedupeKey('pm1', { year: 2027, month: 3 })).toBe(
      'payment_method.expiring:pm1:2027-03',
    );
  });
});
