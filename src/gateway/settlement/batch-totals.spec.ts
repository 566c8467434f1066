import fc from 'fast-check';
import { batchTotals, SettlingTransaction } from './batch-totals';

const tx = (over: Partial<SettlingTransaction>): SettlingTransaction => ({
  id: 't',
  type: 'sale',
  processorId: 'p1',
  currency: 'USD',
  amountSettled: 0,
  ...over,
});

describe('batchTotals', () => {
  it('counts sales (and captured authorizations), refunds and credits, and nets them', () => {
    const [g] = batchTotals([
      tx({ id: 'a', amountSettled: 1000 }),
      tx({ id: 'b', type: 'authorize', amountSettled: 500 }),
      tx({ id: 'c', type: 'refund', amountSettled: 300 }),
      tx({ id: 'd', type: 'credit', amountSettled: 200 }),
    ]);
    expect(g).toMatchObject({
      transactionCount: 4,
      saleCount: 2,
      saleAmount: 1500,
      refundCount: 1,
      refundAmount: 300,
      creditCount: 1,
      creditAmount: 200,
      netAmount: 1000,
    });
    expect(g.transactionIds).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps one group per processor and currency', () => {
    const groups = batchTotals([
      tx({ id: 'a', currency: 'USD', amountSettled: 1 }),
      tx({ id: 'b', currency: 'EUR', amountSettled: 2 }),
      tx({ id: 'c', processorId: 'p0', amountSettled: 3 }),
    ]);
    expect(groups.map((g) => [g.processorId, g.currency, g.saleAmount])).toEqual([
      ['p0', 'USD', 3],
      ['p1', 'EUR', 2],
      ['p1', 'USD', 1],
    ]);
  });

  it('every transaction lands in exactly one group and the nets add up', () => {
    const arb = fc.array(
      fc.record({
        id: fc.uuid(),
        type: fc.constantFrom('sale', 'authorize', 'credit', 'refund') as fc.Arbitrary<
          SettlingTransaction['type']
        >,
        processorId: fc.constantFrom('p1', 'p2'),
        currency: fc.constantFrom('USD', 'EUR'),
        amountSettled: fc.integer({ min: 0, max: 10_000_000 }),
      }),
      { maxLength: 50 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const groups = batchTotals(rows);
        expect(groups.reduce((n, g) => n + g.transactionCount, 0)).toBe(rows.length);
        const signed = rows.reduce(
          (n, r) =>
            n + (r.type === 'refund' || r.type === 'credit' ? -r.amountSettled : r.amountSettled),
          0,
        );
        expect(groups.reduce((n, g) => n + g.netAmount, 0)).toBe(signed);
      }),
    );
  });
});
