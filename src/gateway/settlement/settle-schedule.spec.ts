import { isAutoSettleDue, latestSettleInstant } from './settle-schedule';

describe('latestSettleInstant', () => {
  it('is today at settle_at when that has passed, in the merchant’s zone', () => {
    // 2027-01-10 15:00 in Chicago (UTC-6) is 21:00Z.
    expect(
      latestSettleInstant(new Date('2027-01-10T21:00:00Z'), '14:30:00', 'America/Chicago'),
    ).toEqual(new Date('2027-01-10T20:30:00Z'));
  });

  it('is yesterday at settle_at when today’s has not come yet', () => {
    expect(
      latestSettleInstant(new Date('2027-01-10T19:00:00Z'), '14:30:00', 'America/Chicago'),
    ).toEqual(new Date('2027-01-09T20:30:00Z'));
  });

  it('midnight in Tokyo is 15:00Z the day before', () => {
    expect(latestSettleInstant(new Date('2027-01-10T16:00:00Z'), '00:00:00', 'Asia/Tokyo')).toEqual(
      new Date('2027-01-10T15:00:00Z'),
    );
  });

  it('a settle_at inside the spring-forward gap still happens that day', () => {
    // 2027-03-14 02:30 does not exist in New York; it becomes 03:30 EDT = 07:30Z.
    const instant = latestSettleInstant(
      new Date('2027-03-14T12:00:00Z'),
      '02:30:00',
      'America/New_York',
    );
    expect(instant.toISOString().slice(0, 10)).toBe('2027-03-14');
    expect(instant.getTime()).toBeLessThanOrEqual(new Date('2027-03-14T12:00:00Z').getTime());
  });

  it('refuses a malformed settle_at', () => {
    expect(() => latestSettleInstant(new Date(), '24:00:00', 'UTC')).toThrow(/HH:MM:SS/);
  });
});

describe('isAutoSettleDue', () => {
  const base = { settleAt: '00:00:00', timeZone: 'UTC', createdAt: new Date('2027-01-01T10:00Z') };

  it('is not due on the day a terminal is created after settle_at', () => {
    expect(
      isAutoSettleDue({ ...base, now: new Date('2027-01-01T12:00Z'), lastSettledAt: null }),
    ).toBe(false);
  });

  it('is due once settle_at passes, and not again after settling until the next day', () => {
    expect(
      isAutoSettleDue({ ...base, now: new Date('2027-01-02T00:00Z'), lastSettledAt: null }),
    ).toBe(true);
    const settled = new Date('2027-01-02T00:00:30Z');
    expect(
      isAutoSettleDue({ ...base, now: new Date('2027-01-02T08:00Z'), lastSettledAt: settled }),
    ).toBe(false);
    expect(
      isAutoSettleDue({ ...base, now: new Date('2027-01-03T00:00Z'), lastSettledAt: settled }),
    ).toBe(true);
  });

  it('catches up with one settlement after days of downtime', () => {
    const settled = new Date('2027-01-02T00:00:30Z');
    expect(
      isAutoSettleDue({ ...base, now: new Date('2027-01-09T05:00Z'), lastSettledAt: settled }),
    ).toBe(true);
  });
});
