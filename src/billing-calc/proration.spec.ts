import fc from 'fast-check';
import { addDays, daysBetween, nextBillDate, parseBillingSchedule } from './calendar';
import { CalcInputError } from './errors';
import { PricedItem, applyCredit, partOfCycle, prorateChange } from './proration';

const plan = (name: string, amount: number): PricedItem => ({
  kind: 'base',
  id: name,
  name,
  amount,
});
const addOn = (name: string, amount: number): PricedItem => ({
  kind: 'add_on',
  id: name,
  name,
  amount,
});
const discount = (name: string, amount: number): PricedItem => ({
  kind: 'discount',
  id: name,
  name,
  amount,
});

describe('prorateChange: worked examples (each checked by hand)', () => {
  it('upgrade from $10 to $50 on day 10 of a 30-day month: 21 of 30 days remain', () => {
    // Cycle Jun 1 → Jul 1 (30 days); change on Jun 10 → days Jun 10..Jun 30 = 21 remain.
    const p = prorateChange({
      cycleStart: '2027-06-01',
      cycleEnd: '2027-07-01',
      changeDate: '2027-06-10',
      before: [plan('Basic', 1000)],
      after: [plan('Pro', 5000)],
    });
    expect(p.daysInCycle).toBe(30);
    expect(p.daysRemaining).toBe(21);
    expect(p.daysUsed).toBe(9);
    // 1000 × 21/30 = 700; 5000 × 21/30 = 3500.
    expect(p.lines.map((l) => [l.type, l.amount])).toEqual([
      ['credit', -700],
      ['charge', 3500],
    ]);
    expect(p.net).toBe(2800);
    expect(p.lines[0].description).toBe(
      'Unused time on Basic (10.00 per cycle) from 2027-06-10 to 2027-07-01: 10.00 × 21/30 days = 7.00',
    );
    expect(p.lines[1].periodStart).toBe('2027-06-10');
    expect(p.lines[1].periodEnd).toBe('2027-07-01');
  });

  it('downgrade on the 31st of a 31-day month: one day remains, a credit', () => {
    // Cycle Jan 1 → Feb 1 (31 days); change on Jan 31: 1 day remains.
    const p = prorateChange({
      cycleStart: '2027-01-01',
      cycleEnd: '2027-02-01',
      changeDate: '2027-01-31',
      before: [plan('Pro', 5000)],
      after: [plan('Basic', 1000)],
    });
    expect([p.daysRemaining, p.daysInCycle]).toEqual([1, 31]);
    // 5000/31 = 161.29 → 161; 1000/31 = 32.26 → 32.
    expect(p.lines.map((l) => l.amount)).toEqual([-161, 32]);
    expect(p.net).toBe(-129);
  });

  it('a change on the anchor day (the cycle start) swaps the whole cycle', () => {
    const p = prorateChange({
      cycleStart: '2027-03-15',
      cycleEnd: '2027-04-15',
      changeDate: '2027-03-15',
      before: [plan('Basic', 1000)],
      after: [plan('Pro', 5000)],
    });
    expect([p.daysUsed, p.daysRemaining, p.daysInCycle]).toEqual([0, 31, 31]);
    expect(p.lines.map((l) => l.amount)).toEqual([-1000, 5000]);
  });

  it('twice-monthly: the 1→15 cycle has 14 days, the 15→1 cycle the rest of the month', () => {
    const schedule = parseBillingSchedule({
      billing_frequency: 'twice_monthly',
      billing_days: '1,15',
      billing_cycle_interval: 1,
    });
    expect(nextBillDate(schedule, '2027-04-01')).toBe('2027-04-15');
    const first = prorateChange({
      cycleStart: '2027-04-01',
      cycleEnd: '2027-04-15',
      changeDate: '2027-04-08',
      before: [plan('Basic', 1400)],
      after: [plan('Pro', 2800)],
    });
    // 7 of 14 days remain: 1400 × 7/14 = 700, 2800 × 7/14 = 1400.
    expect(first.lines.map((l) => l.amount)).toEqual([-700, 1400]);
    const second = prorateChange({
      cycleStart: '2027-04-15',
      cycleEnd: nextBillDate(schedule, '2027-04-15'),
      changeDate: '2027-04-25',
      before: [plan('Basic', 1600)],
      after: [plan('Pro', 3200)],
    });
    // Apr 15 → May 1 is 16 days; Apr 25 leaves 6: 1600 × 6/16 = 600, 3200 × 6/16 = 1200.
    expect(second.daysInCycle).toBe(16);
    expect(second.lines.map((l) => l.amount)).toEqual([-600, 1200]);
  });

  it('a daily cycle has one day: a change on it credits and charges whole prices', () => {
    const p = prorateChange({
      cycleStart: '2027-05-05',
      cycleEnd: '2027-05-06',
      changeDate: '2027-05-05',
      before: [plan('Day', 100)],
      after: [plan('Day+', 300)],
    });
    expect(p.lines.map((l) => l.amount)).toEqual([-100, 300]);
  });

  it('an annual plan changed in February of a leap year counts 366 days', () => {
    // Cycle 2028-01-10 → 2029-01-10 spans Feb 29, 2028: 366 days. Change on 2028-02-29.
    const p = prorateChange({
      cycleStart: '2028-01-10',
      cycleEnd: '2029-01-10',
      changeDate: '2028-02-29',
      before: [plan('Yearly', 120000)],
      after: [plan('Yearly Pro', 240000)],
    });
    expect(p.daysInCycle).toBe(366);
    expect(p.daysRemaining).toBe(316);
    // 120000 × 316/366 = 103606.557… → 103607; 240000 × 316/366 = 207213.114… → 207213.
    expect(p.lines.map((l) => l.amount)).toEqual([-103607, 207213]);
    expect(p.net).toBe(103606);
  });

  it('a month-end anchor uses the dates actually billed: Apr 30 → May 31 is 31 days', () => {
    const schedule = parseBillingSchedule({
      billing_frequency: 'monthly',
      billing_days: '31',
      billing_cycle_interval: 1,
    });
    const end = nextBillDate(schedule, '2027-04-30');
    expect(end).toBe('2027-05-31');
    const p = prorateChange({
      cycleStart: '2027-04-30',
      cycleEnd: end,
      changeDate: '2027-05-16',
      before: [plan('Basic', 3100)],
      after: [plan('Pro', 6200)],
    });
    expect([p.daysRemaining, p.daysInCycle]).toEqual([15, 31]);
    expect(p.lines.map((l) => l.amount)).toEqual([-1500, 3000]);
  });

  it('add-ons and discounts are lines of their own; a discount credit costs the customer', () => {
    // Cycle of 30 days, 15 remain: every item is halved.
    const p = prorateChange({
      cycleStart: '2027-09-01',
      cycleEnd: '2027-10-01',
      changeDate: '2027-09-16',
      before: [plan('Basic', 1000), addOn('Seats', 501), discount('Promo', 200)],
      after: [plan('Pro', 5000), addOn('Seats', 501)],
    });
    expect(p.lines.map((l) => [l.type, l.item.kind, l.amount])).toEqual([
      ['credit', 'base', -500],
      // 501 / 2 = 250.5 → 251 (half away from zero), on both sides, so they cancel.
      ['credit', 'add_on', -251],
      // the unused half of the discount is given back: the customer pays it
      ['credit', 'discount', 100],
      ['charge', 'base', 2500],
      ['charge', 'add_on', 251],
    ]);
    expect(p.net).toBe(2100);
    expect(p.lines[2].description).toContain('(discount)');
  });

  it.each([
    ['the change date before the cycle', '2027-05-31'],
    ['the change date on the next bill date', '2027-07-01'],
    ['an impossible date', '2027-02-30'],
  ])('refuses %s', (_name, changeDate) => {
    expect(() =>
      prorateChange({
        cycleStart: '2027-06-01',
        cycleEnd: '2027-07-01',
        changeDate,
        before: [],
        after: [],
      }),
    ).toThrow(CalcInputError);
  });

  it('refuses a negative or fractional amount', () => {
    expect(() =>
      prorateChange({
        cycleStart: '2027-06-01',
        cycleEnd: '2027-07-01',
        changeDate: '2027-06-02',
        before: [plan('x', -1)],
        after: [],
      }),
    ).toThrow(/before\.base\.amount/);
    expect(() => partOfCycle(10.5, 1, 2)).toThrow(CalcInputError);
  });
});

