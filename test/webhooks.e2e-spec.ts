import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CardExpiryEvents } from '../src/gateway/vault/card-expiry-events';
import { InvoiceOverdueEvents } from '../src/invoices/invoice-overdue-events';
import { FieldCipher } from '../src/platform/crypto/field-cipher';
import { WebhookWorker } from '../src/webhooks/webhook-worker.service';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';
import { V1Api } from './support/payments-api';
import { ReceivedWebhook, WebhookReceiver } from './support/webhook-receiver';

/** The verification snippet of docs/webhooks.md, loaded as a receiver would copy it. */
function documentedVerifier(): (
  rawBody: string,
  header: string,
  secret: string,
  options?: { toleranceSeconds?: number; now?: number },
) => boolean {
  const doc = readFileSync(join(__dirname, '..', 'docs', 'webhooks.md'), 'utf8');
  const snippet = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!snippet) throw new Error('docs/webhooks.md has no js snippet');
  const file = join(mkdtempSync(join(tmpdir(), 'rebill-verify-')), 'verify.js');
  writeFileSync(file, snippet);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file).verifyRebillSignature;
}

const VISA = '4111111111111111';
const billing = {
  first_name: 'John',
  last_name: 'Smith',
  address_line_1: '123 Some St',
  city: 'Wheaton',
  state: 'IL',
  postal_code: '60187',
  country: 'US',
  email: 'help@website.com',
};
const address = {
  first_name: 'First',
  last_name: 'Last',
  company: 'Business',
  address_line_1: '123 Drury Lane',
  address_line_2: '',
  city: 'Some City',
  state: 'IL',
  postal_code: '60000',
  country: 'US',
  phone: '5555555555',
  fax: '5555555555',
  email: 'info@somesite.com',
};
function invoiceBody(overrides: Record<string, unknown> = {}) {
  return {
    currency: 'USD',
    company_name: 'ACME Inc.',
    payable_to: address,
    bill_to: address,
    date_due: '2026-04-30T06:00:00Z',
    items: [{ name: 'Widget', quantity: 1, unit_price: 1000, status: 'pending' }],
    payment_methods: ['card'],
    send_via: 'none',
    ...overrides,
  };
}
const monthlyOn1st = { amount: 1000, billing_cycle_interval: 1, billing_days: '1' };
const START = '2026-03-10T12:00:00Z';

