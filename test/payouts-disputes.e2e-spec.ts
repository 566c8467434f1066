import { DataSource } from 'typeorm';
import { DisputeChange, DisputeObservers } from '../src/ledger/disputes/dispute-observers';
import {
  Api,
  createMerchant,
  PARTNER_KEY,
  startTestApp,
  TestApp,
  TestMerchant,
} from './support/test-app';
import { ledgerInvariants, sale, settleGateway, v1 } from './support/ledger-helpers';
import { APPROVED_CARD, createCard, V1Api } from './support/payments-api';

const DAY = 24 * 60 * 60 * 1000;

describe('payouts', () => {
  let t: TestApp;
  let ds: DataSource;
  let m: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    ds = t.app.get(DataSource);
    t.clock.setNow('2026-04-01T09:00:00Z');
    m = await createMerchant(t.baseUrl);
  });
  afterAll(async () => t.close());

  const run = async () => (await v1(t, m).post('/v1/sandbox/payouts/run')).body;
  const available = async () => (await v1(t, m).get('/v1/balances')).body.data[0]?.available ?? 0;

  it('pays out settled, available money once a day; unsettled money waits', async () => {
    await sale(m, 10000);
    await sale(m, 2000);
    expect(await run()).toEqual({ paid: 0, created: 0 }); // nothing settled yet
    await settleGateway(m);
    await sale(m, 777); // still pending at the payout
    const r = await run();
    expect(r).toEqual({ paid: 0, created: 1 });
    expect(await run()).toEqual({ paid: 0, created: 0 }); // once per day

    const list = await v1(t, m).get('/v1/payouts');
    expect(list.status).toBe(200);
    expect(list.body.data).toHaveLength(1);
    const p = list.body.data[0];
    // $100.00 − $3.20 + $20.00 − $0.88.
    expect(p).toMatchObject({
      entity: 'payout',
      status: 'created',
      payout_number: 1,
      amount: 11592,
      net_amount: 11592,
      fee_amount: 408,
      batch_fee: 0,
      transaction_count: 4,
      owner_type: 'account',
      owner_id: m.id,
      settlement_status: 'unsettled',
      payout_date: '2026-04-01',
    });
    expect(p.transaction_summary).toEqual([
      { source_type: 'fee', count: 2, amount: -408 },
      { source_type: 'payment', count: 2, amount: 12000 },
    ]);
    const lts = (await v1(t, m).get(`/v1/transactions?payout_id=${p.id}&limit=50`)).body.data;
    expect(lts).toHaveLength(4);
    expect(lts.reduce((s: number, x: any) => s + x.amount, 0)).toBe(p.amount);
    expect(await available()).toBe(0);
    expect((await v1(t, m).get(`/v1/payouts/${p.id}`)).body.id).toBe(p.id);
  });

  it('the sandbox bank pays a payout the next day', async () => {
    t.clock.advance(DAY);
    const r = await run();
    expect(r.paid).toBe(1);
    const [p] = (await v1(t, m).get('/v1/payouts')).body.data.filter(
      (x: any) => x.payout_number === 1,
    );
    expect(p).toMatchObject({
      status: 'paid',
      settlement_status: 'settled',
      completed_at: t.clock.now().toISOString(),
    });
    expect(p.latest_payment_data).toMatchObject({ status: 'paid' });
    const inv = await ledgerInvariants(ds, m.id);
    expect(inv.sumOfAllAccounts).toBe(0);
    expect(inv.accounts.payouts_in_transit ?? 0).toBe(0);
  });

  it('a payout the bank rejects returns its money to the balance, charges the reject fee, and goes out again', async () => {
    await new Api(t.baseUrl, PARTNER_KEY).put(`/api/partner/merchants/${m.id}/processing_plan`, {
      fees: { payout_batch: 25, payout_reject: 200 },
    });
    // The 777 sale from yesterday settles now; r.created covers it.
    await settleGateway(m);
    const r = await run();
    expect(r.created).toBe(1);
    const [p] = (await v1(t, m).get('/v1/payouts?limit=1')).body.data;
    expect(p).toMatchObject({
      payout_number: 2,
      amount: 777 - 53,
      batch_fee: 25,
      net_amount: 777 - 53 - 25,
    });
    expect(await available()).toBe(0);

    const ret = await v1(t, m).post(`/v1/sandbox/payouts/${p.id}/return`, {
      reason: 'account closed',
    });
    expect(ret.status).toBe(200);
    expect(ret.body).toMatchObject({
      status: 'returned',
      reject_fee: 200,
      payment_reject_count: 1,
    });
    expect(ret.body.latest_payment_data).toMatchObject({
      status: 'returned',
      reason: 'account closed',
    });
    expect(await available()).toBe(777 - 53 - 200);
    expect((await v1(t, m).post(`/v1/sandbox/payouts/${p.id}/return`)).status).toBe(409);

    t.clock.advance(DAY);
    const again = await run();
    expect(again.created).toBe(1);
    const [p3] = (await v1(t, m).get('/v1/payouts?limit=1')).body.data;
    expect(p3).toMatchObject({ payout_number: 3, amount: 777 - 53 - 200, transaction_count: 3 });
    const lts = (await v1(t, m).get(`/v1/transactions?payout_id=${p3.id}`)).body.data;
    expect(lts.reduce((s: number, x: any) => s + x.amount, 0)).toBe(p3.amount);
    const inv = await ledgerInvariants(ds, m.id);
    expect(inv.sumOfAllAccounts).toBe(0);
    expect(inv.availableFromEntries).toBe(await available());
    const events = (await m.api.get('/api/events')).body.data as { type: string }[];
    expect(
      events
        .map((e) => e.type)
        .filter((x) => x.startsWith('payout.'))
        .sort(),
    ).toEqual([
      'payout.created',
      'payout.created',
      'payout.created',
      'payout.paid',
      'payout.returned',
    ]);
  });

  it('concurrent payout runs pay out once; each currency is paid out on its own', async () => {
    const c = await createMerchant(t.baseUrl);
    await sale(c, 4000);
    const eur = await c.api.post('/api/transaction', {
      type: 'sale',
      amount: 3000,
      currency: 'EUR',
      payment_method: {
        card: {
          entry_type: 'keyed',
          number: '4111111111111111',
          expiration_date: '12/39',
          cvc: '999',
        },
      },
    });
    expect(eur.status).toBe(200);
    await settleGateway(c);
    const runs = await Promise.all([1, 2, 3].map(() => v1(t, c).post('/v1/sandbox/payouts/run')));
    expect(runs.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(runs.reduce((s, r) => s + r.body.created, 0)).toBe(2);
    const payouts = (await v1(t, c).get('/v1/payouts')).body.data;
    expect(payouts.map((p: any) => [p.currency, p.amount]).sort()).toEqual([
      ['EUR', 3000 - 117],
      ['USD', 4000 - 146],
    ]);
    const balances = (await v1(t, c).get('/v1/balances')).body.data;
    expect(balances.map((b: any) => [b.currency, b.available])).toEqual([
      ['EUR', 0],
      ['USD', 0],
    ]);
  });

  it('pages payouts and isolates merchants', async () => {
    const first = await v1(t, m).get('/v1/payouts?limit=2');
    expect(first.body.meta.has_more).toBe(true);
    const next = await v1(t, m).get(
      `/v1/payouts?limit=2&starting_after=${first.body.meta.last_id}`,
    );
    expect(next.body.data.map((p: any) => p.payout_number)).toEqual([1]);
    const other = await createMerchant(t.baseUrl);
    expect((await v1(t, other).get(`/v1/payouts/${first.body.data[0].id}`)).status).toBe(404);
    expect(
      (await v1(t, other).post(`/v1/sandbox/payouts/${first.body.data[0].id}/return`)).status,
    ).toBe(404);
    const business = await v1(t, m, { 'x-business-id': 'shop-1' }).get('/v1/payouts/business');
    expect(business.status).toBe(200);
    expect(business.body.data).toEqual([]);
    expect((await v1(t, m).get('/v1/payouts/business')).status).toBe(400);
  });
});

