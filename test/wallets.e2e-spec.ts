import { createMerchant, startTestApp, TestApp, TestMerchant } from './support/test-app';

const pkPaymentToken = (network = 'Visa') => ({
  paymentData: {
    version: 'EC_v1',
    data: 'c2FuZGJveCBkYXRh',
    signature: 'c2lnbmF0dXJl',
    header: {
      ephemeralPublicKey: 'ZXBoZW1lcmFs',
      publicKeyHash: 'aGFzaA==',
      transactionId: 'a1b2c3d4',
    },
  },
  paymentMethod: { displayName: `${network} 1111`, network, type: 'debit' },
  transactionIdentifier: 'A1B2C3D4',
});

const googlePayToken = () => ({
  protocolVersion: 'ECv2',
  signature: 'TUVZQ0lRQ2hlY2s=',
  signedMessage: JSON.stringify({
    encryptedMessage: 'ZW5jcnlwdGVk',
    ephemeralPublicKey: 'ZXBoZW1lcmFs',
    tag: 'dGFn',
  }),
});

describe('wallets (Apple Pay, Google Pay) and vault id_format', () => {
  let t: TestApp;
  let a: TestMerchant;
  let b: TestMerchant;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createMerchant(t.baseUrl);
    b = await createMerchant(t.baseUrl);
  });
  afterAll(async () => t.close());

  const sale = (m: TestMerchant, payment_method: unknown, amount = 1200) =>
    m.api.post('/api/transaction', { type: 'sale', amount, payment_method });

  describe('POST /api/transaction', () => {
    it.each([
      [
        { apple_pay: { key_id: 'merchant.com.example', temporary_token: 'sandbox-applepay-visa' } },
        'apple_pay',
        '411111******1111',
        100,
      ],
      [
        {
          apple_pay: {
            key_id: 'merchant.com.example',
            temporary_token: 'sandbox-applepay-declined',
          },
        },
        'apple_pay',
        '400000******0002',
        202,
      ],
      [
        {
          apple_pay: {
            key_id: 'merchant.com.example',
            pkpaymenttoken: pkPaymentToken('MasterCard'),
          },
        },
        'apple_pay',
        '555555******4444',
        100,
      ],
      [{ google_pay_token: 'sandbox-googlepay-visa' }, 'google_pay', '411111******1111', 100],
      [{ google_pay_token: 'sandbox-googlepay-declined' }, 'google_pay', '400000******0002', 202],
      [{ google_pay_token: googlePayToken() }, 'google_pay', '411111******1111', 100],
      [
        { google_pay_token: JSON.stringify(googlePayToken()) },
        'google_pay',
        '411111******1111',
        100,
      ],
    ])(
      '%j charges the DPAN %s, shown masked, deterministically',
      async (pm, method, masked, code) => {
        const res = await sale(a, pm);
        expect(res.status).toBe(200);
        expect(res.body.data).toMatchObject({
          payment_method: method,
          payment_type: 'card',
          response_code: code,
          status: code === 100 ? 'pending_settlement' : 'declined',
        });
        expect(res.body.data.response.card.masked_card).toBe(masked);
        expect(JSON.stringify(res.body)).not.toMatch(/4111111111111111|5555555555554444/);
      },
    );

    it('the sandbox amounts apply to wallets too', async () => {
      const res = await sale(a, { google_pay_token: 'sandbox-googlepay-visa' }, 125100);
      expect(res.body.data.response_code).toBe(251);
    });

    it.each([
      [
        { apple_pay: { temporary_token: 'sandbox-applepay-visa' } },
        /invalid payment_method.apple_pay.key_id: is required/,
      ],
      [{ apple_pay: { key_id: 'k' } }, /exactly one of temporary_token or pkpaymenttoken/],
      [
        { apple_pay: { key_id: 'k', temporary_token: 'made-up' } },
        /temporary_token: is not a token the sandbox knows/,
      ],
      [
        { apple_pay: { key_id: 'k', pkpaymenttoken: { paymentData: { version: 'EC_v9' } } } },
        /pkpaymenttoken.paymentData.version/,
      ],
      [
        {
          apple_pay: {
            key_id: 'k',
            pkpaymenttoken: {
              ...pkPaymentToken(),
              paymentData: { ...pkPaymentToken().paymentData, signature: '%%%' },
            },
          },
        },
        /paymentData.signature: is required: base64/,
      ],
      [
        { apple_pay: { key_id: 'k', pkpaymenttoken: pkPaymentToken('Diners') } },
        /paymentMethod.network/,
      ],
      [
        { google_pay_token: 'not a token' },
        /invalid payment_method.google_pay_token: must be a Google Pay token/,
      ],
      [
        { google_pay_token: { ...googlePayToken(), protocolVersion: 'v0' } },
        /google_pay_token.protocolVersion/,
      ],
      [
        { google_pay_token: { ...googlePayToken(), signedMessage: '{}' } },
        /google_pay_token.signedMessage.encryptedMessage: is required/,
      ],
      [{ google_pay_token: 42 }, /google_pay_token: must be an object or a string/],
    ])('refuses %j naming the part, charging nothing', async (pm, msg) => {
      const before = (await a.api.post('/api/transaction/search', {})).body.total_count;
      const res = await sale(a, pm);
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(msg);
      expect((await a.api.post('/api/transaction/search', {})).body.total_count).toBe(before);
    });
  });

  describe('the vault', () => {
    it('stores Apple Pay and Google Pay on create and through …/applepay and …/googlepay, flagged', async () => {
      const created = await a.api.post('/api/vault/customer', {
        default_payment: {
          apple_pay: { key_id: 'merchant.com.example', temporary_token: 'sandbox-applepay-amex' },
        },
      });
      expect(created.status).toBe(200);
      const customer = created.body.data;
      const cards = customer.data?.customer?.payments?.cards ?? customer.payments?.cards;
      const view = JSON.stringify(created.body);
      expect(view).not.toContain('378282246310005');
      expect(view).toMatch(/applepay/);
      expect(cards ?? view).toBeDefined();

      const id = created.body.data.id;
      const google = await a.api.post(`/api/vault/customer/${id}/googlepay`, {
        google_pay_token: googlePayToken(),
      });
      expect(google.status).toBe(200);
      expect(JSON.stringify(google.body)).toMatch(/googlepay/);
      const apple = await a.api.post(`/api/vault/customer/${id}/applepay`, {
        key_id: 'merchant.com.example',
        pkpaymenttoken: pkPaymentToken('Discover'),
      });
      expect(apple.status).toBe(200);
      expect(JSON.stringify(apple.body)).toContain('601111******1117');

      // The stored wallet card charges through payment_method.customer.
      const charged = await sale(a, { customer: { id } });
      expect(charged.body.data).toMatchObject({ response_code: 100, customer_id: id });

      // Another merchant cannot add to this customer.
      const other = await b.api.post(`/api/vault/customer/${id}/googlepay`, {
        google_pay_token: 'sandbox-googlepay-visa',
      });
      expect(other.status).toBe(404);
    });

    it('refuses a malformed wallet token on create and on …/applepay, creating nothing', async () => {
      const bad = await a.api.post('/api/vault/customer', {
        id: 'walletbad1',
        default_payment: { google_pay_token: { protocolVersion: 'ECv2' } },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.msg).toMatch(/default_payment.google_pay_token.signature/);
      expect((await a.api.get('/api/vault/walletbad1')).status).toBe(404);
      const c = (await a.api.post('/api/vault/customer', {})).body.data.id;
      const res = await a.api.post(`/api/vault/customer/${c}/applepay`, { key_id: 'k' });
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(/temporary_token or pkpaymenttoken/);
    });

    it('honours id_format "xid_type_last4" and refuses what the spec forbids', async () => {
      const card = await a.api.post('/api/vault/customer', {
        id_format: 'xid_type_last4',
        default_payment: { card: { number: '5555555555554444', expiration_date: '12/39' } },
      });
      expect(card.status).toBe(200);
      expect(card.body.data.id).toMatch(/^[0-9a-v]{20}_mastercard_4444$/);
      expect((await a.api.get(`/api/vault/${card.body.data.id}`)).status).toBe(200);
      const charged = await sale(a, { customer: { id: card.body.data.id } });
      expect(charged.body.data.response_code).toBe(100);

      const ach = await a.api.post('/api/vault/customer', {
        id_format: 'xid_type_last4',
        default_payment: {
          ach: {
            account_number: '123456789',
            routing_number: '490000018',
            account_type: 'checking',
            sec_code: 'web',
          },
        },
      });
      expect(ach.body.data.id).toMatch(/^[0-9a-v]{20}_ach_6789$/);

      for (const [body, msg] of [
        [
          { id: 'mine1', id_format: 'xid_type_last4' },
          /invalid id_format: cannot be used together with a custom id/,
        ],
        [{ id_format: 'uuid' }, /invalid id_format: must be one of "xid_type_last4"/],
        [{ id_format: 'xid_type_last4' }, /invalid id_format: needs a default_payment/],
      ] as const) {
        const res = await a.api.post('/api/vault/customer', body);
        expect(res.status).toBe(400);
        expect(res.body.msg).toMatch(msg);
      }
    });
  });
});
