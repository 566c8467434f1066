import { DataSource } from 'typeorm';
import {
  Api,
  createMerchant,
  PARTNER_KEY,
  startTestApp,
  TestApp,
  TestMerchant,
} from './support/test-app';
import { LedgerService } from '../src/ledger/ledger.service';
import { ledgerInvariants, sale, settleGateway, v1 } from './support/ledger-helpers';

const DAY = 24 * 60 * 60 * 1000;

describe('ledger: balances, ledger transactions and the journal', () => {
  let t: TestApp;
  let ds: DataSource;
  let m: TestMerchant;
  let other: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    ds = t.app.get(DataSource);
    t.clock.setNow('2026-03-02T10:00:00Z');
    m = await createMerchant(t.baseUrl);
    other = await createMerchant(t.baseUrl);
  });
  afterAll(async () => t.close());

  const balance = async (who = m) => {
    const res = await v1(t, who).get('/v1/balances');
    expect(res.status).toBe(200);
    return res.body.data as { currency: string; pending: number; available: number }[];
  };

  it('a merchant with no money has no balances', async () => {
    expect(await balance(other)).toEqual([]);
  });

  it('a payment is pending net of its processing fee until it settles, then available', async () => {
    const id = await sale(m, 10000);
    expect(await balance()).toEqual([
      expect.objectContaining({ entity: 'balance', currency: 'USD', pending: 9680, available: 0 }),
    ]);
    const list = await v1(t, m).get('/v1/transactions');
    expect(list.status).toBe(200);
    expect(
      list.body.data.map((x: any) => [x.source_type, x.source_id, x.amount, x.settlement_status]),
    ).toEqual(
      expect.arrayContaining([
        ['payment', id, 10000, 'unsettled'],
        ['fee', id, -320, 'unsettled'],
      ]),
    );
    expect(await settleGateway(m)).toBe(1);
    expect(await balance()).toEqual([expect.objectContaining({ pending: 0, available: 9680 })]);
    const one = await v1(t, m).get(`/v1/transactions/${list.body.data[0].id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      entity: 'transaction',
      account_id: m.id,
      settlement_status: 'settled',
    });
    expect(typeof one.body.settled_at).toBe('string');
    // Traceable to the gateway's settlement batch.
    const [gatewayTx] = await ds.query(
      `SELECT settlement_batch_id FROM gateway_transactions WHERE id = $1`,
      [id],
    );
    expect(one.body.settlement_id).toBe(gatewayTx.settlement_batch_id);
    expect(one.body.settlement_id).toMatch(/^[0-9a-v]{20}$/);
  });

  it('a refund leaves the balance at once and settles with the next batch; a voided sale leaves nothing', async () => {
    const [paymentLt] = (await v1(t, m).post('/v1/transactions/search', { source_type: 'payment' }))
      .body.data;
    const refund = await m.api.post(`/api/transaction/${paymentLt.source_id}/refund`, {
      amount: 2500,
    });
    expect(refund.status).toBe(200);
    expect(await balance()).toEqual([expect.objectContaining({ pending: -2500, available: 9680 })]);
    await settleGateway(m);
    expect(await balance()).toEqual([expect.objectContaining({ pending: 0, available: 7180 })]);

    const voidMe = await sale(m, 5000);
    expect(await balance()).toEqual([
      expect.objectContaining({ pending: 5000 - 175, available: 7180 }),
    ]);
    expect((await m.api.post(`/api/transaction/${voidMe}/void`)).status).toBe(200);
    expect(await balance()).toEqual([expect.objectContaining({ pending: 0, available: 7180 })]);
    const kinds = (await v1(t, m).post('/v1/transactions/search', { limit: 50 })).body.data
      .filter((x: any) => x.source_id === voidMe)
      .map((x: any) => [x.source_type, x.amount, x.settlement_status])
      .sort();
    expect(kinds).toEqual([
      ['fee', -175, 'settled'],
      ['fee_refund', 175, 'settled'],
      ['payment', 5000, 'settled'],
      ['reversal', -5000, 'settled'],
    ]);
  });

  it('the balance is always the sum of its entries and of its ledger transactions, and all accounts sum to zero', async () => {
    const inv = await ledgerInvariants(ds, m.id);
    const [b] = await balance();
    expect(inv.unbalancedEntries).toBe(0);
    expect(inv.sumOfAllAccounts).toBe(0);
    expect(inv.pendingFromEntries).toBe(b.pending);
    expect(inv.availableFromEntries).toBe(b.available);
    expect(inv.pendingFromTransactions).toBe(b.pending);
    expect(inv.availableFromTransactions).toBe(b.available);
  });

  it('the journal is append-only and refuses an unbalanced entry at commit', async () => {
    await expect(ds.query(`UPDATE ledger_lines SET amount = amount + 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(ds.query(`DELETE FROM ledger_entries`)).rejects.toThrow(/append-only/);
    const [acct] = await ds.query(`SELECT id FROM ledger_accounts WHERE merchant_id = $1 LIMIT 1`, [
      m.id,
    ]);
    await expect(
      ds.transaction(async (em) => {
        await em.query(
          `INSERT INTO ledger_entries (id, merchant_id, currency, kind, created_at) VALUES ('bad-entry', $1, 'USD', 'adjustment', now())`,
          [m.id],
        );
        await em.query(
          `INSERT INTO ledger_lines (entry_id, account_id, amount) VALUES ('bad-entry', $1, 100)`,
          [acct.id],
        );
      }),
    ).rejects.toThrow(/does not balance/);
  });

  it('cursor pagination walks the ledger transactions both ways', async () => {
    const all = (await v1(t, m).get('/v1/transactions?limit=50')).body.data.map((x: any) => x.id);
    expect(all.length).toBeGreaterThanOrEqual(7);
    const first = await v1(t, m).get('/v1/transactions?limit=3');
    expect(first.body.meta).toMatchObject({ limit: 3, has_more: true });
    expect(first.body.data.map((x: any) => x.id)).toEqual(all.slice(0, 3));
    const second = await v1(t, m).get(
      `/v1/transactions?limit=3&starting_after=${first.body.meta.last_id}`,
    );
    expect(second.body.data.map((x: any) => x.id)).toEqual(all.slice(3, 6));
    const back = await v1(t, m).get(
      `/v1/transactions?limit=3&ending_before=${second.body.meta.first_id}`,
    );
    expect(back.body.data.map((x: any) => x.id)).toEqual(all.slice(0, 3));
    const tooMany = await v1(t, m).get('/v1/transactions?limit=51');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error).toEqual({ code: 'bad_request', param: 'limit' });
    const foreign = await v1(t, other).get(`/v1/transactions?starting_after=${all[0]}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body.msg).toMatch(/starting_after/);
  });

  it('search filters by source type, settlement status, dates and amounts, sorts and pages', async () => {
    const s = (body: unknown) => v1(t, m).post('/v1/transactions/search', body);
    const fees = await s({ source_type: 'fee' });
    expect(fees.status).toBe(200);
    expect(fees.body.data.every((x: any) => x.source_type === 'fee')).toBe(true);
    expect(fees.body.meta.total_count).toBe(2);
    const big = await s({ amount_min: 5000, sort_column: 'amount', sort_direction: 'asc' });
    expect(big.body.data.map((x: any) => x.amount)).toEqual([5000, 10000]);
    const paged = await s({ limit: 2, page: 2, sort_column: 'amount', sort_direction: 'desc' });
    expect(paged.body.meta).toMatchObject({ page: 2, limit: 2 });
    expect(paged.body.data).toHaveLength(2);
    expect((await s({ start_date: '2030-01-01T00:00:00Z' })).body.data).toEqual([]);
    expect((await s({ settlement_status: 'unsettled' })).body.meta.total_count).toBe(0);
    for (const [body, field] of [
      [{ source_type: 'bogus' }, 'source_type'],
      [{ limit: 51 }, 'limit'],
      [{ page: 0 }, 'page'],
      [{ amount_min: 1.5 }, 'amount_min'],
      [{ start_date: 'yesterday' }, 'start_date'],
      [{ sort_column: 'id; drop table' }, 'sort_column'],
      [{ colour: 'red' }, 'colour'],
    ] as const) {
      const res = await s(body);
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(field);
    }
  });

  it('downloads the matching ledger transactions as CSV', async () => {
    const res = await fetch(`${t.baseUrl}/v1/transactions/download`, {
      method: 'POST',
      headers: {
        'x-api-key': m.privateKey,
        'x-account-id': m.id,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ source_type: 'fee', sort_column: 'amount', sort_direction: 'asc' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'id,created_at,updated_at,source_type,source_id,amount,currency,settlement_status,settled_at,payout_id,ledger_account_id,description',
    );
    expect(lines.slice(1).map((l) => l.split(',')[5])).toEqual(['-320', '-175']);
    const bad = await v1(t, m).post('/v1/transactions/download', { page: 2 });
    expect(bad.status).toBe(400);
  });

  it('streams a download of more rows than one page, in order', async () => {
    const big = await createMerchant(t.baseUrl);
    for (let i = 0; i < 20; i++) await sale(big, 1000 + i);
    // 40 rows (payments and fees) in pages of 7: six keyset pages and a short one.
    t.app.get(LedgerService).downloadPageSize = 7;
    const res = await fetch(`${t.baseUrl}/v1/transactions/download`, {
      method: 'POST',
      headers: {
        'x-api-key': big.privateKey,
        'x-account-id': big.id,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ sort_column: 'amount', sort_direction: 'asc' }),
    });
    const rows = (await res.text()).trim().split('\n').slice(1);
    expect(rows).toHaveLength(40);
    const amounts = rows.map((r) => Number(r.split(',')[5]));
    expect(amounts).toEqual([...amounts].sort((a, b) => a - b));
    expect(new Set(rows.map((r) => r.split(',')[0])).size).toBe(40);
    t.app.get(LedgerService).downloadPageSize = 500;
  });

  it('isolates merchants: another merchant’s ids are not found, another account id is refused', async () => {
    const [lt] = (await v1(t, m).get('/v1/transactions')).body.data;
    expect((await v1(t, other).get(`/v1/transactions/${lt.id}`)).status).toBe(404);
    const wrong = await v1(t, other, { 'x-account-id': m.id }).get('/v1/balances');
    expect(wrong.status).toBe(403);
    const noKey = await new Api(t.baseUrl).get('/v1/balances', { 'x-account-id': m.id });
    expect(noKey.status).toBe(401);
    const pub = await new Api(t.baseUrl).get('/v1/balances', {
      'x-api-key': m.publicKey,
      'x-account-id': m.id,
    });
    expect(pub.status).toBe(401);
    const noAccount = await new Api(t.baseUrl).get('/v1/balances', { 'x-api-key': m.privateKey });
    expect(noAccount.status).toBe(400);
    expect(noAccount.body.msg).toMatch(/x-account-id/);
  });

  it('the processing plan: the default, set by the partner, and charged on the next payment', async () => {
    const plan = await v1(t, other).get(`/v1/accounts/${other.id}/processing_plan`);
    expect(plan.status).toBe(200);
    expect(plan.body).toMatchObject({
      entity: 'processing_plan',
      plan_type: 'FLAT_RATE',
      fees: { card: { percentage: 2900, fixed: 30 }, dispute: 1500 },
      accepted_cards: ['visa', 'mastercard', 'amex', 'discover'],
    });
    expect((await v1(t, other).get(`/v1/accounts/${m.id}/processing_plan`)).status).toBe(404);
    const partner = new Api(t.baseUrl, PARTNER_KEY);
    const set = await partner.put(`/api/partner/merchants/${other.id}/processing_plan`, {
      plan_type: 'INTERCHANGE_PLUS',
      fees: { card: { percentage: 300, fixed: 10 } },
      auth_fee: { card: 5 },
    });
    expect(set.status).toBe(200);
    expect(set.body.data.id).toBe(plan.body.id);
    const bad = await partner.put(`/api/partner/merchants/${other.id}/processing_plan`, {
      fees: { card: { percentage: -1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.msg).toMatch(/fees.card.percentage/);
    expect(
      (await other.api.put(`/api/partner/merchants/${other.id}/processing_plan`, {})).status,
    ).toBe(401);
    // Visa interchange 1.8% + 10¢, markup 0.3% + 10¢, auth fee 5¢ on $100.00 = $2.35.
    await sale(other, 10000);
    expect(await balance(other)).toEqual([expect.objectContaining({ pending: 10000 - 235 })]);
  });

  it('the partner corrects a balance with an adjustment: a new balanced entry, never an edit', async () => {
    const partner = new Api(t.baseUrl, PARTNER_KEY);
    const before = (await balance())[0];
    const credit = await partner.post(`/api/partner/merchants/${m.id}/ledger_adjustments`, {
      amount: 1234,
      description: 'goodwill credit, ticket 42',
    });
    expect(credit.status).toBe(200);
    expect(credit.body.data).toMatchObject({
      source_type: 'adjustment',
      amount: 1234,
      settlement_status: 'settled',
      description: 'goodwill credit, ticket 42',
    });
    const debit = await partner.post(`/api/partner/merchants/${m.id}/ledger_adjustments`, {
      amount: -234,
      description: 'correction',
    });
    expect(debit.status).toBe(200);
    expect((await balance())[0].available).toBe(before.available + 1000);
    for (const [body, field] of [
      [{ amount: 0, description: 'x' }, 'amount'],
      [{ amount: 1.5, description: 'x' }, 'amount'],
      [{ amount: 10 }, 'description'],
      [{ amount: 10, description: 'x', currency: 'usd' }, 'currency'],
    ] as const) {
      const res = await partner.post(`/api/partner/merchants/${m.id}/ledger_adjustments`, body);
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(field);
    }
    expect(
      (
        await partner.post('/api/partner/merchants/nope/ledger_adjustments', {
          amount: 1,
          description: 'x',
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await m.api.post(`/api/partner/merchants/${m.id}/ledger_adjustments`, {
          amount: 1,
          description: 'x',
        })
      ).status,
    ).toBe(401);
    const inv = await ledgerInvariants(ds, m.id);
    expect(inv.sumOfAllAccounts).toBe(0);
    expect(inv.availableFromTransactions).toBe((await balance())[0].available);
  });

  it('days pass with the injected clock', () => {
    t.clock.advance(DAY);
    expect(t.clock.now().toISOString()).toBe('2026-03-03T10:00:00.000Z');
  });
});