describe('webhooks', () => {
  let t: TestApp;
  let worker: WebhookWorker;
  let receiver: WebhookReceiver;
  const verify = documentedVerifier();
  let pathCounter = 0;

  beforeAll(async () => {
    t = await startTestApp();
    worker = t.app.get(WebhookWorker);
    receiver = await new WebhookReceiver().start();
  });
  beforeEach(() => {
    t.clock.setNow(START);
    receiver.respond = (_req, res) => {
      res.statusCode = 200;
      res.end('ok');
    };
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const nowSeconds = () => t.clock.now().getTime() / 1000;

  async function endpoint(
    m: TestMerchant,
    body: Record<string, unknown> = {},
  ): Promise<{ id: string; secret: string; path: string }> {
    const path = `/hook-${++pathCounter}`;
    const res = await m.api.post('/api/webhook', {
      url: `${receiver.url}${path}`,
      events: ['*'],
      ...body,
    });
    if (res.status !== 200) throw new Error(`webhook: ${JSON.stringify(res.body)}`);
    return { id: res.body.data.id, secret: res.body.data.secret, path };
  }

  async function merchantWithCustomer(customerId = 'whcustomer0000000001') {
    const m = await createMerchant(t.baseUrl);
    return { m, customerId, vault: () => m.api.post('/api/vault/customer', { id: customerId }) };
  }

  async function subscribe(m: TestMerchant, customerId: string): Promise<any> {
    const res = await m.api.post('/api/recurring/subscription', {
      customer: { id: customerId },
      ...monthlyOn1st,
    });
    if (res.status !== 200) throw new Error(`subscribe: ${JSON.stringify(res.body)}`);
    return res.body.data;
  }

  const deliver = (m: TestMerchant) => worker.deliverDue({ merchantId: m.id });

  function expectSigned(r: ReceivedWebhook, secret: string) {
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['rebill-event-id']).toBe(r.body.id);
    expect(r.headers['rebill-event-type']).toBe(r.body.type);
    const header = String(r.headers['rebill-signature']);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(r.rawBody, header, secret, { now: nowSeconds() })).toBe(true);
    expect(verify(r.rawBody + ' ', header, secret, { now: nowSeconds() })).toBe(false);
    expect(verify(r.rawBody, header, secret, { now: nowSeconds() + 301 })).toBe(false);
  }

  it('shows the secret once, stores it sealed, and never shows it again', async () => {
    const m = await createMerchant(t.baseUrl);
    const created = await m.api.post('/api/webhook', {
      url: `${receiver.url}/secret`,
      events: ['invoice.paid', 'subscription.created', 'invoice.paid'],
      description: 'billing backend',
    });
    expect(created.status).toBe(200);
    const { secret, ...view } = created.body.data;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(view).toMatchObject({
      url: `${receiver.url}/secret`,
      events: ['invoice.paid', 'subscription.created'],
      enabled: true,
      description: 'billing backend',
    });
    const got = await m.api.get(`/api/webhook/${view.id}`);
    expect(got.body.data).toEqual(view);
    expect(JSON.stringify((await m.api.get('/api/webhooks')).body)).not.toContain(secret);
    const [row] = await t.app
      .get(DataSource)
      .query(`SELECT * FROM webhook_endpoints WHERE id = $1`, [view.id]);
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secret_sealed).toMatch(/^enc:v1:/);
    expect(
      t.app
        .get(FieldCipher)
        .decrypt(row.secret_sealed, `webhook_endpoints.secret:${m.id}:${view.id}`),
    ).toBe(secret);
  });

  it('delivers subscription, customer, charge and invoice events, each signed and verified by the documented snippet', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    const hook = await endpoint(m);
    expect((await vault()).status).toBe(200);
    const card = await m.api.post(`/api/vault/customer/${customerId}/card`, {
      number: VISA,
      expiration_date: '12/30',
    });
    expect(card.status).toBe(200);
    const sub = await subscribe(m, customerId);
    await m.api.get(`/api/recurring/subscription/${sub.id}/status/paused`);
    await m.api.get(`/api/recurring/subscription/${sub.id}/status/active`);
    await m.api.get(`/api/recurring/subscription/${sub.id}/status/cancelled`);
    const sale = await m.api.post('/api/transaction', {
      type: 'sale',
      amount: 1112,
      payment_method: {
        card: { entry_type: 'keyed', number: VISA, expiration_date: '12/39', cvc: '999' },
      },
      billing_address: billing,
    });
    expect(sale.status).toBe(200);
    const declined = await m.api.post('/api/transaction', {
      type: 'sale',
      amount: 1112,
      payment_method: {
        card: {
          entry_type: 'keyed',
          number: '4000000000000002',
          expiration_date: '12/39',
          cvc: '999',
        },
      },
      billing_address: billing,
    });
    expect(declined.status).toBe(200);
    expect((await m.api.post('/api/sandbox/settle')).status).toBe(200);
    const refund = await m.api.post(`/api/transaction/${sale.body.data.id}/refund`, {
      amount: 100,
    });
    expect(refund.status).toBe(200);
    const invoice = await m.api.post('/api/invoice', invoiceBody());
    expect(invoice.status).toBe(200);
    const invoiceId = invoice.body.data.id;
    expect(
      (await m.api.post(`/api/invoice/${invoiceId}/mark-as-paid`, { amount: 400 })).status,
    ).toBe(200);
    const second = await m.api.post('/api/invoice', invoiceBody({ invoice_number: 'INV-2' }));
    expect((await m.api.post(`/api/invoice/${second.body.data.id}/void`)).status).toBe(200);
    expect((await m.api.post(`/api/invoice/${invoiceId}/mark-as-paid`)).status).toBe(200);
    const other = await m.api.post('/api/vault/customer', { id: 'whcustomer0000000002' });
    expect(other.status).toBe(200);
    expect((await m.api.delete('/api/vault/whcustomer0000000002')).status).toBe(200);

    const result = await deliver(m);
    expect(result.failed + result.retrying).toBe(0);
    const got = receiver.at(hook.path);
    const types = new Set(got.map((r) => r.body.type));
    for (const type of [
      'customer.created',
      'customer.updated',
      'customer.deleted',
      'subscription.created',
      'subscription.paused',
      'subscription.reactivated',
      'subscription.cancelled',
      'charge.succeeded',
      'charge.failed',
      'charge.refunded',
      'invoice.created',
      'invoice.partially_paid',
      'invoice.paid',
      'invoice.voided',
    ]) {
      expect(types).toContain(type);
    }
    for (const r of got) expectSigned(r, hook.secret);
    // Every event once, in sequence order (one endpoint, delivered in one go).
    const log = (await m.api.get('/api/events?limit=100')).body.data;
    expect(got.map((r) => r.body.sequence).sort((a, b) => a - b)).toEqual(
      log.map((e: any) => e.sequence),
    );
    expect(got.find((r) => r.body.type === 'charge.refunded')!.body.data).toMatchObject({
      id: sale.body.data.id,
      amount_refunded: 100,
    });
    const failed = got.find((r) => r.body.type === 'charge.failed')!;
    expect(failed.body.data.id).toBe(declined.body.data.id);
    expect(JSON.stringify(failed.body)).not.toContain('4000000000000002');
    // Bodies are the events of the log, byte for byte the API's shape.
    const paid = got.find((r) => r.body.type === 'invoice.paid')!;
    expect((await m.api.get(`/api/event/${paid.body.id}`)).body.data).toEqual(paid.body);
    expect(paid.body.data.status).toBe('paid');
  });

  it('sends only the types an endpoint subscribes to', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    const hook = await endpoint(m, { events: ['subscription.paused'] });
    await vault();
    const sub = await subscribe(m, customerId);
    await m.api.get(`/api/recurring/subscription/${sub.id}/status/paused`);
    await deliver(m);
    expect(receiver.at(hook.path).map((r) => r.body.type)).toEqual(['subscription.paused']);
  });

  it('announces a vaulted card 30 days before it expires, once per card and expiration', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    await vault();
    const card = async (expiration: string) => {
      const res = await m.api.post(`/api/vault/customer/${customerId}/card`, {
        number: VISA,
        expiration_date: expiration,
      });
      expect(res.status).toBe(200);
      const cards: { id: string; expiration_date: string }[] =
        res.body.data.data.customer.payments.cards;
      // Both are saved at the same instant (the clock stands still): find it by its expiry.
      return cards.find((c) =>
        c.expiration_date.startsWith(`20${expiration.slice(3)}-${expiration.slice(0, 2)}`),
      )!.id;
    };
    const march = await card('03/26'); // expires 2026-04-01: 22 days from now
    const april = await card('04/26'); // expires 2026-05-01: 52 days from now
    const hook = await endpoint(m, { events: ['payment_method.expiring'] });
    const sweep = t.app.get(CardExpiryEvents);
    expect(await sweep.runOnce({ merchantId: m.id })).toBe(1);
    expect(await sweep.runOnce({ merchantId: m.id })).toBe(0);
    await Promise.all([sweep.runOnce({ merchantId: m.id }), sweep.runOnce({ merchantId: m.id })]);
    t.clock.setNow('2026-04-05T00:00:00Z');
    expect(await sweep.runOnce({ merchantId: m.id })).toBe(1);
    expect(await sweep.runOnce({ merchantId: m.id })).toBe(0);
    await deliver(m);
    const got = receiver.at(hook.path).map((r) => r.body);
    expect(got.map((e) => e.object_id)).toEqual([march, april]);
    expect(got[0]).toMatchObject({
      type: 'payment_method.expiring',
      object_type: 'payment_method',
      data: { id: march, customer_id: customerId, expiration_date: '2026-03-31T00:00:00Z' },
    });
    expect(JSON.stringify(got)).not.toContain(VISA);
  });

  it('announces an open invoice as overdue once per due date', async () => {
    const m = await createMerchant(t.baseUrl);
    const hook = await endpoint(m, { events: ['invoice.overdue'] });
    const open = (await m.api.post('/api/invoice', invoiceBody())).body.data;
    const paid = (await m.api.post('/api/invoice', invoiceBody({ invoice_number: 'P-1' }))).body
      .data;
    expect((await m.api.post(`/api/invoice/${paid.id}/mark-as-paid`)).status).toBe(200);
    const sweep = t.app.get(InvoiceOverdueEvents);
    expect(await sweep.runOnce({ merchantId: m.id })).toBe(0);
    t.clock.setNow('2026-05-01T00:00:00Z');
    expect(await sweep.runOnce({ merchantId: m.id })).toBe(1);
    expect(await sweep.runOnce({ merchantId: m.id })).toBe(0);
    // A new due date is announced again once it passes.
    const moved = await m.api.post(`/api/invoice/${open.id}`, {
      date_due: '2026-05-10T06:00:00Z',
    });
    expect(moved.status).toBe(200);
    expect(await sweep.runOnce({ merchantId: m.id })).toBe(0);
    t.clock.setNow('2026-05-11T00:00:00Z');
    expect(await sweep.runOnce({ merchantId: m.id })).toBe(1);
    await deliver(m);
    const got = receiver.at(hook.path).map((r) => r.body);
    expect(got.map((e) => [e.type, e.object_id, e.data.status])).toEqual([
      ['invoice.overdue', open.id, 'overdue'],
      ['invoice.overdue', open.id, 'overdue'],
    ]);
  });

  it('a billing run sends its renewals’ charge, invoice and subscription events, then billing_run.completed', async () => {
    t.clock.setNow('2027-01-01T12:00:00Z');
    const m = await createMerchant(t.baseUrl);
    const hook = await endpoint(m);
    const customer = async (card: string) => {
      const res = await m.api.post('/api/vault/customer', {
        default_payment: { card: { number: card, expiration_date: '12/39' } },
        default_billing_address: { ...billing, line_1: '1 Main St' },
      });
      expect(res.status).toBe(200);
      return res.body.data.id as string;
    };
    const subs: string[] = [];
    for (const card of [VISA, '4000000000000002']) {
      const res = await m.api.post('/api/recurring/subscription', {
        customer: { id: await customer(card) },
        amount: 1000,
        billing_cycle_interval: 1,
        billing_frequency: 'monthly',
        billing_days: '1',
        next_bill_date: '2027-01-01',
      });
      expect(res.status).toBe(200);
      subs.push(res.body.data.id as string);
    }
    const run = await m.api.post('/api/recurring/billing-run', { date: '2027-01-01' });
    expect(run.status).toBe(200);
    expect(run.body.data.status).toBe('completed');
    await deliver(m);
    const got = receiver.at(hook.path);
    for (const r of got) expectSigned(r, hook.secret);
    const bodies = got.map((r) => r.body);
    const of = (type: string) => bodies.filter((b) => b.type === type);
    expect(of('charge.succeeded')).toHaveLength(1);
    expect(of('charge.failed')).toHaveLength(1);
    expect(of('invoice.created')).toHaveLength(2);
    expect(of('invoice.paid')).toHaveLength(1);
    expect(of('invoice.payment_failed')).toHaveLength(1);
    expect(of('invoice.payment_failed')[0].data.status).not.toBe('paid');
    expect(
      bodies.filter((b) => b.object_id === subs[0] && b.type === 'subscription.updated'),
    ).not.toHaveLength(0);
    const completed = of('billing_run.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      object_type: 'billing_run',
      object_id: run.body.data.id,
      data: { id: run.body.data.id, status: 'completed', merchant_id: m.id },
    });
    // The run's event is its last.
    expect(completed[0].sequence).toBe(Math.max(...bodies.map((b) => b.sequence)));
    // A dry run announces nothing.
    await m.api.post('/api/recurring/billing-run', { date: '2027-01-02', dry_run: true });
    const dry = await m.api.get('/api/events?type=billing_run.completed');
    expect(dry.body.total_count).toBe(1);
  });

  it('a trial announces its end, then its first billing makes it active (subscription.updated), signed', async () => {
    t.clock.setNow('2027-02-01T18:00:00Z');
    const m = await createMerchant(t.baseUrl);
    const hook = await endpoint(m);
    const cus = await m.api.post('/api/vault/customer', {
      default_payment: { card: { number: VISA, expiration_date: '12/39' } },
      default_billing_address: { ...billing, line_1: '1 Main St' },
    });
    const sub = await m.api.post('/api/recurring/subscription', {
      customer: { id: cus.body.data.id },
      amount: 1500,
      billing_cycle_interval: 1,
      billing_frequency: 'monthly',
      billing_days: '1',
      trial_days: 10,
    });
    expect(sub.body.data).toMatchObject({ status: 'trialing', trial_end: '2027-02-11' });
    const id = sub.body.data.id;
    for (const date of ['2027-02-07', '2027-02-08', '2027-02-09', '2027-02-11']) {
      t.clock.setNow(`${date}T18:00:00Z`);
      expect((await m.api.post('/api/recurring/billing-run', { date })).status).toBe(200);
    }
    await deliver(m);
    const got = receiver.at(hook.path);
    for (const r of got) expectSigned(r, hook.secret);
    const mine = got.map((r) => r.body).filter((b) => b.object_id === id);
    const notices = mine.filter((b) => b.type === 'subscription.trial_will_end');
    expect(notices).toHaveLength(1);
    expect(notices[0].data).toMatchObject({ id, status: 'trialing', trial_end: '2027-02-11' });
    const activated = mine.filter(
      (b) => b.type === 'subscription.updated' && b.data.status === 'active',
    );
    expect(activated).not.toHaveLength(0);
    expect(mine.map((b) => b.type)).not.toContain('subscription.reactivated');
    expect(activated[0].sequence).toBeGreaterThan(notices[0].sequence);
  });

  it('delivers checkout_session.completed and .expired, signed', async () => {
    const m = await createMerchant(t.baseUrl);
    const hook = await endpoint(m);
    const api = V1Api.of(m, t.baseUrl);
    const v1 = (path: string, body: unknown) => api.post(path, body);
    const session = (discount: number) =>
      v1('/v1/checkout_sessions', {
        cancel_url: `${t.baseUrl}/health?c=1`,
        success_url: `${t.baseUrl}/health?s=1`,
        payment_method_types: ['card'],
        customer_email: 'buyer@example.com',
        payment_intent_data: { description: 'webhook checkout' },
        subtotal: 1000,
        discount_amount: discount,
      });
    const free = await session(1000);
    expect([free.status, free.body.msg]).toEqual([200, undefined]);
    expect((await v1(`/v1/checkout_sessions/${free.body.id}/complete`, {})).status).toBe(200);
    const dropped = await session(0);
    expect((await v1(`/v1/checkout_sessions/${dropped.body.id}/expire`, {})).status).toBe(200);
    await deliver(m);
    const got = receiver.at(hook.path);
    for (const r of got) expectSigned(r, hook.secret);
    const byType = (type: string) => got.map((r) => r.body).filter((b) => b.type === type);
    expect(byType('checkout_session.completed').map((b) => b.object_id)).toEqual([free.body.id]);
    expect(byType('checkout_session.expired').map((b) => b.object_id)).toEqual([dropped.body.id]);
    expect(byType('checkout_session.expired')[0].data.status).toBe('expired');
  });

  it('a receiver answering 500 then 200 gets the event exactly once as a 2xx delivery, after the retry', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    const hook = await endpoint(m, { events: ['subscription.created'] });
    await vault();
    let calls = 0;
    receiver.respond = (_req, res) => {
      res.statusCode = ++calls === 1 ? 500 : 200;
      res.end(calls === 1 ? 'boom' : 'ok');
    };
    await subscribe(m, customerId);
    expect(await deliver(m)).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    // Not due yet: nothing is sent until the clock moves.
    expect(await deliver(m)).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    let list = (await m.api.get(`/api/webhook/${hook.id}/deliveries`)).body.data;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 'pending', attempts: 1, response_code: 500 });
    const next = new Date(list[0].next_attempt_at).getTime() - t.clock.now().getTime();
    expect(next).toBeGreaterThanOrEqual(15_000);
    expect(next).toBeLessThanOrEqual(30_000);
    t.clock.advance(30_000);
    expect(await deliver(m)).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    t.clock.advance(24 * 3_600_000);
    expect(await deliver(m)).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    const got = receiver.at(hook.path);
    expect(got).toHaveLength(2);
    expect(got[0].body.id).toBe(got[1].body.id);
    // Each attempt is signed with the time it was sent.
    expect(got[0].headers['rebill-signature']).not.toBe(got[1].headers['rebill-signature']);
    list = (await m.api.get(`/api/webhook/${hook.id}/deliveries`)).body.data;
    expect(list[0]).toMatchObject({ status: 'delivered', attempts: 2, response_code: 200 });
    expect(list[0].attempt_history.map((a: any) => [a.response_code, a.outcome])).toEqual([
      [500, 'retrying'],
      [200, 'delivered'],
    ]);
    expect(list[0].attempt_history[0].response_excerpt).toBe('boom');
    expect(list[0].attempt_history[0].duration_ms).toEqual(expect.any(Number));
  });

  it('keeps each object’s events in sequence order with several workers and retries', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    const hook = await endpoint(m, {
      events: [
        'subscription.created',
        'subscription.paused',
        'subscription.reactivated',
        'subscription.cancelled',
      ],
    });
    await vault();
    const subs = await Promise.all(Array.from({ length: 6 }, () => subscribe(m, customerId)));
    await Promise.all(
      subs.map(async (s) => {
        for (const status of ['paused', 'active', 'paused', 'active', 'cancelled']) {
          await m.api.get(`/api/recurring/subscription/${s.id}/status/${status}`);
        }
      }),
    );
    // Random delays, and every third request fails once: retries must not let later events pass.
    let n = 0;
    receiver.respond = async (_req, res) => {
      const fail = ++n % 3 === 0;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));
      res.statusCode = fail ? 503 : 200;
      res.end();
    };
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 4 }, () => worker.deliverDue({ merchantId: m.id, batchSize: 3 })),
      );
      t.clock.advance(5 * 60_000);
    }
    receiver.respond = (_req, res) => {
      res.statusCode = 200;
      res.end();
    };
    t.clock.advance(5 * 3_600_000);
    await Promise.all(Array.from({ length: 4 }, () => worker.deliverDue({ merchantId: m.id })));
    const delivered = (
      await m.api.get(`/api/webhook/${hook.id}/deliveries?status=delivered&limit=100`)
    ).body;
    expect(delivered.total_count).toBe(36);
    // The order in which 2xx answers were given, per subscription, follows the sequence.
    const okBodies: any[] = [];
    const attempts = receiver.at(hook.path);
    const rows = await t.app.get(DataSource).query(
      `SELECT d.event_id, a.started_at FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
        WHERE d.endpoint_id = $1 AND a.outcome = 'delivered' ORDER BY a.started_at, a.id`,
      [hook.id],
    );
    expect(rows).toHaveLength(36);
    for (const s of subs) {
      const seqs = attempts
        .filter((r) => r.body.object_id === s.id)
        .map((r) => r.body.sequence as number);
      // Sent in order, each one (re)sent only after every earlier one was delivered.
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThanOrEqual(seqs[i - 1]);
      okBodies.push(...seqs);
    }
    expect(new Set(okBodies).size).toBe(36);
  });

  it('a crash between the change and the delivery loses nothing', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    const hook = await endpoint(m, { events: ['subscription.created'] });
    await vault();
    const sub = await subscribe(m, customerId);
    // The process that made the change stops before any worker ran…
    await t.close();
    t = await startTestApp();
    t.clock.setNow(START);
    worker = t.app.get(WebhookWorker);
    // …and the event and its delivery were committed with the change.
    expect(await deliver(m)).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(receiver.at(hook.path).map((r) => r.body.data.id)).toEqual([sub.id]);
  });

  it('a worker that dies mid-send leaves the delivery to another once its lease ends', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    const hook = await endpoint(m, { events: ['subscription.created'] });
    await vault();
    await subscribe(m, customerId);
    // Claimed by a worker that then dies: its lease holds the delivery.
    const claimed = await (worker as any).claim(m.id, 10);
    expect(claimed).toHaveLength(1);
    expect(await deliver(m)).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    t.clock.advance(61_000);
    expect(await deliver(m)).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(receiver.at(hook.path)).toHaveLength(1);
  });

  it('redelivers an event and replays everything after a sequence number', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    const hook = await endpoint(m, { events: ['subscription.created', 'subscription.paused'] });
    await vault();
    const subs = [await subscribe(m, customerId), await subscribe(m, customerId)];
    await m.api.get(`/api/recurring/subscription/${subs[0].id}/status/paused`);
    await deliver(m);
    expect(receiver.at(hook.path)).toHaveLength(3);
    const events = (await m.api.get('/api/events?type=subscription.created,subscription.paused'))
      .body.data;

    const again = await m.api.post(`/api/event/${events[0].id}/redeliver`);
    expect(again.status).toBe(200);
    expect(again.body.data).toHaveLength(1);
    expect(again.body.data[0]).toMatchObject({ endpoint_id: hook.id, reason: 'redeliver' });
    await deliver(m);
    const got = receiver.at(hook.path);
    expect(got).toHaveLength(4);
    expect(got[3].body.id).toBe(events[0].id);
    expect(got[3].headers['rebill-delivery-id']).not.toBe(got[0].headers['rebill-delivery-id']);

    // Replay after the first event: the subscribed events after it, in sequence order.
    const replay = await m.api.post(`/api/webhook/${hook.id}/replay`, {
      since: events[0].sequence,
    });
    expect(replay.status).toBe(200);
    expect(replay.body.data).toEqual({ queued: 2 });
    await deliver(m);
    expect(
      receiver
        .at(hook.path)
        .slice(4)
        .map((r) => r.body.sequence),
    ).toEqual([events[1].sequence, events[2].sequence]);

    for (const [body, field] of [
      [{}, 'since'],
      [{ since: -1 }, 'since'],
      [{ since: 'x' }, 'since'],
    ] as const) {
      const res = await m.api.post(`/api/webhook/${hook.id}/replay`, body);
      expect(res.status).toBe(400);
      expect(res.body.msg).toContain(field);
    }
  });

  it('rotating the secret signs with both until the grace period ends', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    const hook = await endpoint(m, { events: ['subscription.created'] });
    await vault();
    const rotated = await m.api.post(`/api/webhook/${hook.id}/rotate-secret`, {
      grace_period_hours: 2,
    });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.data.secret;
    expect(fresh).not.toBe(hook.secret);
    expect(rotated.body.data.previous_secret_expires_at).toBe('2026-03-10T14:00:00.000Z');
    await subscribe(m, customerId);
    await deliver(m);
    const during = receiver.at(hook.path)[0];
    expect(String(during.headers['rebill-signature']).match(/v1=/g)).toHaveLength(2);
    expect(
      verify(during.rawBody, String(during.headers['rebill-signature']), fresh, {
        now: nowSeconds(),
      }),
    ).toBe(true);
    expect(
      verify(during.rawBody, String(during.headers['rebill-signature']), hook.secret, {
        now: nowSeconds(),
      }),
    ).toBe(true);
    t.clock.advance(2 * 3_600_000 + 1000);
    await subscribe(m, customerId);
    await deliver(m);
    const after = receiver.at(hook.path)[1];
    expect(String(after.headers['rebill-signature']).match(/v1=/g)).toHaveLength(1);
    expect(
      verify(after.rawBody, String(after.headers['rebill-signature']), fresh, {
        now: nowSeconds(),
      }),
    ).toBe(true);
    expect(
      verify(after.rawBody, String(after.headers['rebill-signature']), hook.secret, {
        now: nowSeconds(),
      }),
    ).toBe(false);
    const bad = await m.api.post(`/api/webhook/${hook.id}/rotate-secret`, {
      grace_period_hours: 200,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.msg).toContain('grace_period_hours');
  });

  it('gives up after 3 days, disables an endpoint that failed everything for 3 days, and emails the merchant', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    await t.app
      .get(DataSource)
      .query(`UPDATE users SET email = 'owner@merchant.example' WHERE merchant_id = $1`, [m.id]);
    const hook = await endpoint(m, { events: ['subscription.created'] });
    await vault();
    receiver.respond = (_req, res) => {
      res.statusCode = 500;
      res.end();
    };
    await subscribe(m, customerId);
    let attempts = 0;
    for (let hour = 0; hour <= 73; hour++) {
      const r = await deliver(m);
      attempts += r.retrying + r.failed;
      t.clock.advance(3_600_000);
    }
    const [delivery] = (await m.api.get(`/api/webhook/${hook.id}/deliveries`)).body.data;
    expect(delivery.status).toBe('failed');
    expect(delivery.next_attempt_at).toBeNull();
    expect(delivery.attempts).toBe(attempts);
    // The last attempt was at the 3-day deadline.
    expect(delivery.last_attempt_at).toBe('2026-03-13T12:00:00.000Z');
    const got = await m.api.get(`/api/webhook/${hook.id}`);
    expect(got.body.data).toMatchObject({ enabled: false });
    expect(got.body.data.disabled_reason).toContain('every delivery failed since');
    const mail = await t.app
      .get(DataSource)
      .query(
        `SELECT to_address, subject, text_body FROM email_outbox WHERE merchant_id = $1 AND kind = 'webhook_disabled'`,
        [m.id],
      );
    expect(mail).toHaveLength(1);
    expect(mail[0].to_address).toBe('owner@merchant.example');
    expect(mail[0].text_body).toContain(hook.id);
    // Disabled: new events are not queued for it; enabling it again starts its clock over.
    await subscribe(m, customerId);
    expect((await m.api.get(`/api/webhook/${hook.id}/deliveries`)).body.total_count).toBe(1);
    const enabled = await m.api.put(`/api/webhook/${hook.id}`, { enabled: true });
    expect(enabled.body.data).toMatchObject({
      enabled: true,
      disabled_reason: '',
      failing_since: null,
    });
  });

  it('does not follow redirects and reads only a small part of the answer', async () => {
    const { m, customerId, vault } = await merchantWithCustomer();
    const hook = await endpoint(m, { events: ['subscription.created'] });
    await vault();
    receiver.respond = (req, res) => {
      if (req.path === hook.path) {
        res.statusCode = 302;
        res.setHeader('location', `${receiver.url}/redirected`);
        res.end('x'.repeat(100_000));
      } else {
        res.statusCode = 200;
        res.end();
      }
    };
    await subscribe(m, customerId);
    expect(await deliver(m)).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(receiver.at('/redirected')).toHaveLength(0);
    const [d] = (await m.api.get(`/api/webhook/${hook.id}/deliveries`)).body.data;
    expect(d.response_code).toBe(302);
    expect(d.attempt_history[0].response_excerpt.length).toBeLessThanOrEqual(1024);
  });

  it('refuses bad endpoint bodies with a 400 naming the field', async () => {
    const m = await createMerchant(t.baseUrl);
    for (const [body, field] of [
      [{ events: ['*'] }, 'url'],
      [{ url: 'ftp://example.com/hook', events: ['*'] }, 'url'],
      [{ url: 'not a url', events: ['*'] }, 'url'],
      [{ url: 'https://user:pw@example.com/hook', events: ['*'] }, 'url'],
      [{ url: 'https://example.com/hook' }, 'events'],
      [{ url: 'https://example.com/hook', events: [] }, 'events'],
      [{ url: 'https://example.com/hook', events: ['invoice.exploded'] }, 'events[0]'],
      [{ url: 'https://example.com/hook', events: ['*'], enabled: 'yes' }, 'enabled'],
    ] as const) {
      const res = await m.api.post('/api/webhook', body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ status: 'failed', msg: expect.stringContaining(field) });
    }
    expect((await m.api.get('/api/webhooks')).body.total_count).toBe(0);
  });

  it('a merchant never sees another merchant’s endpoints, deliveries or events', async () => {
    const a = await merchantWithCustomer();
    const b = await merchantWithCustomer();
    const hookA = await endpoint(a.m);
    const hookB = await endpoint(b.m);
    await a.vault();
    await b.vault();
    await subscribe(a.m, a.customerId);
    await worker.deliverDue({ merchantId: a.m.id });
    await worker.deliverDue({ merchantId: b.m.id });
    expect(receiver.at(hookB.path).map((r) => r.body.type)).toEqual(['customer.created']);
    for (const path of [`/api/webhook/${hookA.id}`, `/api/webhook/${hookA.id}/deliveries`]) {
      expect((await b.m.api.get(path)).status).toBe(404);
    }
    expect((await b.m.api.put(`/api/webhook/${hookA.id}`, { enabled: false })).status).toBe(404);
    expect((await b.m.api.post(`/api/webhook/${hookA.id}/replay`, { since: 0 })).status).toBe(404);
    expect((await b.m.api.post(`/api/webhook/${hookA.id}/rotate-secret`)).status).toBe(404);
    expect((await b.m.api.delete(`/api/webhook/${hookA.id}`)).status).toBe(404);
    const eventA = (await a.m.api.get('/api/events?limit=1')).body.data[0];
    expect((await b.m.api.post(`/api/event/${eventA.id}/redeliver`)).status).toBe(404);
    expect(
      (await a.m.api.post(`/api/event/${eventA.id}/redeliver`, { endpoint_id: hookB.id })).status,
    ).toBe(404);
    expect((await b.m.api.get('/api/webhooks')).body.data.map((e: any) => e.id)).toEqual([
      hookB.id,
    ]);
  });
});

