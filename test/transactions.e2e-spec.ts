import { DataSource } from 'typeorm';
import { declineKindOf } from '../src/gateway/response-codes';
import {
  SANDBOX_APPROVING_CARDS,
  SANDBOX_OUTCOME_CARDS,
  SANDBOX_TEST_AMOUNTS,
} from '../src/gateway/sandbox/sandbox-rules';
import { SandboxOptions } from '../src/gateway/sandbox/sandbox-options';
import { TransactionsService } from '../src/gateway/transactions/transactions.service';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

const VISA = '4111111111111111';
const VISA_CREDIT = '4005519200000004';
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

function card(number = VISA, extra: Record<string, unknown> = {}) {
  return { card: { entry_type: 'keyed', number, expiration_date: '12/39', cvc: '999', ...extra } };
}

let keyCounter = 0;
const uniqueKey = () =>
  `tx-${Date.now()}-${++keyCounter}-${Math.random().toString(36).slice(2, 8)}`;

describe('transactions (sandbox)', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    b = await createMerchant(t.baseUrl);
    t.app.get(SandboxOptions).lateResponseMs = 50;
  });
  afterAll(async () => t.close());

  async function sale(m: TestMerchant, body: Record<string, unknown> = {}) {
    const res = await m.api.post('/api/transaction', {
      type: 'sale',
      amount: 1112,
      payment_method: card(),
      billing_address: billing,
      ...body,
    });
    if (res.status !== 200)
      throw new Error(`sale failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.data;
  }

  const settle = async (m: TestMerchant) =>
    (await m.api.post('/api/sandbox/settle')).body.data.settled;

  describe('process', () => {
    it('approves a sale and answers the spec’s shape, with the card masked', async () => {
      const res = await a.api.post('/api/transaction', {
        type: 'sale',
        amount: 1112,
        tax_amount: 100,
        shipping_amount: 100,
        currency: 'USD',
        description: 'test transaction',
        order_id: 'someOrderID',
        po_number: 'somePONumber',
        ip_address: '4.2.2.2',
        email_receipt: false,
        email_address: 'user@home.com',
        payment_method: card('4012000098765439'),
        billing_address: billing,
        shipping_address: billing,
      });
      expect(res.status).toBe(200);
      const tx = res.body.data;
      expect(tx).toMatchObject({
        type: 'sale',
        amount: 1112,
        amount_authorized: 1112,
        amount_captured: 1112,
        tax_amount: 100,
        shipping_amount: 100,
        currency: 'usd',
        order_id: 'someOrderID',
        po_number: 'somePONumber',
        ip_address: '4.2.2.2',
        payment_method: 'card',
        payment_type: 'card',
        status: 'pending_settlement',
        response_code: 100,
        response_text: 'Approved',
        billing_address: { ...billing, address_line_2: '', company: '', phone: '', fax: '' },
      });
      expect(tx.response.card).toMatchObject({
        card_type: 'visa',
        first_six: '401200',
        last_four: '5439',
        masked_card: '401200******5439',
        expiration_date: '12/39',
        status: 'approved',
        processor_response_code: '00',
        avs_response_code: 'Y',
        cvv_response_code: 'M',
        processor_type: 'rebill_sandbox',
      });
      expect(tx.response.card.auth_code).toMatch(/^[0-9A-F]{6}$/);
      expect(JSON.stringify(res.body)).not.toContain('4012000098765439');

      const got = await a.api.get(`/api/transaction/${tx.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ status: 'success', msg: 'success', total_count: 1 });
      expect(got.body.data).toEqual([tx]);
    });

    it('keeps no full card number in the transactions table', async () => {
      const tx = await sale(a, { payment_method: card('5555555555554444') });
      const rows = await t.app
        .get(DataSource)
        .query('SELECT * FROM gateway_transactions WHERE id = $1', [tx.id]);
      expect(JSON.stringify(rows)).not.toContain('5555555555554444');
      expect(JSON.stringify(rows)).toContain('555555******4444');
    });

    it.each(SANDBOX_APPROVING_CARDS.map((c) => [c.number, c.brand]))(
      'approves test card %s (%s)',
      async (number, brand) => {
        const tx = await sale(a, { payment_method: card(number) });
        expect(tx).toMatchObject({ response_code: 100, status: 'pending_settlement' });
        expect(tx.response.card.card_type).toBe(brand);
      },
    );

    it.each(SANDBOX_OUTCOME_CARDS.map((c) => [c.number, c.note, c.behaviour] as const))(
      'answers test card %s as documented: %s',
      async (number, _note, behaviour) => {
        const tx = await sale(a, {
          payment_method: card(number),
          amount: 2000,
          allow_partial_payment: true,
        });
        if ('partial' in behaviour) {
          expect(tx).toMatchObject({
            response_code: 110,
            amount: 2000,
            amount_authorized: 1000,
            status: 'pending_settlement',
          });
          expect(tx.response.card.status).toBe('partially_approved');
        } else if ('late' in behaviour) {
          expect(tx).toMatchObject({ response_code: 100, status: 'pending_settlement' });
        } else {
          expect(tx).toMatchObject({
            response_code: behaviour.code,
            status: 'declined',
            amount_authorized: 0,
          });
          expect(tx.response.card.status).toBe('declined');
          expect(tx.response.card.auth_code).toBe('');
        }
      },
    );

    it('declines 4000000000000002 as insufficient funds, a soft decline; lost card is hard', async () => {
      const nsf = await sale(a, { payment_method: card('4000000000000002') });
      expect(nsf).toMatchObject({
        response_code: 202,
        response_text: 'Insufficient funds',
        status: 'declined',
      });
      expect(declineKindOf(202)).toBe('soft');
      const lost = await sale(a, { payment_method: card('4000000000000028') });
      expect(lost).toMatchObject({ response_code: 251, response_text: 'Lost card' });
      expect(declineKindOf(251)).toBe('hard');
    });

    it.each([...SANDBOX_TEST_AMOUNTS.entries()].map(([amount, b]) => [amount, b] as const))(
      'answers the test amount %d as documented',
      async (amount, behaviour) => {
        const tx = await sale(a, { amount, allow_partial_payment: true });
        if ('partial' in behaviour)
          expect(tx).toMatchObject({ response_code: 110, amount_authorized: amount / 2 });
        else if ('late' in behaviour) expect(tx).toMatchObject({ response_code: 100 });
        else expect(tx).toMatchObject({ response_code: behaviour.code, status: 'declined' });
      },
    );

    it('declines a partial approval card when partial payment is not allowed', async () => {
      const tx = await sale(a, { payment_method: card('4000000000000077'), amount: 2000 });
      expect(tx).toMatchObject({ response_code: 202, status: 'declined' });
    });

    it('holds back the answer for the timeout card, with the charge recorded first', async () => {
      t.app.get(SandboxOptions).lateResponseMs = 400;
      const started = Date.now();
      const tx = await sale(a, { payment_method: card('4000000000000119') });
      expect(Date.now() - started).toBeGreaterThanOrEqual(380);
      expect(tx.response_code).toBe(100);
      t.app.get(SandboxOptions).lateResponseMs = 50;
    });

    it('derives AVS and CVV codes from the address and CVC', async () => {
      const codes = async (address: Record<string, unknown> | undefined, cvc?: string) => {
        const tx = await sale(a, { billing_address: address, payment_method: card(VISA, { cvc }) });
        return [tx.response.card.avs_response_code, tx.response.card.cvv_response_code];
      };
      expect(await codes(billing, '123')).toEqual(['Y', 'M']);
      expect(await codes({ ...billing, postal_code: '601871234' }, '000')).toEqual(['X', 'N']);
      expect(await codes({ postal_code: '60187' })).toEqual(['Z', 'P']);
      expect(await codes({ address_line_1: '1 Main St' })).toEqual(['A', 'P']);
      expect(await codes({ ...billing, postal_code: '99999' })).toEqual(['N', 'P']);
      expect(await codes(undefined)).toEqual(['0', 'P']);
    });

    it('processes ACH, and declines the documented test accounts', async () => {
      const ach = (account: string) => ({
        ach: {
          routing_number: '490000018',
          account_number: account,
          sec_code: 'web',
          account_type: 'checking',
        },
      });
      const ok = await sale(a, { payment_method: ach('123456789') });
      expect(ok).toMatchObject({
        response_code: 100,
        payment_type: 'ach',
        payment_method: 'ach',
        status: 'pending_settlement',
      });
      expect(ok.response.ach).toMatchObject({
        masked_account_number: '*****6789',
        routing_number: '490000018',
        sec_code: 'web',
      });
      expect((await sale(a, { payment_method: ach('9999999902') })).response_code).toBe(202);
      expect((await sale(a, { payment_method: ach('9999999920') })).response_code).toBe(220);
    });

    it('verifies a card for 0 and declines a verification of a declining card', async () => {
      const ok = await sale(a, { type: 'verification', amount: 0 });
      expect(ok).toMatchObject({ type: 'verification', amount: 0, response_code: 100 });
      const bad = await sale(a, {
        type: 'verification',
        amount: undefined,
        payment_method: card('4000000000000036'),
      });
      expect(bad).toMatchObject({ response_code: 252, status: 'declined' });
      const withAmount = await a.api.post('/api/transaction', {
        type: 'verification',
        amount: 5,
        payment_method: card(),
      });
      expect(withAmount.status).toBe(400);
      expect(withAmount.body.msg).toBe('invalid amount: must be 0 or left out for a verification');
    });

    it('names the field for bad input, never echoing a card number', async () => {
      const cases: [Record<string, unknown>, string | RegExp][] = [
        [
          { type: 'charge' },
          /invalid type: must be one of "sale", "authorize", "verification", "credit"/,
        ],
        [{ amount: undefined }, /invalid amount: is required/],
        [{ amount: 12.5 }, /invalid amount: must be a whole number of cents/],
        [{ amount: -1 }, /invalid amount: must be a whole number of cents/],
        [{ amount: 0 }, 'invalid amount: must be more than 0'],
        [{ amount: Number.MAX_SAFE_INTEGER }, 'invalid amount: must be at most 99999999999 cents'],
        [{ amount: '1000' }, /invalid amount: must be a whole number of cents/],
        [{ payment_method: 'card' }, 'invalid payment_method: must be an object'],
        [
          { payment_method: { card: { number: 4111111111111111, expiration_date: '12/39' } } },
          'invalid payment_method.card.number: must be a string of digits',
        ],
        [{ billing_address: [] }, 'invalid billing_address: must be an object'],
        [{ billing_address: { country: 'USA' } }, /invalid billing_address.country/],
        [{ base_amount: 100 }, 'invalid amount: send either amount or base_amount, not both'],
        [{ payment_method: undefined }, 'invalid payment_method: is required'],
        [
          { payment_method: { ...card(), token: 'tok_x' } },
          /payment_method: must contain exactly one of/,
        ],
        [{ payment_method: { apm: { type: 'alipay' } } }, /payment_method.apm: is not supported/],
        [{ payment_method: { terminal: { id: 'x' } } }, 'terminal x not found'],
        [
          { payment_method: card('4111111111111121') },
          'invalid payment_method.card.number: is not a valid card number (it fails the Luhn check)',
        ],
        [
          { payment_method: card(VISA, { expiration_date: '01/21' }) },
          'invalid payment_method.card.expiration_date: is in the past',
        ],
        [
          { payment_method: card(VISA, { cvc: '12' }) },
          'invalid payment_method.card.cvc: must be 3 or 4 digits',
        ],
        [{ email_receipt: true }, 'invalid email_address: is required when email_receipt is true'],
        [{ order_id: 'has spaces in it' }, /invalid order_id/],
        [{ ip_address: 'localhost' }, 'invalid ip_address: must be an IPv4 or IPv6 address'],
        [{ initiated_by: 'robot' }, /invalid initiated_by: must be one of "customer", "merchant"/],
        [{ billing_method: 'monthly' }, /invalid billing_method/],
        [{ idempotency_key: 'has spaces' }, /invalid idempotency_key/],
        // An unknown id in a body is bad input naming the field (docs/api-compatibility.md).
        [{ processor_id: 'nope' }, 'invalid processor_id: processor nope does not exist'],
      ];
      for (const [body, msg] of cases) {
        const res = await a.api.post('/api/transaction', {
          type: 'sale',
          amount: 100,
          payment_method: card(),
          ...body,
        });
        expect({ body, status: res.status, msg: res.body.msg }).toEqual({
          body,
          // A terminal id still answers 404 (docs/api-compatibility.md, "Unknown ids": to align).
          status: res.body.msg?.includes('not found') ? 404 : 400,
          msg: typeof msg === 'string' ? msg : expect.stringMatching(msg),
        });
        expect(JSON.stringify(res.body)).not.toContain('4111111111111121');
      }
    });
  });

  describe('hostile input', () => {
    const junk: unknown[] = [
      null,
      0,
      -1,
      1.5,
      'x',
      '9'.repeat(300),
      true,
      [],
      [1],
      {},
      { operator: '=' },
    ];

    async function neverFails(path: string, valid: Record<string, unknown>, fields: string[]) {
      const statuses = new Set<number>();
      for (const field of fields) {
        for (const value of junk) {
          const res = await a.api.post(path, { ...valid, [field]: value });
          statuses.add(res.status);
          expect({ field, value, status: res.status < 500 }).toEqual({
            field,
            value,
            status: true,
          });
        }
      }
      return statuses;
    }

    it('never answers 500 to a malformed transaction, vault or search body', async () => {
      const tx = { type: 'sale', amount: 100, payment_method: card(), billing_address: billing };
      await neverFails('/api/transaction', tx, [
        ...Object.keys(tx),
        'base_amount',
        'idempotency_key',
        'order_id',
        'currency',
        'processor_id',
        'shipping_address',
        'email_receipt',
        'initial_transaction_id',
        'create_vault_record',
      ]);
      await neverFails('/api/transaction', { ...tx, payment_method: { customer: {} } }, [
        'payment_method',
      ]);
      await neverFails('/api/vault/customer', {}, [
        'id',
        'description',
        'flags',
        'default_payment',
        'default_billing_address',
      ]);
      await neverFails('/api/vault/customer/search', {}, [
        'id',
        'city',
        'created_at',
        'limit',
        'offset',
      ]);
      await neverFails('/api/transaction/search', {}, [
        'amount',
        'status',
        'billing_address',
        'settled_at',
        'limit',
      ]);
    });
  });

  describe('follow-ups', () => {
    it('captures an authorization up to the authorized amount, once', async () => {
      const auth = await sale(a, { type: 'authorize', amount: 5000 });
      expect(auth).toMatchObject({
        status: 'authorized',
        amount_authorized: 5000,
        amount_captured: 0,
      });
      const above = await a.api.post(`/api/transaction/${auth.id}/capture`, { amount: 5001 });
      expect(above.status).toBe(400);
      expect(above.body.msg).toBe('invalid amount: must not exceed the authorized amount (5000)');
      const captured = await a.api.post(`/api/transaction/${auth.id}/capture`, {
        amount: 4000,
        order_id: 'cap1',
      });
      expect(captured.status).toBe(200);
      expect(captured.body.data).toMatchObject({
        status: 'pending_settlement',
        amount_captured: 4000,
        order_id: 'cap1',
      });
      expect(captured.body.data.captured_at).not.toBeNull();
      const again = await a.api.post(`/api/transaction/${auth.id}/capture`, {});
      expect(again.status).toBe(409);
      expect(again.body.msg).toBe(
        `transaction ${auth.id} is pending_settlement: only an authorized transaction can be captured`,
      );
    });

    it('refuses to capture a sale or a declined authorization', async () => {
      const s = await sale(a);
      const res = await a.api.post(`/api/transaction/${s.id}/capture`, {});
      expect(res.status).toBe(409);
      expect(res.body.msg).toMatch(/is a sale: only an authorization can be captured/);
      const declined = await sale(a, {
        type: 'authorize',
        payment_method: card('4000000000000002'),
      });
      expect((await a.api.post(`/api/transaction/${declined.id}/capture`, {})).status).toBe(409);
    });

    it('voids an authorization and a pending sale, answering data null', async () => {
      const auth = await sale(a, { type: 'authorize' });
      const res = await a.api.post(`/api/transaction/${auth.id}/void`);
      expect(res.body).toEqual({ status: 'success', msg: 'success', data: null });
      expect((await a.api.get(`/api/transaction/${auth.id}`)).body.data[0].status).toBe('voided');
      const s = await sale(a);
      expect((await a.api.post(`/api/transaction/${s.id}/void`)).status).toBe(200);
      const twice = await a.api.post(`/api/transaction/${s.id}/void`);
      expect(twice.status).toBe(409);
      expect(twice.body.msg).toMatch(
        /is voided: only an authorized or pending transaction can be voided/,
      );
    });

    it('refuses to void after settlement and to refund before it', async () => {
      const s = await sale(a, { amount: 3000 });
      const early = await a.api.post(`/api/transaction/${s.id}/refund`, { amount: 100 });
      expect(early.status).toBe(409);
      expect(early.body.msg).toBe(
        `transaction ${s.id} has not settled yet: void it instead of refunding`,
      );
      const pending = await t.app
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS n FROM gateway_transactions WHERE merchant_id = $1 AND status = 'pending_settlement'`,
          [a.id],
        );
      expect(pending[0].n).toBeGreaterThan(0);
      expect(await settle(a)).toBe(pending[0].n);
      expect(await settle(a)).toBe(0);
      const settled = (await a.api.get(`/api/transaction/${s.id}`)).body.data[0];
      expect(settled).toMatchObject({ status: 'settled', amount_settled: 3000 });
      const late = await a.api.post(`/api/transaction/${s.id}/void`);
      expect(late.status).toBe(409);
      expect(late.body.msg).toBe(
        `transaction ${s.id} has settled: it can no longer be voided; refund it instead`,
      );
    });

    it('refunds in parts, never above the settled total', async () => {
      const s = await sale(a, { amount: 3000 });
      await settle(a);
      const first = await a.api.post(`/api/transaction/${s.id}/refund`, { amount: 1000 });
      expect(first.status).toBe(200);
      expect(first.body.data).toMatchObject({
        type: 'refund',
        amount: 1000,
        status: 'pending_settlement',
        referenced_transaction_id: s.id,
        response_code: 100,
      });
      const above = await a.api.post(`/api/transaction/${s.id}/refund`, { amount: 2001 });
      expect(above.status).toBe(400);
      expect(above.body.msg).toBe(
        'invalid amount: must not exceed the settled amount not yet refunded (2000 of 3000)',
      );
      // A voided refund gives its amount back.
      expect((await a.api.post(`/api/transaction/${first.body.data.id}/void`)).status).toBe(200);
      const rest = await a.api.post(`/api/transaction/${s.id}/refund`, {});
      expect(rest.body.data.amount).toBe(3000);
      const original = (await a.api.get(`/api/transaction/${s.id}`)).body.data[0];
      expect(original).toMatchObject({ status: 'refunded', amount_refunded: 3000 });
      const more = await a.api.post(`/api/transaction/${s.id}/refund`, { amount: 1 });
      expect(more.status).toBe(409);
      expect(more.body.msg).toBe(`transaction ${s.id} has already been refunded in full`);
    });

    it('refunds a captured authorization only up to what was captured and settled', async () => {
      const auth = await sale(a, { type: 'authorize', amount: 5000 });
      await a.api.post(`/api/transaction/${auth.id}/capture`, { amount: 2500 });
      await settle(a);
      const res = await a.api.post(`/api/transaction/${auth.id}/refund`, { amount: 2600 });
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(/\(2500 of 2500\)/);
    });

    it('credits a card, and refuses to refund a credit or a verification', async () => {
      const credit = await sale(a, { type: 'credit', amount: 700 });
      expect(credit).toMatchObject({
        type: 'credit',
        status: 'pending_settlement',
        amount_captured: 700,
      });
      await settle(a);
      const res = await a.api.post(`/api/transaction/${credit.id}/refund`, {});
      expect(res.status).toBe(409);
      expect(res.body.msg).toMatch(
        /is a credit: only a sale or a captured authorization can be refunded/,
      );
      const verification = await sale(a, { type: 'verification', amount: 0 });
      expect((await a.api.post(`/api/transaction/${verification.id}/void`)).status).toBe(409);
    });

    it('keeps merchants apart: another merchant’s transaction is not found', async () => {
      const s = await sale(a);
      for (const path of ['', '/capture', '/void', '/refund']) {
        const res =
          path === ''
            ? await b.api.get(`/api/transaction/${s.id}`)
            : await b.api.post(`/api/transaction/${s.id}${path}`, {});
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
      }
      const search = await b.api.post('/api/transaction/search', {
        transaction_id: { operator: '=', value: s.id },
      });
      expect(search.body.total_count).toBe(0);
      // Settling one merchant leaves the other's pending.
      const other = await sale(b);
      await settle(a);
      expect((await b.api.get(`/api/transaction/${other.id}`)).body.data[0].status).toBe(
        'pending_settlement',
      );
    });
  });

  describe('vaulted customers, tokens and fees', () => {
    it('charges a vaulted customer’s default card and addresses', async () => {
      const created = await a.api.post('/api/vault/customer', {
        default_payment: { card: { number: VISA_CREDIT, expiration_date: '12/39' } },
        default_billing_address: {
          first_name: 'Vault',
          line_1: '1 Vault St',
          postal_code: '60187',
          state: 'IL',
        },
      });
      const customer = created.body.data;
      const tx = await sale(a, {
        payment_method: { customer: { id: customer.id } },
        billing_address: undefined,
      });
      expect(tx).toMatchObject({
        payment_method: 'customer',
        payment_type: 'card',
        customer_id: customer.id,
        customer_payment_method_id: customer.data.customer.defaults.payment_method_id,
        billing_address: {
          first_name: 'Vault',
          address_line_1: '1 Vault St',
          postal_code: '60187',
        },
      });
      expect(tx.response.card.masked_card).toBe('400551******0004');
      const missing = await a.api.post('/api/transaction', {
        type: 'sale',
        amount: 100,
        payment_method: { customer: { id: 'ghost' } },
      });
      expect(missing.status).toBe(400);
      expect(missing.body.msg).toBe(
        'invalid payment_method.customer.id: is not a customer in the vault',
      );
      const wrongMethod = await a.api.post('/api/transaction', {
        type: 'sale',
        amount: 100,
        payment_method: { customer: { id: customer.id, payment_method_id: 'nope' } },
      });
      expect(wrongMethod.body.msg).toMatch(
        /payment_method.customer.payment_method_id: is not a payment method of customer/,
      );
    });

    it('creates a vault record after an approved transaction, not after a decline', async () => {
      const tx = await sale(a, {
        create_vault_record: true,
        payment_method: card('6011111111111117'),
      });
      expect(tx.customer_id).not.toBe('');
      const vaulted = await a.api.get(`/api/vault/${tx.customer_id}`);
      expect(vaulted.body.data.data.customer.payments.cards[0].masked_number).toBe(
        '601111******1117',
      );
      expect(vaulted.body.data.data.customer.addresses[0]).toMatchObject({
        first_name: 'John',
        line_1: '123 Some St',
      });
      const declined = await sale(a, {
        create_vault_record: true,
        payment_method: card('4000000000000002'),
      });
      expect(declined.customer_id).toBe('');
    });

    it('charges a single-use token', async () => {
      const issued = await a.api
        .withKey(a.publicKey)
        .post('/api/tokenizer/token', { card: { number: VISA, expiration_date: '09/36' } });
      const tx = await sale(a, { payment_method: { token: issued.body.data.token } });
      expect(tx).toMatchObject({
        payment_method: 'token',
        payment_type: 'card',
        response_code: 100,
      });
      const again = await a.api.post('/api/transaction', {
        type: 'sale',
        amount: 10,
        payment_method: { token: issued.body.data.token },
      });
      expect(again.body.msg).toBe('invalid payment_method.token: has already been used');
    });

    it('adds the processor’s surcharge to a base_amount on a credit card, not on debit', async () => {
      const processor = await a.api.post('/api/processor', {
        name: 'Surcharging',
        fee_program: 'surcharge',
        fee_program_rate: 3000,
      });
      expect(processor.status).toBe(200);
      const processorId = processor.body.data.id;
      const credit = await sale(a, {
        amount: undefined,
        base_amount: 10000,
        processor_id: processorId,
        payment_method: card(VISA_CREDIT),
      });
      expect(credit).toMatchObject({
        base_amount: 10000,
        surcharge_amount: 300,
        amount: 10300,
        processor_id: processorId,
      });
      const debit = await sale(a, {
        amount: undefined,
        base_amount: 10000,
        processor_id: processorId,
        payment_method: card(VISA),
      });
      expect(debit).toMatchObject({ base_amount: 10000, surcharge_amount: 0, amount: 10000 });
    });

    it('refuses /api/transaction for a processor that charges through an http gateway', async () => {
      const processor = await a.api.post('/api/processor', {
        name: 'Remote',
        gateway: { kind: 'http', base_url: 'https://gateway.example' },
      });
      const res = await a.api.post('/api/transaction', {
        type: 'sale',
        amount: 100,
        payment_method: card(),
        processor_id: processor.body.data.id,
      });
      expect(res.status).toBe(422);
      expect(res.body.msg).toMatch(/is the sandbox: choose a sandbox processor/);
    });
  });

  describe('idempotency_key', () => {
    it('answers a duplicate within 5 minutes with the first result, and charges once', async () => {
      const key = uniqueKey();
      const first = await sale(a, { idempotency_key: key });
      const second = await sale(a, { idempotency_key: key });
      expect(second.id).toBe(first.id);
      const rows = await t.app
        .get(DataSource)
        .query(
          `SELECT id FROM gateway_transactions WHERE merchant_id = $1 AND idempotency_key = $2`,
          [a.id, key],
        );
      expect(rows).toHaveLength(1);
      const other = await sale(b, { idempotency_key: key });
      expect(other.id).not.toBe(first.id);
    });

    it('charges once when duplicates arrive at the same moment', async () => {
      const key = uniqueKey();
      const results = await Promise.all(
        Array.from({ length: 6 }, () =>
          a.api.post('/api/transaction', {
            type: 'sale',
            amount: 4321,
            payment_method: card(),
            idempotency_key: key,
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(new Set(results.map((r) => r.body.data.id)).size).toBe(1);
      const rows = await t.app
        .get(DataSource)
        .query(`SELECT id FROM gateway_transactions WHERE idempotency_key = $1`, [key]);
      expect(rows).toHaveLength(1);
    });

    it('refuses the key for a different transaction, and starts afresh after 5 minutes', async () => {
      const key = uniqueKey();
      t.clock.setNow(new Date());
      const first = await sale(a, { idempotency_key: key, amount: 100 });
      const different = await a.api.post('/api/transaction', {
        type: 'sale',
        amount: 200,
        payment_method: card(),
        idempotency_key: key,
      });
      expect(different.status).toBe(422);
      expect(different.body.msg).toMatch(
        /idempotency_key was used for a different transaction in the last 5 minutes/,
      );
      t.clock.advance(5 * 60 * 1000 + 1000);
      const later = await sale(a, { idempotency_key: key, amount: 100 });
      expect(later.id).not.toBe(first.id);
      // An attempt is matched to the use of its key it was answered with.
      const transactions = t.app.get(TransactionsService);
      const firstAt = new Date(first.created_at);
      const laterAt = new Date(later.created_at);
      expect((await transactions.findByIdempotencyKey(a.id, key, firstAt))?.id).toBe(first.id);
      expect((await transactions.findByIdempotencyKey(a.id, key, laterAt))?.id).toBe(later.id);
      expect(
        await transactions.findByIdempotencyKey(
          a.id,
          key,
          new Date(laterAt.getTime() + 6 * 60_000),
        ),
      ).toBeNull();
      t.clock.reset();
    });

    it('lets a corrected request reuse the key of a refused one', async () => {
      const key = uniqueKey();
      const bad = await a.api.post('/api/transaction', {
        type: 'sale',
        amount: 100,
        payment_method: { customer: { id: 'ghost' } },
        idempotency_key: key,
      });
      expect(bad.status).toBe(400);
      const good = await sale(a, { idempotency_key: key });
      expect(good.response_code).toBe(100);
    });
  });

  describe('CIT/MIT fields', () => {
    it('records them, and fills initial_transaction_id for a merchant-initiated charge of a vaulted card', async () => {
      const created = await a.api.post('/api/vault/customer', {
        default_payment: { card: { number: VISA, expiration_date: '12/39' } },
      });
      const customerId = created.body.data.id;
      const first = await sale(a, {
        payment_method: { customer: { id: customerId } },
        card_on_file_indicator: 'R',
        initiated_by: 'customer',
        stored_credential_indicator: 'stored',
        billing_method: 'initial_recurring',
      });
      expect(first).toMatchObject({
        card_on_file_indicator: 'R',
        initiated_by: 'customer',
        stored_credential_indicator: 'stored',
        billing_method: 'initial_recurring',
        initial_transaction_id: '',
      });
      const renewal = await sale(a, {
        payment_method: { customer: { id: customerId } },
        card_on_file_indicator: 'R',
        initiated_by: 'merchant',
        stored_credential_indicator: 'used',
        billing_method: 'recurring',
      });
      expect(renewal).toMatchObject({
        initiated_by: 'merchant',
        billing_method: 'recurring',
        initial_transaction_id: first.id,
      });
    });

    it('refuses an initial_transaction_id that is not an approved transaction of the merchant', async () => {
      const declined = await sale(a, { payment_method: card('4000000000000002') });
      const others = await sale(b);
      for (const id of ['nope', declined.id, others.id]) {
        const res = await a.api.post('/api/transaction', {
          type: 'sale',
          amount: 100,
          payment_method: card(),
          initiated_by: 'merchant',
          stored_credential_indicator: 'used',
          initial_transaction_id: id,
        });
        expect(res.status).toBe(400);
        expect(res.body.msg).toBe(
          'invalid initial_transaction_id: is not an approved transaction of this merchant',
        );
      }
      const missing = await a.api.post('/api/transaction', {
        type: 'sale',
        amount: 100,
        payment_method: card(),
        initiated_by: 'merchant',
        stored_credential_indicator: 'used',
      });
      expect(missing.body.msg).toMatch(
        /initial_transaction_id: is required for a merchant-initiated charge/,
      );
    });
  });

  describe('search', () => {
    let orderId: string;
    beforeAll(async () => {
      orderId = `ord${Date.now().toString(36)}`;
      await sale(a, {
        order_id: orderId,
        amount: 1500,
        billing_address: { ...billing, first_name: 'Searcher' },
      });
      await sale(a, { order_id: orderId, amount: 2500, payment_method: card('4000000000000002') });
      await sale(a, { order_id: orderId, amount: 3500, type: 'authorize' });
    });

    const search = (body: Record<string, unknown>) => a.api.post('/api/transaction/search', body);
    const amounts = (res: { body: { data: { amount: number }[] } }) =>
      res.body.data.map((x) => x.amount).sort();

    it('matches strings with = and !=, and integers with <, >', async () => {
      const all = await search({ order_id: { operator: '=', value: orderId } });
      expect(all.body.total_count).toBe(3);
      expect(amounts(all)).toEqual([1500, 2500, 3500]);
      expect(
        amounts(
          await search({
            order_id: { operator: '=', value: orderId },
            status: { operator: '!=', value: 'declined' },
          }),
        ),
      ).toEqual([1500, 3500]);
      expect(
        amounts(
          await search({
            order_id: { operator: '=', value: orderId },
            amount: { operator: '>', value: 2000 },
          }),
        ),
      ).toEqual([2500, 3500]);
      expect(
        amounts(
          await search({
            order_id: { operator: '=', value: orderId },
            amount: { operator: '<', value: 2000 },
          }),
        ),
      ).toEqual([1500]);
      expect(
        amounts(
          await search({
            order_id: { operator: '=', value: orderId },
            type: { operator: '=', value: 'authorize' },
          }),
        ),
      ).toEqual([3500]);
      expect(
        amounts(
          await search({
            order_id: { operator: '=', value: orderId },
            amount_authorized: { operator: '=', value: 0 },
          }),
        ),
      ).toEqual([2500]);
    });

    it('matches billing address fields, nested or dotted, and date ranges', async () => {
      expect(
        amounts(
          await search({
            order_id: { operator: '=', value: orderId },
            billing_address: { first_name: { operator: '=', value: 'Searcher' } },
          }),
        ),
      ).toEqual([1500]);
      expect(
        amounts(
          await search({
            order_id: { operator: '=', value: orderId },
            'billing_address.first_name': { operator: '=', value: 'Searcher' },
          }),
        ),
      ).toEqual([1500]);
      const now = new Date();
      const inRange = await search({
        order_id: { operator: '=', value: orderId },
        created_at: {
          start_date: new Date(now.getTime() - 3600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
          end_date: '2999-01-01T00:00:00Z',
        },
      });
      expect(inRange.body.total_count).toBe(3);
      const before = await search({
        order_id: { operator: '=', value: orderId },
        created_at: { end_date: '2000-01-01T00:00:00Z' },
      });
      expect(before.body.total_count).toBe(0);
    });

    it('pages with limit and offset, newest first', async () => {
      const page = await search({
        order_id: { operator: '=', value: orderId },
        limit: 2,
        offset: 0,
      });
      expect(page.body.total_count).toBe(3);
      expect(page.body.data).toHaveLength(2);
      const rest = await search({
        order_id: { operator: '=', value: orderId },
        limit: 2,
        offset: 2,
      });
      expect(rest.body.data).toHaveLength(1);
    });

    it('names bad criteria', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [
          { amount: { operator: '>=', value: 1 } },
          'invalid amount.operator: must be "=", "!=", "<" or ">"',
        ],
        [{ amount: { operator: '=', value: 'lots' } }, 'invalid amount.value: must be an integer'],
        [
          { order_id: { operator: '<', value: 'x' } },
          'invalid order_id.operator: must be "=" or "!="',
        ],
        [{ colour: { operator: '=', value: 'x' } }, 'invalid colour: is not a searchable field'],
        [
          { billing_address: { shoe_size: { operator: '=', value: '9' } } },
          'invalid billing_address.shoe_size: is not a searchable field',
        ],
        [
          { created_at: { start_date: '2020-02-01', end_date: '2020-01-01' } },
          'invalid created_at: start_date is after end_date',
        ],
        [{ limit: 101 }, 'invalid limit: must be an integer from 0 to 100'],
      ];
      for (const [body, msg] of cases) {
        const res = await search(body);
        expect({ status: res.status, msg: res.body.msg }).toEqual({ status: 400, msg });
      }
    });
  });
});
