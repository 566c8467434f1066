import type { EntityManager } from 'typeorm';
import {
  TransactionChange,
  TransactionObservers,
} from '../src/gateway/transactions/transaction-observers';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

const card = (number = '4111111111111111') => ({
  card: { entry_type: 'keyed', number, expiration_date: '12/39', cvc: '999' },
});

describe('transaction observers (every money movement, inside its transaction)', () => {
  let t: TestApp;
  let m: TestMerchant;
  const seen: TransactionChange[] = [];
  let failNext = false;

  beforeAll(async () => {
    t = await startTestApp();
    m = await createMerchant(t.baseUrl);
    t.clock.setNow('2026-03-02T10:00:00Z');
    t.app.get(TransactionObservers).register({
      async onTransactionChanges(em: EntityManager, changes: readonly TransactionChange[]) {
        // Proves the observer runs inside the movement's transaction: it sees the row.
        for (const c of changes) {
          const rows: unknown[] = await em.query(
            `SELECT 1 FROM gateway_transactions WHERE id = $1`,
            [c.transactionId],
          );
          expect(rows).toHaveLength(1);
        }
        if (failNext) {
          failNext = false;
          throw new Error('observer refused');
        }
        seen.push(...changes.filter((c) => c.merchantId === m.id));
      },
    });
  });
  afterAll(async () => t.close());

  const tx = async (body: Record<string, unknown>) => {
    const res = await m.api.post('/api/transaction', { payment_method: card(), ...body });
    expect(res.status).toBe(200);
    return res.body.data as { id: string; status: string };
  };
  const last = () => seen[seen.length - 1];

  it('reports sales, declines, authorizations, captures, voids, refunds, credits and settlement', async () => {
    const sale = await tx({ type: 'sale', amount: 1500 });
    expect(last()).toMatchObject({
      kind: 'sold',
      transactionId: sale.id,
      amountCents: 1500,
      currency: 'USD',
    });
    expect(last().occurredAt).toEqual(t.clock.now());

    await m.api.post('/api/transaction', {
      type: 'sale',
      amount: 1500,
      payment_method: card('4000000000000002'),
    });
    expect(last()).toMatchObject({ kind: 'declined', amountCents: 0 });

    const auth = await tx({ type: 'authorize', amount: 2000 });
    expect(last()).toMatchObject({ kind: 'authorized', transactionId: auth.id, amountCents: 2000 });
    expect((await m.api.post(`/api/transaction/${auth.id}/capture`, { amount: 1800 })).status).toBe(
      200,
    );
    expect(last()).toMatchObject({ kind: 'captured', transactionId: auth.id, amountCents: 1800 });

    const other = await tx({ type: 'sale', amount: 700 });
    expect((await m.api.post(`/api/transaction/${other.id}/void`)).status).toBe(200);
    expect(last()).toMatchObject({ kind: 'voided', transactionId: other.id, amountCents: 700 });

    const credit = await tx({ type: 'credit', amount: 300 });
    expect(last()).toMatchObject({ kind: 'credited', transactionId: credit.id, amountCents: 300 });

    const before = seen.length;
    expect((await m.api.post('/api/sandbox/settle')).status).toBe(200);
    const settled = seen.slice(before);
    expect(settled.every((c) => c.kind === 'settled')).toBe(true);
    expect(new Map(settled.map((c) => [c.transactionId, c.amountCents]))).toEqual(
      new Map([
        [sale.id, 1500],
        [auth.id, 1800],
        [credit.id, 300],
      ]),
    );

    const refund = await m.api.post(`/api/transaction/${sale.id}/refund`, { amount: 400 });
    expect(refund.status).toBe(200);
    expect(last()).toMatchObject({
      kind: 'refunded',
      transactionId: refund.body.data.id,
      relatedTransactionId: sale.id,
      amountCents: 400,
    });
    expect((await m.api.post(`/api/transaction/${refund.body.data.id}/void`)).status).toBe(200);
    expect(last()).toMatchObject({
      kind: 'voided',
      relatedTransactionId: sale.id,
      amountCents: 400,
    });
  });

  it('rolls the movement back when an observer fails', async () => {
    const sale = await tx({ type: 'sale', amount: 900 });
    failNext = true;
    const res = await m.api.post(`/api/transaction/${sale.id}/void`);
    expect(res.status).toBe(500);
    const after = await m.api.get(`/api/transaction/${sale.id}`);
    expect(after.status).toBe(200);
    expect(after.body.data[0].status).toBe('pending_settlement');
  });
});