describe('webhooks without private addresses', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await startTestApp({ REBILL_WEBHOOK_ALLOW_PRIVATE: 'false' });
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('refuses loopback, link-local and private targets when the endpoint is created or changed', async () => {
    const m = await createMerchant(t.baseUrl);
    for (const url of [
      receiver.url,
      'http://localhost:8080/hook',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:9000/hook',
      'http://0x7f000001/hook',
      'http://metadata.internal/hook',
    ]) {
      const res = await m.api.post('/api/webhook', { url, events: ['*'] });
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(/^invalid url:/);
    }
    const ok = await m.api.post('/api/webhook', {
      url: 'https://hooks.example.com/rebill',
      events: ['*'],
    });
    expect(ok.status).toBe(200);
    const moved = await m.api.put(`/api/webhook/${ok.body.data.id}`, { url: 'http://127.0.0.1/x' });
    expect(moved.status).toBe(400);
    expect((await m.api.get(`/api/webhook/${ok.body.data.id}`)).body.data.url).toBe(
      'https://hooks.example.com/rebill',
    );
  });

  it('refuses to send to a private address even when one is already stored', async () => {
    const m = await createMerchant(t.baseUrl);
    const created = await m.api.post('/api/webhook', {
      url: 'https://hooks.example.com/rebill',
      events: ['customer.created'],
    });
    // As if it had been accepted under another configuration.
    await t.app
      .get(DataSource)
      .query(`UPDATE webhook_endpoints SET url = $2 WHERE id = $1`, [
        created.body.data.id,
        `${receiver.url}/private`,
      ]);
    await m.api.post('/api/vault/customer', { id: 'privatecustomer00001' });
    const result = await t.app.get(WebhookWorker).deliverDue({ merchantId: m.id });
    expect(result).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(receiver.received).toHaveLength(0);
    const [d] = (await m.api.get(`/api/webhook/${created.body.data.id}/deliveries`)).body.data;
    expect(d.response_code).toBeNull();
    expect(d.error).toMatch(/not allowed|not a public/);
  });
});