describe('disputes', () => {
  let t: TestApp;
  let ds: DataSource;
  let m: TestMerchant;
  const heard: DisputeChange[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    ds = t.app.get(DataSource);
    t.app.get(DisputeObservers).register({
      onDisputeChanges: async (_em, changes) => {
        heard.push(...changes);
      },
    });
    t.clock.setNow('2026-05-04T12:00:00Z');
    m = await createMerchant(t.baseUrl, 'America/New_York');
  });
  afterAll(async () => t.close());

  const raise = async () => (await v1(t, m).post('/v1/sandbox/disputes/raise')).body.raised;
  const balance = async () => (await v1(t, m).get('/v1/balances')).body.data[0];

  it('the sandbox disputes a payment of a test amount three days after it settled', async () => {
    const disputed = await sale(m, 110400);
    await sale(m, 5000);
    await settleGateway(m);
    const before = await balance();
    t.clock.advance(2 * DAY);
    expect(await raise()).toBe(0);
    t.clock.advance(DAY);
    expect(await raise()).toBe(1);
    expect(await raise()).toBe(0);

    const list = await v1(t, m).get('/v1/disputes');
    expect(list.body.data).toHaveLength(1);
    const d = list.body.data[0];
    expect(d).toMatchObject({
      entity: 'dispute',
      account_id: m.id,
      status: 'new',
      payment_id: disputed,
      amount: 110400,
      reason_disputed_code: 1040,
      reason_disputed: 'fraudulent: card-absent environment',
      dispute_date: '2026-05-07',
      response_due_date: '2026-05-17',
      closed_date: null,
      notes: [],
      attachments: [],
    });
    // The amount and the $15.00 dispute fee leave the available balance at once.
    expect((await balance()).available).toBe(before.available - 110400 - 1500);
    expect(heard).toEqual([
      expect.objectContaining({
        kind: 'opened',
        disputeId: d.id,
        paymentId: disputed,
        amountCents: 110400,
      }),
    ]);
    const lts = (await v1(t, m).post('/v1/transactions/search', { source_type: 'dispute' })).body
      .data;
    expect(lts).toEqual([
      expect.objectContaining({ source_id: d.id, amount: -110400, settlement_status: 'settled' }),
    ]);
  });

  it('the merchant answers with notes and files; the dispute is then under review', async () => {
    const [d] = (await v1(t, m).get('/v1/disputes')).body.data;
    const note = await v1(t, m).post(`/v1/disputes/${d.id}/notes`, {
      note: 'The customer signed for the delivery.',
      dispute_response: 'Delivered and signed for on 2026-04-30.',
    });
    expect(note.status).toBe(200);
    expect(note.body).toMatchObject({
      status: 'under_review',
      dispute_response: 'Delivered and signed for on 2026-04-30.',
    });
    expect(note.body.notes).toEqual([
      expect.objectContaining({ note: 'The customer signed for the delivery.' }),
    ]);
    const pdf = Buffer.from('%PDF-1.4 signed delivery receipt');
    const att = await v1(t, m).post(`/v1/disputes/${d.id}/attachments`, {
      filename: 'receipt.pdf',
      content_type: 'application/pdf',
      content: pdf.toString('base64'),
    });
    expect(att.status).toBe(200);
    const [a] = att.body.attachments;
    expect(a).toMatchObject({
      filename: 'receipt.pdf',
      content_type: 'application/pdf',
      size: pdf.length,
    });
    const file = await fetch(`${t.baseUrl}/v1/disputes/${d.id}/attachments/${a.id}`, {
      headers: { 'x-api-key': m.privateKey, 'x-account-id': m.id },
    });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/application\/pdf/);
    expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);

    for (const [path, body, field] of [
      ['notes', { note: '' }, 'note'],
      [
        'attachments',
        { filename: '../etc/passwd', content_type: 'application/pdf', content: 'AAAA' },
        'filename',
      ],
      [
        'attachments',
        { filename: 'a.exe', content_type: 'application/x-msdownload', content: 'AAAA' },
        'content_type',
      ],
      [
        'attachments',
        { filename: 'a.pdf', content_type: 'application/pdf', content: 'not base64!' },
        'content',
      ],
      [
        'attachments',
        {
          filename: 'a.pdf',
          content_type: 'application/pdf',
          content: Buffer.alloc(600 * 1024).toString('base64'),
        },
        'content',
      ],
    ] as const) {
      const res = await v1(t, m).post(`/v1/disputes/${d.id}/${path}`, body);
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(field);
    }
    const other = await createMerchant(t.baseUrl);
    expect((await v1(t, other).get(`/v1/disputes/${d.id}`)).status).toBe(404);
    expect((await v1(t, other).get(`/v1/disputes/${d.id}/attachments/${a.id}`)).status).toBe(404);
    expect((await v1(t, other).post(`/v1/disputes/${d.id}/notes`, { note: 'x' })).status).toBe(404);
  });

  it('a won dispute gives the amount back (the fee is kept); a closed dispute takes no more evidence', async () => {
    const [d] = (await v1(t, m).get('/v1/disputes')).body.data;
    const before = await balance();
    const won = await v1(t, m).post(`/v1/sandbox/disputes/${d.id}/resolve`, { outcome: 'won' });
    expect(won.status).toBe(200);
    expect(won.body).toMatchObject({ status: 'won', closed_date: '2026-05-07' });
    expect((await balance()).available).toBe(before.available + 110400);
    expect(
      (await v1(t, m).post(`/v1/sandbox/disputes/${d.id}/resolve`, { outcome: 'lost' })).status,
    ).toBe(409);
    expect((await v1(t, m).post(`/v1/disputes/${d.id}/notes`, { note: 'late' })).status).toBe(409);
    expect(
      (await v1(t, m).post(`/v1/sandbox/disputes/${d.id}/resolve`, { outcome: 'maybe' })).status,
    ).toBe(400);
    expect(heard.map((h) => h.kind)).toEqual(['opened', 'won']);
    const events = (await m.api.get('/api/events')).body.data as {
      type: string;
      object_id: string;
      data: any;
    }[];
    const mine = events.filter((e) => e.object_id === d.id);
    expect(mine.map((e) => e.type).sort()).toEqual([
      'dispute.closed',
      'dispute.created',
      'dispute.updated',
      'dispute.updated',
      'dispute.won',
    ]);
    expect(mine.find((e) => e.type === 'dispute.closed')!.data).toMatchObject({ status: 'won' });
    expect(mine.find((e) => e.type === 'dispute.won')!.data).toMatchObject({
      id: d.id,
      status: 'won',
    });
  });

  it('a payment intent’s payment is booked once, and its dispute names the intent', async () => {
    const api = V1Api.of(m, t.baseUrl);
    const pi = (await api.post('/v1/payment_intents', { amount: 113300 })).body;
    const pm = await createCard(api, APPROVED_CARD);
    const paid = await api.post(`/v1/payment_intents/${pi.id}/payments`, { payment_method_id: pm });
    expect(paid.status).toBe(200);
    const txId = paid.body.transaction_id as string;
    const booked = (await v1(t, m).post('/v1/transactions/search', { limit: 50 })).body.data.filter(
      (x: any) => x.source_id === txId,
    );
    expect(booked.map((x: any) => [x.source_type, x.amount]).sort()).toEqual([
      ['fee', -(Math.floor((113300 * 29 + 500) / 1000) + 30)],
      ['payment', 113300],
    ]);
    await settleGateway(m);
    t.clock.advance(3 * DAY);
    expect(await raise()).toBe(1);
    const [d] = (await v1(t, m).get(`/v1/disputes?payment_id=${txId}`)).body.data;
    expect(d).toMatchObject({
      payment_id: txId,
      payment_intent_id: pi.id,
      reason_disputed_code: 1330,
    });
    await v1(t, m).post(`/v1/sandbox/disputes/${d.id}/resolve`, { outcome: 'won' });
  });

  it('a lost dispute keeps the amount taken; lists filter by status', async () => {
    await sale(m, 113100);
    await settleGateway(m);
    t.clock.advance(3 * DAY);
    expect(await raise()).toBe(1);
    const open = await v1(t, m).get('/v1/disputes?status=new');
    expect(open.body.data).toHaveLength(1);
    expect(open.body.data[0].reason_disputed_code).toBe(1310);
    const before = await balance();
    await v1(t, m).post(`/v1/sandbox/disputes/${open.body.data[0].id}/resolve`, {
      outcome: 'lost',
    });
    expect((await balance()).available).toBe(before.available);
    expect((await v1(t, m).get('/v1/disputes?status=won')).body.data).toHaveLength(2);
    expect((await v1(t, m).get('/v1/disputes?status=lost')).body.data).toHaveLength(1);
    expect((await v1(t, m).get('/v1/disputes?status=bogus')).status).toBe(400);
    const page = await v1(t, m).get('/v1/disputes?limit=1');
    expect(page.body.meta.has_more).toBe(true);
    const rest = await v1(t, m).get(
      `/v1/disputes?limit=1&starting_after=${page.body.meta.last_id}`,
    );
    expect(rest.body.data).toHaveLength(1);
    expect(rest.body.data[0].id).not.toBe(page.body.data[0].id);
    const inv = await ledgerInvariants(ds, m.id);
    expect(inv.sumOfAllAccounts).toBe(0);
    expect(inv.unbalancedEntries).toBe(0);
  });
});