describe('applyCredit', () => {
  it.each([
    [1000, 0, 0, 1000],
    [1000, 300, 300, 700],
    [1000, 1000, 1000, 0],
    [1000, 5000, 1000, 0],
    [0, 5000, 0, 0],
  ])('due %i with balance %i applies %i and leaves %i', (due, balance, applied, left) => {
    expect(applyCredit(due, balance)).toEqual({ creditApplied: applied, amountDue: left });
  });
});

// Properties ----------------------------------------------------------------------------

const cents = fc.integer({ min: 0, max: 10_000_000 });
/** A cycle: a start date, a length of 1..400 days, and a day inside it. */
const cycle = fc
  .record({
    startOffset: fc.integer({ min: 0, max: 20_000 }),
    length: fc.integer({ min: 1, max: 400 }),
    at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  })
  .map(({ startOffset, length, at }) => {
    const start = addDays('2000-01-01', startOffset);
    return { start, end: addDays(start, length), change: addDays(start, Math.floor(at * length)) };
  });

describe('prorateChange: properties', () => {
  it('a no-op change (same items before and after) nets to 0', () => {
    fc.assert(
      fc.property(cycle, fc.array(cents, { minLength: 1, maxLength: 5 }), (c, amounts) => {
        const items = amounts.map((a, i) => addOn(`a${i}`, a));
        const p = prorateChange({
          cycleStart: c.start,
          cycleEnd: c.end,
          changeDate: c.change,
          before: items,
          after: items,
        });
        expect(p.net).toBe(0);
      }),
    );
  });

  it('splitting a cycle at any day and re-joining changes the total by at most one cent per line', () => {
    fc.assert(
      fc.property(cycle, cents, (c, amount) => {
        const total = daysBetween(c.start, c.end);
        const remaining = daysBetween(c.change, c.end);
        const used = partOfCycle(amount, total - remaining, total);
        const rest = partOfCycle(amount, remaining, total);
        expect(Math.abs(used + rest - amount)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('changing back and forth inside one cycle never charges more than the highest price for the cycle', () => {
    fc.assert(
      fc.property(
        fc.array(cents, { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 2, max: 366 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), {
          minLength: 1,
          maxLength: 5,
        }),
        (prices, length, cuts) => {
          const start = '2027-01-01';
          const end = addDays(start, length);
          const days = [...new Set(cuts.map((x) => Math.floor(x * length)))].sort((a, b) => a - b);
          // Billed the first price in advance, then each change prorates from the price in force.
          let charged = prices[0];
          let lines = 0;
          let current = prices[0];
          days.forEach((day, i) => {
            const next = prices[(i + 1) % prices.length];
            const p = prorateChange({
              cycleStart: start,
              cycleEnd: end,
              changeDate: addDays(start, day),
              before: [plan('old', current)],
              after: [plan('new', next)],
            });
            charged += p.net;
            lines += p.lines.length;
            current = next;
          });
          const highest = Math.max(...prices);
          expect(charged).toBeLessThanOrEqual(highest);
          // and exactly: the price-weighted days, within the same rounding bound
          expect(charged).toBeGreaterThanOrEqual(0 - lines);
        },
      ),
    );
  });

  it('credits never go negative: applying credit leaves a non-negative balance and amount due', () => {
    fc.assert(
      fc.property(cents, cents, (due, balance) => {
        const r = applyCredit(due, balance);
        expect(r.creditApplied).toBeGreaterThanOrEqual(0);
        expect(balance - r.creditApplied).toBeGreaterThanOrEqual(0);
        expect(r.amountDue).toBeGreaterThanOrEqual(0);
        expect(r.creditApplied + r.amountDue).toBe(due);
      }),
    );
  });
});
