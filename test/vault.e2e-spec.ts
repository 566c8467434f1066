import { DataSource } from 'typeorm';
import { VaultService } from '../src/gateway/vault/vault.service';
import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

const VISA = '4111111111111111';
const MASTERCARD = '5555555555554444';
const AMEX = '378282246310005';

const address = {
  first_name: 'John',
  last_name: 'Smith',
  company: 'Some Business',
  line_1: '123 Some St',
  city: 'Wheaton',
  state: 'IL',
  postal_code: '60187',
  country: 'US',
  email: 'user@somesite.com',
  phone: '5555555555',
};

describe('customer vault', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    b = await createMerchant(t.baseUrl);
  });
  afterAll(async () => t.close());

  async function createCustomer(m: TestMerchant, body: Record<string, unknown> = {}) {
    const res = await m.api.post('/api/vault/customer', {
      description: 'test description',
      default_payment: { card: { number: VISA, expiration_date: '12/39' } },
      default_billing_address: address,
      ...body,
    });
    expect(res.status).toBe(200);
    return res.body.data;
  }

  describe('create and get', () => {
    it('creates a customer shaped as in the spec, with the card masked', async () => {
      const created = await createCustomer(a, {
        flags: ['surcharge_exempt'],
        default_shipping_address: address,
      });
      const res = await a.api.get(`/api/vault/${created.id}`);
      expect(res.status).toBe(200);
      const data = res.body.data;
      expect(data).toMatchObject({ id: created.id, owner_id: a.id });
      const customer = data.data.customer;
      expect(customer.description).toBe('test description');
      expect(customer.flags).toEqual(['surcharge_exempt']);
      // Billing and shipping are the same address: stored once, used for both defaults.
      expect(customer.addresses).toHaveLength(1);
      expect(customer.addresses[0]).toMatchObject({ ...address, line_2: '', fax: '' });
      expect(customer.addresses[0].hash).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(customer.defaults).toEqual({
        billing_address_id: customer.addresses[0].id,
        shipping_address_id: customer.addresses[0].id,
        payment_method_id: customer.payments.cards[0].id,
        payment_method_type: 'card',
      });
      expect(customer.payments.ach).toEqual([]);
      expect(customer.payments.cards[0]).toMatchObject({
        card_type: 'visa',
        masked_number: '411111******1111',
        expiration_date: '2039-12-31T00:00:00Z',
      });
      expect(JSON.stringify(res.body)).not.toContain(VISA);
    });

    it('accepts a custom id, and refuses a duplicate one with 409', async () => {
      const created = await createCustomer(a, { id: 'CustomId42' });
      expect(created.id).toBe('CustomId42');
      const again = await a.api.post('/api/vault/customer', { id: 'CustomId42' });
      expect(again.status).toBe(409);
      expect(again.body.msg).toMatch(/CustomId42 already exists/);
      // Ids are per merchant: another merchant may use the same one.
      const other = await b.api.post('/api/vault/customer', { id: 'CustomId42' });
      expect(other.status).toBe(200);
    });

    it('creates a customer with an ACH default payment, account number masked', async () => {
      const created = await createCustomer(a, {
        default_payment: {
          ach: {
            routing_number: '490000018',
            account_number: '123456789012',
            account_type: 'checking',
            sec_code: 'web',
          },
        },
      });
      const customer = created.data.customer;
      expect(customer.defaults.payment_method_type).toBe('ach');
      expect(customer.payments.ach[0]).toMatchObject({
        masked_account_number: '********9012',
        routing_number: '490000018',
        account_type: 'checking',
        sec_code: 'web',
      });
      expect(JSON.stringify(created)).not.toContain('123456789012');
    });

    it('answers 404 for an unknown id and for another merchant’s customer', async () => {
      const created = await createCustomer(a);
      expect((await a.api.get('/api/vault/nosuchcustomer')).status).toBe(404);
      const res = await b.api.get(`/api/vault/${created.id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ status: 'failed', msg: `customer ${created.id} not found` });
      expect((await b.api.delete(`/api/vault/${created.id}`)).status).toBe(404);
      expect(
        (await b.api.post(`/api/vault/customer/${created.id}`, { description: 'x' })).status,
      ).toBe(404);
      expect(
        (
          await b.api.post(`/api/vault/customer/${created.id}/card`, {
            number: VISA,
            expiration_date: '12/39',
          })
        ).status,
      ).toBe(404);
    });
  });

  describe('validation', () => {
    it('refuses a card number that fails the Luhn check, without echoing it', async () => {
      const res = await a.api.post('/api/vault/customer', {
        default_payment: { card: { number: '4111111111111112', expiration_date: '12/39' } },
      });
      expect(res.status).toBe(400);
      expect(res.body.msg).toBe(
        'invalid default_payment.card.number: is not a valid card number (it fails the Luhn check)',
      );
      expect(res.body.msg).not.toContain('4111111111111112');
    });

    it('refuses an expiration date in the past or not parseable', async () => {
      const past = await a.api.post('/api/vault/customer', {
        default_payment: { card: { number: VISA, expiration_date: '01/20' } },
      });
      expect(past.status).toBe(400);
      expect(past.body.msg).toMatch(/default_payment.card.expiration_date: is in the past/);
      const garbled = await a.api.post('/api/vault/customer', {
        default_payment: { card: { number: VISA, expiration_date: '13/40' } },
      });
      expect(garbled.status).toBe(400);
      expect(garbled.body.msg).toMatch(/expiration_date: has a month outside 01 to 12/);
      const words = await a.api.post('/api/vault/customer', {
        default_payment: { card: { number: VISA, expiration_date: 'soon' } },
      });
      expect(words.body.msg).toMatch(/expiration_date: must be "MM\/YY" or "MMYY"/);
    });

    it('accepts the current month as not yet expired, in MMYY form too', async () => {
      const now = new Date();
      const mm = String(now.getUTCMonth() + 1).padStart(2, '0');
      const yy = String(now.getUTCFullYear() % 100).padStart(2, '0');
      const res = await a.api.post('/api/vault/customer', {
        default_payment: { card: { number: MASTERCARD, expiration_date: `${mm}${yy}` } },
      });
      expect(res.status).toBe(200);
      expect(res.body.data.data.customer.payments.cards[0].card_type).toBe('mastercard');
    });

    it('names the field for bad ids, flags, emails and ACH details', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ id: 'has spaces' }, /invalid id: must be letters and digits only/],
        [{ id: 'x'.repeat(41) }, /invalid id: must be at most 40 characters/],
        [{ flags: ['vip'] }, /invalid flags\[0\]: must be one of "surcharge_exempt"/],
        [{ default_billing_address: { email: 'nope' } }, /invalid default_billing_address.email/],
        [
          {
            default_payment: {
              ach: {
                routing_number: '12',
                account_number: '1234',
                account_type: 'checking',
                sec_code: 'web',
              },
            },
          },
          /invalid default_payment.ach.routing_number: must be 9 digits/,
        ],
        [
          {
            default_payment: {
              ach: {
                routing_number: '490000018',
                account_number: '1234',
                account_type: 'money',
                sec_code: 'web',
              },
            },
          },
          /invalid default_payment.ach.account_type/,
        ],
        [
          { default_payment: { card: { number: VISA, expiration_date: '12/39' }, token: 'tok_x' } },
          /default_payment: must contain only one of card, ach, token, apple_pay or google_pay_token/,
        ],
        [{ description: 'x'.repeat(256) }, /invalid description: must be at most 255 characters/],
      ];
      for (const [body, msg] of cases) {
        const res = await a.api.post('/api/vault/customer', body);
        expect({ status: res.status, msg: res.body.msg }).toEqual({
          status: 400,
          msg: expect.stringMatching(msg),
        });
      }
    });
  });

  describe('update, addresses and payment methods', () => {
    it('updates description, notes, flags and defaults', async () => {
      const created = await createCustomer(a);
      const id = created.id;
      const withCard = await a.api.post(`/api/vault/customer/${id}/card`, {
        number: AMEX,
        expiration_date: '0640',
      });
      expect(withCard.status).toBe(200);
      const amex = withCard.body.data.data.customer.payments.cards.find(
        (c: { card_type: string }) => c.card_type === 'amex',
      );
      expect(amex.masked_number).toBe('378282*****0005');
      const res = await a.api.post(`/api/vault/customer/${id}`, {
        description: 'updated',
        notes: 'a note',
        flags: ['surcharge_exempt'],
        defaults: { payment_method_id: amex.id, payment_method_type: 'card' },
      });
      expect(res.status).toBe(200);
      const customer = res.body.data.data.customer;
      expect(customer).toMatchObject({
        description: 'updated',
        notes: 'a note',
        flags: ['surcharge_exempt'],
      });
      expect(customer.defaults.payment_method_id).toBe(amex.id);

      const wrongType = await a.api.post(`/api/vault/customer/${id}`, {
        defaults: { payment_method_id: amex.id, payment_method_type: 'ach' },
      });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.msg).toMatch(/defaults.payment_method_id: is not a ach payment method/);
      const half = await a.api.post(`/api/vault/customer/${id}`, {
        defaults: { payment_method_id: amex.id },
      });
      expect(half.body.msg).toMatch(/defaults.payment_method_type: is required/);
    });

    it('adds, updates and deletes addresses; the only one left becomes the default', async () => {
      const created = await a.api.post('/api/vault/customer', { description: 'addresses' });
      const id = created.body.data.id;
      const first = await a.api.post(`/api/vault/customer/${id}/address`, {
        ...address,
        first_name: 'First',
      });
      const firstId = first.body.data.data.customer.addresses[0].id;
      expect(first.body.data.data.customer.defaults.billing_address_id).toBe(firstId);
      const second = await a.api.post(`/api/vault/customer/${id}/address`, {
        ...address,
        first_name: 'Second',
      });
      const secondId = second.body.data.data.customer.addresses.find(
        (x: { first_name: string }) => x.first_name === 'Second',
      ).id;

      const updated = await a.api.post(`/api/vault/customer/${id}/address/${secondId}`, {
        city: 'Chicago',
      });
      const second2 = updated.body.data.data.customer.addresses.find(
        (x: { id: string }) => x.id === secondId,
      );
      expect(second2).toMatchObject({
        first_name: 'Second',
        city: 'Chicago',
        line_1: '123 Some St',
      });

      const deleted = await a.api.delete(`/api/vault/customer/${id}/address/${firstId}`);
      expect(deleted.body).toEqual({ status: 'success', msg: 'success' });
      const after = (await a.api.get(`/api/vault/${id}`)).body.data.data.customer;
      expect(after.addresses.map((x: { id: string }) => x.id)).toEqual([secondId]);
      expect(after.defaults.billing_address_id).toBe(secondId);
      expect((await a.api.delete(`/api/vault/customer/${id}/address/${firstId}`)).status).toBe(404);
    });

    it('updates and deletes cards and ACH accounts', async () => {
      const created = await createCustomer(a);
      const id = created.id;
      const cardId = created.data.customer.payments.cards[0].id;
      const updated = await a.api.post(`/api/vault/customer/${id}/card/${cardId}`, {
        number: MASTERCARD,
        expiration_date: '11/38',
        flags: ['locked_stop_recurring'],
      });
      expect(updated.status).toBe(200);
      expect(updated.body.data.data.customer.payments.cards[0]).toMatchObject({
        id: cardId,
        card_type: 'mastercard',
        masked_number: '555555******4444',
        expiration_date: '2038-11-30T00:00:00Z',
        flags: ['locked_stop_recurring'],
      });
      const ach = await a.api.post(`/api/vault/customer/${id}/ach`, {
        routing_number: '490000018',
        account_number: '99990000',
        account_type: 'savings',
        sec_code: 'ppd',
      });
      const achId = ach.body.data.data.customer.payments.ach[0].id;
      const achUpdated = await a.api.post(`/api/vault/customer/${id}/ach/${achId}`, {
        account_type: 'checking',
      });
      expect(achUpdated.body.data.data.customer.payments.ach[0]).toMatchObject({
        masked_account_number: '****0000',
        account_type: 'checking',
        sec_code: 'ppd',
      });
      // The ach route does not reach a card, nor the card route an ACH account.
      expect((await a.api.delete(`/api/vault/customer/${id}/ach/${cardId}`)).status).toBe(404);
      expect((await a.api.delete(`/api/vault/customer/${id}/card/${cardId}`)).status).toBe(200);
      const after = (await a.api.get(`/api/vault/${id}`)).body.data.data.customer;
      expect(after.payments.cards).toEqual([]);
      expect(after.defaults.payment_method_id).toBe('');
      const applepay = await a.api.post(`/api/vault/customer/${id}/applepay`, {});
      expect(applepay.status).toBe(400);
      expect(applepay.body.msg).toMatch(/invalid apple_pay.key_id: is required/);
    });

    it('vaults a card from a single-use token issued to a public key', async () => {
      const tokenizer = a.api.withKey(a.publicKey);
      const issued = await tokenizer.post('/api/tokenizer/token', {
        card: { number: VISA, expiration_date: '10/37', cvc: '123' },
      });
      expect(issued.status).toBe(200);
      expect(issued.body.data).toMatchObject({
        type: 'card',
        masked_number: '411111******1111',
        card_type: 'visa',
      });
      const token = issued.body.data.token;
      const created = await a.api.post('/api/vault/customer', { description: 'token' });
      const id = created.body.data.id;
      const res = await a.api.post(`/api/vault/customer/${id}/token`, { token });
      expect(res.status).toBe(200);
      expect(res.body.data.data.customer.payments.cards[0].masked_number).toBe('411111******1111');
      const reused = await a.api.post(`/api/vault/customer/${id}/token`, { token });
      expect(reused.status).toBe(400);
      expect(reused.body.msg).toBe('invalid token: has already been used');
      // Another merchant cannot redeem it.
      const fresh = (
        await tokenizer.post('/api/tokenizer/token', {
          card: { number: VISA, expiration_date: '10/37' },
        })
      ).body.data.token;
      const other = await b.api.post('/api/vault/customer', { default_payment: { token: fresh } });
      expect(other.status).toBe(400);
      expect(other.body.msg).toMatch(
        /default_payment.token: is not a token issued to this merchant/,
      );
    });
  });

  describe('encryption at rest', () => {
    it('keeps no full card or account number in any vault table', async () => {
      const created = await createCustomer(a, {
        default_payment: { card: { number: '6011111111111117', expiration_date: '12/39' } },
      });
      await a.api.post(`/api/vault/customer/${created.id}/ach`, {
        routing_number: '490000018',
        account_number: '77665544332211',
        account_type: 'checking',
        sec_code: 'web',
      });
      const db = t.app.get(DataSource);
      const rows = [
        ...(await db.query('SELECT * FROM vault_payment_methods WHERE customer_id = $1', [
          created.id,
        ])),
        ...(await db.query('SELECT * FROM vault_customers WHERE id = $1', [created.id])),
        ...(await db.query('SELECT * FROM payment_tokens')),
      ];
      const text = JSON.stringify(rows);
      expect(text).not.toContain('6011111111111117');
      expect(text).not.toContain('77665544332211');
      expect(text).not.toContain(VISA);
      for (const row of rows.filter((r) => 'number_sealed' in r)) {
        expect(row.number_sealed).toMatch(/^enc:v1:[0-9a-f]{8}:/);
      }
    });
  });

  describe('search', () => {
    beforeAll(async () => {
      await createCustomer(a, {
        id: 'SearchAlice',
        default_billing_address: { ...address, first_name: 'Alice', city: 'Boston', state: 'MA' },
      });
      await createCustomer(a, {
        id: 'SearchBob',
        default_billing_address: { ...address, first_name: 'Bob', city: 'Boston', state: 'MA' },
      });
      await createCustomer(a, {
        id: 'SearchCarol',
        default_billing_address: { ...address, first_name: 'Carol', city: 'Denver', state: 'CO' },
        default_payment: {
          ach: {
            routing_number: '490000018',
            account_number: '55554444',
            account_type: 'checking',
            sec_code: 'web',
          },
        },
      });
      await createCustomer(b, {
        id: 'SearchBobB',
        default_billing_address: { ...address, first_name: 'Bob', city: 'Boston' },
      });
    });

    const ids = (res: { body: { data: { id: string }[] } }) =>
      res.body.data.map((c) => c.id).sort();

    it('matches address fields with = and !=, within the merchant only', async () => {
      const boston = await a.api.post('/api/vault/customer/search', {
        city: { operator: '=', value: 'Boston' },
      });
      expect(boston.status).toBe(200);
      expect(ids(boston)).toEqual(['SearchAlice', 'SearchBob']);
      expect(boston.body.total_count).toBe(2);
      const notBob = await a.api.post('/api/vault/customer/search', {
        city: { operator: '=', value: 'Boston' },
        first_name: { operator: '!=', value: 'Bob' },
      });
      expect(ids(notBob)).toEqual(['SearchAlice']);
    });

    it('matches by id, payment method type and date range, with limit and offset', async () => {
      const byId = await a.api.post('/api/vault/customer/search', {
        id: { operator: '=', value: 'SearchCarol' },
      });
      expect(ids(byId)).toEqual(['SearchCarol']);
      expect(byId.body.data[0].data.customer.payments.ach).toHaveLength(1);
      const ach = await a.api.post('/api/vault/customer/search', {
        payment_method_type: { operator: '=', value: 'ach' },
        state: { operator: '=', value: 'CO' },
      });
      expect(ids(ach)).toEqual(['SearchCarol']);
      const future = await a.api.post('/api/vault/customer/search', {
        created_at: { start_date: '2999-01-01T00:00:00Z' },
      });
      expect(future.body).toMatchObject({ status: 'success', total_count: 0, data: [] });
      const page1 = await a.api.post('/api/vault/customer/search', {
        city: { operator: '=', value: 'Boston' },
        limit: 1,
      });
      const page2 = await a.api.post('/api/vault/customer/search', {
        city: { operator: '=', value: 'Boston' },
        limit: 1,
        offset: 1,
      });
      expect(page1.body.total_count).toBe(2);
      expect(page1.body.data).toHaveLength(1);
      expect(page2.body.data).toHaveLength(1);
      expect(page1.body.data[0].id).not.toBe(page2.body.data[0].id);
    });

    it('names a bad operator, an unknown field and a bad limit', async () => {
      const op = await a.api.post('/api/vault/customer/search', {
        city: { operator: '<', value: 'x' },
      });
      expect(op.status).toBe(400);
      expect(op.body.msg).toBe('invalid city.operator: must be "=" or "!="');
      const unknown = await a.api.post('/api/vault/customer/search', {
        town: { operator: '=', value: 'x' },
      });
      expect(unknown.body.msg).toBe('invalid town: is not a searchable field');
      const limit = await a.api.post('/api/vault/customer/search', { limit: 1000 });
      expect(limit.body.msg).toBe('invalid limit: must be an integer from 0 to 100');
      const date = await a.api.post('/api/vault/customer/search', {
        created_at: { start_date: 'yesterday' },
      });
      expect(date.body.msg).toMatch(/created_at.start_date: must be a UTC date/);
    });
  });

  describe('deletion', () => {
    it('deletes a customer with its addresses and payment methods', async () => {
      const created = await createCustomer(a);
      const res = await a.api.delete(`/api/vault/${created.id}`);
      expect(res.body).toEqual({ status: 'success', msg: 'success' });
      expect((await a.api.get(`/api/vault/${created.id}`)).status).toBe(404);
      const left = await t.app
        .get(DataSource)
        .query('SELECT count(*)::int AS n FROM vault_payment_methods WHERE customer_id = $1', [
          created.id,
        ]);
      expect(left[0].n).toBe(0);
    });

    it('refuses with 409 to delete a customer or its card while a live subscription uses them', async () => {
      const created = await createCustomer(a);
      const cardId = created.data.customer.payments.cards[0].id;
      const db = t.app.get(DataSource);
      // A subscription row as the subscriptions module writes it (only the columns the guard reads matter).
      await db.query(
        `INSERT INTO subscriptions (id, merchant_id, description, status, customer_id, payment_method_type,
           payment_method_id, amount, currency, billing_frequency, billing_cycle_interval, billing_days,
           charge_on_day, duration, next_bill_date, created_at, updated_at)
         VALUES ($1, $2, '', 'active', $3, NULL, NULL, 1000, 'USD', 'monthly', 1, '1', false, 0, '2030-01-01', now(), now())`,
        [`sub${created.id}`, a.id, created.id],
      );
      const res = await a.api.delete(`/api/vault/${created.id}`);
      expect(res.status).toBe(409);
      expect(res.body.msg).toBe(
        `customer ${created.id} cannot be deleted: 1 subscription that is not cancelled or completed uses it; cancel it first`,
      );
      // The subscription charges the default card (no payment method of its own): it stays too.
      const card = await a.api.delete(`/api/vault/customer/${created.id}/card/${cardId}`);
      expect(card.status).toBe(409);
      expect(card.body.msg).toMatch(/payment method .* cannot be deleted: 1 subscription/);
      await db.query(`UPDATE subscriptions SET status = 'cancelled' WHERE id = $1`, [
        `sub${created.id}`,
      ]);
      expect((await a.api.delete(`/api/vault/${created.id}`)).status).toBe(200);
    });

    it('asks the deletion guards other modules register', async () => {
      const created = await createCustomer(a);
      t.app
        .get(VaultService)
        .registerDeletionGuard(async (_em, target) =>
          target.customerId === created.id && target.paymentMethodId === undefined
            ? 'an open invoice names it'
            : null,
        );
      const res = await a.api.delete(`/api/vault/${created.id}`);
      expect(res.status).toBe(409);
      expect(res.body.msg).toBe(
        `customer ${created.id} cannot be deleted: an open invoice names it`,
      );
    });
  });
});
