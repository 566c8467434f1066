import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { SettlementService } from '../src/gateway/settlement/settlement.service';
import {
  TransactionChange,
  TransactionObservers,
} from '../src/gateway/transactions/transaction-observers';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

const card = { card: { number: '4111111111111111', expiration_date: '12/39', cvc: '999' } };

describe('terminals, card-present sales and settlement batches', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;
  const notified: TransactionChange[][] = [];

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl, 'America/Chicago');
    b = await createMerchant(t.baseUrl);
    t.app.get(TransactionObservers).register({
      async onTransactionChanges(_em: EntityManager, changes: readonly TransactionChange[]) {
        if (changes.some((c) => c.kind === 'settled')) notified.push([...changes]);
      },
    });
  });
  afterAll(async () => {
    t.clock.reset();
    await t.close();
  });

  async function newTerminal(m: TestMerchant, body: Record<string, unknown> = {}) {
    const res = await m.api.post('/api/terminal', {
      manufacturer: 'dejavoo',
      model: 'z11',
      description: 'front counter z11',
      auth_key: 'wcR1c9o1secret',
      register_id: '1',
      auto_settle: false,
      ...body,
    });
    expect(res.status).toBe(200);
    return res.body.data;
  }

  async function terminalSale(m: TestMerchant, terminalId: string, amount: number, extra = {}) {
    const res = await m.api.post('/api/transaction', {
      type: 'sale',
      amount,
      payment_method: {
        terminal: { id: terminalId, print_receipt: 'both', signature_required: true },
      },
      ...extra,
    });
    expect(res.status).toBe(200);
    return res.body.data;
  }

  describe('terminals', () => {
    it('every new merchant has one active sandbox terminal, listed in the spec’s shape', async () => {
      const m = await createMerchant(t.baseUrl);
      const res = await m.api.get('/api/terminals');
      expect(res.status).toBe(200);
      expect(res.body.total_count).toBe(1);
      const [terminal] = res.body.data;
      expect(terminal).toMatchObject({
        id: expect.stringMatching(/^[0-9a-v]{20}$/),
        merchant_id: m.id,
        manufacturer: 'rebill',
        model: 'sandbox',
        serial_number: expect.stringMatching(/^SBX/),
        status: 'active',
        auto_settle: true,
        settle_at: '00:00:00',
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      for (const key of ['tpn', 'description', 'auth_key', 'register_id']) {
        expect(terminal).toHaveProperty(key);
      }
    });

    it('creates, updates and disables a terminal; the auth key is only shown masked', async () => {
      const created = await newTerminal(a, { serial_number: '1811000ABCD', tpn: '1811000ABCD' });
      expect(created.auth_key).toBe('wc****et');
      expect(JSON.stringify(created)).not.toContain('wcR1c9o1secret');
      const rows: { auth_key_sealed: string }[] = await t.app
        .get(DataSource)
        .query(`SELECT auth_key_sealed FROM terminals WHERE id = $1`, [created.id]);
      expect(rows[0].auth_key_sealed).toMatch(/^enc:v1:/);

      const updated = await a.api.post(`/api/terminal/${created.id}`, {
        description: 'back office',
        auto_settle: true,
        settle_at: '23:30:00',
      });
      expect(updated.body.data).toMatchObject({
        description: 'back office',
        settle_at: '23:30:00',
      });
      const disabled = await a.api.delete(`/api/terminal/${created.id}`);
      expect(disabled.body.data.status).toBe('disabled');
      // Disabled terminals are still listed, as the spec says.
      const listed = (await a.api.get('/api/terminals')).body.data.map((x: { id: string }) => x.id);
      expect(listed).toContain(created.id);
      const refused = await a.api.post('/api/transaction', {
        type: 'sale',
        amount: 100,
        payment_method: { terminal: { id: created.id } },
      });
      expect(refused.status).toBe(409);
      expect(refused.body.msg).toMatch(/disabled/);
    });

    it.each([
      [{ settle_at: '24:00:00' }, /invalid settle_at/],
      [{ auto_settle: 'yes' }, /invalid auto_settle/],
      [{ serial_number: 'has space' }, /invalid serial_number/],
      [{ processor_id: 'nope' }, /invalid processor_id/],
      [{ colour: 'red' }, /invalid colour: is not a known field/],
    ])('refuses %j naming the field, creating nothing', async (body, msg) => {
      const before = (await a.api.get('/api/terminals')).body.total_count;
      const res = await a.api.post('/api/terminal', body);
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(msg);
      expect((await a.api.get('/api/terminals')).body.total_count).toBe(before);
    });

    it('refuses a duplicate serial number with 409', async () => {
      await newTerminal(a, { serial_number: 'DUP123' });
      const again = await a.api.post('/api/terminal', { serial_number: 'DUP123' });
      expect(again.status).toBe(409);
    });

    it('another merchant’s terminal is 404 everywhere', async () => {
      const mine = await newTerminal(a);
      expect((await b.api.get(`/api/terminal/${mine.id}`)).status).toBe(404);
      expect((await b.api.post(`/api/terminal/${mine.id}`, { description: 'x' })).status).toBe(404);
      expect((await b.api.delete(`/api/terminal/${mine.id}`)).status).toBe(404);
      expect((await b.api.post(`/api/terminal/${mine.id}/settle`)).status).toBe(404);
      const sale = await b.api.post('/api/transaction', {
        type: 'sale',
        amount: 100,
        payment_method: { terminal: { id: mine.id } },
      });
      expect(sale.status).toBe(404);
      expect((await a.api.get(`/api/terminal/${mine.id}`)).body.data.description).toBe(
        'front counter z11',
      );
    });
  });

  describe('card-present sales', () => {
    it('runs a sale on the terminal with entry_type and BatchNum in response_body.terminal.processor_specific', async () => {
      const terminal = await newTerminal(a);
      const sale = await terminalSale(a, terminal.id, 1000);
      expect(sale).toMatchObject({
        type: 'sale',
        status: 'pending_settlement',
        payment_method: 'terminal',
        response_code: 100,
        terminal_id: terminal.id,
        batch_number: 1,
      });
      expect(sale.response_body.terminal.processor_specific).toMatchObject({
        BatchNum: 1,
        entry_type: 'chip',
        print_receipt: 'both',
        signature_required: true,
      });
      expect(sale.response_body.terminal.masked_card).toBe('411111******1111');
      const again = await a.api.get(`/api/transaction/${sale.id}`);
      expect(again.body.data[0].response_body.terminal.processor_specific.BatchNum).toBe(1);
    });

    it.each([
      [1091, 'swiped', 100],
      [1092, 'contactless', 100],
      [1093, 'keyed', 100],
      [120200, 'chip', 202],
      [125100, 'chip', 251],
    ])('amount %i reads %s and answers %i', async (amount, entryType, code) => {
      const terminal = await newTerminal(a);
      const sale = await terminalSale(a, terminal.id, amount);
      expect(sale.response_code).toBe(code);
      expect(sale.status).toBe(code === 100 ? 'pending_settlement' : 'declined');
      expect(sale.response_body.terminal.processor_specific.entry_type).toBe(entryType);
    });

    it('refuses a bad terminal payment naming the field', async () => {
      const terminal = await newTerminal(a);
      for (const [pm, msg] of [
        [{ terminal: {} }, /payment_method.terminal.id: is required/],
        [{ terminal: { id: terminal.id, print_receipt: 'sometimes' } }, /print_receipt/],
        [{ terminal: { id: terminal.id, signature_required: 'maybe' } }, /signature_required/],
        [{ terminal: { id: terminal.id, expiration_date: '13/99' } }, /expiration_date/],
        [{ terminal: { id: terminal.id }, card: card.card }, /exactly one/],
      ] as const) {
        const res = await a.api.post('/api/transaction', {
          type: 'sale',
          amount: 100,
          payment_method: pm,
        });
        expect(res.status).toBe(400);
        expect(res.body.msg).toMatch(msg);
      }
      const search = await a.api.post('/api/transaction/search', {
        terminal_id: { operator: '=', value: terminal.id },
      });
      expect(search.body.total_count).toBe(0);
    });
  });

  describe('settlement batches', () => {
    it('POST /api/terminal/{id}/settle closes the terminal’s batch with counts and totals', async () => {
      const terminal = await newTerminal(a);
      const s1 = await terminalSale(a, terminal.id, 1000);
      const s2 = await terminalSale(a, terminal.id, 2500);
      await terminalSale(a, terminal.id, 120200); // declined: not in the batch
      const voided = await terminalSale(a, terminal.id, 700);
      expect((await a.api.post(`/api/transaction/${voided.id}/void`)).status).toBe(200);
      // A card-not-present sale is not in the terminal's batch.
      const online = await a.api.post('/api/transaction', {
        type: 'sale',
        amount: 999,
        payment_method: card,
      });
      notified.length = 0;

      const res = await a.api.post(`/api/terminal/${terminal.id}/settle`);
      expect(res.status).toBe(200);
      expect(res.body.total_count).toBe(1);
      const [batch] = res.body.data;
      expect(batch).toMatchObject({
        terminal_id: terminal.id,
        batch_number: 1,
        currency: 'usd',
        trigger: 'manual',
        transaction_count: 2,
        sale_count: 2,
        sale_amount: 3500,
        refund_count: 0,
        refund_amount: 0,
        net_amount: 3500,
      });
      // One notify call for the batch, with each settled transaction.
      expect(notified).toHaveLength(1);
      expect(notified[0].map((c) => c.transactionId).sort()).toEqual([s1.id, s2.id].sort());

      for (const id of [s1.id, s2.id]) {
        const tx = (await a.api.get(`/api/transaction/${id}`)).body.data[0];
        expect(tx).toMatchObject({
          status: 'settled',
          batch_number: 1,
          settlement_batch_id: batch.id,
        });
      }
      const onlineNow = (await a.api.get(`/api/transaction/${online.body.data.id}`)).body.data[0];
      expect(onlineNow.status).toBe('pending_settlement');

      // The next sale joins batch 2; a refund of a batch-1 sale joins batch 2 too.
      const s3 = await terminalSale(a, terminal.id, 400);
      expect(s3.response_body.terminal.processor_specific.BatchNum).toBe(2);
      const refund = await a.api.post(`/api/transaction/${s1.id}/refund`, { amount: 300 });
      expect(refund.status).toBe(200);
      expect(refund.body.data.batch_number).toBeNull();
      const second = (await a.api.post(`/api/terminal/${terminal.id}/settle`)).body.data[0];
      expect(second).toMatchObject({
        batch_number: 2,
        transaction_count: 2,
        sale_count: 1,
        sale_amount: 400,
        refund_count: 1,
        refund_amount: 300,
        net_amount: 100,
      });
      const refunded = (await a.api.get(`/api/transaction/${refund.body.data.id}`)).body.data[0];
      expect(refunded.batch_number).toBe(2);

      // Nothing open: no batch, the number stays.
      const empty = await a.api.post(`/api/terminal/${terminal.id}/settle`);
      expect(empty.body).toMatchObject({ status: 'success', total_count: 0, data: [] });
      expect((await a.api.get(`/api/terminal/${terminal.id}`)).body.data.batch_number).toBe(3);
    });

    it('POST /api/sandbox/settle closes card-not-present transactions per processor, numbered', async () => {
      const m = await createMerchant(t.baseUrl);
      const first = await m.api.post('/api/transaction', {
        type: 'sale',
        amount: 1500,
        payment_method: card,
      });
      await m.api.post('/api/transaction', { type: 'credit', amount: 200, payment_method: card });
      expect((await m.api.post('/api/sandbox/settle')).body.data.settled).toBe(2);
      const tx = (await m.api.get(`/api/transaction/${first.body.data.id}`)).body.data[0];
      expect(tx.batch_number).toBe(1);
      const found = await m.api.post('/api/settlement/batch/search', {});
      expect(found.body.total_count).toBe(1);
      expect(found.body.data[0]).toMatchObject({
        terminal_id: '',
        batch_number: 1,
        sale_amount: 1500,
        credit_count: 1,
        credit_amount: 200,
        net_amount: 1300,
        id: tx.settlement_batch_id,
      });
      await m.api.post('/api/transaction', { type: 'sale', amount: 10, payment_method: card });
      await m.api.post('/api/sandbox/settle');
      const both = await m.api.post('/api/settlement/batch/search', {});
      expect(both.body.data.map((x: { batch_number: number }) => x.batch_number)).toEqual([2, 1]);
    });

    it('a terminal with auto_settle settles at its settle_at in the merchant’s time zone, once', async () => {
      const m = await createMerchant(t.baseUrl, 'America/Chicago');
      t.clock.setNow('2027-05-10T15:00:00Z'); // 10:00 in Chicago (CDT)
      try {
        const terminal = (
          await m.api.post('/api/terminal', { auto_settle: true, settle_at: '14:30:00' })
        ).body.data;
        await terminalSale(m, terminal.id, 1234);
        const settlement = t.app.get(SettlementService);
        t.clock.setNow('2027-05-10T19:29:00Z'); // 14:29 in Chicago: not yet
        expect(
          (await settlement.settleDueTerminals()).filter((x) => x.merchantId === m.id),
        ).toEqual([]);
        t.clock.setNow('2027-05-10T19:30:05Z'); // 14:30:05
        const closed = (await settlement.settleDueTerminals()).filter((x) => x.merchantId === m.id);
        expect(closed).toHaveLength(1);
        expect(closed[0]).toMatchObject({
          terminalId: terminal.id,
          trigger: 'scheduled',
          saleAmount: 1234,
        });
        // Two schedulers at once, or a second run, settle nothing more.
        await terminalSale(m, terminal.id, 55);
        const again = await Promise.all([
          settlement.settleDueTerminals(),
          settlement.settleDueTerminals(),
        ]);
        expect(again.flat().filter((x) => x.merchantId === m.id)).toEqual([]);
        // The merchant's default sandbox terminal (settle_at 00:00) settles at Chicago midnight.
        const sandbox = (await m.api.get('/api/terminals')).body.data.find(
          (x: { model: string }) => x.model === 'sandbox',
        );
        expect(sandbox).toBeDefined();
      } finally {
        t.clock.reset();
      }
    });

    it('searches batches by batch_date range and settlement_batch_id, with limit and offset', async () => {
      const m = await createMerchant(t.baseUrl);
      const terminal = (await m.api.post('/api/terminal', { auto_settle: false })).body.data;
      const ids: string[] = [];
      const days = ['2027-02-01T10:00:00Z', '2027-02-02T10:00:00Z', '2027-02-03T10:00:00Z'];
      try {
        for (const day of days) {
          t.clock.setNow(day);
          await terminalSale(m, terminal.id, 100);
          ids.push((await m.api.post(`/api/terminal/${terminal.id}/settle`)).body.data[0].id);
        }
      } finally {
        t.clock.reset();
      }
      const search = (body: unknown) => m.api.post('/api/settlement/batch/search', body);
      const ranged = await search({
        batch_date: { start_date: '2027-02-02T00:00:00Z', end_date: '2027-02-03T23:59:59Z' },
      });
      expect(ranged.body.data.map((x: { id: string }) => x.id)).toEqual([ids[2], ids[1]]);
      expect(
        (await search({ settlement_batch_id: { operator: '=', value: ids[0] } })).body.data,
      ).toHaveLength(1);
      const not = await search({ settlement_batch_id: { operator: '!=', value: ids[0] } });
      expect(not.body.total_count).toBe(2);
      const paged = await search({ limit: 1, offset: 1 });
      expect(paged.body).toMatchObject({ total_count: 3 });
      expect(paged.body.data.map((x: { id: string }) => x.id)).toEqual([ids[1]]);
      // Another merchant sees none of them.
      const other = await b.api.post('/api/settlement/batch/search', {
        settlement_batch_id: { operator: '=', value: ids[0] },
      });
      expect(other.body.total_count).toBe(0);
      for (const [body, msg] of [
        [{ limit: 0 }, /invalid limit: must be an integer from 1 to 100/],
        [{ limit: 101 }, /invalid limit/],
        [{ offset: 1001 }, /invalid offset/],
        [{ batch_date: { start_date: 'yesterday' } }, /invalid batch_date.start_date/],
        [
          { settlement_batch_id: { operator: '<', value: 'x' } },
          /invalid settlement_batch_id.operator/,
        ],
        [{ batch_id: 'x' }, /invalid batch_id: is not a searchable field/],
      ] as const) {
        const res = await search(body);
        expect(res.status).toBe(400);
        expect(res.body.msg).toMatch(msg);
      }
    });
  });
});
