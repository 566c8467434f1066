import type { EntityManager } from 'typeorm';
import { paymentCaptured, settled } from './core/posting-rules';
import { MerchantEntry, postEntries } from './journal';

/**
 * A stand-in for the database that answers the journal's statements the way PostgreSQL
 * would (accounts found, ledger transactions inserted) and counts them: the number of
 * statements per batch must not grow with the batch.
 */
function countingManager(existingSources: Set<string> = new Set()) {
  const statements: string[] = [];
  const em = {
    async query(sql: string, params: unknown[]) {
      statements.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
      if (sql.includes('FROM ledger_accounts a')) {
        const [ms, cs, ks] = params as string[][];
        return ms.map((m, i) => ({
          id: `acct-${m}-${cs[i]}-${ks[i]}`,
          merchant_id: m,
          currency: cs[i],
          kind: ks[i],
        }));
      }
      if (sql.includes('INSERT INTO ledger_transactions')) {
        const [ids, ms, , , sts, sids] = params as string[][];
        return ids
          .map((id, i) => ({ id, merchant_id: ms[i], source_type: sts[i], source_id: sids[i] }))
          .filter((r) => !existingSources.has(`${r.source_type}:${r.source_id}`));
      }
      return [];
    },
  } as unknown as EntityManager;
  return { em, statements };
}

const payments = (n: number): MerchantEntry[] =>
  Array.from({ length: n }, (_, i) =>
    paymentCaptured({ transactionId: `t${i}`, amount: 1000 + i, fee: 59 }).map((e) => ({
      ...e,
      merchantId: `m${i % 7}`,
      currency: 'USD',
    })),
  ).flat();

describe('journal: batches', () => {
  it('writes a batch of 1 or 500 payments in the same five statements', async () => {
    const one = countingManager();
    await postEntries(one.em, new Date('2026-01-01T00:00:00Z'), payments(1));
    const many = countingManager();
    const posted = await postEntries(many.em, new Date('2026-01-01T00:00:00Z'), payments(500));
    expect(posted).toHaveLength(1000);
    expect(one.statements).toHaveLength(5);
    expect(many.statements).toEqual(one.statements);
  });

  it('skips the entries of movements already recorded (a retry books nothing twice)', async () => {
    const db = countingManager(new Set(['payment:t0', 'fee:t0']));
    const posted = await postEntries(db.em, new Date('2026-01-01T00:00:00Z'), payments(2));
    expect(posted.map((p) => `${p.sourceType}:${p.sourceId}`)).toEqual(['payment:t1', 'fee:t1']);
  });

  it('refuses an unbalanced entry before writing anything', async () => {
    const db = countingManager();
    const bad: MerchantEntry = {
      ...settled([{ sourceType: 'payment', amount: 100 }]),
      merchantId: 'm',
      currency: 'USD',
      lines: [{ account: 'merchant_pending', amount: 100 }],
    };
    await expect(postEntries(db.em, new Date(), [bad])).rejects.toThrow(/unbalanced/);
    expect(db.statements).toEqual([]);
  });
});
